"""The time bank of 天问街道: help ordered, dispatched, taken, confirmed and rated, in minutes."""

import pytest

from ledger.timebank import errors as tb
from ledger.timebank import services as timebank
from tests.support.timebank import TIME_FLOOR, figures, serve


# Floors ---------------------------------------------------------------------------------------
def test_a_newcomer_receives_help_down_to_the_time_floor_and_no_further(street, balance):
    """老王 has given nothing yet: 10 hours of repairs go through, the 11th hour is refused."""
    newcomer, volunteer = street.resident("老王"), street.resident("志愿者小张")
    first = street.request(newcomer["key"], 600, title="修水管", category="repair")
    assert first.status_code == 201, first.json
    serve(street, first.json["id"], volunteer, 600, newcomer["key"])
    assert figures(balance(newcomer["minutes_account"])) == (TIME_FLOOR, 0, TIME_FLOOR)

    refused = street.request(newcomer["key"], 30, title="换灯泡", category="repair")
    assert refused.status_code == 422
    assert refused.json["type"] == "/problems/funder-cannot-cover"
    assert (refused.json["can_pay"], refused.json["requested"]) == (0, 30)
    assert figures(balance(newcomer["minutes_account"])) == (TIME_FLOOR, 0, TIME_FLOOR)


def test_the_hold_at_accept_guards_the_floor_across_open_requests(street, balance):
    """Two 400-minute requests each fit a newcomer's floor alone; the second cannot be taken."""
    newcomer, helper_a, helper_b = (street.resident(n) for n in ("新来的", "甲", "乙"))
    ids = [street.request(newcomer["key"], 400).json["id"] for _ in range(2)]
    assert street.step(ids[0], "accept", helper_a["key"]).status_code == 200
    second = street.step(ids[1], "accept", helper_b["key"])
    assert second.status_code == 422
    assert (second.json["type"], second.json["can_pay"]) == ("/problems/funder-cannot-cover", 200)
    shown = street.client.get(f"/v1/services/{ids[1]}", headers=street.staff).json
    assert (shown["state"], shown["volunteer"], shown["entry"]) == ("open", None, None)
    assert figures(balance(newcomer["minutes_account"])) == (0, 400, -400)
    assert balance(helper_b["minutes_account"])["pending_in"] == 0


def test_the_love_bank_never_goes_below_zero(street, balance):
    """With 60 minutes in the love bank, a 90-minute request on it is refused at once."""
    elder = street.resident("孤寡老人")
    street.post(
        f"/v1/communities/{street.slug}/love-bank/grants",
        {"unit": "minutes", "amount": 60, "reason": "试点"},
        street.staff,
    )
    refused = street.request(street.staff, 90, funded_by="love_bank", requester=elder["id"])
    assert refused.status_code == 422
    assert (refused.json["type"], refused.json["can_pay"]) == ("/problems/funder-cannot-cover", 60)
    assert figures(balance(street.love_bank)) == (60, 0, 60)


def test_fewer_minutes_than_estimated_release_the_rest(street, balance):
    """An errand estimated at an hour takes 45 minutes: 45 are posted, nothing stays held."""
    requester, volunteer = street.resident("张阿姨"), street.resident("跑腿的小刘")
    service_id = street.request(requester["key"], 60, title="买菜").json["id"]
    street.step(service_id, "accept", volunteer["key"])
    done = street.step(service_id, "complete", volunteer["key"], {"minutes": 45})
    assert (done.json["minutes_actual"], done.json["state"]) == (45, "completed")
    assert figures(balance(requester["minutes_account"])) == (0, 45, -45)
    street.step(service_id, "confirm", requester["key"])
    assert figures(balance(requester["minutes_account"])) == (-45, 0, -45)
    assert figures(balance(volunteer["minutes_account"])) == (45, 0, 45)


def test_an_overrun_is_posted_within_its_allowance_when_the_funder_covers_it(street, balance):
    """An hour's repair that took 90 minutes (the 50% allowance) posts 90; 91 is refused."""
    requester, volunteer = street.resident("赵大爷"), street.resident("电工老陈")
    service_id = street.request(requester["key"], 60, category="repair").json["id"]
    street.step(service_id, "accept", volunteer["key"])
    too_long = street.step(service_id, "complete", volunteer["key"], {"minutes": 91})
    assert too_long.status_code == 422
    assert too_long.json["type"] == "/problems/service-overrun-too-large"
    assert (too_long.json["max_minutes"], too_long.json["minutes_estimate"]) == (90, 60)
    assert street.step(service_id, "complete", volunteer["key"], {"minutes": 90}).status_code == 200
    street.step(service_id, "confirm", requester["key"])
    assert figures(balance(requester["minutes_account"])) == (-90, 0, -90)
    assert figures(balance(volunteer["minutes_account"])) == (90, 0, 90)
    assert street.statement(volunteer["minutes_account"]) == [("service", 90, 90)]


