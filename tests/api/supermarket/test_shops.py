"""Shops: the catalogue on their shelves, and settling what they redeemed with the community."""

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


class World:
    """A fresh community per example (the database is emptied per test, not per example)."""

    def __init__(self, client, make_community, make_key, make_member, grant):
        self.client = client
        slug = f"c-{uuid.uuid4().hex[:10]}"
        community = make_community(slug, "社区")
        self.staff = make_key("staff", community=slug)
        self.shop = client.post(
            f"/v1/communities/{slug}/shops", json={"name": "超市"}, headers=self.staff
        ).json
        client.post(
            f"/v1/shops/{self.shop['id']}/items",
            headers=self.staff,
            json={"sku": "rice", "name": "大米", "price_points": 7, "unlimited": True},
        )
        self.till = make_key("shop", shop=self.shop["id"])
        self.member = make_member(slug)
        grant(community, self.member["points_account"], 10_000)
        self.sales: list[tuple[str, int]] = []  # (redemption id, quantity not yet refunded)
        self.captured = self.refunded = self.settled_points = 0

    def sell(self, n):
        code = self.client.post(
            f"/v1/members/{self.member['id']}/consent-codes", headers=self.staff
        ).json["code"]
        sold = self.client.post(
            "/v1/redemptions",
            headers=self.till,
            json={
                "member": self.member["id"],
                "consent": {"code": code},
                "lines": [{"sku": "rice", "quantity": n}],
            },
        )
        assert sold.status_code == 201, sold.json
        self.sales.append((sold.json["id"], n))
        self.captured += 7 * n

    def refund(self, n):
        for i, (redemption_id, left) in enumerate(self.sales):
            if left:
                quantity = min(n, left)
                done = self.client.post(
                    f"/v1/redemptions/{redemption_id}/refund",
                    headers=self.till,
                    json={"lines": [{"sku": "rice", "quantity": quantity}]},
                )
                if done.status_code == 201:  # refused once the shop's takings are settled away
                    self.sales[i] = (redemption_id, left - quantity)
                    self.refunded += 7 * quantity
                else:
                    assert done.json["type"] == "/problems/insufficient-balance", done.json
                return

    def settle(self, _n):
        done = self.client.post(f"/v1/shops/{self.shop['id']}/settlements", headers=self.staff)
        assert done.status_code in (201, 409), done.json
        if done.status_code == 201:
            self.settled_points += done.json["points"]


def settle(client, supermarket):
    return client.post(f"/v1/shops/{supermarket.shop['id']}/settlements", headers=supermarket.staff)


def test_settling_again_covers_only_what_is_new(client, supermarket, resident, redeem, balance):
    """Monday's settlement takes 80; Tuesday's takes only Tuesday's 20 and Monday's late refund."""
    wang = resident(200)
    monday = redeem(wang, lines=[("soy-sauce", 2), ("seeds", 1)]).json
    first = settle(client, supermarket).json
    assert (first["points"], first["money_due_fen"]) == (80, 800)
    tuesday = redeem(wang, lines=[("seeds", 1)]).json
    # A refund of Monday's soy sauce, paid from the shop's new takings.
    late = client.post(
        f"/v1/redemptions/{monday['id']}/refund",
        json={"points": 10, "memo": "破损"},
        headers=supermarket.shop_key,
    )
    assert late.status_code == 201, late.json
    second = settle(client, supermarket).json
    assert [r["id"] for r in second["redemptions"]] == [tuesday["id"]]
    assert (second["redeemed_points"], second["refunded_points"], second["points"]) == (20, 10, 10)
    assert balance(supermarket.shop["account"]["id"])["posted"] == 0
    nothing = settle(client, supermarket)
    assert nothing.status_code == 409 and nothing.json["type"] == "/problems/nothing-to-settle"
    listed = client.get(
        f"/v1/shops/{supermarket.shop['id']}/settlements", headers=supermarket.shop_key
    ).json
    assert [s["id"] for s in listed["items"]] == [second["id"], first["id"]]
    shown = client.get(f"/v1/settlements/{first['id']}", headers=supermarket.shop_key).json
    assert [r["id"] for r in shown["redemptions"]] == [monday["id"]]


def test_money_due_uses_the_community_rate(client, supermarket, resident, redeem):
    """Staff set 1 point = 0.05 yuan; 80 points are owed as 4.00 yuan."""
    url = "/v1/communities/qianjiang/redemption-settings"
    assert client.get(url, headers=supermarket.staff).json == {"fen_per_point": 10}
    assert client.put(url, json={"fen_per_point": 5}, headers=supermarket.staff).status_code == 200
    assert client.put(url, json={"fen_per_point": -1}, headers=supermarket.staff).status_code == 422
    assert (
        client.put(url, json={"fen_per_point": 5}, headers=supermarket.shop_key).status_code == 403
    )
    redeem(resident(100), lines=[("soy-sauce", 2), ("seeds", 1)])
    statement = settle(client, supermarket).json
    assert (statement["money_due_fen"], statement["money_due_yuan"]) == (400, "4.00")


def test_holds_are_not_settled_until_captured(client, supermarket, resident, redeem):
    """A hold is not the shop's yet; once captured, the next settlement covers it."""
    wang = resident(100)
    held = redeem(wang, lines=[("seeds", 1)], capture=False).json
    assert settle(client, supermarket).status_code == 409
    client.post(f"/v1/redemptions/{held['id']}/capture", headers=supermarket.shop_key)
    assert settle(client, supermarket).json["points"] == 20


