"""The resident's help and gifts pages in Debian's chromium: two neighbours, each by her card."""

import pytest

from tests.support.browser import needs_chromium, serious_violations
from tests.support.pages import card_token

pytestmark = needs_chromium


def signed_in(app, live_server, new_page, member, width=360):
    """A browser context of her own, signed in by her card's link."""
    page = new_page(width)
    page.goto(f"{live_server}/s/{card_token(app, member['id'])}")
    assert page.url == f"{live_server}/members/{member['id']}"
    return page


def minutes_shown(page) -> int:
    figure = page.locator('[data-unit="minutes"] [data-figure="available"]').inner_text()
    return int(figure.replace(",", "").replace("\u2212", "-"))


def minutes_reported(page, live_server, key, member) -> int:
    answer = page.request.get(f"{live_server}/v1/accounts/{member['minutes_account']}", headers=key)
    return answer.json()["available"]


def service(page, title):
    return page.locator("li.service", has=page.get_by_role("heading", name=title))


def check_page(page, screenshots, name):
    """lang set, no serious axe finding, focus visible on a control, both widths shot."""
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert serious_violations(page) == []
    control = page.locator("main input[type=text], main input[type=number], main button, main a")
    control = control.first
    control.focus()
    # Back and forth with the keyboard, so the browser shows focus as it does for a keyboard.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshots(page, name)
    page.set_viewport_size({"width": 360, "height": 800})


def test_a_volunteer_takes_and_completes_and_the_requester_confirms_and_rates(
    app, live_server, new_page, wang, li, make_key, screenshots
):
    """Li asks, Wang takes it and reports 75 minutes, Li confirms and rates from her phone:
    each page's minutes are the API's figures."""
    li_page = signed_in(app, live_server, new_page, li)
    li_page.get_by_role("link", name="互助").click()
    li_page.get_by_label("需要什么帮助").fill("陪我去医院复查")
    li_page.get_by_label("哪一类").select_option("elder_care")
    li_page.get_by_label("大约要多少分钟").fill("60")
    li_page.get_by_role("button", name="发出求助").click()
    assert li_page.get_by_role("status").inner_text() == "求助已发出，等邻居来接单。"

    wang_page = signed_in(app, live_server, new_page, wang)
    wang_page.get_by_role("link", name="互助").click()
    check_page(wang_page, screenshots, "resident-help-board")
    service(wang_page, "陪我去医院复查").get_by_role("button", name="我来帮忙").click()
    taken = service(wang_page, "陪我去医院复查")
    taken.get_by_label("实际用了多少分钟").fill("75")
    taken.get_by_role("button", name="服务完成了").click()
    assert wang_page.get_by_role("status").is_visible()

    li_page.reload()
    service(li_page, "陪我去医院复查").get_by_role("button", name="确认服务完成").click()
    rating = service(li_page, "陪我去医院复查")
    rating.get_by_label("4 星").check()
    rating.get_by_label("想说的话（可以不写）").fill("很耐心")
    check_page(li_page, screenshots, "resident-help-rate")
    rating.get_by_role("button", name="提交评价").click()
    assert li_page.get_by_role("status").inner_text() == "谢谢您的评价。"

    for page, member in ((wang_page, wang), (li_page, li)):
        page.reload()
        key = make_key("member", community="qianjiang", member=member["id"])
        assert minutes_shown(page) == minutes_reported(page, live_server, key, member)
    assert minutes_shown(wang_page) == 120 + 75 and minutes_shown(li_page) == 200 - 75


def test_a_gift_to_family_is_confirmed_then_given(
    app, live_server, new_page, wang, li, make_key, screenshots
):
    """Wang gives Li 30 minutes by her resident number; the confirm step names Li first."""
    page = signed_in(app, live_server, new_page, wang)
    page.get_by_role("link", name="转赠").click()
    check_page(page, screenshots, "resident-gifts")
    page.get_by_label("家人的居民号（转给爱心银行时不用填）").fill("R-li")
    page.get_by_label("数量").fill("30")
    page.get_by_role("button", name="下一步").click()
    assert page.locator('[data-field="recipient"]').inner_text() == "李奶奶"
    check_page(page, screenshots, "resident-gift-confirm")
    page.get_by_role("button", name="确认转出").click()
    assert page.get_by_role("status").inner_text() == "已转出，谢谢您！"
    key = make_key("member", community="qianjiang", member=li["id"])
    assert minutes_reported(page, live_server, key, li) == 200 + 30
    assert minutes_shown(page) == 120 - 30


def test_a_refused_gift_says_why_in_plain_words(app, live_server, new_page, wang, screenshots):
    """More points than she has: a page saying so, with a way back; nothing given."""
    page = signed_in(app, live_server, new_page, wang)
    page.goto(f"{live_server}/members/{wang['id']}/gifts")
    page.get_by_label("爱心银行（帮助有需要的邻居）").check()
    page.get_by_label("积分").check()
    page.get_by_label("数量").fill("301")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="确认转出").click()
    assert page.get_by_role("heading", name="没有办成").is_visible()
    check_page(page, screenshots, "resident-refused")
    page.get_by_role("link", name="返回").click()
    assert page.url.startswith(f"{live_server}/members/{wang['id']}/gifts")


def test_her_session_cannot_open_another_members_pages(app, live_server, new_page, wang, li):
    """Li's help and gifts pages answer Wang's session 404."""
    page = signed_in(app, live_server, new_page, wang)
    for path in ("help", "gifts"):
        assert page.goto(f"{live_server}/members/{li['id']}/{path}").status == 404


def test_the_pages_read_in_english(app, live_server, new_page, wang, screenshots):
    """The English link turns the help board's headings into the catalogue's English."""
    page = signed_in(app, live_server, new_page, wang)
    page.get_by_role("link", name="互助").click()
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", name="Requests waiting for help").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    screenshots(page, "resident-help-en")


@pytest.fixture(autouse=True)
def _two_neighbours(wang, li):
    """Wang and Li of the folder's conftest, made before any browser signs in."""
