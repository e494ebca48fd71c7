"""The staff desk in Debian's chromium: objections, the printed A4 notice, reach, accessibility."""

import re
from datetime import timedelta

import pytest

from tests.api.approvals.conftest import THRESHOLD_POINTS, Desk
from tests.support.browser import needs_chromium, serious_violations, sign_in_device
from tests.support.pages import card_token

pytestmark = needs_chromium

# A page object of a PDF (not the /Pages tree that lists them).
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@pytest.fixture
def tour(client, clock, supermarket, resident, redeem, make_key, make_member, grant):
    """潜江 with rules, awards under notice, a sale, a settlement and a request for help."""
    staff, app = supermarket.staff, make_key("integrator", community="qianjiang")
    for activity, body in (
        ("cleanup.join", {"points": 10, "caps": [{"period": "week", "max_count": 2}]}),
        ("cleanup.join", {"points": 12, "caps": [{"period": "week", "max_count": 3}]}),
        ("proposal.adopted", {"points": 20, "notice_days": 3}),
    ):
        answer = client.put(f"/v1/communities/qianjiang/rules/{activity}", json=body, headers=staff)
        assert answer.status_code in (200, 201), answer.json
    wang = resident(100, display_name="王秀英")
    redeem(wang, lines=[("soy-sauce", 1)])
    assert (
        client.post(f"/v1/shops/{supermarket.shop['id']}/settlements", headers=staff).status_code
        == 201
    ), "settlement"
    redeem(wang, lines=[("seeds", 1)])
    grant(supermarket.community, wang["minutes_account"], 120, unit="minutes")
    answer = client.post(
        "/v1/services",
        json={
            "community": "qianjiang",
            "requester": wang["id"],
            "title": "陪同就医",
            "category": "care",
            "minutes_estimate": 60,
            "funded_by": "requester",
        },
        headers=staff,
    )
    assert answer.status_code == 201, answer.json
    make_member("qianjiang", display_name="小周")

    def award(activity, n, member=wang):
        body = {
            "community": "qianjiang",
            "activity": activity,
            "member": member["id"],
            "occurred_at": (clock.now() - timedelta(hours=1)).isoformat(),
            "source_id": f"{activity}-{n}-{member['id']}",
            "recorded_by": "社区议事会",
        }
        answer = client.post("/v1/events", json=body, headers=app)
        assert answer.status_code == 201, answer.json
        return answer.json

    award("cleanup.join", 0)
    return {"staff": staff, "wang": wang, "award": award}


def _clean(page, screenshots, name):
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert serious_violations(page) == [], name
    screenshots(page, name)


def test_staff_object_from_the_board_and_her_pending_line_goes(
    app, live_server, new_page, tour, screenshots
):
    """The objection form voids the award: it leaves the board and her page's pending line."""
    event = tour["award"]("proposal.adopted", 1)
    resident = new_page()
    resident.goto(f"{live_server}/s/{card_token(app, tour['wang']['id'])}")
    assert "待定" in resident.locator('[data-unit="points"]').inner_text()
    desk = new_page(1280)
    sign_in_device(desk, live_server, tour["staff"])
    desk.goto(f"{live_server}/desk/qianjiang/notice")
    line = desk.locator(f'[data-event="{event["id"]}"]')
    line.get_by_text("提出异议").click()
    reason = line.get_by_label("异议理由")
    reason.focus()
    assert reason.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    _clean(desk, screenshots, "desk-notice")
    reason.fill("会议记录有误，不是她提的建议")
    line.get_by_role("button", name="撤下这项奖励").click()
    assert desk.url == f"{live_server}/desk/qianjiang/notice"
    assert desk.locator(f'[data-event="{event["id"]}"]').count() == 0
    assert desk.get_by_role("status").inner_text().startswith("已对")
    resident.reload()
    assert "待定" not in resident.locator('[data-unit="points"]').inner_text()


