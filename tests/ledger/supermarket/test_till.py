"""What the till reads: the shelf, the resident by number, receipts, the local day's sales, pay codes."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ledger.supermarket import errors as shop_errors
from ledger.supermarket.catalogue import update_item
from ledger.supermarket.consent import CONSENT_CODE_TTL, check_consent
from ledger.supermarket.redemptions import HOLD_TTL, redeem, refund
from ledger.supermarket.till import (
    day_sales,
    local_day,
    member_by_number,
    minutes_left,
    pay_code,
    pay_code_state,
    receipt,
    shelf,
    whole_refund,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def shopper(session, community, wang, points_of, grant):
    """王秀英 with 200 points."""
    grant(community, points_of(wang), 200)
    return wang


def sell(session, shop, member, at, lines, capture=True):
    code = pay_code(session, member, now=at)
    outcome = redeem(
        session,
        shop,
        member_id=member.id,
        consent={"code": code.code},
        lines=lines,
        capture=capture,
        now=at,
    )
    assert outcome.refusal is None
    return outcome.redemption


def test_a_pay_code_is_live_with_its_minutes_then_used(session, shopper, now):
    """A fresh code has the TTL's minutes left; once spent at the till it reads as used."""
    code = pay_code(session, shopper, now=now)
    state = pay_code_state(session, shopper.id, code.id, code.code, now=now)
    assert (state.status, state.minutes_left) == ("live", CONSENT_CODE_TTL.seconds // 60)
    assert check_consent(session, shopper.id, {"code": code.code}, now=now) is None
    assert pay_code_state(session, shopper.id, code.id, code.code, now=now).status == "used"


def test_a_pay_code_expires_and_is_nobody_elses(session, shopper, li, now):
    """Past its expiry the code reads as expired; another member's lookup finds nothing."""
    code = pay_code(session, shopper, now=now)
    later = now + CONSENT_CODE_TTL
    assert pay_code_state(session, shopper.id, code.id, code.code, now=later).status == "expired"
    assert pay_code_state(session, li.id, code.id, code.code, now=now) is None


def test_minutes_left_round_up_and_stop_at_zero(now):
    """Ten seconds left is one minute; past the end is zero."""
    assert minutes_left(now + timedelta(seconds=10), now) == 1
    assert minutes_left(now + timedelta(minutes=4, seconds=1), now) == 5
    assert minutes_left(now - timedelta(seconds=1), now) == 0


def test_the_resident_is_found_by_her_reference_or_id_in_the_shops_community(
    session, shop, wang, make_community, make_member
):
    """R-wang and her id find her; a member of another community is not found."""
    assert member_by_number(session, shop, " R-wang ").id == wang.id
    assert member_by_number(session, shop, wang.id).id == wang.id
    stranger = make_member(make_community("taohua", "桃花社区"), external_ref="R-far")
    with pytest.raises(shop_errors.MemberNotInShopCommunity):
        member_by_number(session, shop, stranger.external_ref)


def test_the_shelf_lists_the_items_on_sale(session, shop, now):
    """An item taken off sale leaves the till's shelf."""
    update_item(session, shop, "soap", {"active": False}, now=now)
    assert [item.sku for item in shelf(session, shop.id)] == ["rice"]


def test_a_receipt_says_what_may_still_be_refunded(session, shop, shopper, now):
    """After one of two bags comes back, one bag (30 points) is left to refund."""
    sale = sell(session, shop, shopper, now, [{"sku": "rice", "quantity": 2}])
    refund(session, sale.id, lines=[{"sku": "rice", "quantity": 1}], now=now)
    shown = receipt(session, sale, now=now)
    assert (shown.refundable, shown.refundable_points) == (True, 30)
    assert [line.refundable for line in shown.lines] == [1]
    assert whole_refund(sale) == {"lines": [{"sku": "rice", "quantity": 1}]}
    assert shown.at.utcoffset() == timedelta(hours=8)


def test_the_days_sales_count_the_local_day_less_refunds(session, shop, shopper, now):
    """Yesterday evening's sale is not today's; today's total is captured less refunded."""
    day, start, _ = local_day(SHANGHAI, now)
    sell(session, shop, shopper, start - timedelta(minutes=30), [{"sku": "soap", "quantity": 1}])
    rice = sell(session, shop, shopper, now, [{"sku": "rice", "quantity": 2}])
    sell(session, shop, shopper, now, [{"sku": "soap", "quantity": 2}], capture=False)
    refund(session, rice.id, lines=[{"sku": "rice", "quantity": 1}], now=now)
    sales = day_sales(session, shop, now=now)
    assert sales.day == day
    assert (sales.count, sales.captured_points, sales.refunded_points) == (2, 60, 30)
    assert (sales.total_points, sales.held_points) == (30, 24)
    assert [sale.status for sale in sales.sales] == ["held", "captured"]
    assert sales.sales[1].what == "大米 ×2"


def test_a_hold_past_its_expiry_no_longer_counts_as_held(session, shop, shopper, now):
    """A hold counts while it lives, with its end on the receipt, and shows as expired after
    HOLD_TTL."""
    sell(session, shop, shopper, now, [{"sku": "soap", "quantity": 1}], capture=False)
    held = sell(session, shop, shopper, now, [{"sku": "rice", "quantity": 1}], capture=False)
    shown = receipt(session, held, now=now)
    assert shown.held and shown.hold_until == (now + HOLD_TTL).astimezone(SHANGHAI)
    later = day_sales(session, shop, now=now + HOLD_TTL)
    assert later.held_points == 0 and {s.status for s in later.sales} == {"expired"}
    assert not receipt(session, held, now=now + HOLD_TTL).held


def test_the_local_day_is_the_communitys(now):
    """09:00 in Shanghai on 2 November: the day ran from 16:00 UTC on 1 November."""
    day, start, end = local_day(SHANGHAI, now)
    assert start == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1) and day.isoformat() == "2026-11-02"
