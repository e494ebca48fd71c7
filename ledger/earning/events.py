"""Earn events: a member did something, a source reports it, the rules decide the award.

Invariants:
- one event per (source, source_id): the source is the API key that posted it (or the
  community's paper sign-in sheets), and a replay answers with the first event, unchanged;
- an award never exceeds any cap of the rule version in force when the event occurred, even
  when events for one member arrive at once: the member's row is locked (``FOR NO KEY UPDATE``)
  before the caps are read and held until the award is written and committed;
- an award is an entry of kind "award" from the community's points issuance account to the
  member's points account, with ``cause_id`` = the event id; under public notice
  (``notice_days`` > 0) it is pending and vests only when the sweep finds its notice over, unless
  staff objected first, which voids it;
- ``recorded_by`` is never the member awarded; ``occurred_at`` is neither in the future (beyond
  ``CLOCK_SKEW``) nor older than ``BACKDATING_WINDOW``.

Lock order, the same for single events, batches and the sweep, so writers never deadlock:
member rows (sorted by id), then balance rows in the journal's sorted order. A batch posts all
its awards in one :func:`ledger.journal.post_entries` at its end, so it changes each issuance
shard once, in order, and holds it only until its commit.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledger.core import bulk
from ledger.core.clock import as_utc
from ledger.core.communities import held_by
from ledger.core.errors import (
    CommunityNotFound,
    LedgerError,
    MemberNotFound,
)
from ledger.core.ids import new_id
from ledger.core.journal import (
    EntryDraft,
    PostingDraft,
    post_entries,
    post_entry,
)
from ledger.core.lookup import get_or_raise
from ledger.core.models import Account, Community, Entry, Member
from ledger.core.paging import Page, keyset_page
from ledger.webhooks import outbox

from . import errors
from .caps import Judgement, UsageMemo, judge, period_bounds, standings
from .models import EVENT_TRANSITIONS, AnyEvent, EarningEvent, EarningRule, EventRow
from .rules import Rule, check_valid_at, version_in_force

BACKDATING_WINDOW = timedelta(days=31)  # a month's paper sheets may arrive late, not older
CLOCK_SKEW = timedelta(minutes=5)  # a sign-in tablet's clock may run a little fast
MAX_EVENT_MINUTES = 24 * 60  # one per-hour event covers at most a day
MAX_BATCH_EVENTS = 1_000
MINUTES_PER_HOUR = 60
PAPER_SOURCE_PREFIX = "paper:"
AWARD_MEMO_MAX_LENGTH = 200

_events = EarningEvent.__table__


@dataclass(frozen=True)
class EventDraft:
    """An event as a source reports it; the member is named by id or by external reference."""

    community: str  # slug
    activity: str
    occurred_at: datetime
    source_id: str
    recorded_by: str
    member_id: str | None = None
    member_ref: str | None = None
    quantity: int | None = None
    evidence: str = ""


@dataclass(frozen=True)
class Source:
    """Who reports events: owns a source_id namespace, and may post to these communities."""

    name: str
    api_key_id: str | None
    community_ids: frozenset[str] | None  # None: any community (admin, command line)


@dataclass
class Recorded:
    """The answer to one event: the event as stored, and whether it was a replay."""

    event: AnyEvent
    replayed: bool
    entry_id: str | None = None
    rule: Rule | None = None  # the version that judged a new event (a replay's event holds it)


def paper_source(community_id: str) -> Source:
    """The community's paper sign-in sheets: one source_id namespace, keyed by sheet row id."""
    return Source(PAPER_SOURCE_PREFIX + community_id, None, frozenset({community_id}))


# Reference data, loaded once per request (a batch shares it) -----------------------------------
@dataclass
class _Context:
    communities: dict[str, Community] = field(default_factory=dict)  # by slug
    issuance: dict[str, str] = field(default_factory=dict)  # community id -> account id
    members: dict[str, Member] = field(default_factory=dict)  # by id
    members_by_ref: dict[tuple[str, str], Member] = field(default_factory=dict)
    points_accounts: dict[str, str] = field(default_factory=dict)  # member id -> account id
    rules: dict[tuple[str, str], Sequence[Rule]] = field(default_factory=dict)


def _each(session: Session, values) -> sa.Select:
    """SELECT of ``values``, for ``IN``: one statement text whatever their number, so that it is
    parsed and prepared once, and probed value by value (see ``bulk.each_value``)."""
    return sa.select(bulk.each_value(session.get_bind().dialect.name, values).c.value)


