"""Webhooks' tests: a receiving HTTP server on 127.0.0.1, subscriptions and the delivery worker."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from ledger.webhooks.models import WebhookEvent, XidHorizon
from tests.support.earning import notice, town

__all__ = ["notice", "town"]


SETTLE_SECONDS = 30  # how long a test waits for the server's other write transactions to end
SETTLE_POLL_SECONDS = 0.05


def settle(app) -> None:
    """Wait until every event written so far is below the outbox's horizon.

    On PostgreSQL any write transaction on the server (other databases' too: other test runs
    share it) holds the horizon back until it ends; the feed and fan-out serve nothing past it.
    """
    from api.extensions import db

    deadline = time.monotonic() + SETTLE_SECONDS
    with app.app_context():
        while db.engine.dialect.name == "postgresql":
            latest = db.session.scalar(sa.select(sa.func.max(WebhookEvent.xid)))
            horizon = db.session.scalar(sa.select(XidHorizon()))
            db.session.rollback()
            if latest is None or latest < horizon:
                break
            assert time.monotonic() < deadline, "a write transaction held the horizon back"
            time.sleep(SETTLE_POLL_SECONDS)
        db.session.remove()


class Receiver:
    """Records every POST; answers the statuses queued in ``answers`` first, then 200.

    Like a careful integrator it is idempotent on ``webhook-id``: ``handled`` holds each event
    id once, however often it was delivered.
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        self.handled: list[str] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    receiver.requests.append({"headers": headers, "body": body})
                    event_id = self.headers["webhook-id"]
                    if status == 200 and event_id not in receiver.handled:
                        receiver.handled.append(event_id)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def allow_private(app):
    """The admin setting that lets deliveries reach 127.0.0.1 (the tests' receiver)."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    yield
    app.config.pop("WEBHOOKS_ALLOW_PRIVATE", None)


@pytest.fixture
def subscribe(client):
    """subscribe(headers, url, *types) -> the created subscription (with its secret)."""

    def make(headers, url, *event_types):
        response = client.post(
            "/v1/webhooks/subscriptions",
            json={"url": url, "event_types": list(event_types)},
            headers=headers,
        )
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def deliver(app, clock):
    """Run the delivery worker once at the test clock's time; returns how many attempts."""
    from api.cli import main

    def run():
        settle(app)
        result = app.test_cli_runner().invoke(main, ["deliver", "--once"])
        assert result.exit_code == 0, result.output
        return int(result.output.strip().rsplit(" ", 1)[-1])

    return run