def test_an_overrun_the_funder_cannot_cover_is_refused_and_the_hold_kept(street, balance):
    """A newcomer's 10-hour request cannot be completed at 11 hours: the floor is reached."""
    newcomer, volunteer = street.resident("新住户"), street.resident("护工")
    service_id = street.request(newcomer["key"], 600, category="elder_care").json["id"]
    street.step(service_id, "accept", volunteer["key"])
    refused = street.step(service_id, "complete", volunteer["key"], {"minutes": 660})
    assert refused.status_code == 422
    assert (refused.json["type"], refused.json["can_pay"]) == ("/problems/funder-cannot-cover", 600)
    assert figures(balance(newcomer["minutes_account"])) == (0, 600, TIME_FLOOR)
    assert (
        street.client.get(f"/v1/services/{service_id}", headers=street.staff).json["state"]
        == "assigned"
    )


# The state machine ----------------------------------------------------------------------------
def test_cancelling_an_accepted_request_releases_the_hold(street, balance):
    """张奶奶 cancels after 小李 took her request: the hold is voided and both accounts are as before."""
    requester, volunteer = street.resident("张奶奶"), street.resident("小李")
    service_id = street.request(requester["key"], 120, category="companionship").json["id"]
    taken = street.step(service_id, "accept", volunteer["key"]).json
    assert figures(balance(requester["minutes_account"])) == (0, 120, -120)
    cancelled = street.step(service_id, "cancel", requester["key"], {"reason": "女儿回来了"})
    assert cancelled.status_code == 200, cancelled.json
    assert (cancelled.json["state"], cancelled.json["cancelled_by"]) == ("cancelled", "requester")
    assert cancelled.json["cancel_reason"] == "女儿回来了"
    assert figures(balance(requester["minutes_account"])) == (0, 0, 0)
    assert balance(volunteer["minutes_account"])["pending_in"] == 0
    hold = street.client.get(f"/v1/entries/{taken['entry']}", headers=street.staff).json
    assert (hold["kind"], hold["status"], hold["cause"]) == ("service", "voided", service_id)
    again = street.step(service_id, "accept", volunteer["key"])
    assert (again.status_code, again.json["state"]) == (409, "cancelled")


def test_a_disputed_completion_is_cancelled_by_staff_and_releases_the_hold(street, balance):
    """After 完成, only staff may cancel (a dispute); the hold goes; after confirming, nobody."""
    requester, volunteer = street.resident("甲"), street.resident("乙")
    service_id = street.request(requester["key"], 30).json["id"]
    street.step(service_id, "accept", volunteer["key"])
    street.step(service_id, "complete", volunteer["key"], {"minutes": 45})
    assert balance(requester["minutes_account"])["pending_out"] == 45
    by_requester = street.step(service_id, "cancel", requester["key"])
    assert by_requester.status_code == 403
    by_staff = street.step(service_id, "cancel", street.staff)
    assert by_staff.status_code == 200, by_staff.json
    assert by_staff.json["state"] == "cancelled"
    assert balance(requester["minutes_account"])["pending_out"] == 0
    assert balance(volunteer["minutes_account"])["posted"] == 0

    served = street.request(requester["key"], 30).json["id"]
    serve(street, served, volunteer, 30, requester["key"])
    refused = street.step(served, "cancel", street.staff)
    assert refused.status_code == 409
    assert refused.json["type"] == "/problems/service-state-conflict"
    assert (refused.json["state"], refused.json["action"]) == ("confirmed", "cancel")
    assert refused.json["allowed_from"] == ["open", "assigned", "completed"]


def test_a_second_rating_is_a_conflict(street):
    """李奶奶 rates once; a second rating is 409 and the first stands."""
    requester, volunteer = street.resident("李奶奶"), street.resident("小美")
    service_id = street.request(requester["key"], 60).json["id"]
    early = street.step(service_id, "rate", requester["key"], {"stars": 5})
    assert (early.status_code, early.json["state"]) == (409, "open")
    serve(street, service_id, volunteer, 60, requester["key"])
    first = street.step(service_id, "rate", requester["key"], {"stars": 4, "comment": "准时"})
    assert first.status_code == 200
    assert first.json["state"] == "rated"
    second = street.step(service_id, "rate", requester["key"], {"stars": 1, "comment": "改主意"})
    assert second.status_code == 409
    assert second.json["type"] == "/problems/service-already-rated"
    assert second.json["state"] == "rated"
    shown = street.client.get(f"/v1/services/{service_id}", headers=requester["key"]).json
    assert (shown["rating"]["stars"], shown["rating"]["comment"]) == (4, "准时")


