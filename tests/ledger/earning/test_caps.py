"""Caps: calendar periods in the community's zone, and awards cut to the tightest cap."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ledger.earning.caps import CapStanding, judge, period_bounds

SHANGHAI = "Asia/Shanghai"


def test_a_day_in_shanghai_starts_at_sixteen_hundred_utc():
    """00:30 on 3 Nov in Shanghai (16:30 UTC on the 2nd) belongs to the Shanghai 3rd."""
    start, end = period_bounds("day", datetime(2026, 11, 2, 16, 30, tzinfo=UTC), SHANGHAI)
    assert (start, end) == (
        datetime(2026, 11, 2, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 3, 16, 0, tzinfo=UTC),
    )


def test_a_week_runs_from_monday_midnight_local_time():
    """Sunday 8 Nov 23:00 in Shanghai is still the week that began Monday 2 Nov."""
    sunday_night = datetime(2026, 11, 8, 15, 0, tzinfo=UTC)
    start, end = period_bounds("week", sunday_night, SHANGHAI)
    assert start == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # Monday 2 Nov 00:00 +08:00
    assert end == datetime(2026, 11, 8, 16, 0, tzinfo=UTC)
    assert period_bounds("week", end, SHANGHAI)[0] == end


def test_months_and_years_roll_over_december():
    """December's month ends on 1 January; a year is 1 January to 1 January, local time."""
    december = datetime(2026, 12, 15, tzinfo=UTC)
    assert period_bounds("month", december, "UTC") == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert period_bounds("year", december, SHANGHAI) == (
        datetime(2025, 12, 31, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
    )
    with pytest.raises(ValueError):
        period_bounds("fortnight", december, "UTC")


def standing(period, max_points=None, max_count=None, used_points=0, count_used=0):
    at = datetime(2026, 11, 2, tzinfo=UTC)
    return CapStanding(period, at, at, max_points, max_count, used_points, count_used)


def test_an_award_is_cut_to_the_tightest_cap_and_spends_its_room():
    """10 due, 6 left this week: 6 awarded, partial, and both caps count the award."""
    caps = [standing("day", max_points=50), standing("week", max_points=30, used_points=24)]
    verdict = judge(10, caps)
    assert (verdict.points, verdict.outcome) == (6, "partial")
    assert verdict.limited_by == {"period": "week", "limit": "max_points", "max": 30, "used": 24}
    assert [(c.used_points, c.count_used) for c in caps] == [(6, 1), (30, 1)]


def test_a_full_count_cap_refuses_and_spends_nothing():
    """Two meetings a day already counted: the third is refused and no room is spent."""
    caps = [standing("day", max_count=2, count_used=2)]
    verdict = judge(5, caps)
    assert (verdict.points, verdict.outcome) == (0, "refused")
    assert verdict.reason == "day cap reached: 2 of 2 awards already used"
    assert caps[0].count_used == 2 and verdict.caps[0]["count_remaining"] == 0
    assert judge(0, []).outcome == "refused"
    assert judge(7, []).reason == "7 points, within every cap"


def test_preload_reads_each_members_usage_in_the_window(session, community, wang, li, now):
    """Counted: awards in the window; not counted: another member's, or outside the window."""
    from ledger.earning.caps import UsageMemo
    from ledger.earning.events import EventDraft, Source, record_events
    from ledger.earning.rules import RuleDraft, set_rule

    set_rule(session, community.id, "meeting.attend", RuleDraft(points=3), now=now)
    source = Source("tablet", None, None)
    at = [now - timedelta(hours=h) for h in (1, 2, 30)]
    drafts = [
        EventDraft(community.slug, "meeting.attend", when, f"e{n}", "议事会", member_id=wang.id)
        for n, when in enumerate(at)
    ]
    record_events(session, source, drafts, now=now)
    memo = UsageMemo()
    window = (now - timedelta(hours=24), now + timedelta(hours=1))
    memo.preload(session, [(m.id, "meeting.attend", "day", *window) for m in (wang, li)])
    for member, used, count in ((wang, 6, 2), (li, 0, 0)):
        found = CapStanding("day", *window, None, 5)
        assert memo.recall(member.id, "meeting.attend", found)
        assert (found.used_points, found.count_used) == (used, count)


def _explained(session, query) -> list[str]:
    """The plan of ``query``, as the driver was sent it, with EXPLAIN before it."""
    sent = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        session.execute(query).all()
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    statement, parameters = sent[-1]
    with session.connection().connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + statement, parameters)
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
def test_preload_probes_the_member_index_on_a_table_grown_since_analyze(session, community, wang):
    """With statistics of an empty table and thousands of rows since, each member is probed
    through the (member, activity, occurred_at) index rather than the table scanned."""
    from ledger.earning.caps import _usage_by_member
    from ledger.earning.rules import RuleDraft, set_rule

    rule = set_rule(session, community.id, "x", RuleDraft(points=1), now=datetime.now(UTC))[0][-1]
    session.execute(sa.text("ANALYZE earning_events"))
    session.execute(
        sa.text(
            "INSERT INTO earning_events (id, community_id, activity, member_id, rule_id, occurred_at, "
            "quantity, source, source_id, recorded_by, evidence, status, points_due, "
            "points_awarded, decision, created_at) SELECT 'evt_' || n, :community, 'x', :member, :rule, "
            "now(), 1, 'bulk', 'b' || n, 'r', '{}', 'awarded', 1, 1, '{}', now() "
            "FROM generate_series(1, 5000) AS n"
        ),
        {"community": community.id, "member": wang.id, "rule": rule.id},
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    query = _usage_by_member("postgresql", [wang.id, "mem_other"], "x", start, datetime.now(UTC))
    plan = _explained(session, query)
    assert any("ix_earning_events_member_activity" in line for line in plan), plan
    assert not any("Seq Scan on earning_events" in line for line in plan), plan
    session.rollback()
