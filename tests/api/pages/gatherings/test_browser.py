"""The gatherings' pages in Debian's chromium: scanning the desk's code, the roll call, the
desk's gathering page, the public notice and the statement, each checked with axe-core."""

from datetime import timedelta

from playwright.sync_api import expect

from tests.support.browser import needs_chromium, serious_violations, sign_in_device
from tests.support.gatherings import ENDS_AT, NOTICE_DAYS, sweep
from tests.support.pages import card_token

pytestmark = needs_chromium


def _checked(page, name, screenshots):
    """The page is Chinese-tagged, has no serious accessibility findings, and is photographed."""
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert serious_violations(page) == []
    screenshots(page, name)


def _as_resident(app, page, live_server, member):
    page.context.clear_cookies()
    page.goto(f"{live_server}/s/{card_token(app, member['id'])}")


def _desk_link(page, live_server, gathering):
    page.goto(f"{live_server}/desk/gatherings/{gathering}/code")
    return page.locator("[data-signin-link]").get_attribute("href")


def test_thirty_scan_the_desks_code_five_are_ticked_and_the_organizer_earns_nothing(
    app, live_server, new_page, evening, screenshots
):
    """30 residents open the QR code's link and confirm, the organizer ticks 5 more: 35 pending
    awards on the desk; a second scan says already; the organizer's own scan says why not."""
    gathering = evening["gathering"]["id"]
    desk = new_page(width=1280)
    sign_in_device(desk, live_server, evening["staff"])
    link = _desk_link(desk, live_server, gathering)
    expect(desk.locator(".qr svg")).to_be_visible()
    _checked(desk, "gatherings-desk-code", screenshots)
    phone = new_page()
    for n, member in enumerate(evening["residents"][:30]):
        _as_resident(app, phone, live_server, member)
        phone.goto(link)
        if n == 0:
            _checked(phone, "gatherings-scan", screenshots)
        phone.get_by_role("button", name="确认签到").click()
        expect(phone.locator('[data-state="signed"]')).to_be_visible()
    _checked(phone, "gatherings-signed", screenshots)
    phone.goto(link)
    expect(phone.locator('[data-state="already"]')).to_be_visible()
    _as_resident(app, phone, live_server, evening["organizer"])
    phone.goto(f"{live_server}/g/{gathering}/roll")
    for member in evening["residents"][30:]:
        phone.get_by_role("button", name=f"为{member['display_name']}签到").click()
    expect(phone.locator(".roll .done")).to_have_count(35)
    _checked(phone, "gatherings-roll", screenshots)
    phone.goto(link)
    phone.get_by_role("button", name="确认签到").click()
    expect(phone.get_by_text("组织者不能为自己组织的活动签到得分。")).to_be_visible()
    _checked(phone, "gatherings-refused", screenshots)
    desk.goto(f"{live_server}/desk/gatherings/{gathering}")
    assert desk.locator('.awards [data-status="pending"]').count() == 35
    _checked(desk, "gatherings-desk", screenshots)


def test_an_expired_code_is_refused_on_the_phone(app, live_server, new_page, clock, evening):
    """A link scanned two minutes ago no longer signs in, and the page says to scan again."""
    desk = new_page(width=1280)
    sign_in_device(desk, live_server, evening["staff"])
    link = _desk_link(desk, live_server, evening["gathering"]["id"])
    clock.set(clock.now() + timedelta(minutes=2))
    phone = new_page()
    _as_resident(app, phone, live_server, evening["residents"][0])
    assert phone.goto(link).status == 422
    expect(phone.get_by_text("二维码已过期")).to_be_visible()


def test_the_published_notice_updates_on_an_objection_and_the_statement_names_the_evening(
    app, live_server, new_page, clock, evening, screenshots
):
    """The desk publishes the decisions; the notice lists the attendees; an objection voids one;
    after the notice the sweep vests the rest and her page shows 参加星空夜话 +5."""
    gathering = evening["gathering"]["id"]
    desk = new_page(width=1280)
    sign_in_device(desk, live_server, evening["staff"])
    link = _desk_link(desk, live_server, gathering)
    phone = new_page()
    for member in evening["residents"][:3]:
        _as_resident(app, phone, live_server, member)
        phone.goto(link)
        phone.get_by_role("button", name="确认签到").click()
    clock.set(ENDS_AT + timedelta(minutes=20))
    desk.goto(f"{live_server}/desk/gatherings/{gathering}")
    for n, (decision, who) in enumerate(
        [("本周六统一清理", "楼长李建国"), ("报物业维修", "物业")], 1
    ):
        desk.locator(f"#decision-{n}").fill(decision)
        desk.locator(f"#carried-{n}").fill(who)
    desk.get_by_role("button", name="保存并公示结果").click()
    desk.get_by_role("link", name="查看结果公示").click()
    assert desk.locator('.attendees [data-status="pending"]').count() == 3
    notice_url = desk.url
    _checked(desk, "gatherings-notice", screenshots)
    desk.go_back()
    first = evening["residents"][0]["id"]
    row = desk.locator(f'.awards [data-member="{first}"]')
    row.locator("summary").click()  # the objection form is folded away until asked for
    row.get_by_label("异议理由").fill("未到场")
    row.get_by_role("button", name="提出异议").click()
    desk.goto(notice_url)
    assert desk.locator('.attendees [data-status="voided"]').count() == 1
    assert (
        "公示中的积分共 10 分" in desk.locator('[data-figure="points-under-notice"]').inner_text()
    )
    clock.set(clock.now() + timedelta(days=NOTICE_DAYS))
    assert sweep(app, clock) == 2
    _as_resident(app, phone, live_server, evening["residents"][1])
    line = phone.locator(".statement li").first
    assert "参加星空夜话" in line.inner_text() and "+5" in line.inner_text()
    assert "2026/11/20" in line.inner_text()
    _checked(phone, "gatherings-statement", screenshots)


def test_the_desk_schedules_with_labelled_inputs_and_visible_focus(
    live_server, new_page, evening, screenshots
):
    """The schedule form's inputs are labelled and show focus; it schedules the gathering."""
    desk = new_page()
    sign_in_device(desk, live_server, evening["staff"])
    desk.goto(f"{live_server}/desk/gatherings/")
    title = desk.get_by_label("标题")
    title.focus()
    assert title.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    _checked(desk, "gatherings-desk-list", screenshots)
    title.fill("广场夜话")
    desk.get_by_label("地点").fill("文化礼堂")
    desk.get_by_label("日期").fill("2026-11-27")
    desk.get_by_label("开始").fill("19:30")
    desk.get_by_label("结束").fill("21:00")
    desk.get_by_label("组织者的居民编号（组织者是居民时）").fill("R-000")
    desk.get_by_role("button", name="安排活动").click()
    expect(desk.get_by_role("heading", name="广场夜话")).to_be_visible()