def test_the_printed_notice_is_one_a4_page_per_thirty_lines(live_server, page, tour, screenshots):
    """30 awards under notice print on one A4 page; the 31st starts a second."""
    for n in range(30):
        tour["award"]("proposal.adopted", n)
    sign_in_device(page, live_server, tour["staff"])
    page.goto(f"{live_server}/desk/qianjiang/notice/print")
    assert len(PDF_PAGE.findall(page.pdf(format="A4"))) == 1
    _clean(page, screenshots, "desk-notice-print")
    tour["award"]("proposal.adopted", 30)
    page.reload()
    assert len(PDF_PAGE.findall(page.pdf(format="A4"))) == 2


def test_a_tills_session_cannot_open_the_desk(live_server, page, supermarket):
    """The till's session gets 403 from the desk."""
    sign_in_device(page, live_server, supermarket.shop_key)
    assert page.goto(f"{live_server}/desk/").status == 403
    assert page.goto(f"{live_server}/desk/qianjiang/report").status == 403


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/desk/", "desk-home"),
        ("/desk/qianjiang/", "desk-community"),
        ("/desk/qianjiang/residents", "desk-residents"),
        ("/desk/qianjiang/rules", "desk-rules"),
        ("/desk/qianjiang/sheet", "desk-sheet"),
        ("/desk/qianjiang/shops", "desk-shops"),
        ("/desk/qianjiang/report", "desk-report"),
        ("/desk/qianjiang/services", "desk-services"),
        ("/desk/qianjiang/approvals", "desk-approvals"),
    ],
)
def test_every_desk_page_is_accessible(live_server, page, tour, screenshots, path, name):
    """Each desk page has its language set, no serious axe finding, and is screenshotted."""
    tour["award"]("proposal.adopted", 1)
    sign_in_device(page, live_server, tour["staff"])
    assert page.goto(f"{live_server}{path}").status == 200
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path} overflows at 360 px: {width}"
    _clean(page, screenshots, name)


def test_the_settlement_statement_and_the_sheet_report(
    live_server, page, tour, screenshots, tmp_path
):
    """The latest settlement opens as its statement; an uploaded sheet shows its line report."""
    sign_in_device(page, live_server, tour["staff"])
    page.goto(f"{live_server}/desk/qianjiang/shops")
    page.locator(".shop ul a").first.click()
    assert page.get_by_role("heading", name="潜江积分超市结算单").is_visible()
    _clean(page, screenshots, "desk-settlement")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "member_ref,activity,occurred_at,quantity,row_id\n"
        f"{tour['wang']['external_ref']},cleanup.join,2020-01-01 09:00,,A/1\n"
        "R-nobody,cleanup.join,昨天,,A/2\n",
        encoding="utf-8",
    )
    page.goto(f"{live_server}/desk/qianjiang/sheet")
    page.get_by_label("签到表文件（CSV）").set_input_files(str(sheet))
    page.get_by_role("button", name="上传并导入").click()
    assert page.locator('[data-line="3"]').is_visible()
    _clean(page, screenshots, "desk-sheet-report")


def test_a_second_person_approves_a_held_write_at_the_desk(
    app, client, admin, make_community, make_member, grant, live_server, page, screenshots
):
    """赵刚's desk lists 李敏's held adjustment, approves it, and the list empties; no findings."""
    staff = Desk(app, client, admin, make_community, make_member, grant)
    assert staff.adjust(staff.li, THRESHOLD_POINTS + 50).status_code == 202
    sign_in_device(page, live_server, staff.zhao)
    page.goto(f"{live_server}/desk/qianjiang/approvals")
    assert page.get_by_text("王秀英").is_visible()
    assert serious_violations(page) == []
    screenshots(page, "desk-approvals-held")
    page.get_by_role("button", name="批准并入账").click()
    assert page.get_by_text("已批准，已经入账。").is_visible()
    assert staff.posted(staff.wang["points_account"]) == 60 + THRESHOLD_POINTS + 50
