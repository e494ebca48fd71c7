"""A window's flows: posted postings grouped by accounts, kind, unit and labels."""

from datetime import timedelta

import sqlalchemy as sa

from ledger.audit.flows import WindowSum, flows_select, merged, posted_between
from ledger.core.communities import system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.core.models import Entry


def test_merged_adds_up_the_groups_of_several_parts():
    """The same group in two parts is one group with both amounts; others pass through."""
    award = WindowSum("iss", "wang", "award", "points", "cleanup.join", None, 10)
    other = WindowSum("wang", "li", "transfer", "points", None, None, 2)
    assert sorted(merged([award, other], [award._replace(amount=5)])) == [
        award._replace(amount=15),
        other,
    ]


def test_flows_group_posted_entries_by_label_and_leave_out_pending_ones(
    session, community, wang, points_of, now
):
    """Two awards of one activity are one group; a pending award and a later one are not in it."""
    issuance = system_account(session, community.id, "issuance", "points").id
    wangs = points_of(wang)

    def award(points, at, pending=False):
        postings = [PostingDraft(issuance, wangs, "points", points)]
        draft = EntryDraft(
            community.id, "award", postings, details={"activity": "cleanup.join"}, pending=pending
        )
        post_entry(session, draft, now=at)

    award(10, now)
    award(5, now + timedelta(minutes=1))
    award(7, now, pending=True)
    award(3, now + timedelta(days=1))
    window = sa.and_(
        Entry.community_id == community.id, posted_between(now, now + timedelta(hours=1))
    )
    rows = session.execute(flows_select(window)).all()
    assert [tuple(row) for row in rows] == [
        (issuance, wangs, "award", "points", "cleanup.join", None, 15)
    ]