def _load_context(session: Session, drafts: Sequence[EventDraft]) -> _Context:
    ctx = _Context()
    slugs = {d.community for d in drafts}
    for community, issuance_id in session.execute(
        sa.select(Community, Account.id)
        .join(Account, held_by(Community.id, "issuance", "points"))
        .where(Community.slug.in_(slugs))
    ):
        ctx.communities[community.slug] = community
        ctx.issuance[community.id] = issuance_id
    by_id = {c.id: c for c in ctx.communities.values()}
    if not by_id:
        return ctx
    ids = {d.member_id for d in drafts if d.member_id}
    refs: dict[str, set[str]] = {}  # community id -> external refs named in the drafts
    for draft in drafts:
        named = ctx.communities.get(draft.community)
        if draft.member_ref and named is not None:
            refs.setdefault(named.id, set()).add(draft.member_ref)
    conditions: list[sa.ColumnElement[bool]] = []
    if ids:
        conditions.append(Member.id.in_(_each(session, sorted(ids))))
    for community_id, community_refs in refs.items():
        conditions.append(
            sa.and_(Member.community_id == community_id, Member.external_ref.in_(community_refs))
        )
    if conditions:
        for member, account_id in session.execute(
            sa.select(Member, Account.id)
            .join(Account, held_by(Member.id, "member", "points"))
            .where(sa.or_(*conditions))
        ):
            ctx.members[member.id] = member
            ctx.members_by_ref[(member.community_id, member.external_ref)] = member
            ctx.points_accounts[member.id] = account_id
    activities = {d.activity for d in drafts}
    versions: dict[tuple[str, str], list[EarningRule]] = {}
    for rule in session.scalars(
        sa.select(EarningRule)
        .where(EarningRule.community_id.in_(by_id), EarningRule.activity.in_(activities))
        .order_by(EarningRule.version)
    ):
        versions.setdefault((rule.community_id, rule.activity), []).append(rule)
    ctx.rules.update(versions)
    return ctx


@dataclass(frozen=True)
class _Checked:
    """A draft that passed every check that needs no lock: ready to be judged."""

    draft: EventDraft
    community: Community
    member: Member
    rule: Rule
    occurred_at: datetime
    quantity: int


def _check(ctx: _Context, source: Source, draft: EventDraft, now: datetime) -> _Checked:
    community = ctx.communities.get(draft.community)
    if community is None or (
        source.community_ids is not None and community.id not in source.community_ids
    ):
        # Another party's community answers exactly like a missing one.
        raise CommunityNotFound(slug=draft.community)
    versions = ctx.rules.get((community.id, draft.activity))
    if not versions:
        raise errors.RuleNotFound(activity=draft.activity, community=community.slug)
    if (draft.member_id is None) == (draft.member_ref is None):
        raise errors.MemberNotNamed()
    if draft.member_id is not None:
        member = ctx.members.get(draft.member_id)
        if member is None or member.community_id != community.id:
            raise MemberNotFound(member=draft.member_id, community=community.slug)
    else:  # member_ref is set (tested above); `or ""` only tells the type checker so
        member = ctx.members_by_ref.get((community.id, draft.member_ref or ""))
        if member is None:
            raise MemberNotFound(member_ref=draft.member_ref, community=community.slug)
    if draft.recorded_by.strip() in (member.id, member.external_ref):
        raise errors.RecordedBySelf(member=member.id, recorded_by=draft.recorded_by)
    occurred_at = as_utc(draft.occurred_at)
    if occurred_at > now + CLOCK_SKEW:
        raise errors.OccurredInFuture(occurred_at=occurred_at.isoformat(), now=now.isoformat())
    if occurred_at < now - BACKDATING_WINDOW:
        raise errors.OccurredTooLongAgo(
            occurred_at=occurred_at.isoformat(),
            now=now.isoformat(),
            backdating_days=BACKDATING_WINDOW.days,
        )
    rule = version_in_force(versions, occurred_at)
    check_valid_at(rule, occurred_at)
    if draft.quantity is not None and draft.quantity < 1:
        raise errors.QuantityNotPositive(quantity=draft.quantity)
    if rule.per == "hour":
        if draft.quantity is None:
            raise errors.QuantityRequired(activity=draft.activity)
        if draft.quantity > MAX_EVENT_MINUTES:
            raise errors.QuantityTooLarge(quantity=draft.quantity, max_quantity=MAX_EVENT_MINUTES)
        quantity = draft.quantity
    else:
        if draft.quantity not in (None, 1):
            raise errors.QuantityNotAllowed(quantity=draft.quantity, activity=draft.activity)
        quantity = 1
    return _Checked(draft, community, member, rule, occurred_at, quantity)


