"""Points that expire, oldest first, into the love bank: the worked example over HTTP."""

from datetime import date

from tests.api.expiry.conftest import JANUARY


def on(clock, year, month, day):
    clock.set(JANUARY.replace(year=year, month=month, day=day))


def test_expiry_is_off_by_default_and_staff_switch_it(client, supermarket, resident, make_key):
    """A new community never expires points; members read the setting but may not change it."""
    member_key = make_key("member", member=resident(0)["id"])
    shown = client.get("/v1/communities/qianjiang/expiry", headers=member_key)
    assert shown.status_code == 200
    assert shown.json["months"] is None
    refused = client.put("/v1/communities/qianjiang/expiry", json={"months": 6}, headers=member_key)
    assert refused.status_code == 403
    too_few = client.put(
        "/v1/communities/qianjiang/expiry", json={"months": 0}, headers=supermarket.staff
    )
    assert too_few.status_code == 422
    switched = client.put(
        "/v1/communities/qianjiang/expiry", json={"months": 6}, headers=supermarket.staff
    )
    assert (switched.json["months"], switched.json["warning_days"]) == (6, 30)


def test_worked_expiry_oldest_first_into_the_love_bank(
    client, clock, yearly, resident, grant, redeem, balance, expire_sweep
):
    """50 (Jan), 30 (Mar), 20 (May); 60 spent in April; next March 20 expire, once, warned ahead."""
    community = yearly.community
    member = resident(0)
    account = member["points_account"]
    love_bank = community["account"][("love_bank", "points")]
    for month, points in ((1, 50), (3, 30)):
        on(clock, 2026, month, 10)
        grant(community, account, points)
    on(clock, 2026, 4, 10)
    assert redeem(member, points=60).status_code == 201
    on(clock, 2026, 5, 10)
    grant(community, account, 20)

    on(clock, 2027, 1, 11)  # January's 50 were spent in April: nothing of them is left to expire
    assert expire_sweep() == 0
    assert balance(account)["posted"] == 40
    assert balance(account)["expiring"] == []

    on(clock, 2027, 2, 8)  # 30 days ahead of 10 March
    assert balance(account)["expiring"] == [
        {"points": 20, "expires_on": "2027-03-10", "expires_at": "2027-03-10T02:00:00+00:00"}
    ]
    on(clock, 2027, 2, 7)
    assert balance(account)["expiring"] == []

    on(clock, 2027, 3, 11)
    assert expire_sweep() == 1
    assert balance(account)["posted"] == 20
    assert balance(love_bank)["posted"] == 20
    assert expire_sweep() == 0  # a second sweep moves nothing more
    assert balance(love_bank)["posted"] == 20

    on(clock, 2027, 4, 15)
    statement = client.get(f"/v1/accounts/{account}/statement", headers=yearly.staff).json
    assert statement["expiring"] == [
        {"points": 20, "expires_on": "2027-05-10", "expires_at": "2027-05-10T02:00:00+00:00"}
    ]
    assert [line["kind"] for line in statement["items"]][-1] == "expiry"
    assert date.fromisoformat(statement["expiring"][0]["expires_on"]).month == 5


def test_points_held_before_expiry_was_switched_on_start_their_months_then(
    client, clock, supermarket, resident, balance, expire_sweep
):
    """100 points from before: switched on with 1 month, they expire a month after the switch."""
    member = resident(100)
    clock.set(JANUARY)
    client.put("/v1/communities/qianjiang/expiry", json={"months": 1}, headers=supermarket.staff)
    on(clock, 2026, 2, 9)
    assert expire_sweep() == 0
    on(clock, 2026, 2, 10)
    assert expire_sweep() == 1
    assert balance(member["points_account"])["posted"] == 0


def test_a_refund_puts_points_back_into_the_lots_they_came_from(
    client, clock, yearly, resident, grant, redeem, balance, expire_sweep
):
    """A sale of 30 taken from January's lot is refunded in June: they expire next January."""
    community = yearly.community
    member = resident(0)
    grant(community, member["points_account"], 30)
    on(clock, 2026, 6, 1)
    grant(community, member["points_account"], 40)
    sale = redeem(member, points=30).json
    refund = client.post(
        f"/v1/redemptions/{sale['id']}/refund", json={"points": 30}, headers=yearly.shop_key
    )
    assert refund.status_code == 201, refund.json
    on(clock, 2027, 1, 11)
    assert expire_sweep() == 1
    assert balance(member["points_account"])["posted"] == 40


def test_switching_expiry_off_stops_it(client, clock, yearly, resident, grant, expire_sweep):
    """Points earned while it was on do not expire once staff switch it off."""
    grant(yearly.community, resident(0)["points_account"], 10)
    off = client.put(
        "/v1/communities/qianjiang/expiry", json={"months": None}, headers=yearly.staff
    )
    assert off.json["months"] is None
    on(clock, 2027, 2, 1)
    assert expire_sweep() == 0
