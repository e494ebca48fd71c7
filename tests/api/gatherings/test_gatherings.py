"""Gatherings over the API: schedule, roll call, one award each, the organizer and the window."""

from datetime import timedelta

from tests.support.gatherings import ENDS_AT, STARTS_AT


def tick(client, evening, member, headers=None):
    gathering = evening["gathering"]["id"]
    return client.post(
        f"/v1/gatherings/{gathering}/attendance",
        json={"member": member["id"]},
        headers=headers or evening["organizer_key"],
    )


def test_a_scheduled_gathering_is_read_by_the_community(client, evening, make_key, make_community):
    """The evening is listed with its topics; a resident's key reads it, another community's not."""
    gathering = evening["gathering"]
    assert [t["title"] for t in gathering["topics"]] == ["楼道堆物清理", "健身器材维修"]
    resident_key = make_key("member", community="qianjiang", member=evening["residents"][0]["id"])
    listed = client.get("/v1/communities/qianjiang/gatherings", headers=resident_key)
    assert [g["id"] for g in listed.json["items"]] == [gathering["id"]]
    make_community("taohua", name="桃花社区")
    outsider = make_key("staff", community="taohua")
    assert client.get(f"/v1/gatherings/{gathering['id']}", headers=outsider).status_code == 404


def test_a_gathering_needs_its_rule_and_ordered_times(client, evening):
    """No rule for the activity is 404 rule-not-found; an end before the start is 422."""
    body = {
        "title": "清洁行动",
        "kind": "action",
        "activity": "cleanup.join",
        "place": "小区",
        "starts_at": STARTS_AT.isoformat(),
        "ends_at": ENDS_AT.isoformat(),
        "organizer_name": "张敏",
    }
    missing = client.post(
        "/v1/communities/qianjiang/gatherings", json=body, headers=evening["staff"]
    )
    assert missing.json["type"].endswith("/rule-not-found")
    backwards = {**body, "activity": "deliberation.attend", "ends_at": STARTS_AT.isoformat()}
    refused = client.post(
        "/v1/communities/qianjiang/gatherings", json=backwards, headers=evening["staff"]
    )
    assert (refused.status_code, refused.json["type"].split("/")[-1]) == (
        422,
        "gathering-times-invalid",
    )


def test_the_organizer_ticks_the_roll_call_once_per_member(client, evening):
    """Five ticks make five pending 5-point awards; ticking one again answers 200 already."""
    for member in evening["residents"][:5]:
        answer = tick(client, evening, member)
        assert answer.status_code == 201, answer.json
        assert (answer.json["status"], answer.json["points_awarded"]) == ("pending", 5)
        assert answer.json["ticked_by"] == evening["organizer"]["id"]
    again = tick(client, evening, evening["residents"][0])
    assert (again.status_code, again.json["already_signed_in"]) == (200, True)
    listed = client.get(
        f"/v1/gatherings/{evening['gathering']['id']}/attendance", headers=evening["staff"]
    )
    assert len(listed.json["items"]) == 5
    assert {a["method"] for a in listed.json["items"]} == {"roll_call"}


def test_the_organizer_earns_nothing_and_others_may_not_tick(client, evening, make_key):
    """Her own tick is refused as recorded-by-self; a resident's key may not tick at all."""
    own = tick(client, evening, evening["organizer"])
    assert (own.status_code, own.json["type"].split("/")[-1]) == (422, "recorded-by-self")
    resident = evening["residents"][0]
    resident_key = make_key("member", community="qianjiang", member=resident["id"])
    assert tick(client, evening, evening["residents"][1], resident_key).status_code == 403
    staff_tick = tick(client, evening, resident, evening["staff"])
    assert staff_tick.status_code == 201
    assert staff_tick.json["ticked_by"].startswith("key:")


def test_a_tick_outside_the_window_is_refused_with_the_times(client, clock, evening):
    """Two hours after the end the roll call is closed, and the answer says when it was open."""
    clock.set(ENDS_AT + timedelta(hours=2))
    late = tick(client, evening, evening["residents"][0])
    assert (late.status_code, late.json["type"].split("/")[-1]) == (422, "outside-signin-window")
    assert late.json["opens_at"] < late.json["closes_at"] < late.json["now"]


def test_the_privacy_setting_is_read_by_the_community_and_checked_for_shape(
    client, evening, make_key
):
    """A resident reads the setting (surname by default); an unknown value is 422."""
    resident_key = make_key("member", community="qianjiang", member=evening["residents"][0]["id"])
    read = client.get("/v1/communities/qianjiang/gathering-settings", headers=resident_key)
    assert read.json == {"attendee_names": "surname"}
    refused = client.put(
        "/v1/communities/qianjiang/gathering-settings",
        json={"attendee_names": "everyone"},
        headers=evening["staff"],
    )
    assert refused.status_code == 422
    forbidden = client.put(
        "/v1/communities/qianjiang/gathering-settings",
        json={"attendee_names": "full"},
        headers=resident_key,
    )
    assert forbidden.status_code == 403
