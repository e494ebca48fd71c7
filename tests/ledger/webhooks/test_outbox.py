"""The outbox: events name their resource, go in with the change, and are read back in order."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.webhooks import errors, outbox
from ledger.webhooks.models import WebhookEvent
from tests.ledger.webhooks.conftest import Resource, settle


def events(session) -> list[WebhookEvent]:
    return list(session.scalars(sa.select(WebhookEvent).order_by(WebhookEvent.seq)))


def test_an_event_names_its_resource_by_the_types_first_word(session, community, now):
    """redemption.* tells of a redemption, award.* of an earning event, transfer.* of an entry."""
    for event_type, resource_id in (
        ("redemption.captured", "red_1"),
        ("award.voided", "evt_1"),
        ("transfer.posted", "ent_1"),
    ):
        outbox.record(session, event_type, Resource(resource_id, community.id), at=now)
    recorded = events(session)
    assert [(e.type, e.resource_type, e.resource_id) for e in recorded] == [
        ("redemption.captured", "redemption", "red_1"),
        ("award.voided", "earn_event", "evt_1"),
        ("transfer.posted", "entry", "ent_1"),
    ]
    assert all(e.id.startswith(outbox.EVENT_ID_PREFIX) for e in recorded)
    assert {(e.community_id, e.occurred_at) for e in recorded} == {(community.id, now)}


def test_record_many_writes_them_all_and_nothing_for_none(session, community, now):
    """A batch of three writes three rows in order; an empty batch writes none."""
    batch = [("service.open", Resource(f"svc_{n}", community.id)) for n in range(3)]
    assert outbox.record_many(session, batch, at=now) == 3
    assert outbox.record_many(session, [], at=now) == 0
    assert [e.resource_id for e in events(session)] == ["svc_0", "svc_1", "svc_2"]


def test_an_award_is_told_in_the_transaction_that_made_it(session, wang, award):
    """An immediately awarded event writes award.vested; rolling the award back takes it too."""
    session.commit()
    recorded = award(wang, points=10)
    assert [(e.type, e.resource_id) for e in events(session)] == [
        ("award.vested", recorded.event.id)
    ]
    session.rollback()
    assert events(session) == []


def test_the_feed_resumes_after_an_event_and_keeps_to_its_communities(
    session, community, make_community, tell
):
    """After the first event come the rest; another community's events and ids stay unseen."""
    elsewhere = make_community(slug="yuquan", name="玉泉社区")
    for n in range(3):
        tell(f"ent_{n}")
    tell("ent_far", of=elsewhere)
    settle(session)
    mine, admin = outbox.Reach(frozenset({community.id})), outbox.Reach(None)
    first, *rest = outbox.feed(session, mine, after=None, limit=10)
    after = outbox.feed(session, mine, after=first.id, limit=10)
    assert [e.resource_id for e in after] == [e.resource_id for e in rest] == ["ent_1", "ent_2"]
    assert len(outbox.feed(session, admin, after=None, limit=10)) == 4
    far = outbox.feed(session, outbox.Reach(frozenset({elsewhere.id})), after=None, limit=1)[0]
    assert outbox.get_event(session, far.id, admin).resource_id == "ent_far"
    with pytest.raises(errors.WebhookEventNotFound):
        outbox.get_event(session, far.id, mine)
    with pytest.raises(errors.WebhookEventNotFound):
        outbox.feed(session, mine, after="whe_missing", limit=10)


def test_no_reach_reads_no_event(session, tell):
    """A key without reach (None: member and shop keys) is served nothing and finds nothing."""
    tell("ent_1")
    settle(session)
    (event,) = outbox.feed(session, outbox.Reach(None), after=None, limit=10)
    assert outbox.feed(session, None, after=None, limit=10) == []
    with pytest.raises(errors.WebhookEventNotFound):
        outbox.get_event(session, event.id, None)
    assert outbox.reach("member", "key_m", []) is None
    assert outbox.reach("shop", "key_s", []) is None


def test_an_integrator_reads_only_the_awards_of_earn_events_it_posted(
    session, make_key, community, integrator, wang, award_by, tell
):
    """An award row keeps its earn event's key; an integrator's feed holds only its own awards,
    not another key's, the admin's or any entry of its community."""
    other = make_key(community)
    mine = award_by(integrator, wang).event
    theirs_event = award_by(other, wang).event
    admins = award_by(None, wang).event
    tell("ent_1")
    settle(session)
    keys = {e.resource_id: e.api_key_id for e in events(session) if e.resource_type == "earn_event"}
    assert keys == {mine.id: integrator.id, theirs_event.id: other.id, admins.id: None}
    reach = outbox.reach("integrator", integrator.id, [community.id])
    assert reach == outbox.Reach(None, posted_by=integrator.id)
    served = outbox.feed(session, reach, after=None, limit=10)
    assert [(e.type, e.resource_id) for e in served] == [("award.vested", mine.id)]
    theirs = next(e for e in events(session) if e.resource_id == theirs_event.id)
    with pytest.raises(errors.WebhookEventNotFound):
        outbox.get_event(session, theirs.id, reach)
    assert len(outbox.feed(session, outbox.Reach(None), after=None, limit=10)) == 4


def test_an_event_still_being_written_holds_back_the_ones_after_it(session, engine, community, now):
    """While one transaction's event is uncommitted a later committed event is not served either
    (PostgreSQL); once the first commits both are served, the earlier transaction's first."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: every readable row is already final")
    admin = outbox.Reach(None)
    session.commit()  # the community, for the other writers' foreign key
    with Session(engine) as held, Session(engine) as later:
        outbox.record(held, "entry.reversed", Resource("ent_held", community.id), at=now)
        outbox.record(later, "entry.reversed", Resource("ent_later", community.id), at=now)
        later.commit()
        assert outbox.feed(session, admin, after=None, limit=10) == []
        assert outbox.latest_position(session) == outbox.START
        session.commit()
        held.commit()
    settle(session)
    served = outbox.feed(session, admin, after=None, limit=10)
    assert [e.resource_id for e in served] == ["ent_held", "ent_later"]
    assert outbox.latest_position(session) == (served[-1].xid, served[-1].seq)