def test_steps_out_of_order_are_conflicts_naming_the_state(street):
    """Confirming before completion, or taking a request already taken, is a 409."""
    requester, first, second = (street.resident(n) for n in ("王", "先到", "后到"))
    service_id = street.request(requester["key"], 60).json["id"]
    assert street.step(service_id, "accept", first["key"]).status_code == 200
    late = street.step(service_id, "accept", second["key"])
    assert (late.status_code, late.json["state"]) == (409, "assigned")
    early = street.step(service_id, "confirm", requester["key"])
    assert (early.status_code, early.json["state"]) == (409, "assigned")
    dispatched = street.step(service_id, "assign", street.staff, {"volunteer": second["id"]})
    assert (dispatched.status_code, dispatched.json["state"]) == (409, "assigned")


def test_serving_oneself_is_refused(street):
    """A member cannot take their own request, nor can staff dispatch them to it."""
    member = street.resident("自己")
    service_id = street.request(member["key"], 60).json["id"]
    taken = street.step(service_id, "accept", member["key"])
    assert (taken.status_code, taken.json["type"]) == (422, "/problems/cannot-serve-own-request")
    assigned = street.step(service_id, "assign", street.staff, {"volunteer": member["id"]})
    assert assigned.status_code == 422
    assert assigned.json["type"] == "/problems/cannot-serve-own-request"
    assert (
        street.client.get(f"/v1/services/{service_id}", headers=street.staff).json["state"]
        == "open"
    )


def test_the_volunteer_cannot_confirm_the_service_they_performed(street, session, clock):
    """小张 served; confirming it is the requester's or staff's, never his: 403 at the edge, and
    refused by the ledger itself."""
    requester, volunteer = street.resident("requester"), street.resident("小张")
    service_id = street.request(requester["key"], 60).json["id"]
    street.step(service_id, "accept", volunteer["key"])
    street.step(service_id, "complete", volunteer["key"], {"minutes": 60})
    assert street.step(service_id, "confirm", volunteer["key"]).status_code == 403
    with pytest.raises(tb.VolunteerCannotConfirm):
        timebank.confirm(
            session, service_id, actor=timebank.Actor(member_id=volunteer["id"]), now=clock.now()
        )
    session.rollback()
    by_staff = street.step(service_id, "confirm", street.staff)
    assert (by_staff.json["state"], by_staff.json["confirmed_by"]) == ("confirmed", "staff")


def test_staff_dispatch_a_volunteer(street, balance):
    """Staff assign 小李 to an elder's love-bank request (派单); the love bank holds the minutes."""
    elder, volunteer = street.resident("独居老人"), street.resident("小李")
    street.post(
        f"/v1/communities/{street.slug}/love-bank/grants",
        {"unit": "minutes", "amount": 300, "reason": "试点"},
        street.staff,
    )
    service_id = street.request(
        street.staff, 120, funded_by="love_bank", requester=elder["id"]
    ).json["id"]
    assigned = street.step(service_id, "assign", street.staff, {"volunteer": volunteer["id"]})
    assert assigned.status_code == 200, assigned.json
    assert (assigned.json["state"], assigned.json["volunteer"]) == ("assigned", volunteer["id"])
    assert figures(balance(street.love_bank)) == (300, 120, 180)


# Who may do what ------------------------------------------------------------------------------
def test_each_step_is_for_its_own_party(street, make_key, make_community, make_member):
    """Strangers get 404, the wrong party 403, the wrong role 403."""
    requester, volunteer, neighbour = (street.resident(n) for n in ("甲", "乙", "丙"))
    service_id = street.request(requester["key"], 60).json["id"]
    make_community("other", "别的社区")
    outsider = make_member("other")
    outsider_key = make_key("member", member=outsider["id"])
    other_staff = make_key("staff", community="other")
    integrator = make_key("integrator", community=street.slug)

    assert street.client.get(f"/v1/services/{service_id}", headers=outsider_key).status_code == 404
    assert street.step(service_id, "accept", outsider_key).status_code == 404
    assert street.step(service_id, "cancel", other_staff).status_code == 404
    assert street.step(service_id, "cancel", integrator).status_code == 403
    assert street.step(service_id, "accept", street.staff).status_code == 403
    assert (
        street.step(
            service_id, "assign", volunteer["key"], {"volunteer": volunteer["id"]}
        ).status_code
        == 403
    )
    street.step(service_id, "accept", volunteer["key"])
    assert street.step(service_id, "complete", neighbour["key"], {"minutes": 60}).status_code == 403
    assert street.step(service_id, "complete", requester["key"], {"minutes": 60}).status_code == 403
    assert street.step(service_id, "cancel", volunteer["key"]).status_code == 403
    assert street.step(service_id, "cancel", neighbour["key"]).status_code == 403