def test_a_fully_refunded_sale_settles_to_nothing_moved(client, supermarket, resident, redeem):
    """Sold and returned before settlement: covered, zero points, no entry."""
    sold = redeem(resident(100), lines=[("seeds", 1)]).json
    client.post(
        f"/v1/redemptions/{sold['id']}/refund",
        json={"lines": [{"sku": "seeds", "quantity": 1}]},
        headers=supermarket.shop_key,
    )
    statement = settle(client, supermarket).json
    assert (statement["points"], statement["entry"], statement["money_due_fen"]) == (0, None, 0)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["sell", "refund", "settle"]), st.integers(min_value=1, max_value=3)
        ),
        min_size=1,
        max_size=8,
    )
)
def test_settlements_equal_captured_minus_refunded(
    client, make_community, make_key, make_member, grant, balance, steps
):
    """Whatever the order of sales, refunds and settlements, settled = captured - refunded."""
    world = World(client, make_community, make_key, make_member, grant)
    for action, n in steps:
        getattr(world, action)(n)
    world.settle(0)
    assert world.settled_points == world.captured - world.refunded
    assert balance(world.shop["account"]["id"])["posted"] == 0


def test_a_sale_refunded_after_its_settlement_is_netted_by_the_next(
    client, supermarket, resident, redeem, balance
):
    """Seeds sold and settled, then refunded: the shop owes 20 points, the next settlement takes
    them back from issuance's side and states the money the shop owes."""
    wang = resident(100)
    sale = redeem(wang, lines=[("seeds", 1)]).json
    shop_id = supermarket.shop["id"]
    first = client.post(f"/v1/shops/{shop_id}/settlements", headers=supermarket.staff)
    assert first.status_code == 201 and first.json["points"] == 20
    refund = client.post(
        f"/v1/redemptions/{sale['id']}/refund",
        json={"lines": [{"sku": "seeds", "quantity": 1}]},
        headers=supermarket.shop_key,
    )
    assert refund.status_code == 201, refund.json
    assert balance(wang["points_account"])["available"] == 100
    shop_account = supermarket.shop["account"]["id"]
    assert balance(shop_account)["posted"] == -20
    second = client.post(f"/v1/shops/{shop_id}/settlements", headers=supermarket.staff)
    assert second.status_code == 201, second.json
    assert (second.json["points"], second.json["money_due_fen"]) == (-20, -200)
    assert second.json["money_due_yuan"] == "-2.00"
    assert balance(shop_account)["posted"] == 0


def test_money_is_written_with_its_sign_first():
    """-150 fen is -1.50 yuan, not -2.50."""
    from api.supermarket.schemas import yuan

    assert [yuan(f) for f in (0, 5, 150, -150, -5)] == ["0.00", "0.05", "1.50", "-1.50", "-0.05"]


def test_the_shop_and_residents_read_the_catalogue(client, supermarket, resident, make_key):
    """The till and a resident of the community see the shelf; another community's staff do not."""
    wang = resident(0)
    url = f"/v1/shops/{supermarket.shop['id']}/items"
    assert client.get(url, headers=supermarket.shop_key).status_code == 200
    assert client.get(url, headers=make_key("member", member=wang["id"])).status_code == 200
    client.post(
        "/v1/communities", json={"slug": "other", "name": "别的"}, headers=make_key("admin")
    )
    assert client.get(url, headers=make_key("staff", community="other")).status_code == 404


def test_catalogue_input_is_checked(client, supermarket):
    """Duplicate skus conflict; stock and unlimited together, or neither, are malformed."""
    url = f"/v1/shops/{supermarket.shop['id']}/items"
    staff = supermarket.staff
    dup = client.post(
        url, headers=staff, json={"sku": "seeds", "name": "x", "price_points": 1, "stock": 1}
    )
    assert dup.status_code == 409
    both = client.post(
        url,
        headers=staff,
        json={"sku": "a", "name": "x", "price_points": 1, "stock": 1, "unlimited": True},
    )
    assert both.status_code == 422
    neither = client.post(url, headers=staff, json={"sku": "a", "name": "x", "price_points": 1})
    assert neither.status_code == 422
    free = client.post(
        url, headers=staff, json={"sku": "a", "name": "x", "price_points": 0, "stock": 1}
    )
    assert free.status_code == 422
    missing = client.patch(f"{url}/nope", headers=staff, json={"active": False})
    assert missing.status_code == 404
    unlimited = client.patch(f"{url}/soy-sauce", headers=staff, json={"unlimited": True})
    assert unlimited.json["stock"] is None and unlimited.json["unlimited"] is True


def test_a_shops_account_names_its_community_and_owner_as_every_account_does(
    client, supermarket, balance
):
    """A shop's account carries community and owner as /v1/accounts shows them, and the old names."""
    account = supermarket.shop["account"]
    shown = balance(account["id"])
    assert (account["community"], account["owner"]) == (shown["community"], shown["owner"])
    assert (account["community_id"], account["owner_id"]) == (shown["community"], shown["owner"])


def test_a_shop_lists_a_service_without_stock_and_sells_it(client, supermarket, resident, redeem):
    """A haircut (便民服务) is a service item, unlimited; a service with a stock count is refused."""
    shop = supermarket.shop["id"]
    haircut = {"sku": "haircut", "name": "理发", "price_points": 15, "kind": "service"}
    made = client.post(
        f"/v1/shops/{shop}/items", json={**haircut, "unlimited": True}, headers=supermarket.staff
    )
    assert made.status_code == 201, made.json
    assert (made.json["kind"], made.json["unlimited"]) == ("service", True)
    counted = client.post(
        f"/v1/shops/{shop}/items",
        json={**haircut, "sku": "repair", "stock": 3},
        headers=supermarket.staff,
    )
    assert counted.status_code == 422
    assert counted.json["type"] == "/problems/service-has-no-stock"
    assert redeem(resident(30), lines=[("haircut", 2)]).status_code == 201