def points_due(rule: Rule, quantity: int) -> int:
    """Per event: the rule's points. Per hour: prorated by the minutes, rounded down."""
    if rule.per == "hour":
        return rule.points * quantity // MINUTES_PER_HOUR
    return rule.points


# Locks ------------------------------------------------------------------------------------------
def lock_members(session: Session, member_ids) -> None:
    """Take the members' rows in id order; FOR NO KEY UPDATE leaves foreign keys free."""
    if member_ids:
        session.execute(
            sa.select(Member.id)
            .where(Member.id.in_(_each(session, sorted(member_ids))))
            .order_by(Member.id)
            .with_for_update(key_share=True)
        ).all()


# Recording --------------------------------------------------------------------------------------
def _existing(session: Session, source: Source, source_ids) -> dict[str, EarningEvent]:
    if not source_ids:
        return {}
    wanted = bulk.each_value(session.get_bind().dialect.name, sorted(source_ids))
    match = (
        sa.select(EarningEvent.id)
        .where(EarningEvent.source == source.name, EarningEvent.source_id == wanted.c.value)
        .correlate(wanted)
        .scalar_subquery()
    )
    ids = session.scalars(sa.select(match).select_from(wanted))
    found = [event_id for event_id in ids if event_id is not None]
    if not found:  # the usual case: no replay among them
        return {}
    rows = session.scalars(sa.select(EarningEvent).where(EarningEvent.id.in_(found)))
    return {event.source_id: event for event in rows}


def _replay(event: EarningEvent, draft: EventDraft, session: Session) -> Recorded:
    """The first answer again, if the replay reports the same thing; else a 409."""
    same_member = draft.member_id in (None, event.member_id)
    if draft.member_ref is not None:
        member = session.get(Member, event.member_id)
        same_member = member is not None and member.external_ref == draft.member_ref
    community = session.get_one(Community, event.community_id)
    same = (
        same_member
        and community.slug == draft.community
        and event.activity == draft.activity
        and as_utc(event.occurred_at) == as_utc(draft.occurred_at)
        and draft.quantity in (None, event.quantity)
    )
    if not same:
        raise errors.SourceIdReused(source_id=event.source_id, event=event.id)
    return Recorded(event, replayed=True)


def _insert_ignoring_duplicate(session: Session, values: dict) -> bool:
    """Insert the event unless its (source, source_id) exists; True when this one was new.

    ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit, then skips:
    a replay racing the first post never reaches the award.
    """
    dialect = session.get_bind().dialect.name
    stmt = _INSERT_IF_NEW.get(dialect)
    if stmt is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # Built once, values bound per call: a batch does not rebuild the statement per event.
        stmt = _INSERT_IF_NEW[dialect] = (
            insert(_events)
            .on_conflict_do_nothing(index_elements=["source", "source_id"])
            .returning(_events.c.id)
        )
    # RETURNING, not rowcount: psycopg reports no rowcount for INSERT ... ON CONFLICT.
    return session.execute(stmt, values).first() is not None


_INSERT_IF_NEW: dict = {}


def _award_memo(checked: _Checked, judgement: Judgement) -> str:
    memo = checked.draft.activity
    if judgement.outcome == "partial":
        memo += f" (capped: {judgement.reason})"
    return memo[:AWARD_MEMO_MAX_LENGTH]


def _first_step(points: int, notice_days: int) -> str:
    """The step that writes the event: refused for no points, else awarded now or under notice."""
    if points == 0:
        return "refuse"
    return "notice" if notice_days > 0 else "award"


