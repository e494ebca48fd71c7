"""The fast path of one earn event: what may take it, and that it writes what the general path writes."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ledger.core.balances import current_balance
from ledger.core.errors import MemberNotFound
from ledger.core.models import Entry, Posting
from ledger.earning import fastpath
from ledger.earning.events import EventDraft, Source, record_event, recorded_answer
from ledger.earning.models import EarningEvent, EarningRule
from ledger.earning.rules import CapDraft, RuleDraft, RuleTerms, set_rule
from ledger.webhooks.models import WebhookEvent
from tests.ledger.earning.test_events import draft
from tests.support.plans import logged_plans

SOURCE = Source("sign-in tablet", None, None)
postgres = pytest.mark.postgres


def test_only_postgresql_events_naming_the_member_by_id_are_eligible(session, community, wang, now):
    """A member named by external reference, or SQLite, takes the general path."""
    by_id = draft(community, wang, at=now)
    by_ref = EventDraft(
        community.slug, "deliberation.attend", now, "r", "社区议事会", None, "R-wang"
    )
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    assert fastpath.eligible(session, SOURCE, by_id) is on_postgresql
    assert fastpath.eligible(session, SOURCE, by_ref) is False


def _row(session, event_id):
    event = session.get(EarningEvent, event_id)
    entry = session.scalar(sa.select(Entry).where(Entry.cause_id == event_id))
    postings = (
        [
            (p.unit, p.amount)
            for p in session.scalars(sa.select(Posting).filter_by(entry_id=entry.id))
        ]
        if entry
        else []
    )
    told = session.scalars(sa.select(WebhookEvent.type).filter_by(resource_id=event_id)).all()
    shape = (entry.kind, entry.status, entry.memo, entry.occurred_at) if entry else None
    return (
        event.status,
        event.points_due,
        event.points_awarded,
        event.decision,
        shape,
        postings,
        told,
    )


@postgres
def test_an_award_writes_the_same_event_entry_and_outbox_as_the_general_path(
    session, community, wang, li, points_of, now
):
    """A capped meeting award, full then partial then refused, for two residents: one by each
    path, with the same rows and the same balances."""
    caps = (CapDraft("day", max_count=2), CapDraft("week", max_points=8))
    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=5, caps=caps), now=now)
    rows = {}
    for member, record in ((wang, fastpath.record_event), (li, record_event)):
        rows[member.id] = []
        for n in range(3):
            at = now - timedelta(minutes=n)
            recorded = record(
                session,
                SOURCE,
                draft(community, member, source_id=f"{member.id}-{n}", at=at),
                now=now,
            )
            rows[member.id].append(_row(session, recorded.event.id))
    assert rows[wang.id] == rows[li.id]
    assert [r[2] for r in rows[wang.id]] == [5, 3, 0]
    assert current_balance(session, points_of(wang)).posted == 8
    assert current_balance(session, points_of(li)).posted == 8


@postgres
def test_a_replay_through_the_fast_path_answers_the_first_event(
    session, community, wang, points_of, now
):
    """The same source id again is answered with the first event, marked as a replay."""
    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=5), now=now)
    first = fastpath.record_event(session, SOURCE, draft(community, wang, at=now), now=now)
    again = fastpath.record_event(session, SOURCE, draft(community, wang, at=now), now=now)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.event.id == first.event.id
    assert current_balance(session, points_of(wang)).posted == 5


@postgres
def test_the_answer_names_the_cached_version_that_judged_it(session, community, wang, li, now):
    """Events after the first (which fills the cache, or finds it stale from another community
    of the same slug) share the cache's terms of the version in force, and each answer shows
    it; no rule row is made for them in the session."""
    versions, _ = set_rule(
        session, community.id, "deliberation.attend", RuleDraft(points=5), now=now
    )
    answers = [
        recorded_answer(
            session,
            fastpath.record_event(
                session, SOURCE, draft(community, m, source_id=f"{m.id}-{n}", at=now), now=now
            ),
            community.slug,
        )
        for n, m in enumerate((wang, wang, li))
    ]
    assert isinstance(answers[1].rule, RuleTerms)
    assert answers[1].rule is answers[2].rule
    assert [(a.rule.id, a.rule.version, a.rule.points) for a in answers] == [
        (versions[0].id, 1, 5)
    ] * 3
    assert [obj for obj in session if isinstance(obj, EarningRule)] == [versions[0]]


@postgres
def test_a_new_rule_version_is_used_by_the_next_event(session, community, wang, now):
    """The cached rule is checked against the latest version: a raise to 7 points counts at once."""
    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=5), now=now)
    first = fastpath.record_event(
        session, SOURCE, draft(community, wang, source_id="a", at=now), now=now
    )
    later = now + timedelta(minutes=1)
    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=7), now=later)
    second = fastpath.record_event(
        session, SOURCE, draft(community, wang, source_id="b", at=later), now=later
    )
    assert (first.event.points_awarded, second.event.points_awarded) == (5, 7)


@postgres
def test_a_member_of_another_community_is_refused_as_by_the_general_path(
    session, community, make_community, make_member, now
):
    """Naming a resident of another community raises MemberNotFound and writes nothing."""
    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=5), now=now)
    stranger = make_member(make_community(slug="xingguang", name="星光社区"))
    with pytest.raises(MemberNotFound):
        fastpath.record_event(session, SOURCE, draft(community, stranger, at=now), now=now)
    assert session.scalar(sa.select(sa.func.count()).select_from(EarningEvent)) == 0


@postgres
def test_the_standing_reads_events_by_index_even_when_planned_on_an_empty_table(
    session, community, wang, now
):
    """Planned while earning_events is analyzed empty, the award's standing still reads it by its
    indexes: a scan kept for the connection's life would read every event at every award."""
    caps = (CapDraft("day", max_count=2),)
    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=5, caps=caps), now=now)
    session.execute(sa.text("ANALYZE earning_events"))  # its statistics now say: no rows
    with logged_plans(session) as plans:  # the plans the function's cached statements use
        fastpath.record_event(session, SOURCE, draft(community, wang, at=now), now=now)
    reading_events = [plan for plan in plans if "earning_events" in plan]
    assert reading_events, plans
    assert not [plan for plan in reading_events if "Seq Scan on earning_events" in plan]
