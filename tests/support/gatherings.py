"""Gatherings' town: 星空夜话 on a Friday evening in 潜江社区, its rule, organizer and residents."""

from datetime import timedelta

import pytest

from ledger.earning.notice import vest_due_awards
from tests.support.earning import FRIDAY_EVENING

STARTS_AT = FRIDAY_EVENING  # 20:00 in Shanghai
ENDS_AT = STARTS_AT + timedelta(hours=2)
RESIDENTS = 35
NOTICE_DAYS = 3
TOPICS = ("楼道堆物清理", "健身器材维修")


@pytest.fixture
def evening(client, clock, make_community, make_member, make_key):
    """Staff scheduled 星空夜话 under deliberation.attend (5 points, 2 a day, 3 days' notice),
    organised by 楼长李建国; 35 residents live in the community. The clock stands at the start."""
    clock.set(STARTS_AT - timedelta(days=2))
    community = make_community("qianjiang")
    staff = make_key("staff", community="qianjiang")
    rule = client.put(
        "/v1/communities/qianjiang/rules/deliberation.attend",
        headers=staff,
        json={"points": 5, "caps": [{"period": "day", "max_count": 2}], "notice_days": NOTICE_DAYS},
    )
    assert rule.status_code == 201, rule.json
    organizer = make_member("qianjiang", "R-000", "李建国")
    residents = [
        make_member("qianjiang", f"R-{n:03d}", f"王居民{n}") for n in range(1, RESIDENTS + 1)
    ]
    response = client.post(
        "/v1/communities/qianjiang/gatherings",
        headers=staff,
        json={
            "title": "星空夜话",
            "activity": "deliberation.attend",
            "place": "社区广场",
            "starts_at": STARTS_AT.isoformat(),
            "ends_at": ENDS_AT.isoformat(),
            "organizer": organizer["id"],
            "topics": list(TOPICS),
        },
    )
    assert response.status_code == 201, response.json
    clock.set(STARTS_AT + timedelta(minutes=10))
    return {
        "community": community,
        "staff": staff,
        "organizer": organizer,
        "organizer_key": make_key("member", community="qianjiang", member=organizer["id"]),
        "residents": residents,
        "gathering": response.json,
    }


def sweep(app, clock) -> int:
    """The sweep's vesting job at the clock's time."""
    with app.app_context():
        from api.extensions import db

        handled = vest_due_awards(db.session, clock.now())
        db.session.commit()
        return handled
