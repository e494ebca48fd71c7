"""The staff desk over HTTP: reach, the notice board and objections, the printed notice, rules."""

import secrets

from tests.api.pages.desk.conftest import HIDDEN, form_fields, sign_in
from tests.support.earning import set_rule


def test_a_tills_session_cannot_open_the_desk(client, supermarket):
    """A shop's till signed in by its key gets 403 on every desk page."""
    sign_in(client, supermarket.shop_key)
    for path in ("/desk/", "/desk/qianjiang/", "/desk/qianjiang/notice", "/desk/qianjiang/report"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "这台设备不能打开这个页面" in answer.text


def test_without_a_session_the_desk_sends_to_device_sign_in(client, town):
    """No device session: the desk redirects to the device sign-in."""
    answer = client.get("/desk/qianjiang/notice")
    assert answer.status_code == 302 and answer.location.endswith("/device")


def test_a_staff_desk_reaches_only_its_communities(client, town, make_community, make_key, admin):
    """Staff of 潜江 see only 潜江 listed and get 404 for 东湖; an admin's desk lists both."""
    make_community("donghu", "东湖社区")
    sign_in(client, town["staff"])
    home = client.get("/desk/").text
    assert "/desk/qianjiang/" in home and "/desk/donghu/" not in home
    assert client.get("/desk/donghu/notice").status_code == 404
    sign_in(client, admin)
    home = client.get("/desk/").text
    assert "/desk/qianjiang/" in home and "/desk/donghu/" in home
    assert client.get("/desk/donghu/notice").status_code == 200


def test_the_community_desk_links_every_task_and_gatherings(desk):
    """The community's desk links each of its pages and the gatherings area."""
    page = desk.get("/desk/qianjiang/").text
    for path in ("notice", "sheet", "rules", "shops", "report", "services"):
        assert f'href="/desk/qianjiang/{path}"' in page, path
    assert 'href="/desk/gatherings"' in page


def test_objecting_takes_the_award_off_the_board_and_the_residents_pending(
    client, desk, town, under_notice
):
    """An objection with a reason voids the award: off the board, her pending back to zero."""
    (event,) = under_notice()
    account = f"/v1/accounts/{town['resident']['points_account']}"
    assert client.get(account, headers=town["staff"]).json["pending"] == 20
    board = desk.get("/desk/qianjiang/notice").text
    assert f'data-event="{event["id"]}"' in board and "王秀英" in board
    action = f"/desk/notice/{event['id']}/objection"
    fields = form_fields(board, action)
    answer = desk.post(action, data={**fields, "reason": "会议记录有误"})
    assert answer.status_code == 302 and answer.location == "/desk/qianjiang/notice"
    board = desk.get("/desk/qianjiang/notice").text
    assert f'data-event="{event["id"]}"' not in board and "已从公示中撤下" in board
    assert client.get(account, headers=town["staff"]).json["pending"] == 0
    shown = client.get(f"/v1/events/{event['id']}", headers=town["staff"]).json
    assert shown["status"] == "voided"
    again = desk.post(action, data={**fields, "reason": "会议记录有误"})
    assert again.status_code == 302 and again.location == "/desk/qianjiang/notice"


def test_an_objection_needs_a_reason(desk, under_notice):
    """An empty reason is refused with a page that says so; the award stays on the board."""
    (event,) = under_notice()
    action = f"/desk/notice/{event['id']}/objection"
    fields = form_fields(desk.get("/desk/qianjiang/notice").text, action)
    answer = desk.post(action, data={**fields, "reason": "  "})
    assert answer.status_code == 422 and "请写明异议理由" in answer.text
    assert f'data-event="{event["id"]}"' in desk.get("/desk/qianjiang/notice").text


def test_another_communitys_award_cannot_be_objected_to(
    client, town, make_community, make_key, under_notice
):
    """Staff of 东湖 get 404 for 潜江's award, exactly as for a missing one; it stays pending."""
    (event,) = under_notice()
    make_community("donghu", "东湖社区")
    sign_in(client, make_key("staff", community="donghu"))
    fields = dict(HIDDEN.findall(client.get("/device").text))
    answer = client.post(
        f"/desk/notice/{event['id']}/objection",
        data={**fields, "form_token": secrets.token_urlsafe(16), "reason": "不是我们社区的"},
    )
    assert answer.status_code == 404
    assert (
        client.get(f"/v1/events/{event['id']}", headers=town["staff"]).json["status"] == "pending"
    )


def test_the_printed_notice_has_a_page_per_thirty_lines(desk, under_notice):
    """31 awards under notice print as two A4 sections, 30 lines and 1."""
    under_notice(31)
    page = desk.get("/desk/qianjiang/notice/print").text
    assert page.count('class="a4-page"') == 2
    assert page.count("<tr><td>王秀英</td>") == 31
    assert "第 2 页，共 2 页" in page


def test_the_rules_page_shows_every_version_and_its_caps(client, desk, town):
    """A rule changed once lists both versions, the current one's cap in words."""
    set_rule(client, town, "cleanup.join", points=10)
    set_rule(client, town, "cleanup.join", points=12, caps=[{"period": "week", "max_count": 2}])
    page = desk.get("/desk/qianjiang/rules").text
    assert "cleanup.join" in page and "每周 最多 2 次" in page
    assert page.count("<tr><td>") == 2
