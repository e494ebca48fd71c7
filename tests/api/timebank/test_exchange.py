"""Exchanging points for time credits (兑换服务时长) over HTTP: settings, the worked example, refusals."""

import pytest

RATE = {"enabled": True, "rate_points": 10, "rate_minutes": 60, "monthly_cap_minutes": 600}


@pytest.fixture
def street(client, make_community, make_member, make_key, grant):
    """天问街道 exchanging 10 points for 60 minutes, at most 600 a month; 王 has 120 points."""
    community = make_community("tianwen", "天问街道")
    wang = make_member("tianwen", display_name="王秀英")
    grant(community, wang["points_account"], 120, "points")
    staff = make_key("staff", community="tianwen")
    response = client.put("/v1/communities/tianwen/exchange", json=RATE, headers=staff)
    assert response.status_code == 200, response.json
    return {
        "community": community,
        "wang": wang,
        "wang_key": make_key("member", member=wang["id"]),
        "staff": staff,
    }


def exchange(client, headers, points, key=None, **body):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/v1/exchanges", json={"points": points, **body}, headers={**headers, **extra}
    )


def test_the_exchange_is_off_until_staff_switch_it_on(
    client, make_community, make_member, make_key
):
    """A community that set nothing answers enabled false, and an exchange is refused."""
    make_community("quiet", "安静社区")
    member = make_member("quiet")
    key = make_key("member", member=member["id"])
    assert client.get("/v1/communities/quiet/exchange", headers=key).json["enabled"] is False
    response = exchange(client, key, 10)
    assert response.status_code == 422
    assert response.json["type"] == "/problems/exchange-off"


def test_worked_exchange_100_points_for_600_minutes_then_the_cap(client, street, balance):
    """120 points: 100 buy 600 minutes; 10 more are refused with the cap; a replay changes nothing."""
    community = street["community"]
    issuance_points = balance(community["account"][("issuance", "points")])["posted"]
    issuance_minutes = balance(community["account"][("issuance", "minutes")])["posted"]

    first = exchange(client, street["wang_key"], 100, key="swap-1")
    assert first.status_code == 201, first.json
    assert (first.json["points"], first.json["minutes"]) == (100, 600)
    assert (first.json["used_minutes"], first.json["remaining_minutes"]) == (600, 0)

    refused = exchange(client, street["wang_key"], 10)
    assert refused.status_code == 422
    assert refused.json["type"] == "/problems/exchange-cap-reached"
    assert (refused.json["cap_minutes"], refused.json["used_minutes"]) == (600, 600)
    assert refused.json["requested_minutes"] == 60

    replay = exchange(client, street["wang_key"], 100, key="swap-1")
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == first.json

    assert balance(street["wang"]["points_account"])["posted"] == 20
    assert balance(street["wang"]["minutes_account"])["posted"] == 600
    # Points went back to issuance and minutes came out of it, once.
    assert balance(community["account"][("issuance", "points")])["posted"] == issuance_points + 100
    assert (
        balance(community["account"][("issuance", "minutes")])["posted"] == issuance_minutes - 600
    )
    for unit in ("points", "minutes"):
        assert balance(community["account"][("love_bank", unit)])["posted"] == 0


def test_an_exchange_above_the_balance_is_refused_with_the_balance(
    client, street, make_member, make_key, grant, balance
):
    """60 points asked of a neighbour with 50: refused with the balance, and nothing moves."""
    li = make_member("tianwen", display_name="李")
    grant(street["community"], li["points_account"], 50, "points")
    response = exchange(client, make_key("member", member=li["id"]), 60)
    assert response.status_code == 422
    assert response.json["type"] == "/problems/insufficient-balance"
    assert (response.json["balance"], response.json["requested"]) == (50, 60)
    assert balance(li["minutes_account"])["posted"] == 0


def test_points_are_exchanged_in_whole_steps_of_the_rate(client, street):
    """15 points is not a whole number of 10-point steps: refused with the rate."""
    response = exchange(client, street["wang_key"], 15)
    assert response.status_code == 422
    assert response.json["type"] == "/problems/exchange-not-whole-steps"
    assert (response.json["rate_points"], response.json["rate_minutes"]) == (10, 60)


def test_a_reversed_exchange_no_longer_counts_against_the_cap(client, street):
    """Staff reverse an exchange; the member may exchange again that month."""
    first = exchange(client, street["wang_key"], 100)
    reversed_ = client.post(
        f"/v1/entries/{first.json['entry']}/reversal",
        json={"reason": "按错了"},
        headers=street["staff"],
    )
    assert reversed_.status_code == 201, reversed_.json
    again = exchange(client, street["wang_key"], 50)
    assert again.status_code == 201, again.json
    assert again.json["used_minutes"] == 300


def test_the_cap_starts_again_each_month(client, street, grant, clock):
    """A full cap in one month leaves the next month's whole."""
    clock.set(clock.now().replace(day=15))
    assert exchange(client, street["wang_key"], 100).status_code == 201
    clock.advance(days=31)
    grant(street["community"], street["wang"]["points_account"], 100, "points")
    response = exchange(client, street["wang_key"], 100)
    assert response.status_code == 201, response.json
    assert response.json["used_minutes"] == 600


def test_staff_exchange_for_a_member_and_members_only_for_themselves(
    client, street, make_member, make_key
):
    """Staff name the member; another member's key may not exchange 王's points."""
    assert exchange(client, street["staff"], 10, member=street["wang"]["id"]).status_code == 201
    assert exchange(client, street["staff"], 10).status_code == 422
    neighbour = make_member("tianwen")
    key = make_key("member", member=neighbour["id"])
    assert exchange(client, key, 10, member=street["wang"]["id"]).status_code == 403


def test_settings_are_staff_only_and_checked(client, street):
    """A member may read the rate but not set it; a rate of zero points is refused."""
    assert client.get("/v1/communities/tianwen/exchange", headers=street["wang_key"]).json == {
        **RATE,
        "community": "tianwen",
        "updated_at": client.get("/v1/communities/tianwen/exchange", headers=street["staff"]).json[
            "updated_at"
        ],
    }
    put = client.put("/v1/communities/tianwen/exchange", json=RATE, headers=street["wang_key"])
    assert put.status_code == 403
    bad = client.put(
        "/v1/communities/tianwen/exchange", json={**RATE, "rate_points": 0}, headers=street["staff"]
    )
    assert bad.status_code == 422
