"""The ledger core through the API: communities, members, adjustments, statements, reversals."""

from datetime import timedelta

import pytest


@pytest.fixture
def qianjiang(make_community):
    return make_community("qianjiang", "潜江社区", time_floor_minutes=-600)


def test_new_community_has_issuance_and_love_bank_accounts_per_unit(qianjiang):
    """Issuance (no floor) and love bank (floor 0) exist for points and minutes."""
    floors = {(a["kind"], a["unit"]): a["floor"] for a in qianjiang["accounts"]}
    assert floors == {
        ("issuance", "points"): None,
        ("issuance", "minutes"): None,
        ("love_bank", "points"): 0,
        ("love_bank", "minutes"): 0,
    }
    assert qianjiang["timezone"] == "Asia/Shanghai"


def test_new_member_has_points_floor_zero_and_minutes_at_the_time_floor(qianjiang, make_member):
    """A resident's points may not go below 0; their minutes may go down to -600."""
    member = make_member("qianjiang", "R-1", "王秀英")
    floors = {a["unit"]: a["floor"] for a in member["accounts"]}
    assert floors == {"points": 0, "minutes": -600}
    assert all(a["posted"] == 0 and a["available"] == 0 for a in member["accounts"])


def test_adjustment_shows_in_balances_statement_and_as_of(
    client, admin, qianjiang, make_member, grant, balance, clock
):
    """100 points from issuance: member 100, issuance -100, statement 100, before it 0."""
    member = make_member("qianjiang")
    before = clock.now() - timedelta(seconds=1)
    entry = grant(qianjiang, member["points_account"], 100)
    assert entry["kind"] == "adjustment" and entry["status"] == "posted"
    assert balance(member["points_account"])["posted"] == 100
    assert balance(qianjiang["account"][("issuance", "points")])["posted"] == -100

    statement = client.get(f"/v1/accounts/{member['points_account']}/statement", headers=admin).json
    assert [(line["entry"], line["amount"], line["balance"]) for line in statement["items"]] == [
        (entry["id"], 100, 100)
    ]
    as_of = client.get(
        f"/v1/accounts/{member['points_account']}/balance",
        query_string={"as_of": before.isoformat()},
        headers=admin,
    ).json
    assert as_of["posted"] == 0
    now = client.get(
        f"/v1/accounts/{member['points_account']}/balance",
        query_string={"as_of": entry["posted_at"]},
        headers=admin,
    ).json
    assert now["posted"] == 100


def test_statement_pages_carry_the_running_balance_across_cursors(
    client, admin, qianjiang, make_member, grant, clock
):
    """Page two starts from the balance page one ended with."""
    member = make_member("qianjiang")
    for amount in (10, 20, 30, 40, 50):
        clock.advance(minutes=1)
        grant(qianjiang, member["points_account"], amount)
    url = f"/v1/accounts/{member['points_account']}/statement"
    first = client.get(url, query_string={"limit": 2}, headers=admin).json
    second = client.get(
        url, query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    ).json
    third = client.get(
        url, query_string={"limit": 2, "cursor": second["next_cursor"]}, headers=admin
    ).json
    balances = [line["balance"] for page in (first, second, third) for line in page["items"]]
    assert balances == [10, 30, 60, 100, 150]
    assert third["next_cursor"] is None


def test_reversal_is_a_new_entry_that_restores_balances_once(
    client, admin, qianjiang, make_member, grant, balance
):
    """The original stays as it was; the reversal undoes it; a second reversal is refused."""
    member = make_member("qianjiang")
    original = grant(qianjiang, member["points_account"], 100)
    response = client.post(
        f"/v1/entries/{original['id']}/reversal",
        json={"reason": "recorded for the wrong resident"},
        headers=admin,
    )
    assert response.status_code == 201, response.json
    reversal = response.json
    assert reversal["id"] != original["id"]
    assert reversal["kind"] == "reversal" and reversal["reverses"] == original["id"]
    assert reversal["postings"] == [
        {
            "from": member["points_account"],
            "to": qianjiang["account"][("issuance", "points")],
            "unit": "points",
            "amount": 100,
        }
    ]
    assert client.get(f"/v1/entries/{original['id']}", headers=admin).json == original
    assert balance(member["points_account"])["posted"] == 0
    assert balance(qianjiang["account"][("issuance", "points")])["posted"] == 0

    again = client.post(
        f"/v1/entries/{original['id']}/reversal", json={"reason": "again"}, headers=admin
    )
    assert again.status_code == 409
    assert again.json["type"] == "/problems/already-reversed"
    of_reversal = client.post(
        f"/v1/entries/{reversal['id']}/reversal", json={"reason": "undo"}, headers=admin
    )
    assert of_reversal.status_code == 409


