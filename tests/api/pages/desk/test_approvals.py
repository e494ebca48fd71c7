"""The desk's second approval (双人复核): held staff writes listed, approved by another person."""

import pytest

from tests.api.approvals.conftest import THRESHOLD_POINTS, Desk
from tests.api.pages.desk.conftest import form_fields, sign_in


@pytest.fixture
def held(app, client, admin, make_community, make_member, grant):
    """李敏's adjustment of 王秀英's points above the threshold, waiting for a second person."""
    staff = Desk(app, client, admin, make_community, make_member, grant)
    answer = staff.adjust(staff.li, THRESHOLD_POINTS + 50)
    assert answer.status_code == 202, answer.json
    return staff, answer.json["id"]


def desk_of(app, headers):
    """A browser of its own (its own cookie) signed in at the desk with ``headers``' key."""
    device = app.test_client()
    sign_in(device, headers)
    return device


def test_the_held_write_is_listed_and_its_requester_cannot_approve_it(app, held):
    """李敏's desk lists her request; approving it herself is 403 and posts nothing."""
    staff, request_id = held
    li = desk_of(app, staff.li)
    page = li.get("/desk/qianjiang/approvals").text
    assert f'data-approval="{request_id}"' in page and "王秀英" in page
    action = f"/desk/approvals/{request_id}/approval"
    refused = li.post(action, data=form_fields(page, action))
    assert refused.status_code == 403 and "另一位工作人员" in refused.text
    assert staff.posted(staff.wang["points_account"]) == 60


def test_a_second_person_approves_once_and_the_entry_is_posted(app, held):
    """赵刚's desk approves: the points are posted, the list is empty, a resubmission replays."""
    staff, request_id = held
    zhao = desk_of(app, staff.zhao)
    page = zhao.get("/desk/qianjiang/approvals").text
    action = f"/desk/approvals/{request_id}/approval"
    fields = form_fields(page, action)
    first, again = zhao.post(action, data=fields), zhao.post(action, data=fields)
    assert first.status_code == again.status_code == 302
    assert staff.posted(staff.wang["points_account"]) == 60 + THRESHOLD_POINTS + 50
    assert f'data-approval="{request_id}"' not in zhao.get("/desk/qianjiang/approvals").text
    shown = staff.client.get(f"/v1/approvals/{request_id}", headers=staff.admin).json
    assert shown["status"] == "approved"


def test_a_rejection_with_a_reason_posts_nothing(app, held):
    """赵刚 rejects with a reason: nothing is posted and the API shows who and why."""
    staff, request_id = held
    zhao = desk_of(app, staff.zhao)
    action = f"/desk/approvals/{request_id}/rejection"
    fields = form_fields(zhao.get("/desk/qianjiang/approvals").text, action)
    assert zhao.post(action, data={**fields, "reason": "金额有误"}).status_code == 302
    assert staff.posted(staff.wang["points_account"]) == 60
    shown = staff.client.get(f"/v1/approvals/{request_id}", headers=staff.admin).json
    assert (shown["status"], shown["decision_reason"]) == ("rejected", "金额有误")
