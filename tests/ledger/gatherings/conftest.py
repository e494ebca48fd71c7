"""Gatherings' ledger fixtures: an evening of deliberation in 潜江社区 with its rule and organizer."""

from datetime import timedelta

import pytest

from ledger.earning.rules import CapDraft, RuleDraft, set_rule
from ledger.gatherings.gatherings import GatheringDraft, schedule

SECRET = b"gatherings-tests"


@pytest.fixture
def rule(session, community, now):
    """deliberation.attend: 5 points, at most 2 a day, under three days' public notice."""
    return set_rule(
        session,
        community.id,
        "deliberation.attend",
        RuleDraft(points=5, caps=(CapDraft("day", max_count=2),), notice_days=3),
        now=now,
    )


@pytest.fixture
def organizer(make_member, community):
    return make_member(community, display_name="楼长李建国", external_ref="R-001")


@pytest.fixture
def evening(session, community, rule, organizer, now):
    """星空夜话, starting now and lasting two hours, with two topics, organised by a member."""
    return schedule(
        session,
        community,
        GatheringDraft(
            title="星空夜话",
            activity="deliberation.attend",
            place="社区广场",
            starts_at=now,
            ends_at=now + timedelta(hours=2),
            organizer_member_id=organizer.id,
            topics=("楼道堆物清理", "健身器材维修"),
        ),
        now=now - timedelta(days=7),
    )
