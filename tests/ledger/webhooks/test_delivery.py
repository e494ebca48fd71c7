"""Delivery: fan-out by type and community, signed POSTs, backoff, order per resource, pausing."""

import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy.orm import Session

from ledger.core.apikeys import revoke
from ledger.webhooks import delivery, outbox, signing
from ledger.webhooks.delivery import (
    FIRST_RETRY_SECONDS,
    MAX_RETRY_DELAY,
    MAX_RETRY_SPAN,
    deliver_due,
    fan_out,
    post,
    retry_delay,
)
from ledger.webhooks.models import ERROR_MAX_LENGTH, WebhookEvent
from tests.ledger.webhooks.conftest import settle

ANSWERS = {"/ok": 204, "/broken": 500, "/moved": 302}
POLL_SECONDS = 0.01  # how soon the receiver notices it is shut down


class Receiver:
    """A tiny HTTP server on 127.0.0.1 answering by path (see ANSWERS), noting every request."""

    def __init__(self):
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append({"path": self.path, "headers": headers, "body": body})
                self.send_response(ANSWERS.get(self.path, 404))
                self.send_header("Location", "/ok")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def receiver():
    made = Receiver()
    thread = threading.Thread(target=made.server.serve_forever, args=(POLL_SECONDS,), daemon=True)
    thread.start()
    yield made
    made.server.shutdown()
    made.server.server_close()


def test_the_wait_doubles_from_the_first_retry_up_to_the_cap_plus_jitter():
    """30 s, 60 s, 120 s ... never past MAX_RETRY_DELAY; jitter adds at most half again."""
    no_jitter = [retry_delay(n, jitter=lambda: 0.0).total_seconds() for n in (1, 2, 3, 4)]
    assert no_jitter == [FIRST_RETRY_SECONDS * 2**k for k in range(4)]
    assert retry_delay(30, jitter=lambda: 0.0) == MAX_RETRY_DELAY
    assert retry_delay(1, jitter=lambda: 1.0) == timedelta(seconds=FIRST_RETRY_SECONDS * 1.5)
    assert timedelta(seconds=30) <= retry_delay(1) <= timedelta(seconds=45)


def test_post_counts_only_a_2xx_answer_and_never_follows_a_redirect(receiver):
    """204 succeeds; 500, a 302 (not followed) and a closed port are failures that say why."""
    assert post(f"{receiver.base}/ok", {}, b"{}").error is None
    assert post(f"{receiver.base}/broken", {}, b"{}").error == "HTTP 500"
    assert post(f"{receiver.base}/moved", {}, b"{}").error == "HTTP 302"
    assert [r["path"] for r in receiver.requests] == ["/ok", "/broken", "/moved"]
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    assert "Connection refused" in post(f"http://127.0.0.1:{closed_port}/", {}, b"{}").error


def test_fan_out_takes_only_the_subscriptions_types_and_communities(
    session, make_community, staff, subscribe, tell, deliveries, now
):
    """Of an entry, a service and another community's entry, only the first becomes a delivery;
    the cursor still moves past them all."""
    created = subscribe(staff, "entry.reversed")
    tell("ent_1")
    tell("svc_1", "service.open")
    tell("ent_far", of=make_community(slug="yuquan", name="玉泉社区"))
    settle(session)
    assert fan_out(session, now) == 1
    assert [d.resource_key for d in deliveries()] == ["entry:ent_1"]
    assert (created.cursor_xid, created.cursor_seq) == outbox.latest_position(session)
    assert created.cursor_seq == max(e.seq for e in session.query(WebhookEvent))
    assert fan_out(session, now) == 0


def test_fan_out_waits_for_the_events_transaction_to_commit(
    session, engine, staff, subscribe, tell, deliveries, now
):
    """An event its own open transaction wrote is not fanned out yet (PostgreSQL); once it has
    committed and settled, it is."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: every readable row is already final")
    subscribe(staff)
    settle(session)
    tell("ent_1")
    assert fan_out(session, now) == 0  # fan-out commits: the event with it
    assert deliveries() == []
    settle(session)
    assert fan_out(session, now) == 1
    assert [d.resource_key for d in deliveries()] == ["entry:ent_1"]


def test_an_integrators_subscription_receives_only_the_awards_it_posted(
    session, make_key, community, integrator, subscribe, award_by, wang, deliveries, now
):
    """Of its own award, another integrator's and the admin's, only its own is fanned out."""
    created = subscribe(integrator, "award.vested")
    mine = award_by(integrator, wang).event
    award_by(make_key(community), wang)
    award_by(None, wang)
    settle(session)
    assert fan_out(session, now) == 1
    assert [d.resource_key for d in deliveries()] == [f"earn_event:{mine.id}"]
    assert created.cursor_seq == max(e.seq for e in session.query(WebhookEvent))


def test_a_revoked_keys_subscription_receives_nothing(
    session, staff, subscribe, tell, deliveries, now
):
    """After its key is revoked a subscription's events are passed over, not held for later."""
    created = subscribe(staff)
    revoke(session, staff.id, now)
    tell("ent_1")
    settle(session)
    assert fan_out(session, now) == 0 and deliveries() == []
    assert created.cursor_seq == session.query(WebhookEvent).one().seq


