"""The resident's pages in Debian's chromium: card sign-in, reach, CSRF, expiry, accessibility."""

import pytest

from api.pages.sessions import RESIDENT_SESSION
from tests.support.browser import needs_chromium, serious_violations, sign_in_device
from tests.support.pages import card_token

pytestmark = needs_chromium


@pytest.fixture
def wang(make_community, make_member, grant):
    """王秀英 of 潜江社区, with 1,250 points and 90 minutes."""
    community = make_community()
    member = make_member("qianjiang", external_ref="R-wang", display_name="王秀英")
    grant(community, member["points_account"], 1250)
    grant(community, member["minutes_account"], 90, unit="minutes")
    return member


def test_her_card_opens_her_page_with_the_apis_balances(
    app, live_server, page, wang, make_key, screenshots
):
    """Her card link opens her page, whose figures are GET /v1/accounts/{id}'s, in Chinese."""
    page.goto(f"{live_server}/s/{card_token(app, wang['id'])}")
    assert page.url == f"{live_server}/members/{wang['id']}"
    key = make_key("member", community="qianjiang", member=wang["id"])
    for account in (wang["points_account"], wang["minutes_account"]):
        reported = page.request.get(f"{live_server}/v1/accounts/{account}", headers=key).json()
        shown = page.locator(f'[data-unit="{reported["unit"]}"] [data-figure="available"]')
        assert shown.inner_text().replace(",", "") == str(reported["available"])
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert serious_violations(page) == []
    screenshots(page, "me-zh")
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", name="My balances").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    screenshots(page, "me-en")


def test_a_used_card_link_is_refused(app, live_server, page, wang, screenshots):
    """The same link a second time answers 410 with a page that says so."""
    link = f"{live_server}/s/{card_token(app, wang['id'])}"
    page.goto(link)
    page.context.clear_cookies()
    again = page.goto(link)
    assert again.status == 410
    assert page.get_by_role("heading", name="这个登录链接已经用过了").is_visible()
    assert serious_violations(page) == []
    screenshots(page, "refused")


def test_another_members_page_is_not_found(app, live_server, page, wang, make_member):
    """Her session opening another member's page gets 404."""
    li = make_member("qianjiang", display_name="李建国")
    page.goto(f"{live_server}/s/{card_token(app, wang['id'])}")
    assert page.goto(f"{live_server}/members/{li['id']}").status == 404


def test_a_form_without_its_csrf_token_is_refused(app, live_server, page, wang):
    """Signing out without the form's token is 400; the button's form signs out."""
    page.goto(f"{live_server}/s/{card_token(app, wang['id'])}")
    assert page.request.post(f"{live_server}/signout").status == 400
    page.get_by_role("button", name="退出登录").click()
    assert page.url == f"{live_server}/"


def test_an_expired_session_returns_to_sign_in(app, live_server, page, wang, clock, screenshots):
    """After RESIDENT_SESSION her page sends her to sign-in: labelled, focus visible, no findings."""
    page.goto(f"{live_server}/s/{card_token(app, wang['id'])}")
    clock.advance(seconds=RESIDENT_SESSION.total_seconds() + 1)
    page.reload()
    assert page.url == f"{live_server}/"
    code = page.get_by_label("或者输入卡片上的登录码")
    code.focus()
    assert code.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    assert serious_violations(page) == []
    screenshots(page, "signin")


def test_the_card_sheet_shows_a_card_per_resident(
    app, page, wang, make_member, tmp_path, screenshots
):
    """The printed sheet from `pointsbank cards` shows each resident's name and QR code."""
    from api.pages.cli import cards

    make_member("qianjiang", external_ref="R-li", display_name="李建国")
    sheet = tmp_path / "cards.html"
    result = app.test_cli_runner().invoke(cards, ["--community", "qianjiang", "-o", str(sheet)])
    assert result.exit_code == 0, result.output
    page.goto(sheet.as_uri())
    assert page.locator(".card svg").count() == 2
    assert page.get_by_text("李建国").is_visible()
    screenshots(page, "cards")


def test_a_device_signs_in_with_its_key(live_server, page, supermarket, screenshots):
    """The device sign-in page is labelled and clean; the shop's key lands the till on /till."""
    page.goto(f"{live_server}/device")
    assert serious_violations(page) == []
    screenshots(page, "device-signin")
    sign_in_device(page, live_server, supermarket.shop_key)
    assert page.url == f"{live_server}/till"
