"""api/reads.py: a successful read ends its transaction with COMMIT; anything else rolls back."""

import time
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.extensions import db
from tests.conftest import postgres_only
from tests.support.prepared import EXECUTIONS_TO_PREPARE, one_connection_app, prepared_statements
from tests.support.wire import traced

BALANCE_READS = 5
TERMINATION_POLLS = 50
TERMINATION_POLL_SECONDS = 0.05


@contextmanager
def transaction_ends(app):
    """Record, in order, how each transaction on the app's engine ended: commit or rollback."""
    ends: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_commit(_connection):
        ends.append("commit")

    def on_rollback(_connection):
        ends.append("rollback")

    sa.event.listen(engine, "commit", on_commit)
    sa.event.listen(engine, "rollback", on_rollback)
    try:
        yield ends
    finally:
        sa.event.remove(engine, "commit", on_commit)
        sa.event.remove(engine, "rollback", on_rollback)


@pytest.fixture
def account(make_community, make_member):
    make_community()
    return make_member("qianjiang")["points_account"]


def test_a_successful_read_commits_instead_of_rolling_back(app, client, admin, account):
    """A read in a transaction that answers 200 ends it with COMMIT and no ROLLBACK."""
    with transaction_ends(app) as ends:
        response = client.get("/v1/communities", headers=admin)
    assert response.status_code == 200
    assert ends == ["commit"]


def test_a_failed_read_rolls_back(app, client, admin, account):
    """A read answered 404 rolls its transaction back and commits nothing."""
    # (``account`` made the key's first use, whose own commit records when it was used.)
    with transaction_ends(app) as ends:
        response = client.get("/v1/accounts/acc_01NOSUCHACCOUNT000000000000", headers=admin)
    assert response.status_code == 404
    assert ends == ["rollback"]


def test_a_refused_write_still_rolls_back(app, client, admin, account):
    """A POST refused with a 4xx is not committed by the read hook."""
    body = {"postings": [{"from": account, "to": account, "unit": "points", "amount": 1}]}
    with transaction_ends(app) as ends:
        response = client.post("/v1/adjustments", json={**body, "reason": "x"}, headers=admin)
    assert 400 <= response.status_code < 500
    assert "commit" not in ends


def test_a_read_without_the_database_opens_no_session(app, client):
    """A probe that never touches the database neither commits nor rolls back anything."""
    with transaction_ends(app) as ends:
        assert client.get("/healthz").status_code == 200
    assert ends == []


def test_a_commit_that_fails_after_a_read_keeps_the_answer(
    app, client, admin, account, monkeypatch
):
    """When the closing COMMIT of a read fails, the read still answers 200 and rolls back."""

    def lost(_self):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(Session, "commit", lost)
    with transaction_ends(app) as ends:
        response = client.get("/v1/communities", headers=admin)
    assert response.status_code == 200
    assert [c["slug"] for c in response.json["items"]] == ["qianjiang"]
    assert ends == ["rollback"]


@postgres_only
def test_repeated_reads_keep_their_prepared_statement(database_url, admin, account, test_clock):
    """On one pooled connection, the balance read is prepared once and stays prepared."""
    with one_connection_app(database_url, test_clock) as single:
        client = single.test_client()
        for _ in range(EXECUTIONS_TO_PREPARE):
            assert client.get(f"/v1/accounts/{account}", headers=admin).status_code == 200
        prepared = prepared_statements(single)
    assert any("FROM accounts AS a" in statement for statement in prepared)


@pytest.fixture
def single(database_url, test_clock):
    """The app on one pooled connection (PostgreSQL)."""
    with one_connection_app(database_url, test_clock) as app:
        yield app


def _read_balance(client, headers, account: str) -> None:
    assert client.get(f"/v1/accounts/{account}", headers=headers).status_code == 200


@postgres_only
def test_a_balance_read_is_one_round_trip_outside_a_transaction(single, admin, account):
    """On PostgreSQL a balance read sends its one statement, with no BEGIN and no COMMIT."""
    client = single.test_client()
    for _ in range(EXECUTIONS_TO_PREPARE):
        _read_balance(client, admin, account)
    with single.app_context(), traced(db.engine) as wire:
        for _ in range(BALANCE_READS):
            _read_balance(client, admin, account)
        assert wire.simple_queries() == []
        assert wire.round_trips() == BALANCE_READS


@postgres_only
def test_a_connection_read_outside_a_transaction_goes_back_to_transactions(single, admin, account):
    """After a balance read, the same pooled connection serves another read in a transaction."""
    client = single.test_client()
    _read_balance(client, admin, account)
    with single.app_context(), traced(db.engine) as wire:
        _read_balance(client, admin, account)
        assert client.get("/v1/communities", headers=admin).status_code == 200
        assert wire.simple_queries() == ["BEGIN", "COMMIT"]


@postgres_only
def test_a_failed_read_outside_a_transaction_gives_its_connection_back(single, admin, account):
    """After a balance read answered 404, the next read on the connection is in a transaction,
    even when both are served inside one app context (whose session outlives each request)."""
    client = single.test_client()
    _read_balance(client, admin, account)
    with single.app_context(), traced(db.engine) as wire:
        missing = client.get("/v1/accounts/acc_01NOSUCHACCOUNT000000000000", headers=admin)
        assert missing.status_code == 404
        assert client.get("/v1/communities", headers=admin).status_code == 200
        assert wire.simple_queries() == ["BEGIN", "COMMIT"]


@postgres_only
def test_a_read_outside_a_transaction_replaces_a_connection_the_server_ended(
    single, database_url, admin, account
):
    """A pooled connection whose backend was terminated is replaced before the read uses it."""
    client = single.test_client()
    _read_balance(client, admin, account)
    with single.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.commit()
        db.session.remove()
    _terminate(database_url, pid)
    _read_balance(client, admin, account)


def _terminate(database_url: str, pid: int) -> None:
    """End a backend and wait until it is gone."""
    rival = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with rival.connect() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        gone = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
        for _ in range(TERMINATION_POLLS):
            if connection.execute(gone, {"pid": pid}).scalar() == 0:
                return
            time.sleep(TERMINATION_POLL_SECONDS)
    raise AssertionError(f"backend {pid} still runs")
