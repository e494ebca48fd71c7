"""The community report: points issued by activity, returned, outstanding, and shop figures."""

from datetime import timedelta

import pytest

from ledger.audit.reports import ReportWindowInvalid, community_report, statement_lines
from ledger.core.journal import EntryDraft, PostingDraft, post_entry


def test_awards_are_counted_by_activity_and_outstanding_grows_by_them(
    session, community, wang, li, award, now
):
    """Two cleanups and a meeting: issued by activity, and outstanding equals what was issued."""
    award(wang, "cleanup.join", points=10)
    award(li, "cleanup.join", points=10)
    award(wang, "deliberation.attend", points=5)
    report = community_report(session, community, now=now + timedelta(minutes=1))
    assert report.issued_by_activity == {"cleanup.join": 20, "deliberation.attend": 5}
    assert (report.outstanding_at_start, report.outstanding_at_end) == (0, 25)
    assert report.members == 2 and report.participants == 2


def test_a_window_counts_only_its_own_awards(session, community, wang, award, now):
    """An award before the window moves the opening figure, not the window's issue."""
    award(wang, "cleanup.join", points=10)
    later = now + timedelta(days=1)
    report = community_report(
        session, community, now=later, from_=now + timedelta(hours=1), to=later
    )
    assert report.issued_by_activity == {}
    assert report.outstanding_at_start == report.outstanding_at_end == 10
    with pytest.raises(ReportWindowInvalid):
        community_report(session, community, now=later, from_=later, to=now)


def test_a_statement_export_walks_every_page(session, community, wang, li, points_of, grant, now):
    """More lines than one page still come out whole, the running balance intact."""
    grant(community, points_of(wang), 300)
    drafts = [
        EntryDraft(
            community.id, "transfer", [PostingDraft(points_of(wang), points_of(li), "points", 1)]
        )
        for _ in range(210)
    ]
    for n, draft in enumerate(drafts):
        post_entry(session, draft, now=now + timedelta(seconds=n + 1))
    lines = statement_lines(session, points_of(wang))
    assert len(lines) == 211 and lines[-1].balance == 90


def test_expired_donated_and_exchanged_totals(session, community, expired_month):
    """A donation of 5, an exchange of 10 points for 60 minutes and 15 expired, each counted."""
    report = community_report(session, community, now=expired_month)
    assert report.expired_points == 15
    assert report.donated == {"points": 5, "minutes": 0}
    assert report.exchanged_for_time == {"points": 10, "minutes": 60}
    assert report.love_bank["points"] == 5 + 15
    assert ("expired", "to_love_bank", "points", 15) in report.rows()
