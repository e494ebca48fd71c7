"""A resident's time credits move with her to another community of the district (通存通兑)."""

import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from api.extensions import db
from ledger.audit import chain
from ledger.audit.verify import verify
from tests.api.audit.test_cli import BEAN_CHECK, export_to

MINUTES = 300


@pytest.fixture
def district(client, admin, make_community, make_member, make_key, grant):
    """梅园街道: 潜江社区 (where 刘阿姨 has 300 minutes) and 桃花社区, with their staff."""
    made = {
        "a": make_community("qianjiang", "潜江社区"),
        "b": make_community("taohua", "桃花社区"),
        "liu": make_member("qianjiang", external_ref="R-liu", display_name="刘阿姨"),
        "staff_a": make_key("staff", community="qianjiang"),
        "staff_b": make_key("staff", community="taohua"),
    }
    grant(made["a"], made["liu"]["minutes_account"], MINUTES, "minutes")
    created = client.post(
        "/v1/districts", json={"slug": "meiyuan", "name": "梅园街道"}, headers=admin
    )
    assert created.status_code == 201, created.json
    for slug in ("qianjiang", "taohua"):
        added = client.put(f"/v1/districts/meiyuan/communities/{slug}", headers=admin)
        assert added.status_code == 200, added.json
    assert added.json["communities"] == ["qianjiang", "taohua"]
    return made


def move(client, district, minutes=MINUTES, key="move-liu-1", **fields):
    return client.post(
        "/v1/districts/meiyuan/moves",
        json={
            "member": district["liu"]["id"],
            "to_community": "taohua",
            "minutes": minutes,
            **fields,
        },
        headers={**district["staff_a"], "Idempotency-Key": key},
    )


def pair(client, district, first, second, staff):
    response = client.get(
        f"/v1/districts/meiyuan/clearing/{first}/{second}", headers=district[staff]
    )
    assert response.status_code == 200, response.json
    return response.json


def report(client, slug, staff):
    window = {
        "from": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "to": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
    }
    response = client.get(f"/v1/communities/{slug}/report", query_string=window, headers=staff)
    assert response.status_code == 200, response.json
    return response.json


def test_a_move_of_300_minutes_keeps_both_communities_balanced(app, client, district, balance):
    """A and B, their clearing accounts, pair statements and reports agree; verify passes."""
    moved = move(client, district)
    assert moved.status_code == 201, moved.json
    assert balance(district["liu"]["minutes_account"])["posted"] == 0
    arrived = client.get(f"/v1/members/{moved.json['to_member']}", headers=district["staff_b"]).json
    assert (arrived["community"], arrived["external_ref"]) == ("taohua", "R-liu")
    minutes_in_b = next(a for a in arrived["accounts"] if a["unit"] == "minutes")
    assert minutes_in_b["posted"] == MINUTES

    from_a = pair(client, district, "qianjiang", "taohua", "staff_a")
    from_b = pair(client, district, "taohua", "qianjiang", "staff_b")
    assert (from_a["net_minutes"], from_a["clearing_balance"]) == (MINUTES, MINUTES)
    assert (from_b["net_minutes"], from_b["clearing_balance"]) == (-MINUTES, -MINUTES)
    assert from_a["counterparty_clearing_balance"] == -MINUTES
    assert (
        [m["id"] for m in from_a["moves"]]
        == [m["id"] for m in from_b["moves"]]
        == [moved.json["id"]]
    )
    assert list(report(client, "qianjiang", district["staff_a"])["clearing"].values()) == [MINUTES]
    assert list(report(client, "taohua", district["staff_b"])["clearing"].values()) == [-MINUTES]

    with app.app_context():
        for community in (district["a"], district["b"]):
            chain.seal_community(db.session, community["id"], now=datetime.now(UTC))
        db.session.commit()
        assert verify(db.session) == []
        db.session.remove()


def test_the_move_replayed_with_its_key_changes_nothing(client, district, balance):
    """The same Idempotency-Key answers the first move again; no minutes move twice."""
    first = move(client, district)
    again = move(client, district)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert balance(district["liu"]["minutes_account"])["posted"] == 0
    assert pair(client, district, "qianjiang", "taohua", "staff_a")["net_minutes"] == MINUTES


def test_both_communities_export_ledgers_bean_check_accepts(app, client, district, tmp_path):
    """After a move, each community's beancount export passes bean-check."""
    assert move(client, district).status_code == 201
    for slug in ("qianjiang", "taohua"):
        path = export_to(app, tmp_path, slug)
        checked = subprocess.run(
            [BEAN_CHECK, str(path)], capture_output=True, text=True, timeout=120, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "Assets:Clearing:" in path.read_text(encoding="utf-8")


def test_she_moves_only_minutes_she_has_and_only_within_the_district(
    client, district, make_community, admin
):
    """301 minutes is refused with her balance; a community outside the district is refused."""
    too_many = move(client, district, MINUTES + 1, key="too-many")
    assert (too_many.status_code, too_many.json["balance"]) == (422, MINUTES)
    assert too_many.json["type"] == "/problems/move-exceeds-balance"
    make_community("yuhu", "雨湖社区")
    outside = client.post(
        "/v1/districts/meiyuan/moves",
        json={"member": district["liu"]["id"], "to_community": "yuhu", "minutes": 10},
        headers=district["staff_a"],
    )
    assert (outside.status_code, outside.json["type"]) == (422, "/problems/not-in-same-district")


def test_a_move_lands_on_her_existing_record_when_named(client, district, make_member):
    """With to_member_ref, the minutes go to that member of B; nobody new is made."""
    there = make_member("taohua", external_ref="T-088", display_name="刘阿姨")
    moved = move(client, district, 120, to_member_ref="T-088")
    assert moved.json["to_member"] == there["id"]


def test_staff_of_another_community_cannot_move_her(client, district):
    """B's staff asking to move A's resident get 404, as for a member they cannot see."""
    response = client.post(
        "/v1/districts/meiyuan/moves",
        json={"member": district["liu"]["id"], "to_community": "taohua", "minutes": 10},
        headers=district["staff_b"],
    )
    assert response.status_code == 404
