"""The events feed: every event the caller may read, in order, resumable by cursor, and never
past an event that is still being written."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.webhooks import delivery, outbox
from ledger.webhooks.models import WebhookDelivery
from tests.api.earning.test_events_notice import propose, sweep
from tests.api.webhooks.conftest import settle
from tests.api.webhooks.test_delivery_concurrency import AT, Resource, subscribe_admin_to_reversals
from tests.support.earning import MONDAY
from tests.support.timebank import street

__all__ = ["street"]


def read_all(client, headers, after=None, limit=2):
    """Walk the feed page by page from ``after``; returns the events and the last cursor."""
    settle(client.application)
    seen = []
    while True:
        query = {"limit": limit, **({"after": after} if after else {})}
        page = client.get("/v1/events-feed", query_string=query, headers=headers).json
        seen += page["items"]
        if not page["items"]:
            return seen, after
        after = page["last"]


def test_the_feed_returns_every_event_in_order_and_resumes_from_a_cursor(
    app, client, clock, notice, make_community, make_key
):
    """Three events read two at a time, in order; after a restart the cursor gives only the new one;
    another community's key sees none of them."""
    events = [propose(client, notice, f"p-{n}") for n in range(3)]
    for event in events[:2]:
        client.post(
            f"/v1/events/{event['id']}/objection", json={"reason": "重复"}, headers=notice["staff"]
        )
    seen, cursor = read_all(client, notice["app"])
    assert [e["type"] for e in seen] == ["award.refused", "award.refused", "award.voided"]
    assert [e["resource"]["id"] for e in seen] == [
        events[1]["id"],
        events[2]["id"],
        events[0]["id"],
    ]
    assert (
        seen[0]["data"] == client.get(f"/v1/events/{events[1]['id']}", headers=notice["app"]).json
    )

    later = propose(client, notice, "p-9")  # the voided award gave the cap's room back
    clock.advance(days=3)
    assert sweep(app, clock) == 1
    resumed, _ = read_all(client, notice["app"], after=cursor)  # a reader back from a restart
    assert [(e["type"], e["resource"]["id"]) for e in resumed] == [("award.vested", later["id"])]
    make_community("tianwen", "天问街道")
    stranger = make_key("integrator", community="tianwen")
    assert read_all(client, stranger)[0] == []
    assert client.get(f"/v1/events-feed/{seen[0]['id']}", headers=stranger).status_code == 404


def _earn(client, street, key, member, source_id):
    body = {
        "community": street.slug,
        "activity": "proposal.adopted",
        "member": member["id"],
        "occurred_at": MONDAY.isoformat(),
        "source_id": source_id,
        "recorded_by": "居委会议事会",
    }
    response = client.post("/v1/events", json=body, headers=key)
    assert response.status_code == 201, response.json
    return response.json


def three_kinds_of_event(client, clock, street, keys):
    """Two integrators' earn events (the second refused by the monthly cap, the first voided by
    an objection) and a resident's service request: returns both earn events and the three
    outbox events as staff read them."""
    clock.set(MONDAY)
    rule = {"points": 20, "notice_days": 3, "caps": [{"period": "month", "max_count": 1}]}
    path = f"/v1/communities/{street.slug}/rules/proposal.adopted"
    assert client.put(path, headers=street.staff, json=rule).status_code == 201
    resident = street.resident("老张")
    mine, theirs = (_earn(client, street, k, resident, f"p-{n}") for n, k in enumerate(keys))
    objection = client.post(
        f"/v1/events/{mine['id']}/objection", json={"reason": "重复"}, headers=street.staff
    )
    assert objection.status_code == 200, objection.json
    assert street.request(resident["key"], 30).status_code == 201
    return (mine, theirs), read_all(client, street.staff)[0]


def test_an_integrator_reads_only_the_awards_of_earn_events_it_posted(
    client, clock, street, make_key
):
    """Staff read all three events; each integrator only the award of its own earn event, which
    is what its GETs show; another's award and the service answer 404 to it."""
    keys = [make_key("integrator", community=street.slug) for _ in range(2)]
    (mine, theirs), everything = three_kinds_of_event(client, clock, street, keys)
    assert [(e["type"], e["resource"]["id"]) for e in everything] == [
        ("award.refused", theirs["id"]),
        ("award.voided", mine["id"]),
        ("service.open", everything[2]["resource"]["id"]),
    ]
    for key, own in zip(keys, (mine, theirs), strict=True):
        (seen,) = read_all(client, key)[0]
        assert (seen["resource"]["id"], seen["data"]) == (
            own["id"],
            client.get(f"/v1/events/{own['id']}", headers=key).json,
        )
        hidden = [e for e in everything if e["id"] != seen["id"]]
        assert all(
            client.get(f"/v1/events-feed/{e['id']}", headers=key).status_code == 404 for e in hidden
        )
    service_id = everything[2]["resource"]["id"]
    assert client.get(f"/v1/services/{service_id}", headers=keys[0]).status_code == 403


def test_a_members_key_has_no_feed(client, notice, make_key):
    """A resident's key is refused the feed (403): only staff, integrator and admin keys read it."""
    resident_key = make_key("member", member=notice["resident"]["id"])
    assert client.get("/v1/events-feed", headers=resident_key).status_code == 403


def _entry_events(community_id: str, *names: str) -> None:
    """An admin key's subscription to entry.reversed, then one committed event per name."""
    from api.extensions import db

    subscribe_admin_to_reversals(db.session)
    for name in names:
        outbox.record(db.session, "entry.reversed", Resource(name, community_id), at=AT)
    db.session.commit()


def _delivered_order(session) -> list[str]:
    query = sa.select(WebhookDelivery.resource_key).order_by(WebhookDelivery.id)
    return [key.removeprefix("entry:") for key in session.scalars(query)]


@pytest.mark.postgres
def test_an_event_that_commits_late_is_waited_for_and_never_skipped(app, make_community):
    """While an event that took its seq stays uncommitted, a later committed one is neither
    served nor fanned out; once it commits, the cursor gives both in order and skips nothing."""
    from api.extensions import db

    community_id = make_community("qianjiang")["id"]
    everything = outbox.Reach(None)
    with app.app_context():
        _entry_events(community_id, "ent_first")
        settle(app)
        with Session(db.engine) as held, Session(db.engine) as later, Session(db.engine) as reader:
            outbox.record(held, "entry.reversed", Resource("ent_held", community_id), at=AT)
            outbox.record(later, "entry.reversed", Resource("ent_later", community_id), at=AT)
            later.commit()
            seen = outbox.feed(reader, everything, after=None, limit=10)
            assert [e.resource_id for e in seen] == ["ent_first"]
            assert delivery.fan_out(reader, AT) == 1
            held.commit()
            settle(app)
            resumed = outbox.feed(reader, everything, after=seen[-1].id, limit=10)
            assert [e.resource_id for e in resumed] == ["ent_held", "ent_later"]
            assert resumed[0].seq < resumed[1].seq
            assert delivery.fan_out(reader, AT) == 2
            assert _delivered_order(reader) == ["ent_first", "ent_held", "ent_later"]
