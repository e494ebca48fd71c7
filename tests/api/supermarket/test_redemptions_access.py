"""Redemptions reach only their own shop, members and community."""

import pytest


@pytest.fixture
def other_shop(client, supermarket, make_key):
    """A second shop in the same community, with its own key."""
    shop = client.post(
        "/v1/communities/qianjiang/shops", json={"name": "社区菜店"}, headers=supermarket.staff
    ).json
    client.post(
        f"/v1/shops/{shop['id']}/items",
        headers=supermarket.staff,
        json={"sku": "seeds", "name": "菜籽", "price_points": 20, "unlimited": True},
    )
    return {"shop": shop, "key": make_key("shop", shop=shop["id"])}


def test_a_shop_key_cannot_redeem_at_another_shop(
    client, supermarket, resident, fresh_code, other_shop, balance
):
    """The vegetable stall names the supermarket in its request: 404, and nothing is taken."""
    wang = resident(100)
    response = client.post(
        "/v1/redemptions",
        headers=other_shop["key"],
        json={
            "member": wang["id"],
            "shop": supermarket.shop["id"],
            "consent": {"code": fresh_code(wang)},
            "lines": [{"sku": "seeds", "quantity": 1}],
        },
    )
    assert response.status_code == 404
    assert balance(wang["points_account"])["available"] == 100


def test_a_shop_key_cannot_touch_another_shops_redemptions(
    client, supermarket, resident, redeem, other_shop
):
    """Reading, capturing, voiding or refunding the supermarket's sale from the stall is 404."""
    sale = redeem(resident(100), lines=[("seeds", 1)], capture=False).json
    key = other_shop["key"]
    assert client.get(f"/v1/redemptions/{sale['id']}", headers=key).status_code == 404
    assert (
        client.get(f"/v1/shops/{supermarket.shop['id']}/redemptions", headers=key).status_code
        == 404
    )
    for action in ("capture", "void"):
        assert client.post(f"/v1/redemptions/{sale['id']}/{action}", headers=key).status_code == 404
    assert (
        client.post(
            f"/v1/redemptions/{sale['id']}/refund", json={"points": 1}, headers=key
        ).status_code
        == 404
    )
    assert (
        client.get(f"/v1/shops/{supermarket.shop['id']}/settlements", headers=key).status_code
        == 404
    )
    assert client.get(f"/v1/shops/{supermarket.shop['id']}", headers=key).status_code == 404


def test_a_shop_key_cannot_read_a_members_account(client, supermarket, resident, redeem):
    """The till may see a sale's remaining points, but not the member, their account or statement."""
    wang = resident(100)
    sale = redeem(wang, lines=[("seeds", 1)]).json
    assert sale["member_available_points"] == 80
    key = supermarket.shop_key
    later = client.get(f"/v1/redemptions/{sale['id']}", headers=key).json
    assert later["member_available_points"] is None
    assert client.get(f"/v1/members/{wang['id']}", headers=key).status_code == 404
    assert client.get(f"/v1/accounts/{wang['points_account']}", headers=key).status_code == 404
    assert (
        client.get(f"/v1/accounts/{wang['points_account']}/statement", headers=key).status_code
        == 404
    )


def test_a_member_of_another_community_is_unknown_to_the_shop(
    client, supermarket, make_community, make_member, make_key
):
    """A resident of another community cannot be charged here: 404 as if absent."""
    make_community("other", "别的社区")
    stranger = make_member("other")
    code = client.post(
        f"/v1/members/{stranger['id']}/consent-codes",
        headers=make_key("member", member=stranger["id"]),
    ).json["code"]
    response = client.post(
        "/v1/redemptions",
        headers=supermarket.shop_key,
        json={
            "member": stranger["id"],
            "consent": {"code": code},
            "lines": [{"sku": "seeds", "quantity": 1}],
        },
    )
    assert response.status_code == 404


def test_only_shop_keys_redeem_and_only_staff_run_the_shop(client, supermarket, resident, make_key):
    """Members and staff cannot redeem; a shop cannot add items, settle, or open shops."""
    wang = resident(100)
    body = {"member": wang["id"], "consent": {"pin": "2580"}, "points": 5, "memo": "x"}
    assert client.post("/v1/redemptions", json=body, headers=supermarket.staff).status_code == 403
    assert (
        client.post(
            "/v1/redemptions", json=body, headers=make_key("member", member=wang["id"])
        ).status_code
        == 403
    )
    key = supermarket.shop_key
    shop_id = supermarket.shop["id"]
    assert (
        client.post(
            f"/v1/shops/{shop_id}/items",
            headers=key,
            json={"sku": "x", "name": "x", "price_points": 1, "stock": 1},
        ).status_code
        == 403
    )
    assert client.post(f"/v1/shops/{shop_id}/settlements", headers=key).status_code == 403
    assert (
        client.post("/v1/communities/qianjiang/shops", json={"name": "x"}, headers=key).status_code
        == 403
    )
