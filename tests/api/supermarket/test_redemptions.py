"""Redemptions at the points supermarket, as the till and the community see them."""

from datetime import UTC, datetime

from sqlalchemy import event

from api.extensions import db
from tests.support.supermarket import items_by_sku


def test_a_changed_price_never_changes_a_past_redemption(client, supermarket, resident, redeem):
    """Soy sauce goes up to 35 points; last week's receipt still says 30."""
    wang = resident(100)
    sold = redeem(wang, lines=[("soy-sauce", 1)]).json
    patched = client.patch(
        f"/v1/shops/{supermarket.shop['id']}/items/soy-sauce",
        json={"price_points": 35, "stock": 10},
        headers=supermarket.staff,
    )
    assert patched.status_code == 200, patched.json
    again = client.get(f"/v1/redemptions/{sold['id']}", headers=supermarket.shop_key).json
    assert again["lines"][0]["unit_price_points"] == 30
    assert again["points"] == 30
    assert redeem(wang, lines=[("soy-sauce", 1)]).json["points"] == 35


def test_plain_points_with_a_memo(supermarket, resident, redeem, balance):
    """A shop without a catalogue entry takes 15 points for a haircut, memo required."""
    wang = resident(40)
    done = redeem(wang, points=15, memo="理发")
    assert done.status_code == 201, done.json
    assert (done.json["points"], done.json["memo"], done.json["lines"]) == (15, "理发", [])
    assert balance(wang["points_account"])["available"] == 25


def test_a_redemption_beyond_the_balance_is_refused_and_keeps_the_stock(
    client, supermarket, resident, redeem, balance
):
    """With 50 points two bottles of soy sauce (60) are refused; the shelf keeps both."""
    wang = resident(50)
    refused = redeem(wang, lines=[("soy-sauce", 2)])
    assert refused.status_code == 422
    assert refused.json["type"] == "/problems/insufficient-balance"
    assert items_by_sku(client, supermarket)["soy-sauce"]["stock"] == 2
    assert balance(wang["points_account"])["available"] == 50


def test_bad_input_is_a_problem_not_a_partial_write(client, supermarket, resident, redeem):
    """Unknown skus, duplicate lines, both lines and points, or zero quantities are 4xx."""
    wang = resident(100)
    assert redeem(wang, lines=[("rice", 1)]).json["type"] == "/problems/item-not-found"
    assert (
        redeem(wang, lines=[("seeds", 1), ("seeds", 2)]).json["type"] == "/problems/duplicate-line"
    )
    zero = redeem(wang, lines=[("seeds", 0)])
    assert zero.status_code == 422 and zero.json["type"] == "/problems/validation-failed"
    both = client.post(
        "/v1/redemptions",
        headers=supermarket.shop_key,
        json={
            "member": wang["id"],
            "consent": {"pin": "2580"},
            "points": 5,
            "memo": "x",
            "lines": [{"sku": "seeds", "quantity": 1}],
        },
    )
    assert both.status_code == 422
    no_memo = client.post(
        "/v1/redemptions",
        headers=supermarket.shop_key,
        json={"member": wang["id"], "consent": {"pin": "2580"}, "points": 5},
    )
    assert no_memo.status_code == 422


def test_an_inactive_item_is_not_sold(client, supermarket, resident, redeem):
    """Staff take seeds off sale; the till is refused."""
    client.patch(
        f"/v1/shops/{supermarket.shop['id']}/items/seeds",
        json={"active": False},
        headers=supermarket.staff,
    )
    response = redeem(resident(100), lines=[("seeds", 1)])
    assert response.json["type"] == "/problems/item-inactive"


def test_refunds_never_exceed_what_was_captured(client, supermarket, resident, redeem, balance):
    """Of 80 points captured, 30 + 50 can come back, and not one point more."""
    wang = resident(100)
    sold = redeem(wang, lines=[("soy-sauce", 2), ("seeds", 1)]).json
    url = f"/v1/redemptions/{sold['id']}/refund"
    key = supermarket.shop_key
    too_many = client.post(url, json={"lines": [{"sku": "soy-sauce", "quantity": 3}]}, headers=key)
    assert too_many.json["type"] == "/problems/refund-too-large"
    assert client.post(url, json={"points": 30, "memo": "漏油"}, headers=key).status_code == 201
    assert client.post(url, json={"points": 51, "memo": "x"}, headers=key).json["refundable"] == 50
    assert (
        client.post(url, json={"lines": [{"sku": "seeds", "quantity": 1}]}, headers=key).status_code
        == 201
    )
    last = client.post(url, json={"lines": [{"sku": "soy-sauce", "quantity": 1}]}, headers=key)
    assert last.status_code == 201, last.json
    assert last.json["redemption"]["refunded_points"] == 80
    over = client.post(url, json={"points": 1, "memo": "x"}, headers=key)
    assert over.json["type"] == "/problems/refund-too-large"
    assert balance(wang["points_account"])["available"] == 100


def test_a_hold_is_captured_or_voided(client, supermarket, resident, redeem, balance):
    """A hold reserves points and stock; capture posts it, void gives both back."""
    wang = resident(100)
    held = redeem(wang, lines=[("soy-sauce", 1)], capture=False).json
    assert held["status"] == "held"
    assert held["member_available_points"] == 70
    assert balance(wang["points_account"])["posted"] == 100
    captured = client.post(f"/v1/redemptions/{held['id']}/capture", headers=supermarket.shop_key)
    assert captured.status_code == 200 and captured.json["status"] == "captured"
    assert balance(wang["points_account"])["posted"] == 70
    again = client.post(f"/v1/redemptions/{held['id']}/void", headers=supermarket.shop_key)
    assert again.status_code == 409 and again.json["type"] == "/problems/redemption-not-held"

    second = redeem(wang, lines=[("soy-sauce", 1)], capture=False).json
    voided = client.post(f"/v1/redemptions/{second['id']}/void", headers=supermarket.shop_key)
    assert voided.status_code == 200 and voided.json["status"] == "voided"
    assert balance(wang["points_account"])["available"] == 70
    assert items_by_sku(client, supermarket)["soy-sauce"]["stock"] == 1
    refund_hold = client.post(
        f"/v1/redemptions/{second['id']}/refund", json={"points": 1}, headers=supermarket.shop_key
    )
    assert refund_hold.json["type"] == "/problems/redemption-not-captured"


