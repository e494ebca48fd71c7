"""Gatherings' town: 星空夜话 on a Friday evening in 潜江社区, its rule, organizer and residents."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from ledger.earning.notice import vest_due_awards
from tests.support.earning import FRIDAY_EVENING
from tests.support.pages import card_token

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


_FORM = re.compile(
    r'<form method="post" action="(?P<action>[^"]+)"[^>]*>(?P<body>.*?)</form>', re.S
)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_LINK = re.compile(r'href="([^"]+)" data-signin-link')


def submit(client, page, action: str, **fields):
    """Post the page's form whose action starts with ``action``, with its hidden fields."""
    for form in _FORM.finditer(page.text):
        if form["action"].startswith(action):
            pairs = _HIDDEN.findall(form["body"])
            hidden = dict(pairs)
            if "event" in fields or "member" in fields:  # one form per row: pick the row's
                key = "event" if "event" in fields else "member"
                if hidden.get(key) != fields[key]:
                    continue
            data = MultiDict(pairs)
            for name, value in fields.items():
                data.setlist(name, value if isinstance(value, list) else [value])
            return client.post(form["action"], data=data)
    raise AssertionError(f"no form posting to {action}")


def desk(app, headers):
    """A test client signed in as a staff desk with the key of ``headers``."""
    client = app.test_client()
    page = client.get("/device")
    token = headers["Authorization"].split(" ", 1)[1]
    response = submit(client, page, "/device", key=token)
    assert response.status_code == 302, response.text
    return client


def resident_client(app, member):
    """A test client of the member's phone, signed in by her card."""
    client = app.test_client()
    assert client.get(f"/s/{card_token(app, member['id'])}").status_code == 302
    return client


def signin_link(desk_client, gathering_id: str) -> str:
    """The link the desk's QR code shows now (its path)."""
    page = desk_client.get(f"/desk/gatherings/{gathering_id}/code")
    assert page.status_code == 200, page.text
    return urlsplit(_LINK.search(page.text).group(1)).path
