"""The earning part of ``pointsbank demo``: the community's rules and three weeks of events."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .events import EventDraft, Source, record_event
from .models import EarningEvent, EarningRule
from .notice import vest_due_awards
from .rules import CapDraft, RuleDraft, set_rule

DEMO_WEEKS = 3
DEMO_RULES = (
    (
        "deliberation.attend",
        RuleDraft(points=5, caps=(CapDraft("day", max_count=2),), title="星空夜话"),
    ),
    (
        "deliberation.propose",
        RuleDraft(points=3, caps=(CapDraft("week", max_count=3),), title="议事会提议"),
    ),
    (
        "proposal.adopted",
        RuleDraft(
            points=20, notice_days=3, caps=(CapDraft("month", max_count=2),), title="提议被采纳"
        ),
    ),
    (
        "cleanup.join",
        RuleDraft(points=10, caps=(CapDraft("week", max_points=30),), title="清洁家园"),
    ),
    (
        "volunteer.hour",
        RuleDraft(points=8, per="hour", caps=(CapDraft("day", max_points=64),), title="志愿服务"),
    ),
)
RECORDED_BY = "社区议事会 (demo)"


def _local_midnight(at: datetime, timezone: str) -> datetime:
    """The start of ``at``'s day in the community's time zone."""
    local = at.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def add_demo(session: Session, community, members, now: datetime) -> None:
    """Rules set four weeks ago, then each resident's meetings, clean-ups and volunteering."""
    rules_set_at = now - timedelta(weeks=DEMO_WEEKS + 1)
    for activity, draft in DEMO_RULES:
        set_rule(session, community.id, activity, draft, now=rules_set_at)
    source = Source(f"demo:{community.id}", None, frozenset({community.id}))
    for week in range(DEMO_WEEKS, 0, -1):
        monday = _local_midnight(now - timedelta(weeks=week), community.timezone)
        for number, member in enumerate(members):
            # Hours of the community's day, so the three meetings of a day fall on one local
            # day (and the third is refused by the day cap) whatever the hour the demo runs.
            plan = [
                ("deliberation.attend", timedelta(days=1, hours=9), None),
                ("deliberation.attend", timedelta(days=1, hours=14), None),
                ("deliberation.attend", timedelta(days=1, hours=19), None),  # over the day cap
                ("cleanup.join", timedelta(days=5, hours=9), None),
                ("volunteer.hour", timedelta(days=3, hours=10), 90 + 30 * number),
            ]
            if number == week % len(members):
                plan.append(("deliberation.propose", timedelta(days=2, hours=19), None))
                plan.append(("proposal.adopted", timedelta(days=4, hours=19), None))
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
    _yesterdays_meeting(session, source, community, members, now)
    vest_due_awards(session, now)


def _yesterdays_meeting(session: Session, source: Source, community, members, now: datetime):
    """Yesterday's meeting adopted two proposals: their awards are under notice for days yet,
    so the README's objection works whenever a newcomer gets to it."""
    held_at = now - timedelta(days=1)
    for member in (members[0], members[-1]):
        record_event(
            session,
            source,
            EventDraft(
                community=community.slug,
                activity="proposal.adopted",
                occurred_at=held_at,
                source_id=f"demo-meeting-{member.external_ref}",
                recorded_by=RECORDED_BY,
                member_id=member.id,
                evidence="demo meeting minutes",
            ),
            now=held_at + timedelta(hours=2),
        )


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
        events.where(EarningEvent.status == "pending").order_by(EarningEvent.vests_at.desc())
    ).all()
    if pending:
        latest = pending[0]
        story.lines.append(
            f"under public notice: {len(pending)} awards ({sum(e.points_due for e in pending)} "
            f"points) of adopted proposals; the latest vests {latest.vests_at:%Y-%m-%d %H:%M} "
            "UTC unless staff object (EVENT)"
        )
        story.env["EVENT"] = latest.id
