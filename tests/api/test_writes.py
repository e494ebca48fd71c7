"""Idempotency-Key: one write per key and body, replayed identically."""

import threading

import pytest

from ledger.core.models import Entry
from tests.conftest import postgres_only
from tests.support.prepared import EXECUTIONS_TO_PREPARE, one_connection_app, prepared_statements


@pytest.fixture
def world(make_community, make_member):
    community = make_community()
    return community, make_member("qianjiang")


def award_body(community, member, amount=10):
    return {
        "postings": [
            {
                "from": community["account"][("issuance", "points")],
                "to": member["points_account"],
                "unit": "points",
                "amount": amount,
            }
        ],
        "reason": "meeting attendance, paper sheet",
    }


def test_same_key_and_body_replays_the_first_response(client, admin, world, session):
    """The second call writes nothing and answers exactly as the first."""
    community, member = world
    headers = {**admin, "Idempotency-Key": "sheet-2026-11-01-row-7"}
    first = client.post("/v1/adjustments", json=award_body(community, member), headers=headers)
    second = client.post("/v1/adjustments", json=award_body(community, member), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_data() == second.get_data()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert session.query(Entry).count() == 1


def test_same_key_with_another_body_is_422(client, admin, world, session):
    """A key reused for a different request is refused and writes nothing."""
    community, member = world
    headers = {**admin, "Idempotency-Key": "k-1"}
    assert (
        client.post(
            "/v1/adjustments", json=award_body(community, member, 10), headers=headers
        ).status_code
        == 201
    )
    response = client.post(
        "/v1/adjustments", json=award_body(community, member, 11), headers=headers
    )
    assert response.status_code == 422
    assert response.json["type"] == "/problems/idempotency-key-reused"
    assert session.query(Entry).count() == 1


def test_keys_are_scoped_to_the_api_key_that_sent_them(client, make_key, world, session):
    """Two API keys using the same Idempotency-Key make two independent writes."""
    community, member = world
    first_key, second_key = make_key("staff", "qianjiang"), make_key("staff", "qianjiang")
    for api_key in (first_key, second_key):
        response = client.post(
            "/v1/adjustments",
            json=award_body(community, member),
            headers={**api_key, "Idempotency-Key": "shared"},
        )
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
    assert session.query(Entry).count() == 2


def test_a_failed_request_does_not_consume_its_key(client, admin, world, session):
    """A refused write stores nothing, so a corrected retry with the same key goes through."""
    community, member = world
    headers = {**admin, "Idempotency-Key": "retry-me"}
    bad = award_body(community, member)
    bad["postings"][0]["to"] = "acc_MISSING"
    assert client.post("/v1/adjustments", json=bad, headers=headers).status_code == 404
    good = client.post("/v1/adjustments", json=award_body(community, member), headers=headers)
    assert good.status_code == 201


@postgres_only
def test_replays_keep_the_connections_prepared_statements(database_url, admin, world, test_clock):
    """On one pooled connection, replays end with COMMIT, so the key's claim gets prepared and
    stays prepared (a rollback would make psycopg forget it each time)."""
    community, member = world
    headers = {**admin, "Idempotency-Key": "sheet-2026-11-02-row-9"}
    with one_connection_app(database_url, test_clock) as single:
        client = single.test_client()
        for _ in range(EXECUTIONS_TO_PREPARE):
            body = award_body(community, member)
            assert client.post("/v1/adjustments", json=body, headers=headers).status_code == 201
        prepared = prepared_statements(single)
    assert any("INSERT INTO idempotency_keys" in statement for statement in prepared)


def test_bad_idempotency_keys_are_400(client, admin, world):
    """Keys longer than allowed, or with spaces or control characters, are refused."""
    community, member = world
    for key in ("x" * 256, "has space", ""):
        response = client.post(
            "/v1/adjustments",
            json=award_body(community, member),
            headers={**admin, "Idempotency-Key": key},
        )
        assert response.status_code == 400, key
        assert response.mimetype == "application/problem+json"


def test_concurrent_retries_make_one_entry_and_identical_responses(
    app, admin, world, session, balance
):
    """Three copies of one POST sent at once: one entry, three identical answers."""
    community, member = world
    barrier = threading.Barrier(3)
    responses = []

    def send():
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/v1/adjustments",
            json=award_body(community, member),
            headers={**admin, "Idempotency-Key": "tap-tap-tap"},
        )
        responses.append((response.status_code, response.get_data()))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(responses) == 3
    assert {status for status, _ in responses} == {201}
    assert len({body for _, body in responses}) == 1
    assert session.query(Entry).count() == 1
    assert balance(member["points_account"])["posted"] == 10


