"""The outbox: events name their resource, go in with the change, and are read back in order."""

import pytest
import sqlalchemy as sa

from ledger.webhooks import errors, outbox
from ledger.webhooks.models import WebhookEvent
from tests.ledger.webhooks.conftest import Resource


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
    first, *rest = outbox.feed(session, [community.id], after=None, limit=10)
    after = outbox.feed(session, [community.id], after=first.id, limit=10)
    assert [e.resource_id for e in after] == [e.resource_id for e in rest] == ["ent_1", "ent_2"]
    assert len(outbox.feed(session, None, after=None, limit=10)) == 4
    far = outbox.feed(session, [elsewhere.id], after=None, limit=1)[0]
    assert outbox.get_event(session, far.id, None).resource_id == "ent_far"
    with pytest.raises(errors.WebhookEventNotFound):
        outbox.get_event(session, far.id, [community.id])
    with pytest.raises(errors.WebhookEventNotFound):
        outbox.feed(session, [community.id], after="whe_missing", limit=10)
