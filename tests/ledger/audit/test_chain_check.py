"""A chain walked in stretches side by side says exactly what one walk says, tampered or not."""

import random

import pytest
import sqlalchemy as sa

from ledger.audit import chain_check
from ledger.audit.verify import verify_snapshot

from .tampering import Tamperer, build_community, bypass_guards, seals_by_entry

WORKERS = 3


@pytest.mark.parametrize(
    ("last_seq", "workers", "stretches"),
    [
        (10, 3, [(1, 4), (5, 8), (9, None)]),
        (9, 3, [(1, 3), (4, 6), (7, None)]),
        (2, 3, [(1, 1), (2, None)]),
        (1, 4, [(1, None)]),
    ],
)
def test_stretches_cover_the_chain_once_and_the_last_runs_to_its_end(last_seq, workers, stretches):
    """Seqs 1..N in at most ``workers`` consecutive stretches, the last one open-ended."""
    assert chain_check._stretches(last_seq, workers) == stretches


@pytest.fixture
def walks_apart(monkeypatch):
    """Every chain walked in stretches, however short; yields how many stretches each join got."""
    monkeypatch.setattr(chain_check, "PARALLEL_WALK_MIN_RECORDS", 1)
    joined = []
    original = chain_check._joined

    def counting(walks):
        joined.append(len(walks))
        return original(walks)

    monkeypatch.setattr(chain_check, "_joined", counting)
    return joined


def _both_ways(session):
    alone = verify_snapshot(session, workers=1)
    apart = verify_snapshot(session, workers=WORKERS)
    return alone, apart


@pytest.mark.postgres
def test_a_sound_journal_verifies_in_stretches(session, walks_apart):
    """No breach either way, and the chain really was walked in three stretches."""
    build_community(session)
    assert _both_ways(session) == ([], [])
    assert walks_apart == [WORKERS]


@pytest.mark.postgres
@pytest.mark.parametrize("how", Tamperer.TAMPERINGS)
def test_a_committed_tampering_reads_the_same_walked_in_stretches(session, walks_apart, how):
    """Each kind of edit, committed: the same breaches, first bad seq and all, either way."""
    community = build_community(session)
    seals = seals_by_entry(session)
    bypass_guards(session)
    expected = getattr(Tamperer(session, random.Random(how), seals, community.id), how)()
    session.commit()
    alone, apart = _both_ways(session)
    assert apart == alone
    chained = [b for b in alone if b.check == "journal-chain"]
    assert min(b.seq for b in chained if b.seq is not None) == expected


@pytest.mark.postgres
def test_a_record_missing_where_a_stretch_ends_is_named_as_one_walk_names_it(session, walks_apart):
    """The seal closing the first stretch deleted: the first stretch reports the gap."""
    community = build_community(session)
    last_seq = max(seq for rows in seals_by_entry(session).values() for seq, _, _ in rows)
    first_end = chain_check._stretches(last_seq, WORKERS)[0][1]
    bypass_guards(session)
    session.execute(
        sa.text("DELETE FROM journal_seals WHERE community_id = :c AND seq = :s"),
        {"c": community.id, "s": first_end},
    )
    session.commit()
    alone, apart = _both_ways(session)
    assert apart == alone
    assert f"record {first_end} is missing from the chain" in " ".join(b.detail for b in apart)


@pytest.mark.postgres
def test_what_lies_past_the_first_break_is_not_reported(session, walks_apart):
    """A seal edited early and a status changed late: as one walk, only the walk's break counts."""
    build_community(session)
    seals = seals_by_entry(session)
    bypass_guards(session)
    session.execute(sa.text("UPDATE journal_seals SET digest = :v WHERE seq = 2"), {"v": "0" * 64})
    last = max(seals.items(), key=lambda item: item[1][-1][0])
    status = {"posted": "voided", "voided": "posted"}[last[1][-1][2]]
    session.execute(
        sa.text("UPDATE entries SET status = :s, posted_at = created_at WHERE id = :id"),
        {"s": status, "id": last[0]},
    )
    session.commit()
    alone, apart = _both_ways(session)
    assert apart == alone
    assert [b.detail for b in alone if b.check == "journal-chain" and last[0] in b.detail] == []


@pytest.mark.postgres
def test_a_stretch_reads_the_snapshot_it_was_given_not_what_committed_since(session, engine):
    """A tampering committed after the snapshot was exported is not seen by the stretch's walk."""
    community = build_community(session)
    session.commit()
    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    snapshot = session.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
    with engine.begin() as other:
        other.exec_driver_sql("SET LOCAL session_replication_role = replica")
        other.exec_driver_sql("UPDATE postings SET amount = amount + 1")
    url = engine.url.render_as_string(hide_password=False)
    walked = chain_check._walk_apart(url, snapshot, community.id, (1, None))
    session.rollback()
    assert walked.broken is None and walked.changed == []
