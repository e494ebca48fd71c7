"""Gifts between neighbours, donations to the love bank (爱心银行), and staff grants into it."""

import pytest


@pytest.fixture
def family(client, make_community, make_member, make_key, grant):
    """天问街道 with a daughter who has saved 5 hours and 50 points, and her mother."""
    community = make_community("tianwen", "天问街道", time_floor_minutes=-600)
    daughter = make_member("tianwen", display_name="女儿")
    mother = make_member("tianwen", display_name="妈妈")
    grant(community, daughter["minutes_account"], 300, "minutes")
    grant(community, daughter["points_account"], 50, "points")
    return {
        "community": community,
        "daughter": daughter,
        "mother": mother,
        "daughter_key": make_key("member", member=daughter["id"]),
        "mother_key": make_key("member", member=mother["id"]),
        "staff": make_key("staff", community="tianwen"),
    }


def send(client, headers, to, unit, amount, memo=""):
    return client.post(
        "/v1/transfers",
        headers=headers,
        json={"to": to, "unit": unit, "amount": amount, "memo": memo},
    )


def test_a_daughter_gives_her_time_credits_to_her_mother(client, family, balance):
    """Two of her five saved hours go to her mother, as one transfer entry."""
    response = send(
        client, family["daughter_key"], family["mother"]["id"], "minutes", 120, "给妈妈"
    )
    assert response.status_code == 201, response.json
    assert (response.json["kind"], response.json["memo"]) == ("transfer", "给妈妈")
    assert response.json["postings"] == [
        {
            "from": family["daughter"]["minutes_account"],
            "to": family["mother"]["minutes_account"],
            "unit": "minutes",
            "amount": 120,
        }
    ]
    assert balance(family["daughter"]["minutes_account"])["posted"] == 180
    assert balance(family["mother"]["minutes_account"])["posted"] == 120
    lines = client.get(
        f"/v1/accounts/{family['mother']['minutes_account']}/statement",
        headers=family["mother_key"],
    ).json["items"]
    assert [(line["kind"], line["amount"], line["balance"]) for line in lines] == [
        ("transfer", 120, 120)
    ]


def test_a_gift_above_the_available_balance_is_refused_with_the_balance(client, family, balance):
    """She has 300 minutes; a gift of 301 is refused and says 300."""
    response = send(client, family["daughter_key"], family["mother"]["id"], "minutes", 301)
    assert response.status_code == 422
    assert response.json["type"] == "/problems/insufficient-balance"
    assert (response.json["balance"], response.json["requested"]) == (300, 301)
    points = send(client, family["daughter_key"], family["mother"]["id"], "points", 51)
    assert (points.status_code, points.json["balance"], points.json["requested"]) == (422, 50, 51)
    assert balance(family["daughter"]["minutes_account"])["posted"] == 300


def test_the_time_floor_is_for_receiving_help_not_for_giving(client, family, balance):
    """The mother has no credits: the −600 floor does not let her give any minutes away."""
    response = send(client, family["mother_key"], family["daughter"]["id"], "minutes", 10)
    assert response.status_code == 422
    assert (response.json["balance"], response.json["floor"]) == (0, 0)
    assert balance(family["mother"]["minutes_account"])["posted"] == 0


def test_held_minutes_cannot_be_given_away(client, family, make_member, make_key, balance):
    """With 200 of her 300 minutes held for a service, she can give 100 and no more."""
    helper = make_member("tianwen", display_name="邻居")
    service = client.post(
        "/v1/services",
        headers=family["daughter_key"],
        json={
            "community": "tianwen",
            "title": "搬家",
            "category": "errand",
            "minutes_estimate": 200,
        },
    )
    client.post(
        f"/v1/services/{service.json['id']}/accept",
        json={},
        headers=make_key("member", member=helper["id"]),
    )
    refused = send(client, family["daughter_key"], family["mother"]["id"], "minutes", 101)
    assert (refused.status_code, refused.json["balance"]) == (422, 100)
    assert (
        send(client, family["daughter_key"], family["mother"]["id"], "minutes", 100).status_code
        == 201
    )


