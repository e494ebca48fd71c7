"""Two-person approval over HTTP: held adjustments and grants, approval, rejection, the desk."""

from tests.api.approvals.conftest import THRESHOLD_POINTS


def test_an_adjustment_over_the_threshold_waits_for_a_second_person(desk):
    """Held (202) and moving nothing; the first key's approval is 403 naming the rule; 赵刚's posts."""
    held = desk.adjust(desk.li, THRESHOLD_POINTS + 50)
    assert held.status_code == 202, held.json
    assert (held.json["status"], held.json["held_because"]) == ("pending", "above_threshold")
    assert desk.posted(desk.wang["points_account"]) == 60

    refused = desk.decide(held.json["id"], "approval", desk.li)
    assert refused.status_code == 403
    assert refused.json["type"] == "/problems/second-person-required"
    assert refused.json["rule"] == "different-key"
    assert desk.posted(desk.wang["points_account"]) == 60

    approved = desk.decide(held.json["id"], "approval", desk.zhao)
    assert approved.status_code == 201, approved.json
    assert approved.json["status"] == "approved"
    assert approved.json["decided_by_person"] == "label:赵刚"
    entry = desk.client.get(f"/v1/entries/{approved.json['entry']}", headers=desk.admin).json
    assert (entry["kind"], entry["cause"]) == ("adjustment", held.json["id"])
    assert desk.posted(desk.wang["points_account"]) == 60 + THRESHOLD_POINTS + 50


def test_the_same_persons_second_key_cannot_approve_either(desk):
    """李敏's second key (same name) is refused as the same person."""
    held = desk.adjust(desk.li, THRESHOLD_POINTS + 1)
    refused = desk.decide(held.json["id"], "approval", desk.key("  李敏 "))
    assert refused.status_code == 403
    assert refused.json["rule"] == "different-person"


def test_an_adjustment_within_the_threshold_posts_at_once(desk):
    """Exactly the threshold is not above it: 201 with the entry."""
    response = desk.adjust(desk.li, THRESHOLD_POINTS)
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "adjustment"
    assert desk.posted(desk.wang["points_account"]) == 60 + THRESHOLD_POINTS


def test_an_award_to_the_staff_members_own_account_always_waits(desk):
    """A staff key that is 王秀英's own waits even for 5 points, and her other key cannot approve."""
    hers = desk.key("王秀英 (社工)", member=desk.wang["id"])
    held = desk.adjust(hers, 5)
    assert held.status_code == 202, held.json
    assert held.json["held_because"] == "own_account"
    refused = desk.decide(held.json["id"], "approval", desk.key("王秀英", member=desk.wang["id"]))
    assert (refused.status_code, refused.json["rule"]) == (403, "different-person")
    assert desk.decide(held.json["id"], "approval", desk.li).status_code == 201
    assert desk.posted(desk.wang["points_account"]) == 65


def test_a_rejected_request_posts_nothing_and_cannot_be_approved(desk):
    """Rejection keeps who and why; an approval after it is 409."""
    held = desk.adjust(desk.li, THRESHOLD_POINTS * 3)
    rejected = desk.decide(held.json["id"], "rejection", desk.zhao, {"reason": "金额有误"})
    assert rejected.status_code == 200, rejected.json
    assert (rejected.json["status"], rejected.json["decision_reason"]) == ("rejected", "金额有误")
    late = desk.decide(held.json["id"], "approval", desk.zhao)
    assert (late.status_code, late.json["type"]) == (409, "/problems/approval-not-pending")
    assert desk.posted(desk.wang["points_account"]) == 60


def test_a_love_bank_grant_over_the_threshold_waits_too(desk):
    """A grant of 500 points is held, then approved into the love bank."""
    held = desk.client.post(
        "/v1/communities/qianjiang/love-bank/grants",
        json={"unit": "points", "amount": 500, "reason": "街道拨付"},
        headers=desk.li,
    )
    assert held.status_code == 202, held.json
    assert (held.json["kind"], desk.posted(desk.love_bank)) == ("grant", 0)
    assert desk.decide(held.json["id"], "approval", desk.zhao).status_code == 201
    assert desk.posted(desk.love_bank) == 500


def test_the_approval_tests_the_floor_when_it_posts(desk):
    """A held debit she could cover when asked is refused at approval if she no longer can."""
    desk.client.put(
        "/v1/communities/qianjiang/approval-thresholds", json={"points": 50}, headers=desk.admin
    )
    held = desk.adjust(desk.li, 60, to=desk.love_bank, source=desk.wang["points_account"])
    assert held.status_code == 202, held.json
    drained = desk.adjust(desk.zhao, 30, to=desk.love_bank, source=desk.wang["points_account"])
    assert drained.status_code == 201, drained.json
    refused = desk.decide(held.json["id"], "approval", desk.zhao)
    assert (refused.status_code, refused.json["type"]) == (422, "/problems/insufficient-balance")
    shown = desk.client.get(f"/v1/approvals/{held.json['id']}", headers=desk.li).json
    assert shown["status"] == "pending"


def test_an_approval_sent_again_with_its_key_replays(desk):
    """The same Idempotency-Key answers the first approval again and posts nothing more."""
    held = desk.adjust(desk.li, THRESHOLD_POINTS + 20)
    first = desk.decide(held.json["id"], "approval", desk.zhao, **{"Idempotency-Key": "ok-1"})
    again = desk.decide(held.json["id"], "approval", desk.zhao, **{"Idempotency-Key": "ok-1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert desk.posted(desk.wang["points_account"]) == 60 + THRESHOLD_POINTS + 20


def test_the_desk_lists_what_waits_and_other_communities_see_nothing(
    desk, make_community, make_key
):
    """Pending requests are listed oldest first; another community's staff get 404."""
    first = desk.adjust(desk.li, THRESHOLD_POINTS + 1).json["id"]
    second = desk.adjust(desk.zhao, THRESHOLD_POINTS + 2).json["id"]
    desk.adjust(desk.li, 1)
    listed = desk.client.get("/v1/communities/qianjiang/approvals", headers=desk.li).json
    assert [item["id"] for item in listed["items"]] == [first, second]
    make_community("taohua", "桃花社区")
    stranger = make_key("staff", community="taohua")
    assert desk.client.get(f"/v1/approvals/{first}", headers=stranger).status_code == 404
    assert desk.decide(first, "approval", stranger).status_code == 404


def test_only_admin_sets_the_threshold(desk):
    """Staff read the thresholds but may not move their own limit."""
    path = "/v1/communities/qianjiang/approval-thresholds"
    assert desk.client.get(path, headers=desk.li).json == {
        "points": THRESHOLD_POINTS,
        "minutes": None,
    }
    assert desk.client.put(path, json={"points": None}, headers=desk.li).status_code == 403
    assert desk.client.put(path, json={"points": None}, headers=desk.admin).json["points"] is None