def test_an_expired_hold_frees_the_points_for_the_next_redemption(
    client, supermarket, resident, redeem, balance, clock
):
    """A hold left 31 minutes no longer blocks the member's next purchase, nor the shelf."""
    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    wang = resident(60)
    held = redeem(wang, lines=[("soy-sauce", 2)], capture=False).json
    clock.advance(minutes=31)
    shown = client.get(f"/v1/redemptions/{held['id']}", headers=supermarket.shop_key).json
    assert shown["status"] == "expired"
    late = client.post(f"/v1/redemptions/{held['id']}/capture", headers=supermarket.shop_key)
    assert late.status_code == 409 and late.json["type"] == "/problems/hold-expired"
    bought = redeem(wang, lines=[("soy-sauce", 2)])
    assert bought.status_code == 201, bought.json
    assert bought.json["member_available_points"] == 0
    assert (
        client.get(f"/v1/redemptions/{held['id']}", headers=supermarket.shop_key).json["status"]
        == "voided"
    )


def test_shop_list_of_redemptions_is_keyset_paginated(client, supermarket, resident, redeem):
    """Three sales, pages of two, newest first."""
    wang = resident(100)
    ids = [redeem(wang, lines=[("seeds", 1)]).json["id"] for _ in range(3)]
    url = f"/v1/shops/{supermarket.shop['id']}/redemptions?limit=2"
    first = client.get(url, headers=supermarket.shop_key).json
    assert [r["id"] for r in first["items"]] == ids[::-1][:2]
    second = client.get(url + f"&cursor={first['next_cursor']}", headers=supermarket.shop_key).json
    assert [r["id"] for r in second["items"]] == [ids[0]]
    assert second["next_cursor"] is None


def test_an_idempotent_retry_does_not_redeem_twice(
    client, supermarket, resident, fresh_code, balance
):
    """The till times out and resends with the same Idempotency-Key: one sale."""
    wang = resident(100)
    body = {
        "member": wang["id"],
        "consent": {"code": fresh_code(wang)},
        "lines": [{"sku": "seeds", "quantity": 1}],
    }
    headers = {**supermarket.shop_key, "Idempotency-Key": "till-7-0001"}
    first = client.post("/v1/redemptions", json=body, headers=headers)
    second = client.post("/v1/redemptions", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json["id"] == second.json["id"]
    assert balance(wang["points_account"])["available"] == 80


def test_a_redemption_is_undone_by_a_refund_not_by_reversal(
    client, supermarket, resident, redeem, admin
):
    """Reversing a sale's entry would skip the stock and settlement books, so it is refused."""
    wang = resident(100)
    sold = redeem(wang, lines=[("soy-sauce", 1)]).json
    response = client.post(
        f"/v1/entries/{sold['entry']}/reversal", json={"reason": "wrong resident"}, headers=admin
    )
    assert response.status_code == 409
    assert response.json["type"] == "/problems/not-reversible"
    assert "refund" in response.json["detail"]


def test_an_expired_hold_stops_counting_for_reads_and_gifts_before_the_sweep(
    client, supermarket, resident, redeem, balance, make_key, make_member, clock
):
    """Thirty-one minutes after a forgotten hold, the points show as available and can be given."""
    wang = resident(100)
    daughter = make_member("qianjiang", display_name="王小红")
    held = redeem(wang, points=100, memo="预订年货", capture=False).json
    assert balance(wang["points_account"])["available"] == 0
    clock.advance(minutes=31)
    account = balance(wang["points_account"])
    assert (account["posted"], account["pending_out"], account["available"]) == (100, 0, 100)
    gift = client.post(
        "/v1/transfers",
        json={"to": daughter["id"], "unit": "points", "amount": 50, "memo": "给女儿"},
        headers=make_key("member", member=wang["id"]),
    )
    assert gift.status_code == 201, gift.json
    shown = client.get(f"/v1/redemptions/{held['id']}", headers=supermarket.shop_key).json
    assert shown["status"] == "voided"
    assert balance(wang["points_account"])["available"] == 50


def test_a_replayed_refusal_is_still_a_problem_document(client, supermarket, resident):
    """A wrong code sent twice with one Idempotency-Key is replayed as problem+json."""
    wang = resident(100)
    body = {"member": wang["id"], "consent": {"code": "000000"}, "points": 5, "memo": "x"}
    headers = {**supermarket.shop_key, "Idempotency-Key": "till-7-wrong-code"}
    first = client.post("/v1/redemptions", json=body, headers=headers)
    second = client.post("/v1/redemptions", json=body, headers=headers)
    assert first.status_code == second.status_code == 422
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.mimetype == second.mimetype == "application/problem+json"


def test_a_shop_key_reads_its_shop_once_not_at_every_sale(app, supermarket, resident, redeem):
    """After a till's first sale, its sales send no statement that reads the shop's row."""
    wang = resident(100)
    assert redeem(wang, lines=[("soy-sauce", 1)]).status_code == 201
    with app.app_context():
        engine = db.engine
    sent = []

    def count(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert redeem(wang, lines=[("soy-sauce", 1)]).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sent
    assert [s for s in sent if "FROM shops" in s] == []
