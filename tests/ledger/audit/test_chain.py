"""The hash chain: entries sealed in order, resolutions as their own records, proofs that fold."""

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ledger.audit import chain
from ledger.core.clock import as_utc
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending


@pytest.fixture
def sealed(session, community, wang, li, points_of, grant, now):
    """An opening grant and a captured hold, sealed: three records in 潜江's chain."""
    grant(community, points_of(wang), 100)
    hold = post_entry(
        session,
        EntryDraft(
            community.id,
            "transfer",
            [PostingDraft(points_of(wang), points_of(li), "points", 10)],
            pending=True,
        ),
        now=now,
    )
    assert chain.seal_community(session, community.id, now=now) == 2
    post_pending(session, hold.id, now=now + timedelta(minutes=1))
    assert chain.seal_community(session, community.id, now=now + timedelta(minutes=1)) == 1
    return community


def test_a_chain_starts_at_its_communitys_genesis_and_links_by_sha256():
    """The genesis hash names the community; a link hashes the previous hash and the digest."""
    genesis = chain.genesis_hash("com_A")
    assert genesis != chain.genesis_hash("com_B") and len(genesis) == 64
    digest = chain.digest_of({"seq": 1})
    expected = hashlib.sha256(bytes.fromhex(genesis) + bytes.fromhex(digest)).hexdigest()
    assert chain.link(genesis, digest) == expected
    assert chain.canonical({"b": 1, "a": "潜江"}) == '{"a":"潜江","b":1}'.encode()


def _json_dumps_encoding(payload) -> bytes:
    """The canonical encoding as every seal before orjson was written."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


EVERY_CODE_POINT = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


@pytest.mark.parametrize(
    "metadata",
    [
        {"text": EVERY_CODE_POINT, EVERY_CODE_POINT[:300]: "keys too"},
        {"z": [1, {"b": None, "a": True}], "é": False, "中": "文", "": -(2**63), "max": 2**64 - 1},
        {"float": 1e-07, "nested": [{"big": 1e16}]},  # orjson would write 1e-7
        {"beyond 64 bits": 2**64, "negative": -(2**63) - 1},  # orjson refuses these
    ],
)
def test_the_encoding_is_json_dumps_byte_for_byte(metadata):
    """Every code point, nesting, floats and large integers encode as json.dumps wrote them."""
    payload = {
        "record": "entry",
        "entry": {"metadata": metadata, "memo": "清洁家园"},
        "postings": [[1, "a"]],
    }
    assert chain.canonical(payload) == _json_dumps_encoding(payload)
    expected = hashlib.sha256(_json_dumps_encoding(payload)).hexdigest()
    assert chain.digest_of(payload) == expected


def test_an_encoding_json_dumps_refuses_is_still_refused():
    """A NaN, or a value that is not JSON, fails as it did rather than being sealed."""
    with pytest.raises(ValueError):
        chain.canonical({"metadata": {"x": float("nan")}})
    with pytest.raises(TypeError):
        chain.canonical({"metadata": {"when": datetime(2026, 1, 1, tzinfo=UTC)}})


def test_sealing_appends_each_entry_and_each_resolution_once(session, sealed, now):
    """Three records; sealing again finds nothing new and leaves the head where it was."""
    head = chain.head(session, sealed.id)
    assert head.seq == 3 and chain.unsealed_count(session, sealed.id) == 0
    assert chain.seal_all(session, now + timedelta(hours=1)) == 0
    assert chain.head(session, sealed.id).hash == head.hash


def test_a_proof_from_an_old_head_folds_onto_the_current_one(session, sealed):
    """From seq 1, two digests lead to the head; check_extension accepts it and a forgery fails."""
    page = chain.proof(session, sealed.id, 1)
    assert (page.to_seq, len(page.digests), page.complete) == (3, 2, True)
    served = {
        "from": {"seq": page.from_seq, "hash": page.from_hash},
        "to": {"seq": page.to_seq, "hash": page.to_hash},
        "digests": page.digests,
    }
    assert chain.check_extension(1, page.from_hash, served)[0] is True
    ok, why = chain.check_extension(1, "0" * 64, served)
    assert not ok and "history was rewritten" in why
    with pytest.raises(chain.ProofOutOfRange):
        chain.proof(session, sealed.id, 4)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 5, 1, tzinfo=UTC),
        datetime(2026, 5, 1, 8, 30, 5, 123456, tzinfo=timezone(timedelta(hours=8))),
        datetime(2026, 12, 31, 23, 59, 59, 999999),  # naive, as SQLite hands back: UTC
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),  # a year strftime does not pad
    ],
)
def test_sealed_times_keep_their_strftime_form(moment):
    """The fast time encoding writes exactly what strftime wrote when the journal was sealed."""
    expected = as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert chain._time(moment) == expected
