"""Earning rules: versions, validity windows and the shape a rule must have."""

from tests.support.earning import FRIDAY_EVENING, local, report, set_rule


def test_a_changed_rule_judges_only_what_occurs_after_the_change(client, town, clock):
    """Meetings before Wednesday's change earn 5; after it, 8; the history shows both."""
    clock.set(local(16, 12))
    set_rule(client, town, "deliberation.attend", points=5)
    clock.set(local(18, 12))
    rule = set_rule(client, town, "deliberation.attend", points=8)
    assert [v["version"] for v in rule["versions"]] == [2, 1]
    clock.set(FRIDAY_EVENING)
    before = report(client, town, "deliberation.attend", local(17, 9), "m1").json
    after = report(client, town, "deliberation.attend", local(19, 9), "m2").json
    assert (before["points_awarded"], before["rule"]["version"]) == (5, 1)
    assert (after["points_awarded"], after["rule"]["version"]) == (8, 2)
    shown = client.get(
        "/v1/communities/qianjiang/rules/deliberation.attend", headers=town["app"]
    ).json
    assert shown["current"]["points"] == 8 and len(shown["versions"]) == 2
    listed = client.get("/v1/communities/qianjiang/rules", headers=town["staff"]).json
    assert [r["activity"] for r in listed["items"]] == ["deliberation.attend"]
    assert listed["items"][0]["current"]["version"] == 2


def test_putting_the_same_rule_twice_keeps_one_version(client, town):
    """PUT is idempotent: the same body answers 200 and writes no new version."""
    body = {"points": 5, "caps": [{"period": "day", "max_count": 2}]}
    first = client.put(
        "/v1/communities/qianjiang/rules/deliberation.attend", json=body, headers=town["staff"]
    )
    again = client.put(
        "/v1/communities/qianjiang/rules/deliberation.attend", json=body, headers=town["staff"]
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert len(again.json["versions"]) == 1


def test_rule_validity_window_and_shape(client, town):
    """An event outside the rule's window earns nothing; malformed rules are refused."""
    set_rule(
        client,
        town,
        "cleanup.join",
        points=10,
        valid_from=local(18, 0).isoformat(),
        valid_to=local(19, 0).isoformat(),
    )
    early = report(client, town, "cleanup.join", local(17, 9), "e")
    assert early.status_code == 422 and early.json["type"] == "/problems/rule-not-valid-then"
    inside = report(client, town, "cleanup.join", local(18, 9), "i")
    assert inside.json["points_awarded"] == 10
    url = "/v1/communities/qianjiang/rules/"
    no_limit = client.put(
        url + "cleanup.join", json={"points": 5, "caps": [{"period": "day"}]}, headers=town["staff"]
    )
    assert no_limit.json["type"] == "/problems/cap-needs-a-limit"
    twice = client.put(
        url + "cleanup.join",
        headers=town["staff"],
        json={
            "points": 5,
            "caps": [{"period": "day", "max_count": 1}, {"period": "day", "max_points": 9}],
        },
    )
    assert twice.json["type"] == "/problems/cap-period-repeated"
    backwards = client.put(
        url + "cleanup.join",
        headers=town["staff"],
        json={
            "points": 5,
            "valid_from": local(19, 0).isoformat(),
            "valid_to": local(18, 0).isoformat(),
        },
    )
    assert backwards.json["type"] == "/problems/validity-window-empty"
    bad_name = client.put(url + "Clean Up!", json={"points": 5}, headers=town["staff"])
    assert bad_name.json["type"] == "/problems/activity-name-invalid"
    not_staff = client.put(url + "cleanup.join", json={"points": 5}, headers=town["app"])
    assert not_staff.status_code == 403


def test_a_rule_carries_the_title_residents_read(client, town):
    """PUT with a title shows it on the version; without one the title is empty."""
    untitled = set_rule(client, town, "stargazing.talk", points=5)
    assert untitled["current"]["title"] == ""
    titled = set_rule(client, town, "stargazing.talk", points=5, title="星空夜话")
    assert titled["current"]["title"] == "星空夜话"
    assert [v["title"] for v in titled["versions"]] == ["星空夜话", ""]
