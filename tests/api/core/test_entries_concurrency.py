"""Floors hold under concurrent writers (PostgreSQL: real row locks, real parallelism)."""

import os
import random
import subprocess
import sys
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from ledger.core.models import AccountBalance
from tests.support.concurrently import run_together

pytestmark = pytest.mark.postgres

RANDOM_TRANSFER_SECONDS = 3.0
RANDOM_TRANSFER_THREADS = 16
RANDOM_TRANSFER_ACCOUNTS = 100


def test_fifty_concurrent_spends_of_a_whole_balance_succeed_once(
    app, admin, make_community, make_member, grant, balance
):
    """Exactly one of 50 simultaneous 100-point spends wins; the rest are told the balance."""
    community = make_community()
    member = make_member("qianjiang")
    grant(community, member["points_account"], 100)
    body = {
        "postings": [
            {
                "from": member["points_account"],
                "to": community["account"][("issuance", "points")],
                "unit": "points",
                "amount": 100,
            }
        ],
        "reason": "spend it all",
    }

    def spend(_):
        response = app.test_client().post("/v1/adjustments", json=body, headers=admin)
        return response.status_code, response.json

    results = run_together(50, spend)
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 422: 49}
    refusals = [problem for status, problem in results if status == 422]
    assert all(p["type"] == "/problems/insufficient-balance" for p in refusals)
    assert all(p["balance"] == 0 and p["requested"] == 100 for p in refusals)
    assert balance(member["points_account"])["posted"] == 0


def test_random_transfers_keep_every_invariant(
    app, admin, make_community, make_member, session, database_url
):
    """16 threads of random transfers among 100 accounts leave a sound book."""
    community = make_community()
    accounts = [make_member("qianjiang")["points_account"] for _ in range(RANDOM_TRANSFER_ACCOUNTS)]
    issuance = community["account"][("issuance", "points")]
    client = app.test_client()
    funded = client.post(
        "/v1/adjustments",
        headers=admin,
        json={
            "postings": [
                {"from": issuance, "to": a, "unit": "points", "amount": 50} for a in accounts
            ],
            "reason": "opening balances",
        },
    )
    assert funded.status_code == 201, funded.json
    deadline = time.monotonic() + RANDOM_TRANSFER_SECONDS

    def churn(index):
        rng, client, outcomes = random.Random(index), app.test_client(), Counter()
        while time.monotonic() < deadline:
            source, target = rng.sample(accounts, 2)
            response = client.post(
                "/v1/adjustments",
                headers=admin,
                json={
                    "postings": [
                        {
                            "from": source,
                            "to": target,
                            "unit": "points",
                            "amount": rng.randint(1, 60),
                        }
                    ],
                    "reason": "churn",
                },
            )
            outcomes[response.status_code] += 1
        return outcomes

    outcomes = sum(run_together(RANDOM_TRANSFER_THREADS, churn), Counter())
    assert set(outcomes) <= {201, 422}, outcomes
    assert outcomes[201] > 0 and outcomes[422] > 0

    total = session.execute(sa.select(sa.func.sum(AccountBalance.posted))).scalar_one()
    assert total == 0
    lowest = session.execute(
        sa.select(sa.func.min(AccountBalance.posted - AccountBalance.pending_out)).where(
            AccountBalance.floor.is_not(None)
        )
    ).scalar_one()
    assert lowest >= 0
    result = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "verify"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok" in result.stdout


def test_awards_to_different_members_spread_over_issuance_shards(
    app, admin, make_community, make_member, session
):
    """Issuance has several balance rows, and concurrent awards land on more than one."""
    community = make_community()
    members = [make_member("qianjiang")["points_account"] for _ in range(24)]
    issuance = community["account"][("issuance", "points")]

    def award(index):
        return (
            app.test_client()
            .post(
                "/v1/adjustments",
                headers=admin,
                json={
                    "postings": [
                        {"from": issuance, "to": members[index], "unit": "points", "amount": 5}
                    ],
                    "reason": "award",
                },
            )
            .status_code
        )

    assert set(run_together(len(members), award)) == {201}
    rows = (
        session.execute(
            sa.select(AccountBalance.posted).where(AccountBalance.account_id == issuance)
        )
        .scalars()
        .all()
    )
    assert len(rows) > 1
    assert sum(rows) == -5 * len(members)
    assert sum(1 for posted in rows if posted) > 1


def test_a_lock_wait_that_runs_out_is_a_retryable_503(
    database_url, test_clock, admin, make_community, make_member, grant
):
    """A balance row held by a stuck transaction gives 503 with Retry-After, not a hang or a 500."""
    from api.app import create_app
    from api.extensions import db

    community = make_community()
    member = make_member("qianjiang")
    grant(community, member["points_account"], 10)
    impatient = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CLOCK": test_clock,
            "RATELIMIT_ENABLED": False,
            "LOCK_TIMEOUT_MS": 300,
        }
    )
    with impatient.app_context():
        stuck = db.engine.connect()
        transaction = stuck.begin()
        stuck.execute(
            sa.select(AccountBalance)
            .where(AccountBalance.account_id == member["points_account"])
            .with_for_update()
        )
        try:
            response = impatient.test_client().post(
                "/v1/adjustments",
                headers=admin,
                json={
                    "postings": [
                        {
                            "from": member["points_account"],
                            "to": community["account"][("issuance", "points")],
                            "unit": "points",
                            "amount": 5,
                        }
                    ],
                    "reason": "spend",
                },
            )
        finally:
            transaction.rollback()
            stuck.close()
        db.engine.dispose()
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "1"
