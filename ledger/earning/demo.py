"""The earning part of ``pointsbank demo``: the community's rules and three weeks of events."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .events import EventDraft, Source, record_event
from .models import EarningEvent, EarningRule
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


def _latest_rules(session: Session, community_id: str) -> list[EarningRule]:
    """The version in force of each activity's rule."""
    latest = {}
    for rule in session.scalars(
        sa.select(EarningRule)
        .where(EarningRule.community_id == community_id)
        .order_by(EarningRule.activity, EarningRule.version)
    ):
        latest[rule.activity] = rule
    return list(latest.values())


def _cap_text(cap) -> str:
    limits = [f"{cap.max_points} points"] if cap.max_points is not None else []
    limits += [f"{cap.max_count} times"] if cap.max_count is not None else []
    return f"at most {' and '.join(limits)} a {cap.period}"


def _rule_line(rule: EarningRule) -> str:
    per = "an hour" if rule.per == "hour" else "each"
    notice = f", {rule.notice_days} days' public notice" if rule.notice_days else ""
    caps = "; ".join(_cap_text(cap) for cap in rule.caps)
    return f"  {rule.activity}: {rule.points} points {per}{notice}" + (f" ({caps})" if caps else "")


def tell_demo(session: Session, community, now: datetime, story) -> None:
    """The rules with their caps, what the events earned, and an award still under notice."""
    story.lines.append("earning rules:")
    story.lines += [_rule_line(rule) for rule in _latest_rules(session, community.id)]
    events = sa.select(EarningEvent).where(EarningEvent.community_id == community.id)
    counts = dict(
        session.execute(
            sa.select(EarningEvent.status, sa.func.count())
            .where(EarningEvent.community_id == community.id)
            .group_by(EarningEvent.status)
        ).all()
    )
    story.lines.append(
        f"{sum(counts.values())} events over {DEMO_WEEKS} weeks: "
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        + " (meetings over the day cap are refused)"
    )
    cleanups = session.scalars(events.where(EarningEvent.activity == "cleanup.join")).all()
    story.lines.append(
        f"clean-up drives: {len(cleanups)} sign-ins, "
        f"{sum(e.points_awarded for e in cleanups)} points awarded"
    )
    pending = session.scalars(
        events.where(EarningEvent.status == "pending").order_by(EarningEvent.occurred_at.desc())
    ).first()
    if pending is not None:
        story.lines.append(
            f"under public notice: {pending.points_due} points for {pending.activity}, "
            f"vesting {pending.vests_at:%Y-%m-%d %H:%M} UTC unless staff object (EVENT)"
        )
        story.env["EVENT"] = pending.id
