"""The fast path of one earn event on PostgreSQL: four round trips, BEGIN and COMMIT included.

The general path (``events.record_event``) reads the replay, community, member, rule and caps,
locks the member, reads the cap usage and writes the event, balances, entry, postings and
outbox in separate statements: fifteen round trips. This one keeps its rules and order and
sends two statements (the functions of migration ``0015_fast_path``):

1. ``pointsbank_award_standing``: lock the member, then read the member, the award's accounts,
   a replay, the rule's latest version and each cap window's usage;
2. ``pointsbank_record_award``: the event (ON CONFLICT DO NOTHING), balances in sorted order,
   entry, postings and outbox row.

Between them Python judges with the general path's own functions (``_check``, ``standings``'
arithmetic, ``judge``, ``_event_values``, ``_award_draft``, ``journal.direct_write``), so the
answer, the event row and the journal are the same as the general path's.

Communities (id, slug, time zone, issuance account: never changed once made) and each rule's
versions (a change is a new version, never an edit) are cached per engine, as plain records
(``_CommunityRef``, ``rules.RuleTerms``) that every request shares: no ORM object is made per
event for them. The first statement returns the rule's latest version and the member's
community, which validate the cache: any mismatch forgets it and the event takes the general
path, in the same transaction.

Anything this path does not handle goes to the general path, which then answers exactly as
before: see :func:`eligible` (the one place that says what may come here), replays, unknown
communities, rules or members, and debits that would need a floor test.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import bulk
from ledger.core.clock import as_utc
from ledger.core.communities import held_by
from ledger.core.errors import LedgerError
from ledger.core.journal import direct_write
from ledger.core.models import Account, Community, Member
from ledger.core.per_engine import PerEngine
from ledger.webhooks import outbox

from . import events
from .caps import CapStanding, judge, period_bounds
from .models import EarningRule, EventRow
from .rules import RuleTerms, version_in_force

FAST_DIALECT = "postgresql"
_STANDING = sa.text(
    "SELECT pointsbank_award_standing(:member, :source, :source_id, :activity, :community, "
    ":issuance, CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[]))"
)
_RECORD = sa.text(
    "SELECT pointsbank_record_award(CAST(:event AS json), CAST(:entry AS json), "
    "CAST(:postings AS json), CAST(:balances AS json), CAST(:outbox AS json))"
)


def eligible(session: Session, source: events.Source, draft: events.EventDraft) -> bool:
    """Whether the fast path may record ``draft``; every other event takes the general path.

    Add a condition here when a feature needs what only the general path does (say, a
    community whose awards expire and need a lot row, or an award that needs approval).
    """
    return (
        session.get_bind().dialect.name == FAST_DIALECT
        and draft.member_id is not None
        and draft.member_ref is None
    )


# Reference data cached per engine ------------------------------------------------------------
@dataclass(frozen=True)
class _CommunityRef:
    id: str
    slug: str
    timezone: str
    issuance_id: str


@dataclass
class ReferenceCache:
    """Communities by slug and rule versions by (community id, activity), for one engine."""

    communities: dict[str, _CommunityRef] = field(default_factory=dict)
    rules: dict[tuple[str, str], tuple[RuleTerms, ...]] = field(default_factory=dict)

    def community(self, session: Session, slug: str) -> _CommunityRef | None:
        found = self.communities.get(slug)
        if found is None:
            row = session.execute(
                sa.select(Community.id, Community.slug, Community.timezone, Account.id)
                .join(Account, held_by(Community.id, "issuance", "points"))
                .where(Community.slug == slug)
            ).first()
            if row is None:
                return None
            found = self.communities[slug] = _CommunityRef(*row)
        return found

    def versions(self, session: Session, community_id: str, activity: str):
        key = (community_id, activity)
        found = self.rules.get(key)
        if found is None:
            rules = session.scalars(
                sa.select(EarningRule)
                .where(EarningRule.community_id == community_id, EarningRule.activity == activity)
                .order_by(EarningRule.version)
            ).all()
            found = tuple(map(RuleTerms.of, rules))
            if found:
                self.rules[key] = found
        return found

    def forget(self, slug: str, community_id: str, activity: str) -> None:
        self.communities.pop(slug, None)
        self.rules.pop((community_id, activity), None)


_caches: PerEngine[ReferenceCache] = PerEngine(ReferenceCache)


def reference_cache(session: Session) -> ReferenceCache:
    return _caches.of(session)


# The two statements ---------------------------------------------------------------------------
@dataclass
class _Standing:
    """What the first statement read, with the member's lock held."""

    member: Member | None
    replay: str | None
    rule_version: int | None
    accounts: dict[str, Any]
    usage: list[list[int]]


