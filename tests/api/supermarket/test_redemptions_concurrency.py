"""Concurrent tills on PostgreSQL: stock, balance and consent counts stay exact."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.extensions import db
from ledger.supermarket import fastpath
from ledger.supermarket.catalogue import shop_record
from ledger.supermarket.consent import MAX_FAILED_ATTEMPTS, code_digest
from ledger.supermarket.redemptions import redeem
from tests.support.supermarket import run_together

TILLS = 20


def redemption_request(supermarket, member, code, lines):
    return (
        "/v1/redemptions",
        {
            "member": member["id"],
            "consent": {"code": code},
            "lines": [{"sku": sku, "quantity": q} for sku, q in lines],
        },
        supermarket.shop_key,
    )


@pytest.mark.postgres
def test_the_last_bottle_goes_to_exactly_one_of_twenty(
    app, client, supermarket, resident, fresh_code
):
    """Twenty residents reach for the last bottle of soy sauce at once: one gets it."""
    client.patch(
        f"/v1/shops/{supermarket.shop['id']}/items/soy-sauce",
        json={"stock": 1},
        headers=supermarket.staff,
    )
    members = [resident(100) for _ in range(TILLS)]
    requests = [
        redemption_request(supermarket, m, fresh_code(m), [("soy-sauce", 1)]) for m in members
    ]
    results = run_together(app, requests)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [422] * (TILLS - 1), [r.json for r in results]
    assert {r.json["type"] for r in results if r.status_code == 422} == {"/problems/out-of-stock"}
    stock = client.get(
        f"/v1/shops/{supermarket.shop['id']}/items", headers=supermarket.shop_key
    ).json["items"]
    assert {i["sku"]: i["stock"] for i in stock}["soy-sauce"] == 0


@pytest.mark.postgres
def test_a_balance_covering_k_of_n_redemptions_allows_exactly_k(
    app, supermarket, resident, fresh_code, balance
):
    """With 100 points and twenty tills selling 20-point seeds at once, exactly five succeed."""
    wang = resident(100)
    requests = [
        redemption_request(supermarket, wang, fresh_code(wang), [("seeds", 1)])
        for _ in range(TILLS)
    ]
    results = run_together(app, requests)
    succeeded = [r for r in results if r.status_code == 201]
    assert len(succeeded) == 5, [r.json for r in results]
    assert {r.json["type"] for r in results if r.status_code != 201} == {
        "/problems/insufficient-balance"
    }
    assert balance(wang["points_account"])["available"] == 0


@pytest.mark.postgres
def test_concurrent_wrong_codes_are_each_counted(app, client, supermarket, resident, fresh_code):
    """Twenty wrong codes at once: five are counted as tries, the rest meet the lock."""
    wang = resident(100)
    requests = [
        redemption_request(supermarket, wang, "00000x", [("seeds", 1)]) for _ in range(TILLS)
    ]
    results = run_together(app, requests)
    kinds = [r.json["type"] for r in results]
    assert kinds.count("/problems/consent-refused") == MAX_FAILED_ATTEMPTS
    assert kinds.count("/problems/redemption-locked") == TILLS - MAX_FAILED_ATTEMPTS
    path, body, headers = redemption_request(supermarket, wang, fresh_code(wang), [("seeds", 1)])
    right = client.post(path, json=body, headers=headers)
    assert right.json["type"] == "/problems/redemption-locked"


@pytest.mark.postgres
def test_one_code_spent_by_twenty_tills_buys_once(app, supermarket, resident, fresh_code, balance):
    """The same code typed at twenty tills at once is accepted once."""
    wang = resident(100)
    code = fresh_code(wang)
    results = run_together(
        app, [redemption_request(supermarket, wang, code, [("seeds", 1)]) for _ in range(TILLS)]
    )
    assert sorted(r.status_code for r in results) == [201] + [422] * (TILLS - 1)
    assert balance(wang["points_account"])["available"] == 80


@pytest.mark.postgres
def test_capture_and_void_race_resolve_a_hold_once(
    app, client, supermarket, resident, redeem, balance
):
    """Ten captures and ten voids of one hold at once: exactly one wins, the books agree."""
    wang = resident(100)
    held = redeem(wang, lines=[("seeds", 1)], capture=False).json
    requests = [
        (
            f"/v1/redemptions/{held['id']}/{'capture' if i % 2 else 'void'}",
            None,
            supermarket.shop_key,
        )
        for i in range(TILLS)
    ]
    results = run_together(app, requests)
    assert sorted(r.status_code for r in results) == [200] + [409] * (TILLS - 1)
    final = client.get(f"/v1/redemptions/{held['id']}", headers=supermarket.shop_key).json
    expected = 80 if final["status"] == "captured" else 100
    assert balance(wang["points_account"])["available"] == expected
    assert balance(wang["points_account"])["pending"] == 0


@pytest.mark.postgres
def test_concurrent_refunds_never_exceed_the_capture(app, supermarket, resident, redeem, balance):
    """Twenty tills each refund 10 of an 80-point sale at once: eight succeed."""
    wang = resident(100)
    sold = redeem(wang, lines=[("soy-sauce", 2), ("seeds", 1)]).json
    requests = [
        (f"/v1/redemptions/{sold['id']}/refund", {"points": 10, "memo": "退"}, supermarket.shop_key)
        for _ in range(TILLS)
    ]
    results = run_together(app, requests)
    assert [r.status_code for r in results].count(201) == 8
    assert balance(wang["points_account"])["available"] == 100


@pytest.mark.postgres
def test_sales_refunds_and_settlements_at_once_keep_the_books(
    app, client, supermarket, resident, redeem, fresh_code, balance
):
    """Tills selling, a refund and staff settling all at once: no deadlock, and settled points
    plus what the shop still holds equal captured minus refunded."""
    members = [resident(100) for _ in range(8)]
    earlier = [redeem(m, lines=[("seeds", 1)]).json for m in members[:4]]
    requests = [redemption_request(supermarket, m, fresh_code(m), [("seeds", 1)]) for m in members]
    requests += [
        (f"/v1/redemptions/{sale['id']}/refund", {"points": 20, "memo": "退"}, supermarket.shop_key)
        for sale in earlier
    ]
    requests += [
        (f"/v1/shops/{supermarket.shop['id']}/settlements", None, supermarket.staff)
        for _ in range(4)
    ]
    results = run_together(app, requests)
    assert all(r.status_code < 500 for r in results), [r.json for r in results]
    sold = [r for r in results[:8] if r.status_code == 201]
    assert len(sold) == 8
    refunded = sum(1 for r in results[8:12] if r.status_code == 201)
    settled = sum(r.json["points"] for r in results[12:] if r.status_code == 201)
    shop_left = balance(supermarket.shop["account"]["id"])["posted"]
    assert settled + shop_left == 20 * (4 + 8) - 20 * refunded


@pytest.mark.postgres
def test_sweeps_running_at_once_void_each_expired_hold_once(
    app, client, supermarket, resident, redeem, balance, clock
):
    """Four sweeps at once over ten expired holds: ten voids in all, every point back."""
    from datetime import UTC, datetime

    from api.extensions import db
    from ledger.supermarket.redemptions import HOLD_TTL, void_expired_holds

    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    members = [resident(100) for _ in range(10)]
    for member in members:
        assert (
            redeem(
                member,
                lines=[("soy-sauce", 1)] if member is members[0] else [("seeds", 2)],
                capture=False,
            ).status_code
            == 201
        )
    later = clock.advance(seconds=HOLD_TTL.total_seconds() + 1)
    barrier = threading.Barrier(4)
    counts = []

    def sweep():
        with app.app_context():
            barrier.wait()
            counts.append(void_expired_holds(db.session, later))
            db.session.remove()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 10
    assert all(balance(m["points_account"])["available"] == 100 for m in members)
    items = client.get(
        f"/v1/shops/{supermarket.shop['id']}/items", headers=supermarket.shop_key
    ).json["items"]
    assert {i["sku"]: i["stock"] for i in items}["soy-sauce"] == 2


LOCK_TIMEOUT_WHILE_WAITING = "300ms"  # far longer than an unhindered standing takes
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock timeout


@pytest.mark.postgres
@pytest.mark.parametrize(("sku", "waits"), [("seeds", False), ("soy-sauce", True)])
def test_an_open_sale_holds_up_another_till_only_on_counted_stock(
    app, supermarket, resident, fresh_code, sku, waits
):
    """While one sale is uncommitted, another till's standing of unlimited seeds goes ahead; of
    counted soy sauce it waits for the row."""
    first, second = resident(100), resident(100)
    codes = [fresh_code(first), fresh_code(second)]
    now = datetime.now(UTC)
    with app.app_context(), Session(db.engine) as selling, Session(db.engine) as other:
        shop = shop_record(selling, supermarket.shop["id"])
        sale = redeem(
            selling,
            shop,
            member_id=first["id"],
            consent={"code": codes[0]},
            lines=[{"sku": sku, "quantity": 1}],
            now=now,
        )
        assert sale.redemption.status == "captured"
        other.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_WHILE_WAITING}'"))
        digest = code_digest(second["id"], codes[1])
        try:
            standing = fastpath.stand(other, shop, second["id"], digest, [sku], now=now)
        except sa.exc.OperationalError as refused:
            assert waits and refused.orig.sqlstate == LOCK_NOT_AVAILABLE
        else:
            assert not waits and standing is not None and sku in standing.items
        finally:
            other.rollback()
            selling.rollback()
