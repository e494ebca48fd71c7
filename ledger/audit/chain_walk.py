"""Walking a stretch of a community's sealed chain: each record recomputed from the book.

A walk reads the seals of seqs ``first`` to ``last`` with the entries and postings they name as
stored now, recomputes each record's digest and chained hash, and stops at the first record
that fails. It starts from the hash before ``first``: the genesis hash, or the stored hash of
the record before (which the walk of the stretch before checked), so a chain may be walked in
stretches side by side (``chain_check``) and still be checked link by link.
"""

import json
from collections import namedtuple
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import orjson
import sqlalchemy as sa
from psycopg.types.json import set_json_loads

from ledger.core.models import Entry, Posting

from .chain import ENTRY_COLUMNS, genesis_hash, link, orjson_writes_alike, record_digest
from .models import JournalSeal

VERIFY_BATCH = 5000  # seals read per round while verifying
WALK_CURSOR = "pointsbank_chain_walk"

_seals = JournalSeal.__table__


@dataclass(frozen=True)
class ChainBreach:
    community_id: str
    seq: int | None
    entry_id: str | None
    detail: str


def _check_seal(
    community_id: str, seal, entry, postings, expected: int, chained: str
) -> ChainBreach | str:
    """The breach the seal shows, or the chained hash it extends the chain to.

    ``entry`` is the entry the seal names as stored now (None when it is gone), ``postings``
    its postings ordered by id."""
    seq = int(seal.seq)
    if seq != expected:
        return ChainBreach(
            community_id, expected, None, f"record {expected} is missing from the chain"
        )
    if entry is None:
        return ChainBreach(
            community_id,
            seq,
            seal.entry_id,
            f"entry {seal.entry_id} sealed at seq {seq} is missing",
        )
    if entry.community_id != community_id:
        return ChainBreach(
            community_id, seq, entry.id, f"entry {entry.id} moved to another community"
        )
    if record_digest(seal, entry, postings) != seal.digest:
        return ChainBreach(
            community_id,
            seq,
            entry.id,
            f"entry {entry.id} ({seal.record} record) no longer matches its seal",
        )
    step = link(chained, seal.digest)
    if step != seal.hash:
        return ChainBreach(community_id, seq, entry.id, f"the chained hash at seq {seq} is wrong")
    return step


class _Seal(NamedTuple):
    community_id: str
    seq: int
    entry_id: str
    record: str
    status: str
    digest: str
    hash: str


# An entry's columns as the walk reads them, by the names ``entry_payload`` reads.
_EntryRow = namedtuple("_EntryRow", [column.key for column in ENTRY_COLUMNS])  # type: ignore[misc]


_SEAL_COLUMNS = [_seals.c[name].label(f"seal_{name}") for name in _Seal._fields]
_POSTING_COLUMNS = (
    Posting.id.label("posting_id"),
    Posting.from_account_id,
    Posting.to_account_id,
    Posting.unit,
    Posting.amount,
)
_ENTRY_AT = slice(len(_SEAL_COLUMNS), len(_SEAL_COLUMNS) + len(_EntryRow._fields))
_POSTING_AT = _ENTRY_AT.stop
_SEQ_AT = _Seal._fields.index("seq")
WALK_CURSOR = "pointsbank_chain_walk"