def _event_values(
    source: Source, checked: _Checked, due: int, judgement: Judgement, step: str, now: datetime
) -> dict:
    """The event row as it is inserted, from the checked draft and its judgement."""
    draft, rule = checked.draft, checked.rule
    pending = step == "notice"
    return dict(
        id=new_id("evt"),
        community_id=checked.community.id,
        activity=draft.activity,
        member_id=checked.member.id,
        rule_id=rule.id,
        occurred_at=checked.occurred_at,
        quantity=checked.quantity,
        source=source.name,
        source_id=draft.source_id,
        api_key_id=source.api_key_id,
        recorded_by=draft.recorded_by,
        evidence=draft.evidence,
        status=EVENT_TRANSITIONS[step][1],
        points_due=due,
        points_awarded=judgement.points,
        decision={
            "outcome": judgement.outcome,
            "reason": judgement.reason,
            "limited_by": judgement.limited_by,
            "caps": judgement.caps,
        },
        vests_at=now + timedelta(days=rule.notice_days) if pending else None,
        resolved_at=None,
        objection_reason=None,
        created_at=now,
    )


def _award_draft(
    ctx: _Context, source: Source, checked: _Checked, judgement: Judgement, event: dict
) -> EntryDraft:
    """The award entry, issuance -> member, pending while the event is under notice."""
    rule = checked.rule
    return EntryDraft(
        community_id=checked.community.id,
        kind="award",
        postings=[
            PostingDraft(
                ctx.issuance[checked.community.id],
                ctx.points_accounts[checked.member.id],
                "points",
                judgement.points,
            )
        ],
        memo=_award_memo(checked, judgement),
        details={
            "event": event["id"],
            "activity": checked.draft.activity,
            "rule": rule.id,
            "rule_version": rule.version,
            "points_due": event["points_due"],
            "limited_by": judgement.limited_by,
        },
        occurred_at=checked.occurred_at,
        pending=event["vests_at"] is not None,
        cause_id=event["id"],
        api_key_id=source.api_key_id,
    )


def _record_checked(
    session: Session,
    ctx: _Context,
    source: Source,
    checked: _Checked,
    now: datetime,
    memo: UsageMemo | None = None,
    awards: list | None = None,
    inserts: list | None = None,
) -> Recorded:
    """Judge and write one event whose member is locked; the caller owns the transaction.

    With ``inserts`` the event row is collected there instead of inserted (a batch inserts
    them all at once, and starts again one by one if any of them turns out to be a replay)."""
    draft, rule = checked.draft, checked.rule
    due = points_due(rule, checked.quantity)
    caps = standings(
        session,
        member_id=checked.member.id,
        activity=draft.activity,
        caps=rule.caps,
        at=checked.occurred_at,
        timezone=checked.community.timezone,
        memo=memo,
    )
    judgement = judge(due, caps)
    step = _first_step(judgement.points, rule.notice_days)
    values = _event_values(source, checked, due, judgement, step, now)
    if inserts is not None:
        inserts.append(values)
    elif not _insert_ignoring_duplicate(session, values):
        existing = _existing(session, source, [draft.source_id])[draft.source_id]
        return _replay(existing, draft, session)
    # A record of what was written: no second read of the row.
    recorded = Recorded(EventRow(**values), replayed=False, rule=rule)
    if judgement.points > 0:
        award = _award_draft(ctx, source, checked, judgement, values)
        if awards is None:
            recorded.entry_id = post_entry(session, award, now=now).id
        else:  # a batch posts every award at once, after judging them all
            awards.append((recorded, award))
    return recorded


# What the outbox hears of a newly written event: an award posted at once has vested; one under
# notice is told of when it vests or is voided.
_TOLD_ON_WRITE = {"awarded": "award.vested", "refused": "award.refused"}


def _told(answers) -> list[tuple[str, AnyEvent]]:
    """The outbox events of the new events among ``answers`` (replays and failures tell nothing)."""
    return [
        (_TOLD_ON_WRITE[a.event.status], a.event)
        for a in answers
        if isinstance(a, Recorded) and not a.replayed and a.event.status in _TOLD_ON_WRITE
    ]


def record_event(session: Session, source: Source, draft: EventDraft, *, now: datetime) -> Recorded:
    """Record one event and its award (or return the first answer to a replay)."""
    existing = _existing(session, source, [draft.source_id]).get(draft.source_id)
    if existing is not None:
        return _replay(existing, draft, session)
    ctx = _load_context(session, [draft])
    checked = _check(ctx, source, draft, now)
    lock_members(session, [checked.member.id])
    recorded = _record_checked(session, ctx, source, checked, now)
    outbox.record_many(session, _told([recorded]), at=now)
    return recorded


