"""What a shop's till reads, and the pay code a resident shows it.

The till sells through ``redemptions`` like any shop key; this module only reads for it: the
items on sale, the resident a typed number names, a sale as its receipt, and the sales of the
community's local day with their running total. A resident's pay code is an ordinary consent
code (``consent.issue_code``) whose id her page keeps, so the page can say whether the code is
still live, used or expired and how many minutes it has left.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.communities import get_member
from ledger.core.models import Community, Member

from . import errors as rerr
from .catalogue import get_shop
from .consent import issue_code
from .models import ConsentCode, Redemption, RedemptionRefund, Shop, ShopItem
from .redemptions import TRANSITIONS, RedemptionAnswer, refunds_of, shown

# The most items a till's screen lists: a community shop's shelf, not a warehouse.
TILL_MAX_ITEMS = 200
# The most sales of one day listed (the totals always count them all).
DAY_MAX_SALES = 500


# The resident's pay code --------------------------------------------------------------------------
@dataclass(frozen=True)
class PayCode:
    """A consent code as her page keeps it: the id to look it up again, and the code itself."""

    id: str
    member_id: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class PayCodeState:
    code: str
    status: str  # "live", "used" or "expired"
    minutes_left: int
    seconds_left: int
    expires_at: datetime  # in the community's local time


def pay_code(session: Session, member: Member, *, now: datetime) -> PayCode:
    """A fresh one-time code for the member to show at the till."""
    record, code = issue_code(session, member, now=now)
    return PayCode(record.id, member.id, code, record.expires_at)


def minutes_left(expires_at: datetime, now: datetime) -> int:
    """Whole minutes until ``expires_at``, rounded up (a code with 10 s left has 1 minute)."""
    return max(0, math.ceil((expires_at - now).total_seconds() / 60))


def pay_code_state(
    session: Session, member_id: str, code_id: str, code: str, *, now: datetime
) -> PayCodeState | None:
    """Whether the member's pay code is live, used or expired; None if it is not hers."""
    record = session.get(ConsentCode, code_id)
    if record is None or record.member_id != member_id:
        return None
    if record.used_at is not None:
        status = "used"
    elif record.expires_at <= now:
        status = "expired"
    else:
        status = "live"
    live = status == "live"
    left = minutes_left(record.expires_at, now) if live else 0
    seconds = max(0, math.ceil((record.expires_at - now).total_seconds())) if live else 0
    zone = _zone(session, get_member(session, member_id).community_id)
    return PayCodeState(code, status, left, seconds, record.expires_at.astimezone(zone))


# The till's shelf and customer -------------------------------------------------------------------
def shelf(session: Session, shop_id: str) -> list[ShopItem]:
    """The items on sale, by name, with their stock (None: unlimited)."""
    return list(
        session.scalars(
            sa.select(ShopItem)
            .where(ShopItem.shop_id == shop_id, ShopItem.active.is_(True))
            .order_by(ShopItem.name, ShopItem.sku)
            .limit(TILL_MAX_ITEMS)
        )
    )


def member_by_number(session: Session, shop: Shop, number: str) -> Member:
    """The member of the shop's community whose reference (or id) is ``number``."""
    number = number.strip()
    found = session.scalar(
        sa.select(Member).where(
            Member.community_id == shop.community_id,
            sa.or_(Member.external_ref == number, Member.id == number),
        )
    )
    if found is None:
        raise rerr.MemberNotInShopCommunity(member=number)
    return found


def _zone(session: Session, community_id: str) -> ZoneInfo:
    query = sa.select(Community.timezone).where(Community.id == community_id)
    return ZoneInfo(session.execute(query).scalar_one())


# A receipt ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReceiptLine:
    sku: str
    name: str
    unit_price_points: int
    quantity: int
    refunded_quantity: int

    @property
    def points(self) -> int:
        return self.unit_price_points * self.quantity

    @property
    def refundable(self) -> int:
        return self.quantity - self.refunded_quantity


@dataclass(frozen=True)
class Receipt:
    """A sale as the till prints it, in the community's local time."""

    sale: RedemptionAnswer
    shop_name: str
    member_name: str
    member_ref: str
    at: datetime
    lines: list[ReceiptLine]
    refunds: list[tuple[datetime, RedemptionRefund]]
    refundable_points: int
    hold_until: datetime | None = None

    @property
    def refundable(self) -> bool:
        return self.sale.status in TRANSITIONS["refund"][0] and self.refundable_points > 0

    @property
    def held(self) -> bool:
        return self.sale.status in TRANSITIONS["capture"][0]


