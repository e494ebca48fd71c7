"""The earning part of ``pointsbank demo``: the community's rules and three weeks of events."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from .events import EventDraft, Source, record_event
from .notice import vest_due_awards
from .rules import CapDraft, RuleDraft, set_rule

DEMO_WEEKS = 3
DEMO_RULES = (
    ("deliberation.attend", RuleDraft(points=5, caps=(CapDraft("day", max_count=2),))),
    ("deliberation.propose", RuleDraft(points=3, caps=(CapDraft("week", max_count=3),))),
    (
        "proposal.adopted",
        RuleDraft(points=20, notice_days=3, caps=(CapDraft("month", max_count=2),)),
    ),
    ("cleanup.join", RuleDraft(points=10, caps=(CapDraft("week", max_points=30),))),
    ("volunteer.hour", RuleDraft(points=8, per="hour", caps=(CapDraft("day", max_points=64),))),
)
RECORDED_BY = "社区议事会 (demo)"


def add_demo(session: Session, community, members, now: datetime) -> None:
    """Rules set four weeks ago, then each resident's meetings, clean-ups and volunteering."""
    rules_set_at = now - timedelta(weeks=DEMO_WEEKS + 1)
    for activity, draft in DEMO_RULES:
        set_rule(session, community.id, activity, draft, now=rules_set_at)
    source = Source(f"demo:{community.id}", None, frozenset({community.id}))
    for week in range(DEMO_WEEKS, 0, -1):
        monday = now - timedelta(weeks=week)
        for number, member in enumerate(members):
            plan = [
                ("deliberation.attend", timedelta(days=1, hours=1), None),
                ("deliberation.attend", timedelta(days=1, hours=5), None),
                ("deliberation.attend", timedelta(days=1, hours=8), None),  # over the day cap
                ("cleanup.join", timedelta(days=5), None),
                ("volunteer.hour", timedelta(days=3), 90 + 30 * number),
            ]
            if number == week % len(members):
                plan.append(("deliberation.propose", timedelta(days=2), None))
                plan.append(("proposal.adopted", timedelta(days=4), None))
            for index, (activity, offset, quantity) in enumerate(plan):
                occurred_at = monday + offset
                record_event(
                    session,
                    source,
                    EventDraft(
                        community=community.slug,
                        activity=activity,
                        occurred_at=occurred_at,
                        source_id=f"demo-w{week}-{member.external_ref}-{index}",
                        recorded_by=RECORDED_BY,
                        member_id=member.id,
                        quantity=quantity,
                        evidence="demo sign-in sheet",
                    ),
                    now=occurred_at + timedelta(hours=2),
                )
    vest_due_awards(session, now)
