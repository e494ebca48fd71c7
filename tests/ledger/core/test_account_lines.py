"""Account lines: written by the database's triggers for every posted entry, whoever wrote it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from ledger.core.communities import system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending, void_pending
from ledger.core.models import AccountLine, Entry
from ledger.earning import fastpath
from ledger.earning.events import Source
from ledger.earning.rules import RuleDraft, set_rule
from tests.ledger.earning.test_events import draft as event_draft

SERVICE_ROLE = "pointsbank_app"
postgres = pytest.mark.postgres


def lines(session, *account_ids):
    """{(account id, entry id): (amount, posted_at)} of the given accounts' lines."""
    rows = session.execute(
        sa.select(
            AccountLine.account_id, AccountLine.entry_id, AccountLine.amount, AccountLine.posted_at
        ).where(AccountLine.account_id.in_(account_ids))
    )
    return {(r.account_id, r.entry_id): (r.amount, r.posted_at) for r in rows}


def move(session, community, *postings, at, pending=False):
    return post_entry(
        session,
        EntryDraft(
            community.id,
            "transfer",
            [PostingDraft(a, b, "points", n) for a, b, n in postings],
            pending=pending,
        ),
        now=at,
    )


def test_a_posted_entry_gets_one_line_per_account_with_its_net_share(
    session, community, wang, li, points_of, grant, now
):
    """Two postings to 李 and one back in one entry: one line each, netted, at its posting time."""
    grant(community, points_of(wang), 100)
    wang_, li_ = points_of(wang), points_of(li)
    at = now + timedelta(hours=1)
    entry = move(session, community, (wang_, li_, 30), (wang_, li_, 5), (li_, wang_, 2), at=at)
    found = lines(session, wang_, li_)
    assert found[(wang_, entry.id)] == (-33, at)
    assert found[(li_, entry.id)] == (33, at)
    assert len(found) == 3  # wang's grant, and this entry on each side


def test_a_hold_gets_its_lines_when_captured_at_the_capture_time(
    session, community, wang, li, points_of, grant, now
):
    """A pending transfer has no line; once posted an hour later, it has both, dated then."""
    grant(community, points_of(wang), 100)
    hold = move(session, community, (points_of(wang), points_of(li), 12), at=now, pending=True)
    assert (points_of(li), hold.id) not in lines(session, points_of(li))
    captured_at = now + timedelta(hours=1)
    post_pending(session, hold.id, now=captured_at)
    found = lines(session, points_of(wang), points_of(li))
    assert found[(points_of(wang), hold.id)] == (-12, captured_at)
    assert found[(points_of(li), hold.id)] == (12, captured_at)


def test_a_voided_hold_never_gets_lines(session, community, wang, li, points_of, grant, now):
    """A hold released instead of captured leaves no line on either account."""
    grant(community, points_of(wang), 100)
    hold = move(session, community, (points_of(wang), points_of(li), 12), at=now, pending=True)
    void_pending(session, hold.id, now=now + timedelta(minutes=5))
    found = lines(session, points_of(wang), points_of(li))
    assert [entry for _, entry in found if entry == hold.id] == []


def test_postings_inserted_by_raw_sql_get_lines_and_add_up(session, community, wang, points_of):
    """An entry and its two postings written by hand, one INSERT each: one line of 7 + 4."""
    issuance = system_account(session, community.id, "issuance", "points").id
    session.execute(
        sa.text(
            "INSERT INTO entries (id, community_id, kind, status, occurred_at, posted_at, "
            "created_at, memo, metadata) VALUES ('ent_raw', :c, 'award', 'posted', "
            "'2026-11-02 01:00:00', '2026-11-02 01:00:00', '2026-11-02 01:00:00', 'raw', '{}')"
        ),
        {"c": community.id},
    )
    for amount in (7, 4):
        session.execute(
            sa.text(
                "INSERT INTO postings (entry_id, from_account_id, to_account_id, unit, amount) "
                "VALUES ('ent_raw', :i, :a, 'points', :n)"
            ),
            {"i": issuance, "a": points_of(wang), "n": amount},
        )
    found = lines(session, points_of(wang), issuance)
    assert found[(points_of(wang), "ent_raw")][0] == 11
    assert found[(issuance, "ent_raw")][0] == -11


@postgres
def test_an_award_by_the_fast_path_gets_its_lines(session, community, wang, points_of, now):
    """The server-side award function inserts postings; the trigger writes their lines."""
    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=5), now=now)
    recorded = fastpath._record_fast(
        session, Source("sign-in tablet", None, None), event_draft(community, wang, at=now), now
    )
    assert recorded is not None  # the fast path, not the general one, wrote it
    entry_id = session.scalar(sa.select(Entry.id).where(Entry.cause_id == recorded.event.id))
    assert lines(session, points_of(wang))[(points_of(wang), entry_id)] == (5, now)


@postgres
def test_the_service_role_reads_lines_but_cannot_write_them(
    session, community, wang, li, points_of, grant, now
):
    """As the service's role posting still writes lines; editing or deleting one is refused."""
    grant(community, points_of(wang), 100)
    session.commit()
    session.execute(sa.text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
    entry = move(session, community, (points_of(wang), points_of(li), 3), at=now)
    assert lines(session, points_of(li))[(points_of(li), entry.id)] == (3, now)
    session.commit()
    for statement in ("UPDATE account_lines SET amount = 0", "DELETE FROM account_lines"):
        session.execute(sa.text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
        with pytest.raises(DBAPIError) as caught:
            session.execute(sa.text(statement))
        session.rollback()
        assert "permission denied" in str(caught.value.orig)