def decoded_json(data: bytes | str):
    """What json.loads gives: orjson's value where it is the same (it reads faster), json.loads'
    where it might not be: a float (orjson reads an integer past 64 bits as one), or text orjson
    refuses (a lone surrogate escape, which the json type lets through)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
    return value if orjson_writes_alike(value) else json.loads(data)


def _streamed_rows(connection, statement) -> Generator[Sequence, None, None]:
    """The statement's rows as tuples, streamed in batches of VERIFY_BATCH.

    On PostgreSQL through a server-side cursor of psycopg's own, in the connection's transaction:
    rows built in C with no per-row work by SQLAlchemy, which was most of a long walk's time.
    Times come back in the session's time zone, which ``_time`` turns to UTC; metadata is
    decoded by ``decoded_json``.
    """
    if connection.dialect.name != "postgresql":
        with connection.execute(statement.execution_options(yield_per=VERIFY_BATCH)) as rows:
            yield from rows
        return
    compiled = statement.compile(dialect=connection.dialect)
    cursor = connection.connection.driver_connection.cursor(name=WALK_CURSOR)
    cursor.itersize = VERIFY_BATCH
    set_json_loads(decoded_json, cursor)
    try:
        cursor.execute(str(compiled), compiled.params)
        yield from cursor
    finally:
        cursor.close()


def _sealed_records(connection, community_id: str, first: int, last: int | None):
    """(seal, entry as stored now or None, its postings) for each seal of the community from seq
    ``first`` to ``last`` (the end, if None), in seq order, from one streamed statement: the
    seals joined to their entries and, for entry records, to their postings (one row per
    posting). A walk over a long chain thus reads the journal once, in order, instead of looking
    up entries and postings batch by batch."""
    statement = (
        sa.select(*_SEAL_COLUMNS, *ENTRY_COLUMNS, *_POSTING_COLUMNS)
        .select_from(_seals)
        .outerjoin(Entry, Entry.id == _seals.c.entry_id)
        .outerjoin(Posting, sa.and_(Posting.entry_id == Entry.id, _seals.c.record == "entry"))
        .where(_seals.c.community_id == community_id, _seals.c.seq >= first)
        .order_by(_seals.c.seq, Posting.id)
    )
    if last is not None:
        statement = statement.where(_seals.c.seq <= last)
    seal, entry = None, None
    postings: list[tuple] = []
    rows = _streamed_rows(connection, statement)
    try:
        for row in rows:
            if seal is None or row[_SEQ_AT] != seal.seq:
                if seal is not None:
                    yield seal, entry, postings
                seal = _Seal(*row[: len(_SEAL_COLUMNS)])
                columns = row[_ENTRY_AT]
                entry, postings = (None if columns[0] is None else _EntryRow(*columns)), []
            posting_id, from_account, to_account, unit, amount = row[_POSTING_AT:]
            if posting_id is not None:
                postings.append((int(posting_id), from_account, to_account, unit, int(amount)))
        if seal is not None:
            yield seal, entry, postings
    finally:
        rows.close()  # a walk that stops early closes the cursor


class RangeWalk(NamedTuple):
    """What a walk found: the last record that held (seq and chained hash), the breach that
    ended the walk (None when it reached its end), and the records walked whose entry no longer
    has the final status they sealed."""

    last_seq: int
    last_hash: str
    broken: ChainBreach | None
    changed: list[ChainBreach]


def _changed(community_id: str, seal, entry) -> ChainBreach | None:
    """A record that sealed a final status its entry no longer has (a pending record's entry
    may have moved on since: its resolution is a record of its own)."""
    if seal.status == "pending" or entry.status == seal.status:
        return None
    return ChainBreach(
        community_id,
        int(seal.seq),
        entry.id,
        f"entry {entry.id} was sealed {seal.status} and is now {entry.status}",
    )


def walk_range(
    connection, community_id: str, first: int = 1, last: int | None = None, chained=None
) -> RangeWalk:
    """Walk seqs ``first`` to ``last`` (the end, if None) from ``chained``, the hash before
    ``first`` (the genesis hash by default); a record missing inside the stretch is a breach."""
    expected = first
    chained = genesis_hash(community_id) if chained is None else chained
    changed: list[ChainBreach] = []
    records = _sealed_records(connection, community_id, first, last)
    try:
        for seal, entry, postings in records:
            outcome = _check_seal(community_id, seal, entry, postings, expected, chained)
            if isinstance(outcome, ChainBreach):
                return RangeWalk(expected - 1, chained, outcome, changed)
            if (status_breach := _changed(community_id, seal, entry)) is not None:
                changed.append(status_breach)
            chained, expected = outcome, expected + 1
    finally:
        records.close()  # a walk that stops early closes the cursor
    if last is not None and expected <= last:
        missing = ChainBreach(
            community_id, expected, None, f"record {expected} is missing from the chain"
        )
        return RangeWalk(expected - 1, chained, missing, changed)
    return RangeWalk(expected - 1, chained, None, changed)