def test_reversal_that_would_cross_the_floor_is_refused(
    client, admin, qianjiang, make_member, grant, balance
):
    """Points already given on cannot be clawed back below zero by a reversal."""
    alice, bob = make_member("qianjiang"), make_member("qianjiang")
    award = grant(qianjiang, alice["points_account"], 50)
    spend = client.post(
        "/v1/adjustments",
        headers=admin,
        json={
            "postings": [
                {
                    "from": alice["points_account"],
                    "to": bob["points_account"],
                    "unit": "points",
                    "amount": 40,
                }
            ],
            "reason": "gift recorded by staff",
        },
    )
    assert spend.status_code == 201
    response = client.post(
        f"/v1/entries/{award['id']}/reversal", json={"reason": "mistake"}, headers=admin
    )
    assert response.status_code == 422
    assert response.json["balance"] == 10 and response.json["requested"] == 50
    assert balance(alice["points_account"])["posted"] == 10


def test_adjustment_may_carry_several_units_and_postings(
    client, admin, qianjiang, make_member, balance
):
    """One entry can move points and minutes at once; each unit sums to zero."""
    member = make_member("qianjiang")
    response = client.post(
        "/v1/adjustments",
        headers=admin,
        json={
            "postings": [
                {
                    "from": qianjiang["account"][("issuance", "points")],
                    "to": member["points_account"],
                    "unit": "points",
                    "amount": 7,
                },
                {
                    "from": qianjiang["account"][("issuance", "minutes")],
                    "to": member["minutes_account"],
                    "unit": "minutes",
                    "amount": 90,
                },
            ],
            "reason": "paper records from the spring clean-up",
        },
    )
    assert response.status_code == 201, response.json
    assert balance(member["points_account"])["posted"] == 7
    assert balance(member["minutes_account"])["posted"] == 90


def test_member_minutes_may_go_down_to_the_time_floor_and_no_further(
    client, admin, qianjiang, make_member, balance
):
    """A newcomer may owe 600 minutes, not 601."""
    newcomer, helper = make_member("qianjiang"), make_member("qianjiang")

    def pay(amount):
        return client.post(
            "/v1/adjustments",
            headers=admin,
            json={
                "postings": [
                    {
                        "from": newcomer["minutes_account"],
                        "to": helper["minutes_account"],
                        "unit": "minutes",
                        "amount": amount,
                    }
                ],
                "reason": "help received",
            },
        )

    assert pay(600).status_code == 201
    refused = pay(1)
    assert refused.status_code == 422
    assert refused.json["balance"] == -600 and refused.json["floor"] == -600
    assert balance(newcomer["minutes_account"])["posted"] == -600


def test_communities_list_and_members_list_are_keyset_paginated(
    client, admin, make_community, make_member
):
    """Lists walk through every item once, page by page."""
    for slug in ("a-village", "b-village", "c-village"):
        make_community(slug, slug)
    first = client.get("/v1/communities", query_string={"limit": 2}, headers=admin).json
    second = client.get(
        "/v1/communities", query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    ).json
    assert [c["slug"] for c in first["items"] + second["items"]] == [
        "a-village",
        "b-village",
        "c-village",
    ]
    ids = {make_member("a-village")["id"] for _ in range(3)}
    page = client.get(
        "/v1/communities/a-village/members", query_string={"limit": 2}, headers=admin
    ).json
    rest = client.get(
        "/v1/communities/a-village/members",
        query_string={"limit": 2, "cursor": page["next_cursor"]},
        headers=admin,
    ).json
    assert {m["id"] for m in page["items"] + rest["items"]} == ids
