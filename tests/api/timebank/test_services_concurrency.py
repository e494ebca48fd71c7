"""The time bank under concurrent requests (PostgreSQL: real row locks, real parallelism)."""

from collections import Counter

import pytest

from tests.support.concurrently import run_together

pytestmark = pytest.mark.postgres

VOLUNTEERS = 8


def test_two_volunteers_accepting_at_once_one_wins(
    app, make_community, make_member, make_key, balance
):
    """Two volunteers tap 接单 together: one gets the request, the other a 409, one hold."""
    make_community("tianwen", "天问街道", time_floor_minutes=-600)
    elder = make_member("tianwen", display_name="李奶奶")
    volunteers = [make_member("tianwen", display_name=f"志愿者{i}") for i in range(2)]
    keys = [make_key("member", member=v["id"]) for v in volunteers]
    service = app.test_client().post(
        "/v1/services",
        headers=make_key("member", member=elder["id"]),
        json={
            "community": "tianwen",
            "title": "陪聊",
            "category": "companionship",
            "minutes_estimate": 90,
        },
    )
    path = f"/v1/services/{service.json['id']}/accept"

    def accept(index):
        response = app.test_client().post(path, json={}, headers=keys[index])
        return index, response.status_code, response.json

    results = run_together(2, accept)
    assert Counter(status for _, status, _ in results) == {200: 1, 409: 1}
    ((winner, _, won),) = [r for r in results if r[1] == 200]
    ((_, _, lost),) = [r for r in results if r[1] == 409]
    assert won["volunteer"] == volunteers[winner]["id"]
    assert (lost["type"], lost["state"]) == ("/problems/service-state-conflict", "assigned")
    assert balance(elder["minutes_account"])["pending_out"] == 90
    assert [balance(v["minutes_account"])["pending_in"] for v in volunteers].count(90) == 1


def test_many_volunteers_accepting_at_once_place_exactly_one_hold(
    app, make_community, make_member, make_key, balance
):
    """Eight volunteers race for one love-bank request: one hold on the love bank, seven 409s."""
    community = make_community("tianwen", "天问街道", time_floor_minutes=-600)
    staff = make_key("staff", community="tianwen")
    elder = make_member("tianwen", display_name="独居老人")
    volunteers = [make_member("tianwen") for _ in range(VOLUNTEERS)]
    keys = [make_key("member", member=v["id"]) for v in volunteers]
    client = app.test_client()
    client.post(
        "/v1/communities/tianwen/love-bank/grants",
        headers=staff,
        json={"unit": "minutes", "amount": 600, "reason": "试点"},
    )
    service = client.post(
        "/v1/services",
        headers=staff,
        json={
            "community": "tianwen",
            "title": "送饭",
            "category": "errand",
            "minutes_estimate": 60,
            "funded_by": "love_bank",
            "requester": elder["id"],
        },
    )
    path = f"/v1/services/{service.json['id']}/accept"

    results = run_together(
        VOLUNTEERS, lambda i: app.test_client().post(path, json={}, headers=keys[i]).status_code
    )
    assert Counter(results) == {200: 1, 409: VOLUNTEERS - 1}
    love_bank = balance(community["account"][("love_bank", "minutes")])
    assert (love_bank["posted"], love_bank["pending_out"]) == (600, 60)
