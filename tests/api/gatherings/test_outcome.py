"""A gathering's outcome over the API: decisions, publication, the notice, objection, sweep."""

from datetime import timedelta

from tests.support.gatherings import ENDS_AT, NOTICE_DAYS, sweep

DECISIONS = [
    {"topic": "楼道堆物清理", "decision": "本周六统一清理", "carried_by": "楼长李建国"},
    {"topic": "健身器材维修", "decision": "报物业维修", "carried_by": "物业王经理"},
]


def _signed_in(client, evening, count):
    for member in evening["residents"][:count]:
        response = client.post(
            f"/v1/gatherings/{evening['gathering']['id']}/attendance",
            json={"member_ref": member["external_ref"]},
            headers=evening["organizer_key"],
        )
        assert response.status_code == 201, response.json
    return [m["id"] for m in evening["residents"][:count]]


def _publish(client, clock, evening):
    gathering = evening["gathering"]["id"]
    clock.set(ENDS_AT + timedelta(minutes=30))
    decided = client.put(
        f"/v1/gatherings/{gathering}/decisions",
        json={"decisions": DECISIONS},
        headers=evening["staff"],
    )
    assert decided.status_code == 200, decided.json
    published = client.post(f"/v1/gatherings/{gathering}/publication", headers=evening["staff"])
    assert published.status_code == 200, published.json
    return gathering


def test_the_notice_lists_attendees_decisions_and_deadline_and_an_objection_updates_it(
    client, clock, evening
):
    """Three attendees by surname, 15 points under notice; objecting to one leaves 10."""
    _signed_in(client, evening, 3)
    gathering = _publish(client, clock, evening)
    notice = client.get(f"/v1/gatherings/{gathering}/notice", headers=evening["staff"]).json
    assert [a["name"] for a in notice["attendees"]] == ["王某"] * 3
    assert (notice["attendee_count"], notice["points_under_notice"]) == (3, 15)
    assert [t["decision"] for t in notice["gathering"]["topics"]] == [
        "本周六统一清理",
        "报物业维修",
    ]
    assert notice["objection_deadline"] is not None
    attendance = client.get(f"/v1/gatherings/{gathering}/attendance", headers=evening["staff"]).json
    event = attendance["items"][0]["event"]
    objected = client.post(
        f"/v1/events/{event}/objection", json={"reason": "未到场"}, headers=evening["staff"]
    )
    assert objected.status_code == 200
    updated = client.get(f"/v1/gatherings/{gathering}/notice", headers=evening["staff"]).json
    assert updated["points_under_notice"] == 10
    assert [a["status"] for a in updated["attendees"]] == ["voided", "pending", "pending"]


def test_count_only_shows_how_many_and_no_names(client, clock, evening):
    """Under the count-only setting the notice has the count and an empty list."""
    set_to = client.put(
        "/v1/communities/qianjiang/gathering-settings",
        json={"attendee_names": "count"},
        headers=evening["staff"],
    )
    assert set_to.json == {"attendee_names": "count"}
    _signed_in(client, evening, 2)
    gathering = _publish(client, clock, evening)
    notice = client.get(f"/v1/gatherings/{gathering}/notice", headers=evening["staff"]).json
    assert (notice["attendee_count"], notice["attendees"]) == (2, [])


def test_an_unpublished_notice_is_not_there_and_decisions_wait_for_the_end(client, evening):
    """Before publication the notice is 404; deciding before the end is 409."""
    gathering = evening["gathering"]["id"]
    assert (
        client.get(f"/v1/gatherings/{gathering}/notice", headers=evening["staff"]).status_code
        == 404
    )
    early = client.put(
        f"/v1/gatherings/{gathering}/decisions",
        json={"decisions": DECISIONS},
        headers=evening["staff"],
    )
    assert (early.status_code, early.json["type"].split("/")[-1]) == (409, "gathering-not-over")


def test_after_the_notice_the_sweep_vests_and_the_report_counts(
    app, client, clock, evening, balance
):
    """Day three: the sweep posts 5 points each; November counts one meeting, 2 sign-ins, 1 done."""
    members = _signed_in(client, evening, 2)
    gathering = _publish(client, clock, evening)
    feedback = client.post(
        f"/v1/gatherings/{gathering}/topics/1/feedback",
        json={"feedback": "已清理完毕", "carried_out": True},
        headers=evening["staff"],
    )
    assert feedback.json["carried_out"] is True
    clock.set(clock.now() + timedelta(days=NOTICE_DAYS))
    assert sweep(app, clock) == 2
    account = next(r["points_account"] for r in evening["residents"] if r["id"] == members[0])
    assert balance(account)["posted"] == 5
    report = client.get(
        "/v1/communities/qianjiang/gatherings/report",
        query_string={"since": "2026-11-01T00:00:00+08:00", "until": "2026-12-01T00:00:00+08:00"},
        headers=evening["staff"],
    )
    assert report.json["months"] == [
        {
            "month": "2026-11",
            "gatherings": 1,
            "meetings": 1,
            "attendance": 2,
            "decisions": 2,
            "decisions_carried_out": 1,
        }
    ]