def _check_batch(
    ctx: _Context, source: Source, drafts, existing, now: datetime
) -> dict[int, _Checked | LedgerError]:
    """Each new draft checked (no lock needed), or the error it breaks, by its place in the batch."""
    checked: dict[int, _Checked | LedgerError] = {}
    for index, draft in enumerate(drafts):
        if draft is None or draft.source_id in existing:
            continue
        try:
            checked[index] = _check(ctx, source, draft, now)
        except LedgerError as error:
            checked[index] = error
    return checked


def _usage_of(session: Session, ready: list[_Checked]) -> UsageMemo:
    """The cap usage of every (member, activity, period) the batch touches, read at once."""
    memo = UsageMemo()
    memo.preload(
        session,
        (
            (
                c.member.id,
                c.draft.activity,
                cap.period,
                *period_bounds(cap.period, c.occurred_at, c.community.timezone),
            )
            for c in ready
            for cap in c.rule.caps
        ),
    )
    return memo


class _Raced(Exception):
    """A batch's bulk insert met events a concurrent request recorded after the batch looked."""


def _insert_all(session: Session, rows: list[dict]) -> None:
    """Insert every new event of a batch in one statement; _Raced if any already exists."""
    if not rows:
        return
    inserted = bulk.insert_rows(
        session.connection(),
        _events,
        rows,
        skip_conflicts_on=("source", "source_id"),
        returning="id",
    )
    if len(inserted or ()) != len(rows):
        raise _Raced()


def record_events(
    session: Session,
    source: Source,
    drafts: Sequence[EventDraft | None],
    *,
    now: datetime,
    failure: Callable[[LedgerError], object] = lambda error: error,
) -> list:
    """Record a batch: one answer per draft, in order; each event stands alone.

    A ``None`` draft (one the caller could not even parse) is skipped and answered ``None``.
    An event that breaks a rule is answered ``failure(error)`` and writes nothing: judging an
    event only reads, its one write (the event row) comes last, and its award is collected and
    posted with the others' by one :func:`ledger.journal.post_entries` at the end.

    The event rows go in one INSERT, inside a savepoint: should a concurrent request have
    recorded one of the same source ids in the meantime, the batch is rolled back to it and
    recorded again event by event, each such event then answered as a replay.
    """
    if len(drafts) > MAX_BATCH_EVENTS:
        raise errors.BatchTooLarge(events=len(drafts), max_events=MAX_BATCH_EVENTS)
    try:
        with session.begin_nested():
            return _record_batch(session, source, drafts, now, failure, bulk=True)
    except _Raced:
        return _record_batch(session, source, drafts, now, failure, bulk=False)


def _record_batch(session: Session, source: Source, drafts, now: datetime, failure, *, bulk):
    present = [d for d in drafts if d is not None]
    existing = _existing(session, source, {d.source_id for d in present})
    ctx = _load_context(session, [d for d in present if d.source_id not in existing])
    checked = _check_batch(ctx, source, drafts, existing, now)
    ready = [c for c in checked.values() if isinstance(c, _Checked)]
    lock_members(session, {c.member.id for c in ready})
    memo = _usage_of(session, ready)
    awards: list[tuple[Recorded, EntryDraft]] = []
    inserts: list[dict] | None = [] if bulk else None
    answers: list[object] = []
    for index, draft in enumerate(drafts):
        if draft is None:
            answers.append(None)
            continue
        try:
            if draft.source_id in existing:
                answers.append(_replay(existing[draft.source_id], draft, session))
                continue
            outcome = checked[index]
            if isinstance(outcome, LedgerError):
                raise outcome
            recorded = _record_checked(session, ctx, source, outcome, now, memo, awards, inserts)
            answers.append(recorded)
            if not recorded.replayed and recorded.event.points_awarded:
                memo.spend(
                    outcome.member.id,
                    draft.activity,
                    outcome.occurred_at,
                    recorded.event.points_awarded,
                )
        except LedgerError as error:
            answers.append(failure(error))
    _insert_all(session, inserts or [])
    # One write for every award: balance rows change once each, in sorted order, at the end,
    # so issuance rows are held only from here to the commit, and only one of them: every
    # award of the batch uses the same shard (see post_entries' one_shard).
    posted = post_entries(session, [award for _, award in awards], now=now, one_shard=True)
    for (recorded, _), record in zip(awards, posted, strict=True):
        recorded.entry_id = record.id
    outbox.record_many(session, _told(answers), at=now)
    return answers


# Reading ----------------------------------------------------------------------------------------
def get_event(session: Session, event_id: str) -> EarningEvent:
    return get_or_raise(session, EarningEvent, event_id, errors.EventNotFound, event=event_id)


