"""Earning's town and notice: the community, its keys and sign-in app, and a proposal under notice."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


# Friday 20 November 2026, 20:00 in Shanghai: the week of Monday 16 November is nearly over.
FRIDAY_EVENING = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def local(day, hour, minute=0):
    """An instant in Shanghai, in the week of 16 November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def town(clock, make_community, make_member, make_key):
    """A community with a resident, a staff key and a meeting sign-in app's integrator key."""
    clock.set(FRIDAY_EVENING)
    community = make_community("qianjiang")
    resident = make_member("qianjiang", "R-017", "王秀英")
    recorder = make_member("qianjiang", "R-001", "楼长李建国")
    return {
        "community": community,
        "resident": resident,
        "recorder": recorder,
        "staff": make_key("staff", community="qianjiang"),
        "app": make_key("integrator", community="qianjiang"),
    }


def set_rule(client, town, activity, **body):
    response = client.put(
        f"/v1/communities/qianjiang/rules/{activity}", json=body, headers=town["staff"]
    )
    assert response.status_code in (200, 201), response.json
    return response.json


def report(client, town, activity, occurred_at, source_id, headers=None, **extra):
    body = {
        "community": "qianjiang",
        "activity": activity,
        "member": town["resident"]["id"],
        "occurred_at": occurred_at.isoformat(),
        "source_id": source_id,
        "recorded_by": town["recorder"]["id"],
        **extra,
    }
    return client.post("/v1/events", json=body, headers=headers or town["app"])


MONDAY = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def notice(client, clock, make_community, make_member, make_key):
    """An adopted proposal earns 20 points after three days of public notice."""
    clock.set(MONDAY)
    make_community("qianjiang")
    resident = make_member("qianjiang", "R-017")
    staff = make_key("staff", community="qianjiang")
    app = make_key("integrator", community="qianjiang")
    response = client.put(
        "/v1/communities/qianjiang/rules/proposal.adopted",
        headers=staff,
        json={"points": 20, "notice_days": 3, "caps": [{"period": "month", "max_count": 1}]},
    )
    assert response.status_code == 201
    return {"resident": resident, "staff": staff, "app": app}