def test_a_gift_to_another_community_is_refused_like_a_stranger(
    client, family, make_community, make_member
):
    """A member of another community is answered exactly as one who does not exist."""
    make_community("other", "别的社区")
    outsider = make_member("other")
    across = send(client, family["daughter_key"], outsider["id"], "points", 5)
    missing = send(client, family["daughter_key"], "mem_NOSUCHMEMBER", "points", 5)
    assert across.status_code == missing.status_code == 404
    assert across.json["type"] == missing.json["type"] == "/problems/recipient-not-found"
    assert across.json["title"] == missing.json["title"]


def test_a_gift_to_oneself_is_refused(client, family):
    """Giving to oneself is not a gift."""
    response = send(client, family["daughter_key"], family["daughter"]["id"], "points", 5)
    assert (response.status_code, response.json["type"]) == (422, "/problems/cannot-give-to-self")


def test_a_donation_to_the_love_bank(client, family, balance):
    """She donates an hour and 20 points to the love bank, each as a donation entry."""
    community = family["community"]
    minutes = send(client, family["daughter_key"], "love_bank", "minutes", 60, "献爱心")
    points = send(client, family["daughter_key"], "love_bank", "points", 20)
    assert (minutes.status_code, points.status_code) == (201, 201)
    assert minutes.json["kind"] == points.json["kind"] == "donation"
    assert balance(community["account"][("love_bank", "minutes")])["posted"] == 60
    assert balance(community["account"][("love_bank", "points")])["posted"] == 20
    assert balance(family["daughter"]["minutes_account"])["posted"] == 240
    shown = client.get("/v1/communities/tianwen/love-bank", headers=family["mother_key"]).json
    assert {(a["unit"], a["posted"]) for a in shown["accounts"]} == {
        ("minutes", 60),
        ("points", 20),
    }


def test_staff_grant_issuance_into_the_love_bank(client, family, make_key, balance):
    """Staff grant 20 hours with a reason; members and other communities' staff cannot."""
    community = family["community"]
    path = "/v1/communities/tianwen/love-bank/grants"
    body = {"unit": "minutes", "amount": 1200, "reason": "街道拨付"}
    granted = client.post(path, json=body, headers=family["staff"])
    assert granted.status_code == 201, granted.json
    assert (granted.json["kind"], granted.json["memo"]) == ("grant", "街道拨付")
    assert balance(community["account"][("love_bank", "minutes")])["posted"] == 1200
    # Issuance has given her opening 300 minutes and now the grant.
    assert balance(community["account"][("issuance", "minutes")])["posted"] == -(300 + 1200)
    assert client.post(path, json=body, headers=family["daughter_key"]).status_code == 403
    client.post(
        "/v1/communities", json={"slug": "other", "name": "别处"}, headers=make_key("admin")
    )
    assert (
        client.post(path, json=body, headers=make_key("staff", community="other")).status_code
        == 404
    )
    no_reason = client.post(path, json={"unit": "minutes", "amount": 5}, headers=family["staff"])
    assert no_reason.status_code == 422
    blank = client.post(path, json={**body, "reason": "   "}, headers=family["staff"])
    assert (blank.status_code, blank.json["type"]) == (422, "/problems/reason-required")


def test_only_a_member_key_gives(client, family, admin):
    """Staff and admin keys have no balance of their own to give from."""
    for headers in (family["staff"], admin):
        assert send(client, headers, family["mother"]["id"], "points", 1).status_code == 403


def test_a_retried_gift_is_given_once(client, family, balance):
    """The same Idempotency-Key replays the first answer instead of giving twice."""
    headers = family["daughter_key"] | {"Idempotency-Key": "gift-mother-2026-05-10"}
    body = {"to": family["mother"]["id"], "unit": "points", "amount": 10, "memo": "母亲节"}
    first = client.post("/v1/transfers", json=body, headers=headers)
    again = client.post("/v1/transfers", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert balance(family["mother"]["points_account"])["posted"] == 10
