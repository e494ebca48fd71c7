"""The tamper-evident journal: each community's entries sealed into a hash chain.

Design (why it looks like this):
- Sealing is asynchronous. ``post_entry`` never touches the chain, so awards of one community
  never queue on a per-community row; :func:`seal_all` (``pointsbank seal``, and the
  ``seal_journal`` job of ``pointsbank sweep``) later appends every entry not yet sealed, under a
  lock on the community's ``journal_heads`` row that only sealers take (a second sealer that
  finds it taken skips the community rather than wait).
- Every record is a fact that can no longer change. An entry is sealed as it stands
  (``record = 'entry'``: its fields, its status and its postings). A pending entry may later move
  to posted or voided, once: that move is sealed as its own record (``'resolution'``: the new
  status and the posting time). Statuses of one entry therefore seal as ``[posted]``,
  ``[voided]`` or ``[pending, posted|voided]`` and nothing else.
- The encoding is canonical JSON (sorted keys, no spaces, UTF-8, times as UTC
  ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, postings ordered by id as ``[id, from, to, unit, amount]``);
  ``digest = sha256(encoding)`` and ``hash = sha256(previous hash bytes || digest bytes)``,
  starting from ``genesis_hash(community id)``. Each record names its community and sequence
  number, so records cannot be moved between chains or positions.

Checking that history only grew: a holder of an older head ``(seq N, hash H)`` fetches
:func:`proof` from N. It gives the hash stored at N, which must equal H (otherwise history up to
N was rewritten), and the digests of records N+1..M; folding them onto H with
``hash = sha256(hash || digest)`` must give the hash at M (the current head, or the start of the
next page). :func:`check_extension` performs exactly this check.

What the chain cannot see: entries not sealed yet. Seal often; ``verify`` also reports entries
that are missing from the chain although entries created well after them were sealed
(``chain_check.SEAL_GRACE``), which is what a backdated forgery looks like. Checking the chain
against the book is ``chain_walk`` and ``chain_check``.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

import orjson
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.core import errors
from ledger.core.clock import as_utc
from ledger.core.models import Community, Entry, Posting

from .models import JournalHead, JournalSeal

ENCODING_VERSION = 1
FINAL_STATUSES = ("posted", "voided")
SEAL_BATCH = 1000  # entries sealed per statement round; one transaction may hold several
MAX_SEAL_PER_RUN = 50_000  # per community per run, so one run's transaction stays bounded
MAX_PROOF_RECORDS = 10_000  # digests per proof page (64 hex chars each)
MIN_ISOFORMAT_YEAR = 1000  # from here on, isoformat and strftime write the year alike
ISO_MICROSECONDS_LENGTH = len("2026-05-01T08:30:05.123456")
_IN_CHUNK = 500  # ids per IN (...) list

_heads = JournalHead.__table__
_seals = JournalSeal.__table__


class ProofOutOfRange(errors.Invalid):
    slug = "proof-out-of-range"
    title = "The proof must start at a sealed sequence number of this community's journal."


# Encoding ---------------------------------------------------------------------------------------
def genesis_hash(community_id: str) -> str:
    return hashlib.sha256(
        f"pointsbank journal v{ENCODING_VERSION} {community_id}".encode()
    ).hexdigest()


def link(previous_hash: str, digest: str) -> str:
    """The chained hash of a record: sha256 over the previous hash and the record's digest."""
    return hashlib.sha256(bytes.fromhex(previous_hash) + bytes.fromhex(digest)).hexdigest()


