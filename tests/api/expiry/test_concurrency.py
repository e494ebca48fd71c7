"""Expiry under concurrent spends (PostgreSQL: real row locks)."""

from collections import Counter

import pytest
import sqlalchemy as sa

from tests.api.expiry.conftest import JANUARY
from tests.support.concurrently import run_together

pytestmark = pytest.mark.postgres
SPENDS = 40


def test_forty_spends_and_a_sweep_never_cross_a_floor_or_expire_twice(
    app, client, clock, yearly, resident, grant, make_key, balance, expire_sweep
):
    """50 expired and 30 fresh points; 40 donations of 3 race a sweep: every point once."""
    community = yearly.community
    member = resident(0)
    account = member["points_account"]
    grant(community, account, 50)
    clock.set(JANUARY.replace(month=6))
    grant(community, account, 30)
    clock.set(JANUARY.replace(year=2027, day=11))  # January's lot has expired, June's has not
    key = make_key("member", member=member["id"])
    body = {"to": "love_bank", "unit": "points", "amount": 3}

    def act(index):
        if index == SPENDS:
            return ("sweep", expire_sweep())
        return (
            "spend",
            app.test_client().post("/v1/transfers", json=body, headers=key).status_code,
        )

    results = run_together(SPENDS + 1, act)
    expire_sweep()  # whatever of January's lot the racing sweep left (it may have given up)
    spent = 3 * Counter(results)[("spend", 201)]
    expired = _expired_points(app)
    assert spent > 0 and expired <= 50  # spends won some; January's 50 expired at most once
    assert _lots_left(app, account, expired_only=True) == 0
    final = balance(account)
    assert final["available"] >= 0
    assert final["posted"] == 80 - spent - expired
    assert balance(community["account"][("love_bank", "points")])["posted"] == spent + expired
    assert _lots_left(app, account) == final["posted"]
    assert {outcome for kind, outcome in results if kind == "spend"} <= {201, 422}


def _expired_points(app) -> int:
    from api.extensions import db
    from ledger.core.models import Entry, Posting

    with app.app_context():
        total = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Posting.amount), 0))
            .join(Entry, Entry.id == Posting.entry_id)
            .where(Entry.kind == "expiry")
        )
        db.session.remove()
        return int(total)


def _lots_left(app, account_id: str, expired_only: bool = False) -> int:
    from api.extensions import db
    from ledger.expiry.models import PointLot

    query = sa.select(sa.func.coalesce(sa.func.sum(PointLot.remaining_points), 0)).where(
        PointLot.account_id == account_id
    )
    if expired_only:
        query = query.where(PointLot.expires_at <= JANUARY.replace(year=2027, day=11))
    with app.app_context():
        total = db.session.scalar(query)
        db.session.remove()
        return int(total)
