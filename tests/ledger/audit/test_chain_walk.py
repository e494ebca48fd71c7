"""Walking a stretch of the chain: metadata decoded as json.loads decodes it, gaps named."""

import json

import pytest
import sqlalchemy as sa

from ledger.audit import chain, chain_walk

from .tampering import build_community, bypass_guards


@pytest.mark.parametrize(
    "text",
    [
        '{"activity": "cleanup.join", "source_id": "签到-17", "n": 3, "ok": true, "x": null}',
        '{"nested": [{"b": [1, 2, {"c": "\\u00e9\\ud83d\\ude00"}]}], "a": -9223372036854775808}',
        '{"beyond 64 bits": 123456789012345678901234567890}',  # orjson reads a float here
        '{"float": 1e-07, "other": 2.5}',
        '{"lone": "\\ud800"}',  # orjson refuses a lone surrogate
        '{"twice": 1, "twice": 2}',
    ],
)
def test_metadata_decodes_as_json_loads_decodes_it(text):
    """Same value and same types as json.loads, for text orjson reads alike and text it does not."""
    decoded = chain_walk.decoded_json(text)
    expected = json.loads(text)
    assert decoded == expected
    assert json.dumps(decoded) == json.dumps(expected)  # an int stays an int, not 1.23e29


def test_a_stretch_names_a_record_missing_inside_it_and_at_its_end(session):
    """Seal 3 deleted: a walk of 1..5 breaks there; a walk past the chain's end names the gap."""
    community = build_community(session)
    connection = session.connection()
    last = chain.head(session, community.id).seq
    whole = chain_walk.walk_range(connection, community.id)
    assert (whole.last_seq, whole.broken) == (last, None)
    beyond = chain_walk.walk_range(connection, community.id, 1, last + 2)
    assert beyond.last_seq == last and beyond.broken.seq == last + 1
    assert beyond.broken.detail == f"record {last + 1} is missing from the chain"
    bypass_guards(session)
    session.execute(sa.text("DELETE FROM journal_seals WHERE seq = 3"))
    inside = chain_walk.walk_range(session.connection(), community.id, 1, 5)
    session.rollback()
    assert (inside.last_seq, inside.broken.seq) == (2, 3)
