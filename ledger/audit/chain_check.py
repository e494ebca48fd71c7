"""Checking each community's sealed chain against the book, for ``pointsbank verify``.

A chain is walked record by record (``chain_walk``). A long one may be split into stretches
walked side by side by processes of their own (``workers``), each in a transaction importing
the caller's snapshot (``pg_export_snapshot``), so every stretch reads the very book the rest of
verify reads: the answer is the one a single walk gives, stretches after the first breach
discarded, in a fraction of the time (each record is hashed in Python, on one core a walk).
"""

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ledger.core.clock import as_utc
from ledger.core.models import Community, Entry

from .chain import genesis_hash, head
from .chain_walk import ChainBreach, RangeWalk, walk_range
from .models import JournalSeal

# A transaction takes ``now`` at its start and commits within seconds; an entry still unsealed
# although entries created this much later are sealed did not arrive through post_entry.
SEAL_GRACE = timedelta(minutes=15)
# Below this many records a chain is walked in this process: starting the processes (each
# imports the ledger, all at once) took 2 s on 2 cores, so two walking 60,000 records in halves
# took longer than one walking them all (4.5 s against 3.7 s through the CLI).
PARALLEL_WALK_MIN_RECORDS = 150_000
SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")

_seals = JournalSeal.__table__


def _backdated(session: Session, community_id: str):
    """Entries missing from the chain although entries created well after them were sealed."""
    sealed_entry = sa.select(_seals.c.seq).where(_seals.c.entry_id == Entry.id)
    newest_sealed = session.scalar(
        sa.select(sa.func.max(Entry.created_at))
        .join(_seals, _seals.c.entry_id == Entry.id)
        .where(_seals.c.community_id == community_id, _seals.c.record == "entry")
    )
    if newest_sealed is None:
        return
    rows = session.execute(
        sa.select(Entry.id, Entry.created_at)
        .where(
            Entry.community_id == community_id,
            ~sa.exists(sealed_entry),
            Entry.created_at < as_utc(newest_sealed) - SEAL_GRACE,
        )
        .order_by(Entry.created_at, Entry.id)
    ).all()
    for row in rows:
        # The position it claims in history: the first sealed entry created after it.
        seq = session.scalar(
            sa.select(sa.func.min(_seals.c.seq))
            .join(Entry, Entry.id == _seals.c.entry_id)
            .where(
                _seals.c.community_id == community_id,
                _seals.c.record == "entry",
                sa.tuple_(Entry.created_at, Entry.id) > (row.created_at, row.id),
            )
        )
        yield ChainBreach(
            community_id,
            seq,
            row.id,
            f"entry {row.id} is not sealed although later entries are: "
            "it was not written through the ledger",
        )


def _stretches(last_seq: int, workers: int) -> list[tuple[int, int | None]]:
    """Seqs 1..last_seq cut into ``workers`` stretches of (nearly) equal length; the last one
    runs on to the chain's end, as a single walk would."""
    size = -(-last_seq // workers)
    firsts = range(1, last_seq + 1, size)
    return [(first, first + size - 1) for first in firsts[:-1]] + [(firsts[-1], None)]


def _walk_apart(
    url: str, snapshot: str, community_id: str, stretch: tuple[int, int | None]
) -> RangeWalk:
    """One stretch of the chain, walked in this (worker) process within ``snapshot``."""
    first, last = stretch
    # Times in UTC come back as datetime's own UTC, which the encoding writes without converting.
    engine = sa.create_engine(url, poolclass=NullPool, connect_args={"options": "-c TimeZone=UTC"})
    try:
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with engine.connect().execution_options(**options) as connection:
            # A utility statement takes no parameters: the id was checked against its shape.
            connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            chained = (
                genesis_hash(community_id)
                if first == 1
                else _stored_hash(connection, community_id, first - 1)
            )
            if chained is None:  # the stretch before ends in this very gap, and reports it
                gap = ChainBreach(community_id, first - 1, None, "a record is missing")
                return RangeWalk(first - 1, "", gap, [])
            return walk_range(connection, community_id, first, last, chained)
    finally:
        engine.dispose()


def _stored_hash(connection, community_id: str, seq: int) -> str | None:
    return connection.scalar(
        sa.select(_seals.c.hash).where(_seals.c.community_id == community_id, _seals.c.seq == seq)
    )


def _joined(walks: list[RangeWalk]) -> RangeWalk:
    """The stretches' walks as one: up to the first that broke, whose breach ends it."""
    changed: list[ChainBreach] = []
    for walked in walks:
        changed += walked.changed
        if walked.broken is not None:
            return RangeWalk(walked.last_seq, walked.last_hash, walked.broken, changed)
    return RangeWalk(walks[-1].last_seq, walks[-1].last_hash, None, changed)


def walk_chain(session: Session, community_id: str, *, workers: int = 1) -> RangeWalk:
    """The whole chain, walked here or, when long, in ``workers`` stretches side by side.

    Stretches need PostgreSQL and a session whose transaction is a snapshot that has written
    nothing (``verify.verify_snapshot``): another transaction could not see its writes.
    """
    connection = session.connection()
    if workers < 2 or connection.dialect.name != "postgresql":
        return walk_range(connection, community_id)
    last_seq = connection.scalar(
        sa.select(sa.func.max(_seals.c.seq)).where(_seals.c.community_id == community_id)
    )
    if last_seq is None or last_seq < PARALLEL_WALK_MIN_RECORDS:
        return walk_range(connection, community_id)
    snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    if not SNAPSHOT_ID.fullmatch(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    url = connection.engine.url.render_as_string(hide_password=False)
    stretches = _stretches(last_seq, workers)
    # spawn, not fork: a forked child would share this process's pooled connections.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(len(stretches), mp_context=context) as pool:
        walks = list(pool.map(partial(_walk_apart, url, snapshot, community_id), stretches))
    return _joined(walks)


def check_community(session: Session, community_id: str, *, workers: int = 1) -> list[ChainBreach]:
    """Every breach of one community's chain, the first bad sequence number first."""
    walked = walk_chain(session, community_id, workers=workers)
    found = [walked.broken] if walked.broken else []
    current = head(session, community_id)
    if walked.broken is None and (current.seq, current.hash) != (walked.last_seq, walked.last_hash):
        found.append(
            ChainBreach(
                community_id,
                min(current.seq, walked.last_seq) + 1,
                None,
                f"the published head (seq {current.seq}) is not the chain's end "
                f"(seq {walked.last_seq})",
            )
        )
    found.extend(walked.changed)
    found.extend(_backdated(session, community_id))
    return sorted(found, key=lambda b: (b.seq is None, b.seq or 0))


def check_all(session: Session, *, workers: int = 1) -> list[ChainBreach]:
    ids = session.scalars(sa.select(Community.id).order_by(Community.id)).all()
    return [
        breach
        for community_id in ids
        for breach in check_community(session, community_id, workers=workers)
    ]
