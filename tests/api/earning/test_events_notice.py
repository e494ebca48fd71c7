"""Public notice (公示): an award stays pending for notice_days, then vests unless objected to."""

from datetime import timedelta

from ledger.earning.notice import vest_due_awards
from tests.support.earning import MONDAY


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


def test_an_objection_must_say_why(client, notice):
    """A blank reason is refused and the award stays under notice."""
    event = propose(client, notice)
    blank = client.post(
        f"/v1/events/{event['id']}/objection", headers=notice["staff"], json={"reason": "   "}
    )
    assert blank.status_code == 422 and blank.json["type"] == "/problems/reason-required"
    shown = client.get(f"/v1/events/{event['id']}", headers=notice["staff"]).json
    assert shown["status"] == "pending"
