"""Public notice (公示): an award stays pending for notice_days, then vests unless objected to."""

from datetime import UTC, datetime, timedelta

import pytest

from ledger.capabilities import JOBS
from ledger.earning.notice import vest_due_awards

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


def propose(client, notice, source_id="proposal-12"):
    response = client.post(
        "/v1/events",
        headers=notice["app"],
        json={
            "community": "qianjiang",
            "activity": "proposal.adopted",
            "member": notice["resident"]["id"],
            "occurred_at": MONDAY.isoformat(),
            "source_id": source_id,
            "recorded_by": "居委会议事会",
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def sweep(app, clock):
    with app.app_context():
        from api.extensions import db

        handled = vest_due_awards(db.session, clock.now())
        db.session.commit()
        return handled


def test_an_award_under_notice_is_pending_and_vests_on_day_three(
    app, client, clock, notice, balance
):
    """The 20 points show as pending, not available, until the sweep on day three posts them."""
    event = propose(client, notice)
    assert event["status"] == "pending"
    assert event["vests_at"] == "2026-11-19T02:00:00+00:00"
    account = balance(notice["resident"]["points_account"])
    assert (account["posted"], account["pending_in"], account["available"]) == (0, 20, 0)

    clock.advance(days=2, hours=23)
    assert sweep(app, clock) == 0
    assert balance(notice["resident"]["points_account"])["available"] == 0

    clock.advance(hours=1)
    assert sweep(app, clock) == 1
    account = balance(notice["resident"]["points_account"])
    assert (account["posted"], account["pending_in"], account["available"]) == (20, 0, 20)
    shown = client.get(f"/v1/events/{event['id']}", headers=notice["staff"]).json
    assert shown["status"] == "awarded" and shown["resolved_at"] == "2026-11-19T02:00:00+00:00"
    assert sweep(app, clock) == 0  # running it again finds nothing more to do


def test_an_objection_during_notice_voids_the_award_for_good(app, client, clock, notice, balance):
    """Staff object on day two: the award is voided, the sweep skips it, the member never gets it,
    and the cap's room comes back."""
    event = propose(client, notice)
    clock.advance(days=2)
    objection = client.post(
        f"/v1/events/{event['id']}/objection",
        headers=notice["staff"],
        json={"reason": "提案并未通过表决"},
    )
    assert objection.status_code == 200, objection.json
    assert objection.json["status"] == "voided"
    assert objection.json["objection_reason"] == "提案并未通过表决"
    clock.advance(days=5)
    assert sweep(app, clock) == 0
    account = balance(notice["resident"]["points_account"])
    assert (account["posted"], account["pending"], account["available"]) == (0, 0, 0)
    entry = client.get(f"/v1/entries/{event['entry']}", headers=notice["staff"]).json
    assert entry["status"] == "voided"
    again = client.post(
        f"/v1/events/{event['id']}/objection", headers=notice["staff"], json={"reason": "twice"}
    )
    assert again.status_code == 409 and again.json["type"] == "/problems/event-not-pending"
    # The month's one adopted proposal was voided, so the month has room for the real one.
    clock.set(MONDAY + timedelta(days=8))
    real = propose(client, notice, "proposal-13")
    assert (real["status"], real["points_awarded"]) == ("pending", 20)
    assert real["caps"][0]["count_used"] == 1


def test_objections_come_from_staff_before_the_notice_ends(client, clock, notice):
    """An integrator cannot object; after the window closes even staff cannot."""
    event = propose(client, notice)
    url = f"/v1/events/{event['id']}/objection"
    assert client.post(url, headers=notice["app"], json={"reason": "x"}).status_code == 403
    clock.advance(days=3)
    late = client.post(url, headers=notice["staff"], json={"reason": "too late"})
    assert late.status_code == 409 and late.json["type"] == "/problems/notice-period-over"


def test_the_pending_list_is_the_public_notice_board(client, notice):
    """Staff list what is under notice with status=pending."""
    event = propose(client, notice)
    board = client.get(
        "/v1/communities/qianjiang/events?status=pending", headers=notice["staff"]
    ).json
    assert [e["id"] for e in board["items"]] == [event["id"]]
    assert (
        client.get("/v1/communities/qianjiang/events?status=awarded", headers=notice["staff"]).json[
            "items"
        ]
        == []
    )


def test_the_sweep_command_runs_the_vesting_job():
    """``pointsbank sweep`` knows the vesting job."""
    assert ("vest_notice_awards", vest_due_awards) in JOBS


def test_an_objection_must_say_why(client, notice):
    """A blank reason is refused and the award stays under notice."""
    event = propose(client, notice)
    blank = client.post(
        f"/v1/events/{event['id']}/objection", headers=notice["staff"], json={"reason": "   "}
    )
    assert blank.status_code == 422 and blank.json["type"] == "/problems/reason-required"
    shown = client.get(f"/v1/events/{event['id']}", headers=notice["staff"]).json
    assert shown["status"] == "pending"


def test_pointsbank_sweep_vests_what_is_due_and_is_safe_to_rerun(
    database_url, client, clock, notice, balance
):
    """The scheduled command vests an award whose notice ended, then finds nothing more."""
    import os
    import subprocess
    import sys

    clock.set(datetime.now(UTC) - timedelta(days=4))
    response = client.post(
        "/v1/events",
        headers=notice["app"],
        json={
            "community": "qianjiang",
            "activity": "proposal.adopted",
            "member": notice["resident"]["id"],
            "occurred_at": clock.now().isoformat(),
            "source_id": "proposal-cli",
            "recorded_by": "居委会议事会",
        },
    )
    assert response.json["status"] == "pending"

    def sweep_command():
        return subprocess.run(
            [sys.executable, "-c", "from api.cli import main; main()", "sweep"],
            env={**os.environ, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout

    assert "vest_notice_awards: 1" in sweep_command()
    assert "vest_notice_awards: 0" in sweep_command()
    assert balance(notice["resident"]["points_account"])["available"] == 20
