"""Delivery: signed POSTs to the receiver, retries with growing gaps, pausing after a day."""

from datetime import timedelta

from api.cli import main
from ledger.webhooks import signing
from ledger.webhooks.models import WebhookDelivery
from tests.api.earning.test_events_notice import propose
from tests.api.webhooks.test_feed import three_kinds_of_event
from tests.support.timebank import street

__all__ = ["street"]


def sweep(app):
    result = app.test_cli_runner().invoke(main, ["sweep"])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_award_that_vests_on_sweep_is_delivered_once_signed_as_the_api_shows_it(
    app, client, clock, notice, receiver, allow_private, subscribe
):
    """The sweep vests the award and delivers one award.vested, signed with the secret, whose
    body is the feed's GET of that event and whose data is GET /v1/events/{id}."""
    subscription = subscribe(notice["app"], receiver.url, "award.vested")
    event = propose(client, notice)
    clock.advance(days=3)
    output = sweep(app)
    assert "vest_notice_awards: 1" in output and "deliver_webhooks: 1" in output
    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    assert signing.verify(
        subscription["secret"],
        headers["webhook-id"],
        int(headers["webhook-timestamp"]),
        body,
        headers["webhook-signature"],
    )
    (delivered,) = receiver.bodies()
    assert delivered["type"] == "award.vested" and delivered["id"] == headers["webhook-id"]
    feed_view = client.get(f"/v1/events-feed/{delivered['id']}", headers=notice["app"]).json
    assert delivered == feed_view
    shown = client.get(f"/v1/events/{event['id']}", headers=notice["app"]).json
    assert delivered["data"] == shown and shown["status"] == "awarded"
    assert sweep(app).count("deliver_webhooks: 0") == 1  # nothing is sent twice


def _attempt_times(app, clock, deliver, count):
    """Run the worker at each retry's due time; returns when each attempt was made."""
    from api.extensions import db

    times = []
    for _ in range(count):
        with app.app_context():
            pending = db.session.query(WebhookDelivery).one_or_none()  # none before the first run
        clock.set(max(pending.next_attempt_at, clock.now()) if pending else clock.now())
        times.append(clock.now())
        assert deliver() == 1
    return times


def test_a_receiver_failing_three_times_gets_four_attempts_with_growing_gaps(
    app, client, clock, notice, receiver, allow_private, subscribe, deliver
):
    """500, 500, 500 then 200: four attempts, each gap longer than the last, one event handled."""
    subscribe(notice["app"], receiver.url, "award.voided")
    event = propose(client, notice)
    client.post(
        f"/v1/events/{event['id']}/objection", json={"reason": "重复"}, headers=notice["staff"]
    )
    receiver.answers = [500, 500, 500]
    times = _attempt_times(app, clock, deliver, 4)
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps[0] < gaps[1] < gaps[2]
    assert len(receiver.requests) == 4
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
    assert len(receiver.handled) == 1
    assert deliver() == 0


def test_a_subscription_failing_for_a_day_is_paused_and_says_why(
    app, client, clock, notice, receiver, allow_private, subscribe, deliver
):
    """After a day of 500s the delivery is marked failed and the subscription paused with its
    last error, which its owner reads on it."""
    subscription = subscribe(notice["app"], receiver.url, "award.voided")
    event = propose(client, notice)
    client.post(
        f"/v1/events/{event['id']}/objection", json={"reason": "重复"}, headers=notice["staff"]
    )
    receiver.answers = [500] * 50
    start = clock.now()
    while clock.now() - start <= timedelta(days=1):
        _attempt_times(app, clock, deliver, 1)
        clock.advance(seconds=1)
    shown = client.get(
        f"/v1/webhooks/subscriptions/{subscription['id']}", headers=notice["app"]
    ).json
    assert shown["state"] == "paused" and shown["last_error"] == "HTTP 500"
    assert shown["paused_reason"].startswith("failing since")
    from api.extensions import db

    with app.app_context():
        assert db.session.query(WebhookDelivery).one().status == "failed"


def test_a_url_that_is_private_at_delivery_time_is_not_called(
    app, client, clock, notice, receiver, allow_private, subscribe, deliver
):
    """With the setting turned off after creation, the address check fails before any POST."""
    subscribe(notice["app"], receiver.url, "award.voided")
    event = propose(client, notice)
    client.post(
        f"/v1/events/{event['id']}/objection", json={"reason": "重复"}, headers=notice["staff"]
    )
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    assert deliver() == 1
    assert receiver.requests == []
    from api.extensions import db

    with app.app_context():
        assert "private" in db.session.query(WebhookDelivery).one().last_error


def test_a_subscription_receives_only_what_its_key_could_read(
    client, clock, street, make_key, receiver, allow_private, subscribe, deliver
):
    """An integrator subscribed to awards and services receives the award of its own earn event
    only: neither the other integrator's award nor the resident's service request."""
    keys = [make_key("integrator", community=street.slug) for _ in range(2)]
    subscribe(keys[0], receiver.url, "award.voided", "award.refused", "service.open")
    (mine, _), everything = three_kinds_of_event(client, clock, street, keys)
    assert len(everything) == 3
    assert deliver() == 1
    assert [(b["type"], b["resource"]["id"]) for b in receiver.bodies()] == [
        ("award.voided", mine["id"])
    ]
