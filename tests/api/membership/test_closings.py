"""Closing a member who leaves: one entry to her daughter or the love bank, then closed accounts."""

import pytest


@pytest.fixture
def family(client, make_community, make_member, make_key, grant):
    """张奶奶 with 35 points and 90 minutes, her daughter in the same community, and staff."""
    community = make_community("qianjiang", "潜江社区", time_floor_minutes=-600)
    grandma = make_member("qianjiang", external_ref="R-zhang", display_name="张奶奶")
    daughter = make_member("qianjiang", external_ref="R-zhang-2", display_name="女儿")
    grant(community, grandma["points_account"], 35)
    grant(community, grandma["minutes_account"], 90, "minutes")
    return {
        "community": community,
        "grandma": grandma,
        "daughter": daughter,
        "grandma_key": make_key("member", member=grandma["id"]),
        "staff": make_key("staff", community="qianjiang"),
    }


def close(client, family, to, **headers):
    return client.post(
        f"/v1/members/{family['grandma']['id']}/closing",
        json={"to": to, "reason": "迁出本社区"},
        headers={**family["staff"], **headers},
    )


def test_closing_moves_her_points_and_minutes_to_her_daughter_in_one_entry(client, family, balance):
    """35 points and 90 minutes reach her daughter in one entry; her accounts show closed."""
    closed = close(client, family, family["daughter"]["id"])
    assert closed.status_code == 201, closed.json
    entry = client.get(f"/v1/entries/{closed.json['entry']}", headers=family["staff"]).json
    assert sorted((p["unit"], p["amount"], p["to"]) for p in entry["postings"]) == [
        ("minutes", 90, family["daughter"]["minutes_account"]),
        ("points", 35, family["daughter"]["points_account"]),
    ]
    assert balance(family["daughter"]["points_account"])["posted"] == 35
    assert balance(family["daughter"]["minutes_account"])["posted"] == 90
    for unit in ("points", "minutes"):
        shown = balance(family["grandma"][f"{unit}_account"])
        assert (shown["status"], shown["posted"]) == ("closed", 0)
    statement = client.get(
        f"/v1/accounts/{family['grandma']['points_account']}/statement", headers=family["staff"]
    ).json["items"]
    assert [(line["amount"], line["balance"]) for line in statement] == [(35, 35), (-35, 0)]


def test_a_closed_account_refuses_new_postings(client, family, grant):
    """An adjustment to her closed account is 422 saying the account is closed."""
    close(client, family, family["daughter"]["id"])
    refused = client.post(
        "/v1/adjustments",
        json={
            "postings": [
                {
                    "from": family["community"]["account"][("issuance", "points")],
                    "to": family["grandma"]["points_account"],
                    "unit": "points",
                    "amount": 5,
                }
            ],
            "reason": "补发",
        },
        headers=family["staff"],
    )
    assert refused.status_code == 422
    assert refused.json["type"] == "/problems/account-not-open"
    assert "closed" in refused.json["detail"]
    assert refused.json["account_status"] == "closed"


def test_closing_to_the_love_bank_and_her_key_stops_working(client, family):
    """Her remainder goes to the love bank; her member key is revoked; closing again is 409."""
    closed = close(client, family, "love_bank")
    assert (closed.status_code, closed.json["to_love_bank"]) == (201, True)
    love_bank = client.get("/v1/communities/qianjiang/love-bank", headers=family["staff"]).json
    assert {a["unit"]: a["posted"] for a in love_bank["accounts"]} == {"minutes": 90, "points": 35}
    assert (
        client.get(
            f"/v1/members/{family['grandma']['id']}", headers=family["grandma_key"]
        ).status_code
        == 401
    )
    again = close(client, family, "love_bank")
    assert (again.status_code, again.json["type"]) == (409, "/problems/member-closed")
    shown = client.get(f"/v1/members/{family['grandma']['id']}/closing", headers=family["staff"])
    assert shown.json["entry"] == closed.json["entry"]


def test_the_recipient_must_be_another_open_member_of_her_community(
    client, family, make_community, make_member
):
    """A member of another community is 404, herself 422; nothing is closed."""
    make_community("taohua", "桃花社区")
    stranger = make_member("taohua")
    assert close(client, family, stranger["id"]).status_code == 404
    assert close(client, family, family["grandma"]["id"]).json["type"] == (
        "/problems/cannot-close-to-self"
    )
    shown = client.get(f"/v1/members/{family['grandma']['id']}/closing", headers=family["staff"])
    assert shown.status_code == 404


def test_minutes_owed_are_not_passed_on(client, family):
    """A member below zero minutes is refused with her balance; her accounts stay open."""
    staff = family["staff"]
    debit = client.post(
        "/v1/adjustments",
        json={
            "postings": [
                {
                    "from": family["grandma"]["minutes_account"],
                    "to": family["community"]["account"][("issuance", "minutes")],
                    "unit": "minutes",
                    "amount": 150,
                }
            ],
            "reason": "服务扣除",
        },
        headers=staff,
    )
    assert debit.status_code == 201, debit.json
    refused = close(client, family, family["daughter"]["id"])
    assert (refused.status_code, refused.json["balance"]) == (422, -60)
    assert refused.json["type"] == "/problems/member-owes-minutes"
