"""The supermarket's factories: a shop and its shelf, residents with points, consent codes, tills at once."""

import threading
from dataclasses import dataclass

import pytest


@dataclass
class Supermarket:
    community: dict
    staff: dict
    shop: dict
    shop_key: dict


@pytest.fixture
def supermarket(client, make_community, make_key):
    """A community with staff and one points supermarket (soy sauce stock 2, seeds unlimited)."""
    community = make_community("qianjiang", "潜江社区")
    staff = make_key("staff", community="qianjiang")
    shop = client.post(
        "/v1/communities/qianjiang/shops", json={"name": "潜江积分超市"}, headers=staff
    ).json
    for item in (
        {"sku": "soy-sauce", "name": "酱油 500ml", "price_points": 30, "stock": 2},
        {"sku": "seeds", "name": "菜籽", "price_points": 20, "unlimited": True},
    ):
        response = client.post(f"/v1/shops/{shop['id']}/items", json=item, headers=staff)
        assert response.status_code == 201, response.json
    return Supermarket(community, staff, shop, make_key("shop", shop=shop["id"]))


@pytest.fixture
def resident(make_member, grant, supermarket):
    """resident(points) -> a member of the supermarket's community holding that many points."""

    def make(points=100, display_name="王阿姨"):
        member = make_member("qianjiang", display_name=display_name)
        if points:
            grant(supermarket.community, member["points_account"], points)
        return member

    return make


@pytest.fixture
def fresh_code(client, supermarket):
    """fresh_code(member) -> a one-time code issued by staff on the member's behalf."""

    def issue(member):
        response = client.post(
            f"/v1/members/{member['id']}/consent-codes", headers=supermarket.staff
        )
        assert response.status_code == 201, response.json
        return response.json["code"]

    return issue


@pytest.fixture
def redeem(client, supermarket, fresh_code):
    """redeem(member, lines=[...] | points=..., consent=None, capture=True) -> the response."""

    def call(member, lines=None, points=None, memo="", consent=None, capture=True, headers=None):
        body = {
            "member": member["id"],
            "consent": consent or {"code": fresh_code(member)},
            "capture": capture,
        }
        if lines is not None:
            body["lines"] = [{"sku": sku, "quantity": q} for sku, q in lines]
        if points is not None:
            body["points"] = points
            body["memo"] = memo or "积分兑换"
        return client.post("/v1/redemptions", json=body, headers=headers or supermarket.shop_key)

    return call


def items_by_sku(client, supermarket):
    response = client.get(f"/v1/shops/{supermarket.shop['id']}/items", headers=supermarket.shop_key)
    assert response.status_code == 200, response.json
    return {item["sku"]: item for item in response.json["items"]}


def run_together(app, requests):
    """Send each (path, json, headers) from its own thread and client, all at once."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def send(i, path, body, headers):
        client = app.test_client()
        barrier.wait()
        results[i] = client.post(path, json=body, headers=headers)

    threads = [
        threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