def award_entry_id(session: Session, event_id: str) -> str | None:
    return award_entry_ids(session, [event_id]).get(event_id)


def award_entry_ids(session: Session, event_ids) -> dict[str, str]:
    """{event id: its award entry id}, in one query for a page of events."""
    if not event_ids:
        return {}
    rows = session.execute(
        sa.select(Entry.cause_id, Entry.id).where(
            Entry.cause_id.in_(list(event_ids)), Entry.kind == "award"
        )
    ).all()
    # The IN matches no NULL cause_id; the test only tells the type checker so.
    return {cause_id: entry_id for cause_id, entry_id in rows if cause_id is not None}


def void_reversed_award(session: Session, original: Entry, reason: str, now: datetime) -> None:
    """An award's entry was reversed: its event no longer counts against its caps, and shows why."""
    if original.cause_id is None:
        return
    (source,), target = EVENT_TRANSITIONS["reverse"]  # a conditional UPDATE: one source status
    voided = session.execute(
        sa.update(EarningEvent)
        .where(EarningEvent.id == original.cause_id, EarningEvent.status == source)
        .values(status=target, resolved_at=now, objection_reason=reason)
        .returning(EarningEvent.id, EarningEvent.community_id)
    ).all()
    outbox.record_many(session, [("award.voided", row) for row in voided], at=now)


def list_events(
    session: Session,
    community_id: str,
    *,
    limit: int,
    cursor: str | None = None,
    status: str | None = None,
    member_id: str | None = None,
    api_key_id: str | None = None,
) -> Page:
    """A community's events, oldest first; filtered by status (the public notice list is
    ``status="pending"``), member, or the key that posted them."""
    query = sa.select(EarningEvent).where(EarningEvent.community_id == community_id)
    if status is not None:
        query = query.where(EarningEvent.status == status)
    if member_id is not None:
        query = query.where(EarningEvent.member_id == member_id)
    if api_key_id is not None:
        query = query.where(EarningEvent.api_key_id == api_key_id)
    return keyset_page(session, query, EarningEvent.id, limit=limit, cursor=cursor)


# Answers ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventAnswer:
    """An event as answered: with its community's slug, its award entry (None when nothing was
    awarded) and whether this answer is a replay. Its other attributes are the event's own, and
    what its decision says (outcome, reason, limited_by, caps)."""

    event: AnyEvent
    community: str
    entry: str | None
    replayed: bool = False
    judged_by: Rule | None = None  # a new event's rule version, when its row does not hold it

    def __getattr__(self, name: str):
        return getattr(self.event, name)

    @property
    def rule(self) -> Rule:
        if self.judged_by is not None:
            return self.judged_by
        # Only an event just written comes without its rule, and its answer is given it.
        assert isinstance(self.event, EarningEvent)
        return self.event.rule

    def _decided(self, key: str, default=None):
        return (self.event.decision or {}).get(key, default)

    @property
    def outcome(self) -> str | None:
        return self._decided("outcome")

    @property
    def reason(self) -> str | None:
        return self._decided("reason")

    @property
    def limited_by(self) -> dict | None:
        return self._decided("limited_by")

    @property
    def caps(self) -> list:
        return self._decided("caps", [])


def answer(
    session: Session,
    event: AnyEvent,
    *,
    community_slug: str | None = None,
    entry_id: str | None = None,
    replayed: bool = False,
    judged_by: Rule | None = None,
) -> EventAnswer:
    """The answer for one event; its community's slug and award entry are read if not given."""
    if community_slug is None:
        community_slug = session.get_one(Community, event.community_id).slug
    if entry_id is None and event.points_awarded:
        entry_id = award_entry_id(session, event.id)
    return EventAnswer(event, community_slug, entry_id, replayed, judged_by)


def recorded_answer(session: Session, recorded: Recorded, community_slug: str) -> EventAnswer:
    return answer(
        session,
        recorded.event,
        community_slug=community_slug,
        entry_id=recorded.entry_id,
        replayed=recorded.replayed,
        judged_by=recorded.rule,
    )


def answer_page(session: Session, page: Page, community_slug: str) -> Page:
    """A page of events with their award entries, read in one query."""
    entries = award_entry_ids(session, [e.id for e in page.items])
    return Page(
        [EventAnswer(e, community_slug, entries.get(e.id)) for e in page.items], page.next_cursor
    )
