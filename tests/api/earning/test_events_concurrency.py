"""Caps and replays hold when events for one member arrive at the same moment (PostgreSQL)."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.concurrently import run_together

pytestmark = pytest.mark.postgres

SATURDAY = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


@pytest.fixture
def meeting(client, clock, make_community, make_member, make_key):
    """Meetings earn 5 points, at most twice a day."""
    clock.set(SATURDAY + timedelta(hours=8))
    make_community("qianjiang")
    resident = make_member("qianjiang", "R-017")
    staff = make_key("staff", community="qianjiang")
    response = client.put(
        "/v1/communities/qianjiang/rules/deliberation.attend",
        headers=staff,
        json={"points": 5, "caps": [{"period": "day", "max_count": 2}]},
    )
    assert response.status_code == 201
    return {
        "resident": resident,
        "staff": staff,
        "app": make_key("integrator", community="qianjiang"),
    }


def attend(meeting, source_id, minute=0):
    return {
        "community": "qianjiang",
        "activity": "deliberation.attend",
        "member": meeting["resident"]["id"],
        "occurred_at": (SATURDAY + timedelta(minutes=minute)).isoformat(),
        "source_id": source_id,
        "recorded_by": "楼长",
    }


def test_twenty_concurrent_meetings_against_a_cap_of_two_award_exactly_two(app, meeting, balance):
    """Twenty sign-in tablets report the same resident at once: two awards, eighteen refusals."""

    def post(index):
        response = app.test_client().post(
            "/v1/events", headers=meeting["app"], json=attend(meeting, f"tablet-{index}", index)
        )
        return response.status_code, response.json

    results = run_together(20, post)
    assert Counter(status for status, _ in results) == {201: 20}
    statuses = Counter(body["status"] for _, body in results)
    assert statuses == {"awarded": 2, "refused": 18}
    assert balance(meeting["resident"]["points_account"])["available"] == 10


def test_the_same_source_id_posted_three_times_at_once_awards_once(app, meeting, balance):
    """Three retries of one sign-in racing each other: one event, one award, two replays."""

    def post(_):
        response = app.test_client().post(
            "/v1/events", headers=meeting["app"], json=attend(meeting, "tablet-retry")
        )
        return response.status_code, response.json

    results = run_together(3, post)
    assert sorted(status for status, _ in results) == [200, 200, 201]
    assert len({body["id"] for _, body in results}) == 1
    assert balance(meeting["resident"]["points_account"])["available"] == 5


def test_concurrent_batches_for_overlapping_members_neither_deadlock_nor_overspend(
    app, meeting, make_member, balance
):
    """Two clean-up teams send overlapping batches at once: both finish, caps hold."""
    others = [make_member("qianjiang", f"R-{n:03d}") for n in range(10)]
    everyone = [meeting["resident"], *others]

    def post(team):
        order = everyone if team == 0 else list(reversed(everyone))
        events = [
            {**attend(meeting, f"team{team}-{m['id']}-{k}", k), "member": m["id"]}
            for m in order
            for k in range(2)
        ]
        response = app.test_client().post(
            "/v1/events/batch", headers=meeting["app"], json={"events": events}
        )
        return response.status_code, response.json

    results = run_together(2, post)
    assert [status for status, _ in results] == [200, 200]
    for member in everyone:
        assert balance(member["points_account"])["available"] == 10


def test_concurrent_sweeps_vest_each_award_once(app, client, clock, meeting, make_member, balance):
    """Two sweeps started together vest every due award exactly once between them."""
    from api.extensions import db
    from ledger.earning.notice import vest_due_awards

    client.put(
        "/v1/communities/qianjiang/rules/proposal.adopted",
        headers=meeting["staff"],
        json={"points": 20, "notice_days": 3},
    )
    residents = [make_member("qianjiang", f"P-{n:03d}") for n in range(30)]
    for n, resident in enumerate(residents):
        response = client.post(
            "/v1/events",
            headers=meeting["app"],
            json={
                **attend(meeting, f"proposal-{n}"),
                "activity": "proposal.adopted",
                "member": resident["id"],
            },
        )
        assert response.json["status"] == "pending"
    at = clock.advance(days=3)

    def sweep(_):
        with app.app_context():
            handled = vest_due_awards(db.session, at)
            db.session.commit()
            db.session.remove()
            return handled

    assert sum(run_together(2, sweep)) == 30
    for resident in residents:
        account = balance(resident["points_account"])
        assert (account["posted"], account["pending"]) == (20, 0)