def test_a_delivery_is_posted_signed_with_the_edges_body_once(
    session, staff, subscribe, tell, deliveries, edge, receiver, now
):
    """The real POST carries the rendered body, Standard Webhooks headers and a signature the
    subscription's secret verifies; a second run sends nothing."""
    created = subscribe(staff, url=f"{receiver.base}/ok")
    tell("ent_1")
    settle(session)
    assert deliver_due(session, now, edge) == 1
    (request,) = receiver.requests
    event = session.query(WebhookEvent).one()
    headers, body = request["headers"], request["body"]
    assert (headers["webhook-id"], headers["content-type"]) == (event.id, "application/json")
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    timestamp = int(headers["webhook-timestamp"])
    assert signing.verify(created.secret, event.id, timestamp, body, headers["webhook-signature"])
    assert body == edge.render(session, event)
    (row,) = deliveries()
    assert (row.status, row.attempts, row.delivered_at) == ("delivered", 1, now)
    assert deliver_due(session, now + timedelta(hours=1), edge) == 0


def test_a_resource_waits_for_its_earlier_event_while_others_go_on(
    session, staff, subscribe, tell, edge, sender, now
):
    """The first event of A fails: A's second waits for it, B is sent; on retry A goes in order."""
    subscribe(staff)
    for resource_id in ("ent_a", "ent_a", "ent_b"):
        tell(resource_id)
    settle(session)
    sender.errors = ["HTTP 500"]
    assert deliver_due(session, now, edge, send=sender) == 2
    assert sender.resources() == ["ent_a", "ent_b"]
    assert deliver_due(session, now + timedelta(hours=1), edge, send=sender) == 2
    assert sender.resources() == ["ent_a", "ent_b", "ent_a", "ent_a"]
    sent_a = [c["body"]["id"] for c in sender.calls if c["body"]["resource_id"] == "ent_a"]
    events_a = [
        e.id for e in session.query(WebhookEvent).order_by(WebhookEvent.xid, WebhookEvent.seq)
    ][:2]
    assert sent_a[1:] == events_a


def test_a_failure_waits_its_backoff_and_a_success_clears_the_record(
    session, staff, subscribe, tell, deliveries, edge, sender, now
):
    """A failed POST keeps its error (cut to size) and is not retried early; the next success
    marks it delivered and clears the subscription's failing_since."""
    created = subscribe(staff)
    tell("ent_1")
    settle(session)
    sender.errors = ["HTTP 503 " + "x" * ERROR_MAX_LENGTH]
    deliver_due(session, now, edge, send=sender)
    (row,) = deliveries()
    assert row.status == "pending" and len(row.last_error) == ERROR_MAX_LENGTH
    first_retry = timedelta(seconds=FIRST_RETRY_SECONDS)
    assert now + first_retry <= row.next_attempt_at <= now + first_retry * 1.5
    assert (created.failing_since, created.last_error) == (now, row.last_error)
    assert deliver_due(session, now + timedelta(seconds=10), edge, send=sender) == 0
    assert deliver_due(session, now + timedelta(minutes=1), edge, send=sender) == 1
    assert (row.status, row.attempts, row.last_error) == ("delivered", 2, None)
    assert created.failing_since is None


def test_a_day_of_failures_fails_the_delivery_and_pauses_the_subscription(
    session, staff, subscribe, tell, deliveries, edge, sender, now
):
    """After MAX_RETRY_SPAN the delivery is failed, the subscription paused saying since when,
    and later events are not sent."""
    created = subscribe(staff)
    tell("ent_1")
    settle(session)
    sender.errors = ["HTTP 500", "HTTP 502"]
    deliver_due(session, now, edge, send=sender)
    deliver_due(session, now + MAX_RETRY_SPAN, edge, send=sender)
    (row,) = deliveries()
    assert (row.status, row.attempts, row.last_error) == ("failed", 2, "HTTP 502")
    assert created.state == "paused" and now.isoformat() in created.paused_reason
    tell("ent_2")
    settle(session)
    assert deliver_due(session, now + MAX_RETRY_SPAN * 2, edge, send=sender) == 0
    assert len(sender.calls) == 2


def test_the_sweep_job_delivers_only_through_a_registered_edge(
    session, staff, subscribe, tell, edge, receiver, now, monkeypatch
):
    """Without an edge the job does nothing and registered_edge says so; with one it delivers."""
    monkeypatch.setattr(delivery, "_edges", [])
    subscribe(staff, url=f"{receiver.base}/ok")
    tell("ent_1")
    settle(session)
    assert delivery.deliver_job(session, now) == 0
    with pytest.raises(RuntimeError, match="no web edge"):
        delivery.registered_edge()
    delivery.use_edge(edge)
    assert delivery.registered_edge() is edge
    assert delivery.deliver_job(session, now) == 1 and len(receiver.requests) == 1


def test_a_delivery_in_flight_is_skipped_by_another_worker(
    session, engine, staff, subscribe, tell, edge, sender, now
):
    """While one worker's POST is in flight, a second worker finds nothing to claim (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer and no row locks")
    subscribe(staff)
    tell("ent_1")
    tell("ent_2")
    settle(session)
    second_worker = []

    def send_and_look(url, headers, body):
        with Session(engine) as other:
            second_worker.append(deliver_due(other, now, edge, send=sender))
        return sender(url, headers, body)

    assert deliver_due(session, now, edge, send=send_and_look) == 2
    assert second_worker == [0, 0] and sender.resources() == ["ent_1", "ent_2"]
