"""The till and "pay at the shop" in Debian's chromium: a sale with the code on her phone, one
sale per double tap, and every page labelled, focusable, in its language and clean under axe."""

import re

import pytest

from tests.support.browser import needs_chromium, serious_violations, sign_in_device
from tests.support.pages import card_token

pytestmark = needs_chromium


@pytest.fixture
def wang(resident):
    """王秀英 of the supermarket's community, with 100 points."""
    return resident(points=100, display_name="王秀英")


def available_points(page) -> int:
    shown = page.locator('[data-unit="points"] [data-figure="available"]').inner_text()
    return int(shown.replace(",", ""))


def her_code(app, live_server, phone, member) -> str:
    """Sign her phone in with a card and ask her pay page for a code."""
    phone.goto(f"{live_server}/s/{card_token(app, member['id'])}")
    phone.get_by_role("link", name="到店付款").click()
    phone.get_by_role("button", name="取付款码").click()
    return phone.locator(".pay-code").get_attribute("data-code")


def redemptions_of(page, live_server, supermarket) -> list:
    listed = page.request.get(
        f"{live_server}/v1/shops/{supermarket.shop['id']}/redemptions",
        headers=supermarket.shop_key,
    )
    return listed.json()["items"]


def test_she_pays_two_soy_sauces_at_the_till_with_the_code_on_her_phone(
    app, live_server, new_page, supermarket, wang, make_key, screenshots
):
    """Her card shows the API's balance; the till sells with her code; her page then shows
    the new balance and the sale; her card link is refused a second time."""
    phone = new_page(360)
    link = f"{live_server}/s/{card_token(app, wang['id'])}"
    phone.goto(link)
    key = make_key("member", community="qianjiang", member=wang["id"])
    reported = phone.request.get(f"{live_server}/v1/accounts/{wang['points_account']}", headers=key)
    assert available_points(phone) == reported.json()["available"] == 100
    phone.get_by_role("link", name="到店付款").click()
    phone.get_by_role("button", name="取付款码").click()
    code = phone.locator(".pay-code").get_attribute("data-code")
    assert re.fullmatch(r"[0-9]{6}", code)
    assert phone.locator("[data-minutes-left]").get_attribute("data-minutes-left") == "5"

    tablet = new_page(1280)
    sign_in_device(tablet, live_server, supermarket.shop_key)
    tablet.get_by_label("居民编号").fill(wang["external_ref"])
    tablet.get_by_role("button", name="开始收款").click()
    tablet.get_by_label("酱油 500ml").fill("2")
    tablet.get_by_label("付款码").fill(code)
    tablet.get_by_role("button", name="确认收款").click()
    assert "/till/receipts/red_" in tablet.url
    assert tablet.locator('[data-status="captured"]').is_visible()

    phone.goto(f"{live_server}/members/{wang['id']}")
    after = phone.request.get(f"{live_server}/v1/accounts/{wang['points_account']}", headers=key)
    assert available_points(phone) == after.json()["available"] == 40
    assert phone.locator(".statement li").first.inner_text().startswith("兑换酱油 500ml ×2")
    again = new_page(360)
    assert again.goto(link).status == 410


def test_a_double_tap_on_sell_makes_one_sale(app, live_server, new_page, supermarket, wang):
    """Double-clicking the sell button, then sending the form again, leaves one redemption."""
    phone = new_page(360)
    code = her_code(app, live_server, phone, wang)
    tablet = new_page(1280)
    sign_in_device(tablet, live_server, supermarket.shop_key)
    posts = []
    tablet.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    tablet.goto(f"{live_server}/till/sell?member={wang['id']}&code={code}")
    tablet.get_by_label("菜籽").fill("1")
    # The form as the browser sends it, to send it once more below.
    sent = tablet.evaluate(
        "() => new URLSearchParams(new FormData(document.querySelector('form.sale'))).toString()"
    )
    tablet.get_by_role("button", name="确认收款").dblclick()
    tablet.wait_for_url(re.compile(r".*/till/receipts/red_\w+$"))
    tablet.wait_for_load_state("networkidle")
    assert len(posts) >= 1
    # Chromium may fold the second click into the first: the form is then sent again, as a
    # browser's resubmission would, and lands on the same receipt.
    again = tablet.evaluate(
        """async (body) => (await fetch('/till/sell', {method: 'POST', body,
            headers: {'Content-Type': 'application/x-www-form-urlencoded'}})).url""",
        sent,
    )
    assert again == tablet.url
    assert len(redemptions_of(tablet, live_server, supermarket)) == 1


def test_the_qr_link_opens_the_sale_form_with_her_code(
    app, live_server, new_page, supermarket, wang
):
    """The link her QR code holds opens, on the till, her sale form with the code filled in."""
    phone = new_page(360)
    code = her_code(app, live_server, phone, wang)
    tablet = new_page(1280)
    sign_in_device(tablet, live_server, supermarket.shop_key)
    tablet.goto(f"{live_server}/till/sell?member={wang['id']}&code={code}")
    assert tablet.get_by_label("付款码").input_value() == code
    assert tablet.get_by_role("heading", name="为王秀英收款").is_visible()


def check(page, name, screenshots, focus=None):
    """lang set, axe clean, the focused control outlined, screenshots at 360 and 1280 px."""
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert serious_violations(page) == []
    if focus is not None:
        focus.focus()
        assert focus.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    screenshots(page, name)


def test_every_till_page_is_accessible(app, live_server, new_page, supermarket, wang, screenshots):
    """The till's start, sale form, receipt (with a hold's buttons) and day: clean and labelled."""
    phone = new_page(360)
    code = her_code(app, live_server, phone, wang)
    check(phone, "till-pay", screenshots, phone.get_by_role("button", name="换一个新付款码"))
    tablet = new_page(360)
    sign_in_device(tablet, live_server, supermarket.shop_key)
    check(tablet, "till-home", screenshots, tablet.get_by_label("居民编号"))
    tablet.goto(f"{live_server}/till/sell?member={wang['id']}&code={code}")
    check(tablet, "till-sell", screenshots, tablet.get_by_label("酱油 500ml"))
    tablet.get_by_label("酱油 500ml").fill("1")
    tablet.get_by_label("先预留").check()
    tablet.get_by_role("button", name="确认收款").click()
    check(tablet, "till-receipt-held", screenshots, tablet.get_by_role("button", name="确认扣积分"))
    tablet.get_by_role("button", name="确认扣积分").click()
    check(tablet, "till-receipt", screenshots, tablet.get_by_label("退酱油 500ml"))
    tablet.emulate_media(media="print")
    assert tablet.locator(".bar").is_hidden() and tablet.locator("form").first.is_hidden()
    screenshots(tablet, "till-receipt-print")
    tablet.emulate_media(media="screen")
    tablet.get_by_role("link", name="今日销售").first.click()
    check(tablet, "till-today", screenshots, tablet.get_by_role("link", name="酱油 500ml"))


def test_a_staff_desk_gets_403_from_the_till(live_server, page, supermarket):
    """A device signed in with a staff key opening the till is refused with 403."""
    sign_in_device(page, live_server, supermarket.staff)
    assert page.goto(f"{live_server}/till").status == 403
    assert page.get_by_role("heading", name="这台设备不能打开这个页面").is_visible()
