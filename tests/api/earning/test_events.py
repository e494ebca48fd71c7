"""Earn events: caps, replays, the reach of each key, and what each award says about itself."""

from datetime import timedelta

from tests.support.earning import FRIDAY_EVENING, local, report, set_rule


def test_a_cap_with_some_room_left_awards_part_and_says_so(client, town, balance):
    """A clean-up worth 10 with 25 points of weekly room gives 10, 10, then 5 of 10."""
    set_rule(
        client,
        town,
        "cleanup.join",
        points=10,
        caps=[{"period": "week", "max_points": 25, "max_count": 5}],
    )
    answers = [
        report(client, town, "cleanup.join", local(day, 8), f"c-{day}").json for day in (16, 17, 18)
    ]
    assert [a["points_awarded"] for a in answers] == [10, 10, 5]
    partial = answers[2]
    assert partial["outcome"] == "partial" and partial["status"] == "awarded"
    assert partial["limited_by"] == {"period": "week", "limit": "max_points", "max": 25, "used": 20}
    assert partial["caps"][0]["points_remaining"] == 0
    assert partial["caps"][0]["count_remaining"] == 2
    entry = client.get(f"/v1/entries/{partial['entry']}", headers=town["staff"]).json
    assert entry["kind"] == "award" and entry["cause"] == partial["id"]
    assert "capped" in entry["memo"]
    assert balance(town["resident"]["points_account"])["available"] == 25


def test_day_caps_follow_the_communitys_time_zone(client, town):
    """Meetings at 23:30 and 00:30 Shanghai time fall on two days, so both earn."""
    set_rule(
        client, town, "deliberation.attend", points=5, caps=[{"period": "day", "max_count": 1}]
    )
    late = report(client, town, "deliberation.attend", local(17, 23, 30), "late").json
    early = report(client, town, "deliberation.attend", local(18, 0, 30), "early").json
    assert (late["points_awarded"], early["points_awarded"]) == (5, 5)
    # In UTC both are on the 17th: a cap counted in UTC would have refused the second.
    assert late["caps"][0]["period_start"] == "2026-11-16T16:00:00+00:00"
    assert early["caps"][0]["period_start"] == "2026-11-17T16:00:00+00:00"
    again = report(client, town, "deliberation.attend", local(18, 9), "morning").json
    assert again["status"] == "refused"


def test_month_and_year_caps_count_in_their_calendar_periods(client, town):
    """A monthly cap of 2 refuses the third in November but not the first in December."""
    set_rule(
        client,
        town,
        "proposal.adopted",
        points=20,
        caps=[{"period": "month", "max_count": 2}, {"period": "year", "max_points": 100}],
    )
    first = report(client, town, "proposal.adopted", local(2, 10), "p1").json
    second = report(client, town, "proposal.adopted", local(10, 10), "p2").json
    third = report(client, town, "proposal.adopted", local(19, 10), "p3").json
    assert [e["points_awarded"] for e in (first, second, third)] == [20, 20, 0]
    year = next(c for c in third["caps"] if c["period"] == "year")
    assert year["points_used"] == 40 and year["points_remaining"] == 60
    month = next(c for c in third["caps"] if c["period"] == "month")
    assert month["period_start"] == "2026-10-31T16:00:00+00:00"
    assert month["period_end"] == "2026-11-30T16:00:00+00:00"


def test_replaying_a_source_id_returns_the_first_answer(client, town, balance):
    """A sign-in app that posts the same meeting twice gets the first event back, once paid."""
    set_rule(client, town, "deliberation.attend", points=5)
    first = report(client, town, "deliberation.attend", local(18, 9), "sheet-7")
    again = report(client, town, "deliberation.attend", local(18, 9), "sheet-7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"] and again.json["replayed"] is True
    assert again.json["entry"] == first.json["entry"]
    assert balance(town["resident"]["points_account"])["available"] == 5


def test_a_source_id_reused_for_another_event_is_a_conflict(client, town):
    """The same source_id for a different time is not a replay: 409, nothing awarded."""
    set_rule(client, town, "deliberation.attend", points=5)
    report(client, town, "deliberation.attend", local(18, 9), "sheet-7")
    clash = report(client, town, "deliberation.attend", local(18, 10), "sheet-7")
    assert clash.status_code == 409
    assert clash.json["type"] == "/problems/source-id-reused"


def test_a_resident_cannot_record_their_own_award(client, town):
    """recorded_by naming the member (by id or by reference) is refused."""
    set_rule(client, town, "deliberation.attend", points=5)
    for recorder in (town["resident"]["id"], "R-017"):
        response = report(
            client, town, "deliberation.attend", local(18, 9), f"s-{recorder}", recorded_by=recorder
        )
        assert response.status_code == 422
        assert response.json["type"] == "/problems/recorded-by-self"


def test_events_from_the_future_or_too_long_ago_are_refused(client, town):
    """An event an hour ahead, or 40 days old, is a 422 that names the window."""
    set_rule(client, town, "deliberation.attend", points=5)
    ahead = report(client, town, "deliberation.attend", FRIDAY_EVENING + timedelta(hours=1), "a")
    assert ahead.status_code == 422 and ahead.json["type"] == "/problems/occurred-in-future"
    old = report(client, town, "deliberation.attend", FRIDAY_EVENING - timedelta(days=40), "b")
    assert old.status_code == 422 and old.json["type"] == "/problems/occurred-too-long-ago"
    assert old.json["backdating_days"] == 31


