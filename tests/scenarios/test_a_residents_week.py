"""A resident's week of meetings, clean-ups and volunteering, as the caps judge each award."""

from tests.support.earning import local, report, set_rule


def test_worked_example_of_a_residents_week(client, town, balance):
    """Three meetings in a day, four clean-ups in a week and 90 minutes of volunteering earn
    10 + 30 + 12 points, and every refused award says which cap stopped it."""
    set_rule(
        client, town, "deliberation.attend", points=5, caps=[{"period": "day", "max_count": 2}]
    )
    set_rule(client, town, "cleanup.join", points=10, caps=[{"period": "week", "max_points": 30}])
    set_rule(client, town, "volunteer.hour", points=8, per="hour")

    meetings = [
        report(client, town, "deliberation.attend", local(18, hour), f"meet-{hour}")
        for hour in (9, 14, 19)
    ]
    assert [m.status_code for m in meetings] == [201, 201, 201]
    assert [m.json["points_awarded"] for m in meetings] == [5, 5, 0]
    third = meetings[2].json
    assert third["status"] == "refused"
    assert third["limited_by"] == {"period": "day", "limit": "max_count", "max": 2, "used": 2}
    assert "day cap reached" in third["reason"]
    assert third["caps"][0]["count_remaining"] == 0
    assert meetings[1].json["caps"][0]["count_remaining"] == 0
    assert meetings[0].json["caps"][0]["count_remaining"] == 1

    cleanups = [
        report(client, town, "cleanup.join", local(day, 8), f"clean-{day}")
        for day in (16, 17, 18, 19)
    ]
    assert [c.json["points_awarded"] for c in cleanups] == [10, 10, 10, 0]
    assert cleanups[2].json["caps"][0]["points_remaining"] == 0
    assert cleanups[3].json["limited_by"]["limit"] == "max_points"
    assert cleanups[3].json["outcome"] == "refused"

    volunteering = report(client, town, "volunteer.hour", local(19, 15), "vol-1", quantity=90)
    assert volunteering.json["points_due"] == 12
    assert volunteering.json["points_awarded"] == 12
    assert volunteering.json["outcome"] == "full"

    account = balance(town["resident"]["points_account"])
    assert (account["posted"], account["available"]) == (52, 52)
    statement = client.get(
        f"/v1/accounts/{town['resident']['points_account']}/statement", headers=town["staff"]
    ).json
    assert [line["amount"] for line in statement["items"]] == [5, 5, 10, 10, 10, 12]
    assert statement["items"][-1]["balance"] == 52
    assert {line["kind"] for line in statement["items"]} == {"award"}
