"""Earning rules: what an activity is worth in a community, with caps, notice and validity.

A rule is a list of versions. Setting a rule writes a new version (unless nothing changed) and
never edits an old one, so the history stays readable. The version in force for an event is the
latest one set at or before the moment the event occurred; the first version also reaches back
before it was set (as far as its ``valid_from`` and the backdating window allow), so a rule set on
Monday covers Sunday's meeting reported on Monday. The version's validity window then decides
whether the event earns anything at all.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.core.clock import as_utc
from ledger.core.errors import Invalid
from ledger.core.ids import new_id
from ledger.core.paging import Page, keyset_page

from . import errors
from .models import (
    ACTIVITY_MAX_LENGTH,
    CAP_PERIODS,
    RULE_PERS,
    RULE_TITLE_MAX_LENGTH,
    EarningCap,
    EarningRule,
)

MAX_RULE_POINTS = 10_000  # per event or per hour; far above any real community's award
MAX_NOTICE_DAYS = 60
MAX_CAP_POINTS = 1_000_000
MAX_CAP_COUNT = 10_000
ACTIVITY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class CapDraft:
    period: str
    max_points: int | None = None
    max_count: int | None = None


@dataclass(frozen=True)
class RuleDraft:
    points: int
    per: str = "event"
    caps: tuple[CapDraft, ...] = ()
    notice_days: int = 0
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    title: str = ""  # how residents read the activity; empty: its code


def check_activity(activity: str) -> str:
    if len(activity) > ACTIVITY_MAX_LENGTH or not ACTIVITY_PATTERN.match(activity):
        raise errors.ActivityNameInvalid(activity=activity, max_length=ACTIVITY_MAX_LENGTH)
    return activity


def _check_rule(draft: RuleDraft) -> None:
    if type(draft.points) is not int or not 1 <= draft.points <= MAX_RULE_POINTS:
        raise Invalid(
            "points must be 1 to the maximum", points=draft.points, max_points=MAX_RULE_POINTS
        )
    if draft.per not in RULE_PERS:
        raise Invalid(f"per must be one of {', '.join(RULE_PERS)}", per=draft.per)
    if not 0 <= draft.notice_days <= MAX_NOTICE_DAYS:
        raise Invalid(
            "notice_days is out of range",
            notice_days=draft.notice_days,
            max_notice_days=MAX_NOTICE_DAYS,
        )
    if len(draft.title.strip()) > RULE_TITLE_MAX_LENGTH:
        raise Invalid("title is too long", max_length=RULE_TITLE_MAX_LENGTH)
    if draft.valid_from and draft.valid_to and draft.valid_from >= draft.valid_to:
        raise errors.ValidityWindowEmpty(
            valid_from=draft.valid_from.isoformat(), valid_to=draft.valid_to.isoformat()
        )
    seen = set()
    for cap in draft.caps:
        if cap.period not in CAP_PERIODS:
            raise Invalid(f"cap period must be one of {', '.join(CAP_PERIODS)}", period=cap.period)
        if cap.period in seen:
            raise errors.CapPeriodRepeated(period=cap.period)
        seen.add(cap.period)
        if cap.max_points is None and cap.max_count is None:
            raise errors.CapNeedsALimit(period=cap.period)
        if cap.max_points is not None and not 1 <= cap.max_points <= MAX_CAP_POINTS:
            raise Invalid("max_points is out of range", max_points=cap.max_points)
        if cap.max_count is not None and not 1 <= cap.max_count <= MAX_CAP_COUNT:
            raise Invalid("max_count is out of range", max_count=cap.max_count)


def _same(version: EarningRule, draft: RuleDraft) -> bool:
    caps = {(c.period, c.max_points, c.max_count) for c in version.caps}

    def at(value):
        return as_utc(value) if value is not None else None

    return (
        version.points == draft.points
        and version.title == draft.title.strip()
        and version.per == draft.per
        and version.notice_days == draft.notice_days
        and at(version.valid_from) == at(draft.valid_from)
        and at(version.valid_to) == at(draft.valid_to)
        and caps == {(c.period, c.max_points, c.max_count) for c in draft.caps}
    )


def versions_of(session: Session, community_id: str, activity: str) -> list[EarningRule]:
    """Every version of a rule, oldest first (empty if the community has none)."""
    return list(
        session.scalars(
            sa.select(EarningRule)
            .where(EarningRule.community_id == community_id, EarningRule.activity == activity)
            .order_by(EarningRule.version)
        )
    )


def set_rule(
    session: Session,
    community_id: str,
    activity: str,
    draft: RuleDraft,
    *,
    now: datetime,
    api_key_id: str | None = None,
) -> tuple[list[EarningRule], bool]:
    """Write a new version of the rule unless it would equal the current one.

    Returns every version (oldest first) and whether a new one was written.
    """
    check_activity(activity)
    _check_rule(draft)
    versions = versions_of(session, community_id, activity)
    if versions and _same(versions[-1], draft):
        return versions, False
    rule = EarningRule(
        id=new_id("rul"),
        community_id=community_id,
        activity=activity,
        title=draft.title.strip(),
        version=(versions[-1].version + 1) if versions else 1,
        points=draft.points,
        per=draft.per,
        notice_days=draft.notice_days,
        valid_from=as_utc(draft.valid_from) if draft.valid_from else None,
        valid_to=as_utc(draft.valid_to) if draft.valid_to else None,
        created_at=now,
        api_key_id=api_key_id,
        caps=[
            EarningCap(period=c.period, max_points=c.max_points, max_count=c.max_count)
            for c in draft.caps
        ],
    )
    try:
        # Two staff saving the same rule at once would both pick the next number; the unique
        # (community, activity, version) key lets one through and turns the other into a 409.
        with session.begin_nested():
            session.add(rule)
            session.flush()
    except IntegrityError as exc:
        raise errors.RuleChangedConcurrently(activity=activity) from exc
    return [*versions, rule], True


def latest_titles(
    session: Session, community_ids: set[str], activities: set[str] | None = None
) -> dict[tuple[str, str], str]:
    """{(community id, activity): title} of each rule's latest version that has a title: how
    residents and staff read an activity now, for awards made before the title was set too."""
    query = sa.select(EarningRule.community_id, EarningRule.activity, EarningRule.title).where(
        EarningRule.community_id.in_(community_ids)
    )
    if activities is not None:
        query = query.where(EarningRule.activity.in_(activities))
    titles: dict[tuple[str, str], str] = {}
    # Oldest version first, so the latest one's title stays (an emptied title clears it).
    for community_id, activity, title in session.execute(query.order_by(EarningRule.version)):
        titles[(community_id, activity)] = title
    return {named: title for named, title in titles.items() if title}


def get_rule(session: Session, community_id: str, activity: str) -> list[EarningRule]:
    versions = versions_of(session, community_id, activity)
    if not versions:
        raise errors.RuleNotFound(activity=activity)
    return versions


def list_rules(
    session: Session, community_id: str, *, limit: int, cursor: str | None = None
) -> Page:
    """The current version of each of the community's rules, by activity."""
    latest = (
        sa.select(EarningRule.activity, sa.func.max(EarningRule.version).label("version"))
        .where(EarningRule.community_id == community_id)
        .group_by(EarningRule.activity)
        .subquery()
    )
    query = (
        sa.select(EarningRule)
        .join(
            latest,
            sa.and_(
                EarningRule.activity == latest.c.activity, EarningRule.version == latest.c.version
            ),
        )
        .where(EarningRule.community_id == community_id)
    )
    return keyset_page(session, query, EarningRule.activity, limit=limit, cursor=cursor)