def receipt(session: Session, redemption: Redemption, *, now: datetime) -> Receipt:
    zone = _zone(session, redemption.community_id)
    member = get_member(session, redemption.member_id)
    lines = [
        ReceiptLine(
            line.sku, line.name, line.unit_price_points, line.quantity, line.refunded_quantity
        )
        for line in redemption.lines
    ]
    refunds = [(r.created_at.astimezone(zone), r) for r in refunds_of(session, redemption.id)]
    return Receipt(
        sale=shown(redemption, at=now),
        shop_name=get_shop(session, redemption.shop_id).name,
        member_name=member.display_name,
        member_ref=member.external_ref,
        at=redemption.created_at.astimezone(zone),
        lines=lines,
        refunds=refunds,
        refundable_points=redemption.points - redemption.refunded_points,
        hold_until=redemption.hold_expires_at.astimezone(zone)
        if redemption.hold_expires_at
        else None,
    )


def whole_refund(redemption: Redemption) -> dict:
    """What refunds the rest of a sale: its remaining lines, or its remaining points."""
    if not redemption.lines:
        return {"points": redemption.points - redemption.refunded_points}
    lines = [
        {"sku": line.sku, "quantity": line.quantity - line.refunded_quantity}
        for line in redemption.lines
        if line.quantity > line.refunded_quantity
    ]
    return {"lines": lines}


# The day's sales ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DaySale:
    id: str
    at: datetime
    status: str
    points: int
    refunded_points: int
    what: str


@dataclass(frozen=True)
class DaySales:
    """A shop's sales of one local day: captured minus refunded is the running total."""

    day: date
    sales: list[DaySale]
    count: int
    captured_points: int
    held_points: int
    refunded_points: int

    @property
    def total_points(self) -> int:
        return self.captured_points - self.refunded_points


def local_day(zone: ZoneInfo, now: datetime) -> tuple[date, datetime, datetime]:
    """The local date of ``now`` and the instants its day starts and ends."""
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return day, start, end


def _sum(session: Session, column, *conditions) -> int:
    return int(
        session.scalar(sa.select(sa.func.coalesce(sa.func.sum(column), 0)).where(*conditions))
    )


def _described(redemption: Redemption) -> str:
    return (
        "、".join(
            f"{line.name} ×{line.quantity}" if line.quantity > 1 else line.name
            for line in redemption.lines
        )
        or redemption.memo
    )


def day_sales(session: Session, shop: Shop, *, now: datetime) -> DaySales:
    """The shop's sales made today (the community's local day), newest first, and its totals.

    Captured points count on the day of capture, refunds on the day they are made; holds count
    while they are live.
    """
    zone = _zone(session, shop.community_id)
    day, start, end = local_day(zone, now)
    of_shop = Redemption.shop_id == shop.id
    made_today = sa.and_(of_shop, Redemption.created_at >= start, Redemption.created_at < end)
    sales = session.scalars(
        sa.select(Redemption).where(made_today).order_by(Redemption.id.desc()).limit(DAY_MAX_SALES)
    ).all()
    listed = [
        DaySale(
            r.id,
            r.created_at.astimezone(zone),
            shown(r, at=now).status,
            r.points,
            r.refunded_points,
            _described(r),
        )
        for r in sales
    ]
    captured = _sum(
        session,
        Redemption.points,
        of_shop,
        Redemption.status == TRANSITIONS["capture"][1],
        Redemption.captured_at >= start,
        Redemption.captured_at < end,
    )
    held = _sum(
        session,
        Redemption.points,
        of_shop,
        Redemption.status == TRANSITIONS["hold"][1],
        Redemption.hold_expires_at > now,
    )
    refunded = _sum(
        session,
        RedemptionRefund.points,
        RedemptionRefund.shop_id == shop.id,
        RedemptionRefund.created_at >= start,
        RedemptionRefund.created_at < end,
    )
    counted = sa.select(sa.func.count()).select_from(Redemption).where(made_today)
    count = session.execute(counted).scalar_one()
    return DaySales(day, listed, count, captured, held, refunded)
