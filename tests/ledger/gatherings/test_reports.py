"""Monthly figures of gatherings, and the names their awards carry on a statement."""

from datetime import timedelta

import pytest

from ledger.gatherings.attendance import sign_in
from ledger.gatherings.errors import ReportSpanInvalid
from ledger.gatherings.outcome import DecisionDraft, add_feedback, publish, record_decisions
from ledger.gatherings.reports import MAX_REPORT_SPAN, award_titles, monthly


def test_a_month_counts_gatherings_attendance_and_decisions_carried_out(
    session, community, evening, wang, li, now
):
    """November: one meeting, two sign-ins, two decisions of which one was carried out."""
    for member in (wang, li):
        sign_in(session, evening, member, method="scan", ticked_by=member.id, now=now)
    after = evening.ends_at
    record_decisions(
        session,
        evening,
        [
            DecisionDraft("楼道堆物清理", "清理", "楼长"),
            DecisionDraft("健身器材维修", "报修", "物业"),
        ],
        now=after,
    )
    publish(session, evening, now=after)
    add_feedback(session, evening, 1, "已清理", carried_out=True, now=after)
    figures = monthly(
        session, community, since=now - timedelta(days=40), until=now + timedelta(days=1)
    )
    assert [
        (f.month, f.gatherings, f.meetings, f.attendance, f.decisions, f.decisions_carried_out)
        for f in figures
    ] == [("2026-11", 1, 1, 2, 2, 1)]
    assert (
        monthly(session, community, since=now + timedelta(days=1), until=now + timedelta(days=2))
        == []
    )


def test_an_award_is_named_by_its_gathering_and_local_date(session, evening, wang, now):
    """Wang's award is titled 星空夜话 on the evening's date in Shanghai."""
    signed = sign_in(session, evening, wang, method="scan", ticked_by=wang.id, now=now)
    titles = award_titles(session, [signed.event.id, "evt_OTHER"])
    assert list(titles) == [signed.event.id]
    assert (titles[signed.event.id].title, str(titles[signed.event.id].on)) == (
        "星空夜话",
        "2026-11-02",
    )


def test_a_report_span_runs_forward_and_is_bounded(session, community, now):
    """An empty or over-long span is refused with the largest allowed."""
    with pytest.raises(ReportSpanInvalid):
        monthly(session, community, since=now, until=now)
    with pytest.raises(ReportSpanInvalid):
        monthly(session, community, since=now, until=now + MAX_REPORT_SPAN + timedelta(days=1))