def test_who_may_open_a_request(street):
    """A member asks for themself from their own credits; staff name a requester; only staff
    draw on the love bank."""
    member, other = street.resident("甲"), street.resident("乙")
    for_other = street.request(member["key"], 60, requester=other["id"])
    assert for_other.status_code == 403
    from_pool = street.request(member["key"], 60, funded_by="love_bank")
    assert from_pool.status_code == 403
    unnamed = street.request(street.staff, 60)
    assert unnamed.status_code == 403
    stranger = street.request(street.staff, 60, requester="mem_NOBODY")
    assert (stranger.status_code, stranger.json["type"]) == (404, "/problems/requester-not-found")
    too_long = street.request(member["key"], 24 * 60 + 1)
    assert too_long.status_code == 422
    assert street.request(member["key"], 60, funded_by="family").status_code == 422


# Lists ----------------------------------------------------------------------------------------
def test_volunteers_page_through_the_open_requests_they_can_take(street):
    """The board shows open requests oldest first, without the volunteer's own, two at a time."""
    asker, volunteer = street.resident("求助者"), street.resident("志愿者")
    own = street.request(volunteer["key"], 30, title="我自己的").json["id"]
    ids = [
        street.request(asker["key"], 30, title=f"第{i}件", category=c).json["id"]
        for i, c in enumerate(("errand", "repair", "errand"))
    ]
    seen, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = street.client.get(
            f"/v1/communities/{street.slug}/services", query_string=query, headers=volunteer["key"]
        ).json
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    repairs = street.client.get(
        f"/v1/communities/{street.slug}/services",
        query_string={"category": "repair"},
        headers=volunteer["key"],
    ).json
    assert [s["id"] for s in repairs["items"]] == [ids[1]]
    staff_view = street.client.get(
        f"/v1/communities/{street.slug}/services", headers=street.staff
    ).json
    assert [s["id"] for s in staff_view["items"]] == [own, *ids]
    closed = street.client.get(
        f"/v1/communities/{street.slug}/services",
        query_string={"state": "rated"},
        headers=volunteer["key"],
    )
    assert closed.status_code == 403


def test_a_member_lists_their_requests_and_the_services_they_gave(street):
    """Newest first: what 甲 asked for, and what 乙 took, page by page."""
    asker, volunteer = street.resident("甲"), street.resident("乙")
    ids = [street.request(asker["key"], 30, title=f"第{i}件").json["id"] for i in range(3)]
    street.step(ids[0], "accept", volunteer["key"])
    street.step(ids[2], "accept", volunteer["key"])
    path = f"/v1/members/{asker['id']}/services"
    first = street.client.get(path, query_string={"limit": 2}, headers=asker["key"]).json
    rest = street.client.get(
        path, query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=asker["key"]
    ).json
    assert [s["id"] for s in first["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None
    taken = street.client.get(
        f"/v1/members/{volunteer['id']}/services",
        query_string={"as": "volunteer"},
        headers=street.staff,
    ).json
    assert [s["id"] for s in taken["items"]] == [ids[2], ids[0]]
    assert street.client.get(path, headers=volunteer["key"]).status_code == 404


def test_a_member_sees_open_requests_and_their_own_services_only(street):
    """A neighbour sees the open board, but not how someone else's service went."""
    requester, volunteer = street.resident("甲"), street.resident("乙")
    neighbour = street.resident("丙")
    service_id = street.request(requester["key"], 30).json["id"]
    url = f"/v1/services/{service_id}"
    assert street.client.get(url, headers=neighbour["key"]).status_code == 200  # open
    serve(street, service_id, volunteer, 30, requester["key"])
    assert street.client.get(url, headers=neighbour["key"]).status_code == 404
    assert street.client.get(url, headers=requester["key"]).status_code == 200
    assert street.client.get(url, headers=volunteer["key"]).status_code == 200
    assert street.client.get(url, headers=street.staff).status_code == 200


def test_a_request_with_a_blank_title_or_category_is_refused(street):
    """Spaces are not a title: the board would show an empty card."""
    requester = street.resident("甲")
    for title, category in (("   ", "errand"), ("帮忙", "  ")):
        refused = street.request(requester["key"], 30, title=title, category=category)
        assert refused.status_code == 422, refused.json
        assert refused.mimetype == "application/problem+json"