@pytest.mark.postgres
def test_a_retry_while_the_first_is_still_in_flight_gets_409(
    database_url, test_clock, admin, world, session
):
    """A key held by an open transaction answers 409 once the lock wait runs out."""
    from api.app import create_app
    from api.extensions import db
    from ledger.core.models import IdempotencyKey

    community, member = world
    key_id = admin["Authorization"].split()[1].split(".")[0]
    impatient = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CLOCK": test_clock,
            "RATELIMIT_ENABLED": False,
            "LOCK_TIMEOUT_MS": 300,
        }
    )
    with impatient.app_context():
        in_flight = db.engine.connect()
        transaction = in_flight.begin()
        in_flight.execute(
            IdempotencyKey.__table__.insert().values(
                api_key_id=key_id,
                key="slow-till",
                request_sha256="0" * 64,
                created_at=test_clock.now(),
            )
        )
        try:
            response = impatient.test_client().post(
                "/v1/adjustments",
                json=award_body(community, member),
                headers={**admin, "Idempotency-Key": "slow-till"},
            )
        finally:
            transaction.rollback()
            in_flight.close()
        assert response.status_code == 409
        assert response.mimetype == "application/problem+json"
        retried = impatient.test_client().post(
            "/v1/adjustments",
            json=award_body(community, member),
            headers={**admin, "Idempotency-Key": "slow-till"},
        )
        assert retried.status_code == 201
        db.engine.dispose()
    assert session.query(Entry).count() == 1


def _commit_then_lose_the_connection(monkeypatch):
    """Make the next COMMIT reach the database and then fail as a dropped connection would."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    real_commit = Session.commit
    lost = []

    def commit(self):
        real_commit(self)
        if not lost:
            lost.append(True)
            raise OperationalError(
                "COMMIT", {}, Exception("server closed the connection"), connection_invalidated=True
            )

    monkeypatch.setattr(Session, "commit", commit)


def test_a_connection_lost_at_commit_is_503_outcome_unknown_and_the_retry_replays(
    app, client, admin, world, session, monkeypatch
):
    """A write whose COMMIT lost its answer is 503 "outcome unknown"; its key replays it once."""
    community, member = world
    headers = {**admin, "Idempotency-Key": "till-4-receipt-0091"}
    _commit_then_lose_the_connection(monkeypatch)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        lost = client.post("/v1/adjustments", json=award_body(community, member), headers=headers)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert lost.status_code == 503 and lost.mimetype == "application/problem+json"
    assert lost.json["type"] == "/problems/write-outcome-unknown"
    assert "nothing was written" not in lost.json["detail"]
    assert int(lost.headers["Retry-After"]) > 0
    retried = client.post("/v1/adjustments", json=award_body(community, member), headers=headers)
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"
    assert session.query(Entry).count() == 1


def test_a_database_that_cannot_be_reached_is_503_nothing_written(app, client, admin, monkeypatch):
    """A connection refused before any statement answers 503 "nothing was written"."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    def refuse(self, *args, **kwargs):
        raise OperationalError(
            "SELECT 1", {}, Exception("connection refused"), connection_invalidated=True
        )

    monkeypatch.setattr(Session, "execute", refuse)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/v1/communities", headers=admin)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert "nothing was written" in response.json["detail"]
    assert int(response.headers["Retry-After"]) > 0