def _time(value: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (what ``strftime("%Y-%m-%dT%H:%M:%S.%fZ")`` gives)."""
    if value is None:
        return None
    utc = value if value.tzinfo is UTC else as_utc(value)  # the columns hand back UTC already
    if utc.year < MIN_ISOFORMAT_YEAR:
        # strftime writes such a year unpadded, isoformat would pad it: keep the sealed form.
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # isoformat is several times faster than strftime, which verify calls for every record;
    # its first 26 characters are the same, then "+00:00" where the seal writes "Z".
    return utc.isoformat(timespec="microseconds")[:ISO_MICROSECONDS_LENGTH] + "Z"


_SCALARS = frozenset((str, int, bool, type(None)))
_CONTAINERS = frozenset((dict, list, tuple))


def orjson_writes_alike(value) -> bool:
    """Whether orjson encodes ``value`` byte for byte as json.dumps does below: strings (every
    code point, checked), integers, booleans, null, and lists and str-keyed objects of them. Not
    floats (json.dumps writes 1e-07 where orjson writes 1e-7), which metadata may hold."""
    kind = type(value)
    if kind is dict:
        if not all(type(key) is str for key in value):
            return False
        value = value.values()
    elif kind is not list and kind is not tuple:
        return kind in _SCALARS
    for item in value:
        # Scalars are checked here rather than by a call each: a payload is mostly scalars.
        item_kind = type(item)
        if item_kind not in _SCALARS and not (
            item_kind in _CONTAINERS and orjson_writes_alike(item)
        ):
            return False
    return True


def canonical(payload: dict, *, free_form=None) -> bytes:
    """Sorted keys, no spaces, UTF-8: json.dumps(sort_keys, compact, ensure_ascii off).

    orjson gives the same bytes about fifteen times faster (verify encodes every sealed record,
    sealing every new one); a payload it might write otherwise (a float; an integer beyond 64
    bits, which it refuses) takes json.dumps. ``free_form`` names the part of the payload whose
    types its builder does not fix (an entry's metadata): only it is checked; by default, all.
    """
    if orjson_writes_alike(payload if free_form is None else free_form):
        try:
            return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def entry_payload(community_id: str, seq: int, entry, postings, status: str) -> dict:
    """The sealed form of an entry as it stood with ``status`` (its posting time only once final)."""
    return {
        "v": ENCODING_VERSION,
        "record": "entry",
        "community": community_id,
        "seq": seq,
        "entry": {
            "id": entry.id,
            "community": entry.community_id,
            "kind": entry.kind,
            "status": status,
            "occurred_at": _time(entry.occurred_at),
            "created_at": _time(entry.created_at),
            "posted_at": None if status == "pending" else _time(entry.posted_at),
            "expires_at": _time(entry.expires_at),
            "memo": entry.memo,
            "metadata": entry.details,
            "reverses": entry.reverses_id,
            "cause": entry.cause_id,
            "api_key": entry.api_key_id,
        },
        "postings": [list(p) for p in postings],
    }


def resolution_payload(community_id: str, seq: int, entry, status: str) -> dict:
    return {
        "v": ENCODING_VERSION,
        "record": "resolution",
        "community": community_id,
        "seq": seq,
        "entry": entry.id,
        "status": status,
        "posted_at": _time(entry.posted_at),
    }


def _free_form(payload: dict):
    """What of a payload may hold any JSON: a sealed record is built from typed columns (strings,
    integers, null; the times written out by _time) but for an entry's metadata."""
    record = payload.get("record")
    if record == "entry":
        return payload["entry"]["metadata"]
    return () if record == "resolution" else None


def digest_of(payload: dict) -> str:
    return hashlib.sha256(canonical(payload, free_form=_free_form(payload))).hexdigest()


def record_digest(seal, entry, postings) -> str:
    """Recompute a seal's digest from the entry and postings as stored now."""
    if seal.record == "entry":
        payload = entry_payload(seal.community_id, seal.seq, entry, postings, seal.status)
    else:
        payload = resolution_payload(seal.community_id, seal.seq, entry, seal.status)
    return digest_of(payload)


# Reading entries in bulk --------------------------------------------------------------------------
ENTRY_COLUMNS = (
    Entry.id,
    Entry.community_id,
    Entry.kind,
    Entry.status,
    Entry.occurred_at,
    Entry.posted_at,
    Entry.created_at,
    Entry.expires_at,
    Entry.memo,
    Entry.details.label("details"),
    Entry.reverses_id,
    Entry.cause_id,
    Entry.api_key_id,
)


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    ids = list(ids)
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start : start + _IN_CHUNK]


def load_entries(session: Session, entry_ids: Iterable[str]) -> dict:
    found = {}
    for chunk in _chunks(sorted(set(entry_ids))):
        for row in session.execute(sa.select(*ENTRY_COLUMNS).where(Entry.id.in_(chunk))):
            found[row.id] = row
    return found


def load_postings(session: Session, entry_ids: Iterable[str]) -> dict[str, list[tuple]]:
    """{entry id: [(posting id, from, to, unit, amount), ...] ordered by posting id}."""
    found: dict[str, list[tuple]] = {}
    for chunk in _chunks(sorted(set(entry_ids))):
        rows = session.execute(
            sa.select(
                Posting.entry_id,
                Posting.id,
                Posting.from_account_id,
                Posting.to_account_id,
                Posting.unit,
                Posting.amount,
            )
            .where(Posting.entry_id.in_(chunk))
            .order_by(Posting.id)
        )
        for row in rows:
            found.setdefault(row.entry_id, []).append(
                (int(row.id), row.from_account_id, row.to_account_id, row.unit, int(row.amount))
            )
    return found


# Sealing ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Head:
    community_id: str
    seq: int
    hash: str
    sealed_at: datetime | None
    unsealed: int | None = None  # entries not sealed yet, when asked for


def _lock_head(session: Session, community_id: str, now: datetime):
    """The community's head row, locked for this transaction (created at seq 0 if missing).

    None when another sealer holds it: that sealer is sealing this community right now, so
    this one moves on instead of queueing behind it.
    """
    exists = session.execute(
        sa.select(_heads.c.seq).where(_heads.c.community_id == community_id)
    ).first()
    if exists is None:
        try:
            with session.begin_nested():
                session.execute(
                    _heads.insert().values(
                        community_id=community_id,
                        seq=0,
                        hash=genesis_hash(community_id),
                        sealed_at=now,
                    )
                )
        except IntegrityError:
            pass  # another sealer created it first
    return session.execute(
        sa.select(_heads)
        .where(_heads.c.community_id == community_id)
        .with_for_update(skip_locked=True)
    ).first()


def _unsealed(community_id: str):
    """Entries of the community whose current status has no seal yet."""
    sealed = sa.select(_seals.c.seq).where(
        _seals.c.entry_id == Entry.id, _seals.c.status == Entry.status
    )
    return sa.and_(Entry.community_id == community_id, ~sa.exists(sealed))


def _seal_batch(
    session: Session, community_id: str, head, now: datetime
) -> tuple[int, int, object]:
    """Seal up to ``SEAL_BATCH`` entries; returns (fetched, sealed, new head)."""
    rows = session.execute(
        sa.select(*ENTRY_COLUMNS)
        .where(_unsealed(community_id))
        .order_by(Entry.created_at, Entry.id)
        .limit(SEAL_BATCH)
    ).all()
    if not rows:
        return 0, 0, head
    ids = [row.id for row in rows]
    earlier: dict[str, list[str]] = {}
    for chunk in _chunks(ids):
        for entry_id, status in session.execute(
            sa.select(_seals.c.entry_id, _seals.c.status).where(_seals.c.entry_id.in_(chunk))
        ):
            earlier.setdefault(entry_id, []).append(status)
    postings = load_postings(session, [i for i in ids if i not in earlier])
    seq, chained, records = head.seq, head.hash, []
    for row in rows:
        before = earlier.get(row.id)
        if before is None:
            record = "entry"
        elif before == ["pending"] and row.status in FINAL_STATUSES:
            record = "resolution"
        else:
            # A status change the ledger never makes (a final entry changed again): not sealed,
            # so that verify keeps reporting it against the record that sealed the old status.
            continue
        seq += 1
        if record == "entry":
            payload = entry_payload(community_id, seq, row, postings.get(row.id, []), row.status)
        else:
            payload = resolution_payload(community_id, seq, row, row.status)
        digest = digest_of(payload)
        chained = link(chained, digest)
        records.append(
            {
                "community_id": community_id,
                "seq": seq,
                "entry_id": row.id,
                "record": record,
                "status": row.status,
                "digest": digest,
                "hash": chained,
                "sealed_at": now,
            }
        )
    if records:
        session.execute(_seals.insert(), records)
        session.execute(
            _heads.update()
            .where(_heads.c.community_id == community_id)
            .values(seq=seq, hash=chained, sealed_at=now)
        )
        head = Head(community_id, seq, chained, now)
    return len(rows), len(records), head


def seal_community(session: Session, community_id: str, *, now: datetime) -> int:
    """Append every unsealed entry (and every resolved pending entry) to the community's chain.

    Takes the community's head lock for the transaction (or returns 0 at once when another
    sealer holds it); returns how many records were sealed. Flushes, never commits.
    """
    head = _lock_head(session, community_id, now)
    total = 0
    if head is None:
        return 0
    while total < MAX_SEAL_PER_RUN:
        fetched, sealed, head = _seal_batch(session, community_id, head, now)
        total += sealed
        if fetched < SEAL_BATCH or sealed == 0:
            break
    return total


def seal_all(session: Session, now: datetime) -> int:
    """The sweep job: seal every community that has something unsealed."""
    waiting = session.scalars(
        sa.select(Entry.community_id)
        .where(
            ~sa.exists(
                sa.select(_seals.c.seq).where(
                    _seals.c.entry_id == Entry.id, _seals.c.status == Entry.status
                )
            )
        )
        .distinct()
        .order_by(Entry.community_id)
    ).all()
    return sum(seal_community(session, community_id, now=now) for community_id in waiting)


# Reading the head and proofs ----------------------------------------------------------------------
def head(session: Session, community_id: str) -> Head:
    row = session.execute(sa.select(_heads).where(_heads.c.community_id == community_id)).first()
    if row is None:
        return Head(community_id, 0, genesis_hash(community_id), None)
    return Head(community_id, int(row.seq), row.hash, row.sealed_at)


def unsealed_count(session: Session, community_id: str) -> int:
    return session.scalars(
        sa.select(sa.func.count()).select_from(Entry).where(_unsealed(community_id))
    ).one()


def published_head(session: Session, community_id: str) -> Head:
    """The head as published: with how many entries still wait for the sealer."""
    current = head(session, community_id)
    return Head(
        current.community_id,
        current.seq,
        current.hash,
        current.sealed_at,
        unsealed_count(session, community_id),
    )


@dataclass(frozen=True)
class Proof:
    community_id: str
    from_seq: int
    from_hash: str
    to_seq: int
    to_hash: str
    digests: list[str]
    head: Head

    @property
    def complete(self) -> bool:
        """True when this page reaches the current head."""
        return self.to_seq == self.head.seq

    @property
    def start(self) -> "Point":
        return Point(self.from_seq, self.from_hash)

    @property
    def end(self) -> "Point":
        return Point(self.to_seq, self.to_hash)


class Point(NamedTuple):
    """A place in the chain: a sequence number and the hash there."""

    seq: int
    hash: str


def _hash_at(session: Session, community_id: str, seq: int) -> str | None:
    if seq == 0:
        return genesis_hash(community_id)
    return session.scalar(
        sa.select(_seals.c.hash).where(_seals.c.community_id == community_id, _seals.c.seq == seq)
    )


def proof(
    session: Session, community_id: str, from_seq: int, limit: int = MAX_PROOF_RECORDS
) -> Proof:
    """The digests that lead from sequence number ``from_seq`` towards the current head."""
    current = head(session, community_id)
    if not 0 <= from_seq <= current.seq:
        raise ProofOutOfRange(from_seq=from_seq, head_seq=current.seq)
    if not 1 <= limit <= MAX_PROOF_RECORDS:
        raise errors.Invalid("limit is out of range", limit=limit, max_limit=MAX_PROOF_RECORDS)
    from_hash = _hash_at(session, community_id, from_seq)
    if from_hash is None:
        raise ProofOutOfRange(from_seq=from_seq, head_seq=current.seq)
    rows = session.execute(
        sa.select(_seals.c.seq, _seals.c.digest, _seals.c.hash)
        .where(_seals.c.community_id == community_id, _seals.c.seq > from_seq)
        .order_by(_seals.c.seq)
        .limit(limit)
    ).all()
    to_seq, to_hash = (int(rows[-1].seq), rows[-1].hash) if rows else (from_seq, from_hash)
    return Proof(
        community_id, from_seq, from_hash, to_seq, to_hash, [r.digest for r in rows], current
    )


def check_extension(saved_seq: int, saved_hash: str, proof_page: dict) -> tuple[bool, str]:
    """Does a proof page (as the API serves it) show that history after the saved head only grew?

    ``proof_page`` has ``from: {seq, hash}``, ``to: {seq, hash}`` and ``digests``. Returns
    ``(True, why)`` when the page starts at the saved head and its digests fold onto the saved
    hash to give ``to.hash``; ``(False, why)`` otherwise. For a long history, check page after
    page, each from the previous page's ``to``, until ``to`` equals the published head.
    """
    start, end, digests = proof_page["from"], proof_page["to"], proof_page["digests"]
    if int(start["seq"]) != saved_seq:
        return False, f"the proof starts at seq {start['seq']}, not at the saved seq {saved_seq}"
    if start["hash"] != saved_hash:
        return False, (
            f"history was rewritten: the journal's hash at seq {saved_seq} is "
            f"{start['hash']}, the saved head says {saved_hash}"
        )
    if int(end["seq"]) != saved_seq + len(digests):
        return False, "the proof's digests do not span from its first to its last seq"
    chained = saved_hash
    try:
        for digest in digests:
            chained = link(chained, digest)
    except ValueError:
        return False, "the proof holds a digest that is not a sha256 in hex"
    if chained != end["hash"]:
        return False, (
            f"the digests after seq {saved_seq} do not lead to the hash "
            f"at seq {end['seq']}: history was rewritten"
        )
    return True, f"seq {end['seq']} extends the saved seq {saved_seq}"


# Publishing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Published:
    """A head or a proof as published, named by its community's slug; its other attributes
    are the head's or the proof's own."""

    community: str
    of: Head | Proof

    def __getattr__(self, name: str):
        return getattr(self.of, name)


def published_head_of(session: Session, community: Community) -> Published:
    return Published(community.slug, published_head(session, community.id))


def published_proof(
    session: Session, community: Community, from_seq: int, limit: int = MAX_PROOF_RECORDS
) -> Published:
    return Published(community.slug, proof(session, community.id, from_seq, limit))
