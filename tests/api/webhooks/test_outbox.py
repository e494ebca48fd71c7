"""The outbox: each change writes its event in its own transaction, and only then."""

import sqlalchemy as sa

from ledger.timebank.models import SERVICE_STATES
from ledger.webhooks import outbox
from ledger.webhooks.models import WebhookEvent
from tests.api.earning.test_events_notice import propose
from tests.support.earning import MONDAY
from tests.support.supermarket import fresh_code, redeem, resident, supermarket
from tests.support.timebank import serve, street

__all__ = ["fresh_code", "redeem", "resident", "street", "supermarket"]


def told(app) -> list[tuple[str, str]]:
    """Every outbox event as (type, resource id), in the order they were recorded."""
    from api.extensions import db

    with app.app_context():
        rows = db.session.execute(
            sa.select(WebhookEvent.type, WebhookEvent.resource_id).order_by(WebhookEvent.seq)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def test_the_outbox_knows_only_the_service_states_the_time_bank_has():
    """service.<state> covers exactly the time bank's states."""
    assert outbox.SERVICE_STATES == SERVICE_STATES


def test_awards_tell_when_they_vest_are_voided_or_refused(app, client, clock, notice):
    """Notice: nothing at first, award.vested on vesting; an objection says award.voided; an
    event over its cap says award.refused."""
    from tests.api.earning.test_events_notice import sweep

    first = propose(client, notice, "p-1")
    assert told(app) == []
    second = propose(client, notice, "p-2")  # the month's cap of one: refused
    client.post(
        f"/v1/events/{first['id']}/objection", json={"reason": "重复"}, headers=notice["staff"]
    )
    third = propose(client, notice, "p-3")
    clock.advance(days=3)
    assert sweep(app, clock) == 1
    assert told(app) == [
        ("award.refused", second["id"]),
        ("award.voided", first["id"]),
        ("award.vested", third["id"]),
    ]


def test_a_batch_writes_its_events_in_one_insert(app, client, town):
    """Three awarded events in a batch: three award.vested rows from one INSERT statement."""
    from api.extensions import db
    from tests.support.earning import set_rule

    set_rule(client, town, "meeting.attend", points=5)
    body = {
        "events": [
            {
                "community": "qianjiang",
                "activity": "meeting.attend",
                "member": town["resident"]["id"],
                "occurred_at": MONDAY.isoformat(),
                "source_id": f"m-{n}",
                "recorded_by": town["recorder"]["id"],
            }
            for n in range(3)
        ]
    }
    inserts = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO webhook_events"):
            inserts.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.post("/v1/events/batch", json=body, headers=town["app"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.json["summary"]["awarded"] == 3
    assert [kind for kind, _ in told(app)] == ["award.vested"] * 3
    assert len(inserts) == 1


def test_redemptions_tell_captured_voided_and_refunded(app, supermarket, resident, redeem, client):
    """A capture, a hold voided and a refund: one event each, of the redemption."""
    member = resident(200)
    taken = redeem(member, points=30).json
    held = redeem(member, points=20, capture=False).json
    client.post(f"/v1/redemptions/{held['id']}/void", headers=supermarket.shop_key)
    later = redeem(member, points=10, capture=False).json
    client.post(f"/v1/redemptions/{later['id']}/capture", headers=supermarket.shop_key)
    response = client.post(
        f"/v1/redemptions/{taken['id']}/refund",
        json={"points": 10, "memo": "退货"},
        headers=supermarket.shop_key,
    )
    assert response.status_code == 201, response.json
    assert told(app) == [
        ("redemption.captured", taken["id"]),
        ("redemption.voided", held["id"]),
        ("redemption.captured", later["id"]),
        ("redemption.refunded", taken["id"]),
    ]


def test_a_service_tells_each_state_it_moves_to(app, street):
    """Requested, accepted, completed, confirmed: service.open to service.confirmed."""
    elder, helper = street.resident("老张"), street.resident("小李")
    service = street.request(elder["key"], 60).json
    serve(street, service["id"], helper, 45, elder["key"])
    assert [kind for kind, _ in told(app)] == [
        "service.open",
        "service.assigned",
        "service.completed",
        "service.confirmed",
    ]


def test_a_gift_tells_transfer_posted_and_a_reversal_entry_reversed(
    app, client, make_community, make_member, make_key, grant
):
    """A gift is transfer.posted; staff reversing it is entry.reversed of the gift's entry; a
    gift over the balance is refused and tells nothing."""
    community = make_community("tianwen", "天问街道")
    daughter, mother = make_member("tianwen"), make_member("tianwen")
    grant(community, daughter["minutes_account"], 300, "minutes")
    key = make_key("member", member=daughter["id"])
    body = {"to": mother["id"], "unit": "minutes", "amount": 100, "memo": "给妈妈"}
    refused = client.post("/v1/transfers", json={**body, "amount": 301}, headers=key)
    assert refused.status_code == 422
    assert told(app) == []
    gift = client.post("/v1/transfers", json=body, headers=key).json
    staff = make_key("staff", community="tianwen")
    response = client.post(
        f"/v1/entries/{gift['id']}/reversal", json={"reason": "给错了"}, headers=staff
    )
    assert response.status_code == 201, response.json
    assert told(app) == [("transfer.posted", gift["id"]), ("entry.reversed", gift["id"])]


def test_an_event_recorded_in_a_write_that_rolls_back_is_gone(app, make_community):
    """The outbox row shares the change's transaction: a rollback takes both."""
    from api.extensions import db

    community = make_community("tianwen", "天问街道")

    class Resource:
        id, community_id = "ent_X", community["id"]

    with app.app_context():
        outbox.record(db.session, "entry.reversed", Resource, at=MONDAY)
        db.session.rollback()
        db.session.remove()
    assert told(app) == []
