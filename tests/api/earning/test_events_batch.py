"""Batches: a clean-up drive's hundreds of sign-ins arrive at once, each judged on its own."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ledger.earning.events import MAX_BATCH_EVENTS
from ledger.earning.models import EarningEvent

DRIVE = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # Saturday 09:00 in Shanghai
PARTICIPANTS = 330


@pytest.fixture
def drive(app, client, clock, make_community, make_key, session):
    """A community with 330 residents and a clean-up worth 10 points, four times a day at most."""
    from ledger.core.communities import create_member, get_community

    clock.set(DRIVE + timedelta(hours=6))
    make_community("qianjiang")
    community = get_community(session, "qianjiang")
    members = [
        create_member(
            session, community, external_ref=f"R-{n:04d}", display_name=f"居民{n}", now=clock.now()
        ).id
        for n in range(PARTICIPANTS)
    ]
    session.commit()
    staff = make_key("staff", community="qianjiang")
    response = client.put(
        "/v1/communities/qianjiang/rules/cleanup.join",
        headers=staff,
        json={"points": 10, "caps": [{"period": "day", "max_count": 4}]},
    )
    assert response.status_code == 201
    return {
        "members": members,
        "app": make_key("integrator", community="qianjiang"),
        "staff": staff,
    }


def sign_in(member, n, **extra):
    return {
        "community": "qianjiang",
        "activity": "cleanup.join",
        "member": member,
        "occurred_at": (DRIVE + timedelta(minutes=n % 240)).isoformat(),
        "source_id": f"drive-1121-{n}",
        "recorded_by": "志愿者队长",
        **extra,
    }


def points_issued(session):
    return session.scalar(sa.select(sa.func.sum(EarningEvent.points_awarded))) or 0


def test_a_thousand_events_with_ten_bad_ones_award_990_and_explain_ten(client, drive, session):
    """990 sign-ins earn, 10 bad ones are each explained in place; a replay awards nothing."""
    members = drive["members"]
    # Three or four shifts: every resident signs in up to four times, as the day cap allows.
    events = [sign_in(members[n % PARTICIPANTS], n) for n in range(MAX_BATCH_EVENTS)]
    bad = {
        7: {"member": "mem_nobody"},
        77: {"occurred_at": "yesterday"},
        177: {"activity": "karaoke.sing"},
        277: {"quantity": 5},
        377: {"recorded_by": members[377 % PARTICIPANTS]},
        477: {"community": "elsewhere"},
        577: {"unexpected": True},
        677: {"occurred_at": "2031-01-01T00:00:00+08:00"},
        777: {"quantity": "5"},
        877: {"source_id": ""},
    }
    for index, change in bad.items():
        events[index] = {**events[index], **change}
    response = client.post("/v1/events/batch", json={"events": events}, headers=drive["app"])
    assert response.status_code == 200, response.json
    body = response.json
    results = body["results"]
    assert [r["index"] for r in results] == list(range(MAX_BATCH_EVENTS))
    failed = {r["index"]: r["problem"] for r in results if r["problem"] is not None}
    assert sorted(failed) == sorted(bad)
    assert all(r["status"] == 422 or r["status"] == 404 for r in results if r["problem"])
    assert failed[7]["type"] == "/problems/member-not-found"
    assert failed[77]["type"] == "/problems/validation-failed"
    assert failed[77]["errors"][0]["field"] == "occurred_at"
    assert failed[177]["type"] == "/problems/rule-not-found"
    assert failed[277]["type"] == "/problems/quantity-not-allowed"
    assert failed[377]["type"] == "/problems/recorded-by-self"
    assert failed[477]["type"] == "/problems/community-not-found"
    assert failed[577]["errors"][0]["field"] == "unexpected"
    assert failed[677]["type"] == "/problems/occurred-in-future"
    awarded = [r["event"] for r in results if r["event"] is not None]
    assert len(awarded) == 990
    assert all(e["status"] == "awarded" and e["points_awarded"] == 10 for e in awarded)
    assert body["summary"] == {
        "events": 1000,
        "awarded": 990,
        "pending": 0,
        "refused": 0,
        "replayed": 0,
        "failed": 10,
        "points_awarded": 9900,
    }
    issued = points_issued(session)
    assert issued == 9900

    replay = client.post("/v1/events/batch", json={"events": events}, headers=drive["app"]).json
    assert replay["summary"]["replayed"] == 990 and replay["summary"]["failed"] == 10
    assert [r["event"]["id"] for r in replay["results"] if r["event"]] == [e["id"] for e in awarded]
    assert replay["summary"]["points_awarded"] == 0
    session.expire_all()
    assert points_issued(session) == issued


def test_a_batch_with_an_idempotency_key_replays_the_whole_answer(client, drive):
    """The same Idempotency-Key and body answer the stored response, marked as replayed."""
    events = [sign_in(member, n) for n, member in enumerate(drive["members"][:5])]
    headers = {**drive["app"], "Idempotency-Key": "drive-1121-sheet-1"}
    first = client.post("/v1/events/batch", json={"events": events}, headers=headers)
    again = client.post("/v1/events/batch", json={"events": events}, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json == first.json


def test_the_batch_limit_is_named_and_enforced(client, drive):
    """More than MAX_BATCH_EVENTS events, or none, is refused whole as a shape problem."""
    too_many = [sign_in(drive["members"][0], n) for n in range(MAX_BATCH_EVENTS + 1)]
    response = client.post("/v1/events/batch", json={"events": too_many}, headers=drive["app"])
    assert response.status_code == 422
    assert (
        client.post("/v1/events/batch", json={"events": []}, headers=drive["app"]).status_code
        == 422
    )


def test_the_same_source_id_twice_in_one_batch_awards_once(client, drive):
    """A sheet typed in twice within one batch: the second line replays the first."""
    event = sign_in(drive["members"][0], 1)
    body = client.post(
        "/v1/events/batch", json={"events": [event, event]}, headers=drive["app"]
    ).json
    first, second = body["results"]
    assert (first["status"], second["status"]) == (201, 200)
    assert first["event"]["id"] == second["event"]["id"]
    assert body["summary"]["points_awarded"] == 10


def test_a_batch_counts_every_award_against_caps_of_either_rule_version(client, drive, clock):
    """Meetings on the Wednesday the rule changed: the morning's cap counts the afternoon's award."""
    staff, member = drive["staff"], drive["members"][0]
    url = "/v1/communities/qianjiang/rules/deliberation.attend"
    wednesday = datetime(2026, 11, 18, tzinfo=UTC)  # 08:00 in Shanghai
    clock.set(wednesday - timedelta(days=2))
    client.put(url, headers=staff, json={"points": 10, "caps": [{"period": "day", "max_count": 2}]})
    clock.set(wednesday + timedelta(hours=4))  # noon in Shanghai: version 2, no day cap
    client.put(
        url, headers=staff, json={"points": 10, "caps": [{"period": "week", "max_points": 100}]}
    )
    clock.set(wednesday + timedelta(days=1))

    def meeting(hours, n):
        return {
            **sign_in(member, n),
            "activity": "deliberation.attend",
            "occurred_at": (wednesday + timedelta(hours=hours)).isoformat(),
        }

    body = client.post(
        "/v1/events/batch",
        headers=drive["app"],
        json={"events": [meeting(1, 1), meeting(7, 2), meeting(2, 3)]},
    ).json
    versions = [r["event"]["rule"]["version"] for r in body["results"]]
    awarded = [r["event"]["points_awarded"] for r in body["results"]]
    assert versions == [1, 2, 1]
    assert awarded == [10, 10, 0]
    assert body["results"][2]["event"]["limited_by"]["used"] == 2


def test_items_that_are_not_events_at_all_are_explained_in_place(client, drive):
    """A null, a string or an empty object in the list is answered 422 in its own slot."""
    good = sign_in(drive["members"][0], 1)
    body = client.post(
        "/v1/events/batch", headers=drive["app"], json={"events": [None, "x", {}, good]}
    ).json
    assert [r["status"] for r in body["results"]] == [422, 422, 422, 201]
    assert body["results"][2]["problem"]["errors"][0]["message"]
