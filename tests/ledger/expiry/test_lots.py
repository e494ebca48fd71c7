"""The lot keeper: points drawn soonest-expiring first, put back where they came from."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event

from ledger.capabilities import reverse_entry
from ledger.core.communities import member_account, system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending, void_pending
from ledger.expiry.lots import add_months, lots_out_of_step
from ledger.expiry.models import PointLot


def spend(session, community, account_id, points, now, **draft):
    love_bank = system_account(session, community.id, "love_bank", "points").id
    return post_entry(
        session,
        EntryDraft(
            community.id,
            "donation",
            [PostingDraft(account_id, love_bank, "points", points)],
            **draft,
        ),
        now=now,
    )


def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month():
    """31 January plus one month is 28 February; plus twelve is the next 31 January."""
    end_of_january = datetime(2026, 1, 31, 2, 0, tzinfo=UTC)
    assert add_months(end_of_january, 1, "Asia/Shanghai") == datetime(2026, 2, 28, 2, 0, tzinfo=UTC)
    assert add_months(end_of_january, 12, "Asia/Shanghai") == datetime(
        2027, 1, 31, 2, 0, tzinfo=UTC
    )


def test_a_spend_draws_on_the_soonest_expiring_lots_first(
    session, yearly, wang, points_of, grant, clock, lots_of
):
    """50 then 30 earned a month apart: a spend of 60 empties the first and takes 10 of the next."""
    account = points_of(wang)
    grant(yearly, account, 50)
    later = clock.advance(days=31)
    post_entry(
        session,
        EntryDraft(
            yearly.id,
            "adjustment",
            [
                PostingDraft(
                    system_account(session, yearly.id, "issuance", "points").id,
                    account,
                    "points",
                    30,
                )
            ],
        ),
        now=later,
    )
    spend(session, yearly, account, 60, later)
    assert [remaining for remaining, _ in lots_of(account)] == [0, 20]


def test_a_gift_hands_on_the_dates_of_the_lots_it_came_from(
    session, yearly, wang, li, points_of, grant, clock, lots_of, now
):
    """李 receives 20 of 王's points a month later: they expire when 王's would have."""
    grant(yearly, points_of(wang), 50)
    later = clock.advance(days=31)
    post_entry(
        session,
        EntryDraft(
            yearly.id, "transfer", [PostingDraft(points_of(wang), points_of(li), "points", 20)]
        ),
        now=later,
    )
    assert lots_of(points_of(li)) == [(20, add_months(now, 12, yearly.timezone))]


def test_reversing_a_spend_puts_the_points_back_into_their_lots(
    session, yearly, wang, points_of, grant, now, lots_of
):
    """A donation of 30 reversed: the lot it came from holds its 50 again."""
    grant(yearly, points_of(wang), 50)
    donation = spend(session, yearly, points_of(wang), 30, now)
    reverse_entry(session, donation.id, reason="按错了", now=now)
    assert [remaining for remaining, _ in lots_of(points_of(wang))] == [50]


def test_reversing_an_award_takes_back_its_own_lot_first(
    session, yearly, wang, points_of, grant, clock, lots_of
):
    """An older lot of 10 and a later award of 20: reversing the award leaves the older lot."""
    grant(yearly, points_of(wang), 10)
    later = clock.advance(days=40)
    issuance = system_account(session, yearly.id, "issuance", "points").id
    award = post_entry(
        session,
        EntryDraft(yearly.id, "award", [PostingDraft(issuance, points_of(wang), "points", 20)]),
        now=later,
    )
    reverse_entry(session, award.id, reason="记错了人", now=later)
    assert [remaining for remaining, _ in lots_of(points_of(wang))] == [10, 0]


def test_a_hold_draws_its_lots_and_a_void_puts_them_back(
    session, yearly, wang, points_of, grant, now, lots_of
):
    """A held spend of 40 takes from the lot at once; voiding the hold returns them."""
    grant(yearly, points_of(wang), 50)
    hold = spend(session, yearly, points_of(wang), 40, now, pending=True)
    assert [remaining for remaining, _ in lots_of(points_of(wang))] == [10]
    void_pending(session, hold.id, now=now)
    assert [remaining for remaining, _ in lots_of(points_of(wang))] == [50]


def test_points_under_notice_start_their_lot_when_they_vest(
    session, yearly, wang, points_of, clock, lots_of
):
    """A pending award makes no lot; vesting three days later starts one then."""
    issuance = system_account(session, yearly.id, "issuance", "points").id
    award = post_entry(
        session,
        EntryDraft(
            yearly.id,
            "award",
            [PostingDraft(issuance, points_of(wang), "points", 20)],
            pending=True,
        ),
        now=clock.now(),
    )
    assert lots_of(points_of(wang)) == []
    vested = clock.advance(days=3)
    post_pending(session, award.id, now=vested)
    assert lots_of(points_of(wang)) == [(20, add_months(vested, 12, yearly.timezone))]


def test_minutes_never_have_lots(session, yearly, wang, grant, lots_of):
    """Time credits granted in an expiring community make no lot."""
    minutes = member_account(session, wang.id, "minutes").id
    grant(yearly, minutes, 60, "minutes")
    assert lots_of(minutes) == []


def test_without_expiry_the_write_path_costs_no_extra_statement(
    session, community, wang, points_of, grant, now
):
    """A community without expiry: an award is the journal's five statements and no lot."""
    issuance = system_account(session, community.id, "issuance", "points").id
    account = points_of(wang)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = session.get_bind()
    session.flush()
    event.listen(engine, "before_cursor_execute", count)
    try:
        post_entry(
            session,
            EntryDraft(community.id, "award", [PostingDraft(issuance, account, "points", 5)]),
            now=now + timedelta(seconds=1),
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 5
    assert not any("point_lots" in s for s in statements)


def test_lots_that_stop_adding_up_to_the_balance_are_reported(
    session, yearly, wang, points_of, grant, now
):
    """Lots in step with the balance report nothing; a lot changed behind the journal is named."""
    grant(yearly, points_of(wang), 30)
    assert lots_out_of_step(session) == []
    session.execute(sa.update(PointLot).values(remaining_points=20))
    assert lots_out_of_step(session) == [(points_of(wang), 20, 30)]