def test_unknown_community_activity_or_member_is_a_problem(client, town, make_member):
    """Each unknown name is a 4xx problem, and nothing is recorded."""
    set_rule(client, town, "deliberation.attend", points=5)
    unknown_community = report(
        client, town, "deliberation.attend", local(18, 9), "x1", community="nowhere"
    )
    assert unknown_community.status_code == 404
    unknown_activity = report(client, town, "karaoke.sing", local(18, 9), "x2")
    assert unknown_activity.status_code == 404
    assert unknown_activity.json["type"] == "/problems/rule-not-found"
    unknown_member = report(
        client, town, "deliberation.attend", local(18, 9), "x3", member="mem_nobody"
    )
    assert unknown_member.status_code == 404
    by_ref = report(
        client, town, "deliberation.attend", local(18, 9), "x4", member=None, member_ref="R-404"
    )
    assert by_ref.status_code == 422  # member: null is not a valid id
    body = {
        "community": "qianjiang",
        "activity": "deliberation.attend",
        "member_ref": "R-017",
        "occurred_at": local(18, 9).isoformat(),
        "source_id": "x5",
        "recorded_by": "R-001",
    }
    assert client.post("/v1/events", json=body, headers=town["app"]).status_code == 201


def test_quantity_follows_the_rule(client, town):
    """A per-hour rule needs minutes; a per-event rule takes none (or 1)."""
    set_rule(client, town, "volunteer.hour", points=8, per="hour")
    set_rule(client, town, "cleanup.join", points=10)
    missing = report(client, town, "volunteer.hour", local(18, 9), "v1")
    assert missing.json["type"] == "/problems/quantity-required"
    many = report(client, town, "cleanup.join", local(18, 9), "c1", quantity=3)
    assert many.json["type"] == "/problems/quantity-not-allowed"
    short = report(client, town, "volunteer.hour", local(18, 9), "v2", quantity=5).json
    assert (short["points_due"], short["status"]) == (0, "refused")
    assert "less than one point" in short["reason"]


def test_integrators_post_and_read_only_within_their_own_reach(
    client, town, make_community, make_member, make_key
):
    """Another community's key gets 404 posting here; another app's event answers 404."""
    set_rule(client, town, "deliberation.attend", points=5)
    make_community("xinhua", "新华社区")
    outsider = make_key("integrator", community="xinhua")
    refused = report(client, town, "deliberation.attend", local(18, 9), "o1", headers=outsider)
    assert refused.status_code == 404
    assert refused.json["type"] == "/problems/community-not-found"
    event = report(client, town, "deliberation.attend", local(18, 9), "o2").json
    other_app = make_key("integrator", community="qianjiang")
    assert client.get(f"/v1/events/{event['id']}", headers=other_app).status_code == 404
    assert client.get(f"/v1/events/{event['id']}", headers=outsider).status_code == 404
    assert client.get("/v1/events/evt_missing", headers=other_app).status_code == 404
    assert client.get(f"/v1/events/{event['id']}", headers=town["app"]).status_code == 200
    assert client.get(f"/v1/events/{event['id']}", headers=town["staff"]).status_code == 200
    resident = make_key("member", member=town["resident"]["id"])
    assert client.get(f"/v1/events/{event['id']}", headers=resident).status_code == 200
    # The same source_id from another app is that app's own event, not a replay.
    theirs = report(client, town, "deliberation.attend", local(18, 10), "o2", headers=other_app)
    assert theirs.status_code == 201 and theirs.json["id"] != event["id"]
    mine = client.get("/v1/communities/qianjiang/events", headers=other_app).json["items"]
    assert [e["id"] for e in mine] == [theirs.json["id"]]
    staff = make_key("staff", community="qianjiang")
    listed = client.get("/v1/communities/qianjiang/events", headers=staff).json["items"]
    assert len(listed) == 2
    assert client.post("/v1/events", headers=staff, json={}).status_code == 403


def test_reversing_a_mistaken_award_frees_its_cap_room(client, town, balance):
    """Staff reverse a meeting award booked to the wrong resident: the event shows voided, the
    points are gone and the day's room is back for a real meeting."""
    set_rule(
        client, town, "deliberation.attend", points=5, caps=[{"period": "day", "max_count": 1}]
    )
    wrong = report(client, town, "deliberation.attend", local(18, 9), "meet-wrong").json
    reversal = client.post(
        f"/v1/entries/{wrong['entry']}/reversal",
        json={"reason": "signed in for the wrong resident"},
        headers=town["staff"],
    )
    assert reversal.status_code == 201, reversal.json
    shown = client.get(f"/v1/events/{wrong['id']}", headers=town["staff"]).json
    assert shown["status"] == "voided"
    assert balance(town["resident"]["points_account"])["posted"] == 0
    real = report(client, town, "deliberation.attend", local(18, 19), "meet-real").json
    assert real["points_awarded"] == 5


def test_a_source_id_reused_for_another_community_is_a_conflict_not_a_replay(
    client, town, make_community, make_member, make_key
):
    """An app serving two communities that reuses a source_id is told 409, not handed back the
    first community's event as if it were this one."""
    make_community("xinhua", "新华社区")
    neighbour = make_member("xinhua", "R-017", "王秀英")
    set_rule(client, town, "deliberation.attend", points=5)
    both = make_key("integrator", community=["qianjiang", "xinhua"])
    first = report(client, town, "deliberation.attend", local(18, 9), "tablet/1", headers=both)
    assert first.status_code == 201
    again = client.post(
        "/v1/events",
        json={
            "community": "xinhua",
            "activity": "deliberation.attend",
            "member_ref": neighbour["external_ref"],
            "occurred_at": local(18, 9).isoformat(),
            "source_id": "tablet/1",
            "recorded_by": "R-001",
        },
        headers=both,
    )
    assert again.status_code == 409, again.json
    assert again.json["type"] == "/problems/source-id-reused"