def _stand(session, source, draft, community, windows) -> _Standing:
    found = session.execute(
        _STANDING,
        {
            "member": draft.member_id,
            "source": source.name,
            "source_id": draft.source_id,
            "activity": draft.activity,
            "community": community.id,
            "issuance": community.issuance_id,
            "starts": [start for start, _ in windows],
            "ends": [end for _, end in windows],
        },
    ).scalar_one()
    member = found["member"]
    accounts = {a["id"]: _AccountRow(**a) for a in found["accounts"] or []}
    return _Standing(
        Member(**member) if member else None,
        found["replay"],
        found["rule_version"],
        accounts,
        found["usage"] or [],
    )


@dataclass(frozen=True)
class _AccountRow:
    id: str
    community_id: str
    owner_id: str | None
    kind: str
    unit: str
    floor: int | None
    status: str
    keeps_lots: bool = False  # a community whose points expire: its lots need the general path


# Recording --------------------------------------------------------------------------------------
def record_event(
    session: Session, source: events.Source, draft: events.EventDraft, *, now: datetime
) -> events.Recorded:
    """Record one event: by the fast path when it can, else by the general one."""
    if eligible(session, source, draft):
        recorded = _record_fast(session, source, draft, now)
        if recorded is not None:
            return recorded
    return events.record_event(session, source, draft, now=now)


def _prepare(session, source, draft):
    """The cached community and rule versions, and the cap windows of the version in force;
    None when the general path must decide (it then raises what is wrong)."""
    cache = reference_cache(session)
    community = cache.community(session, draft.community)
    if community is not None and not _reaches(source, community):
        cache.forget(community.slug, community.id, draft.activity)  # perhaps stale: read again
        community = cache.community(session, draft.community)
    if community is None or not _reaches(source, community):
        return None
    versions = cache.versions(session, community.id, draft.activity)
    if not versions:
        return None
    try:
        rule = version_in_force(versions, as_utc(draft.occurred_at))
        at = as_utc(draft.occurred_at)
        windows = [period_bounds(cap.period, at, community.timezone) for cap in rule.caps]
    except (LedgerError, ValueError, OverflowError):
        return None
    return cache, community, versions, windows


def _reaches(source: events.Source, community: _CommunityRef) -> bool:
    return source.community_ids is None or community.id in source.community_ids


def _usable(standing: _Standing, community: _CommunityRef, versions) -> bool:
    """The cache still holds, and nothing needs the general path's answer (a replay, a member
    of another community or none)."""
    member = standing.member
    return (
        standing.replay is None
        and member is not None
        and member.community_id == community.id
        and standing.rule_version == versions[-1].version
        and community.issuance_id in standing.accounts
        and standing.accounts[community.issuance_id].community_id == community.id
    )


def _record_fast(session, source, draft, now) -> events.Recorded | None:
    prepared = _prepare(session, source, draft)
    if prepared is None:
        return None
    cache, community, versions, windows = prepared
    standing = _stand(session, source, draft, community, windows)
    if not _usable(standing, community, versions):
        if standing.replay is None:  # perhaps stale: read afresh next time
            cache.forget(community.slug, community.id, draft.activity)
        return None
    member = standing.member
    assert member is not None  # _usable
    points_account = next(
        (a.id for a in standing.accounts.values() if a.owner_id == member.id), None
    )
    if points_account is None:
        return None
    ctx = events._Context(
        communities={community.slug: _community_of(community)},
        issuance={community.id: community.issuance_id},
        members={member.id: member},
        points_accounts={member.id: points_account},
        rules={(community.id, draft.activity): versions},
    )
    checked = events._check(ctx, source, draft, now)  # raises as the general path would
    return _judge_and_write(session, ctx, source, checked, standing, windows, now)


def _community_of(ref: _CommunityRef) -> Community:
    return Community(id=ref.id, slug=ref.slug, timezone=ref.timezone)


def _judge_and_write(session, ctx, source, checked, standing, windows, now):
    rule = checked.rule
    due = events.points_due(rule, checked.quantity)
    caps = [
        CapStanding(cap.period, start, end, cap.max_points, cap.max_count, int(used), int(count))
        for cap, (start, end), (used, count) in zip(rule.caps, windows, standing.usage, strict=True)
    ]
    judgement = judge(due, caps)
    step = events._first_step(judgement.points, rule.notice_days)
    values = events._event_values(source, checked, due, judgement, step, now)
    write = None
    if judgement.points > 0:
        award = events._award_draft(ctx, source, checked, judgement, values)
        write = direct_write(award, standing.accounts, now=now)
        if write is None:
            return None
    recorded = events.Recorded(EventRow(**values), replayed=False, rule=rule)
    told = events._told([recorded])
    row = outbox.plain_row(*told[0], at=now, posted_by=source.api_key_id) if told else None
    written = session.execute(
        _RECORD,
        {
            "event": bulk.json_param(values),
            "entry": bulk.json_param(write.entry) if write else None,
            "postings": bulk.json_param(write.postings) if write else None,
            "balances": bulk.json_param(write.balances) if write else None,
            "outbox": bulk.json_param(row),
        },
    ).scalar_one()
    if not written:  # a concurrent post of the same source id committed first: a replay
        return None
    recorded.entry_id = write.record.id if write else None
    return recorded