@dataclass(frozen=True)
class CapTerms:
    """One cap of a rule version, as judging an event reads it."""

    period: str
    max_points: int | None
    max_count: int | None


@dataclass(frozen=True)
class RuleTerms:
    """One rule version as judging an event reads it, as a plain record outside any session.

    A cache shares it between requests and threads, which an ORM row cannot safely be (it
    belongs to the session that loaded it), and nothing is copied per event (a transient ORM
    copy of a version with two caps cost 40 microseconds an event).
    """

    id: str
    community_id: str
    activity: str
    version: int
    points: int
    per: str
    notice_days: int
    valid_from: datetime | None
    valid_to: datetime | None
    created_at: datetime
    caps: tuple[CapTerms, ...]

    @classmethod
    def of(cls, rule: EarningRule) -> "RuleTerms":
        columns = {f.name: getattr(rule, f.name) for f in fields(cls) if f.name != "caps"}
        caps = tuple(CapTerms(c.period, c.max_points, c.max_count) for c in rule.caps)
        return cls(**columns, caps=caps)


# What judges an event: a version loaded in the session, or its terms kept by a cache.
Rule = EarningRule | RuleTerms
Cap = EarningCap | CapTerms


def version_in_force(versions: Sequence[Rule], at: datetime) -> Rule:
    """The version that judges an event occurring at ``at`` (versions oldest first)."""
    chosen = versions[0]
    for version in versions[1:]:
        if version.created_at <= at:
            chosen = version
    return chosen


def check_valid_at(rule: Rule, at: datetime) -> None:
    if (rule.valid_from is not None and at < rule.valid_from) or (
        rule.valid_to is not None and at >= rule.valid_to
    ):
        raise errors.RuleNotValidThen(
            activity=rule.activity,
            version=rule.version,
            occurred_at=at.isoformat(),
            valid_from=rule.valid_from.isoformat() if rule.valid_from else None,
            valid_to=rule.valid_to.isoformat() if rule.valid_to else None,
        )


# Reading as a history ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleHistory:
    """A rule as it is shown: its community's slug, its activity, the current version and,
    newest first, every version it has had."""

    community: str
    activity: str
    current: EarningRule
    versions: list[EarningRule]


def history(community_slug: str, versions: list[EarningRule]) -> RuleHistory:
    """``versions`` oldest first, as ``get_rule`` and ``set_rule`` give them."""
    newest_first = list(reversed(versions))
    return RuleHistory(community_slug, versions[-1].activity, newest_first[0], newest_first)


def current_rules(session: Session, community_id: str, community_slug: str, **page) -> Page:
    """A page of the community's rules, each with its current version only (see ``list_rules``)."""
    found = list_rules(session, community_id, **page)
    return Page([history(community_slug, [rule]) for rule in found.items], found.next_cursor)
