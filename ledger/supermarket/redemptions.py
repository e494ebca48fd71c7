"""Redemptions at a shop: consent, stock and balance in one transaction; holds, capture, void, refund.

Invariants:
- nothing is taken from a member without their consent (``ledger.consent``), checked first in
  the same transaction that reserves stock and moves the points;
- a redemption is one entry of kind "redemption" from the member's points account to the shop's:
  posted at once, or pending (a hold) until captured, voided, or past ``HOLD_TTL``;
- a hold past its expiry counts for nothing: the member's expired holds are voided (stock back,
  points released) before a new redemption of theirs is checked, and ``void_expired_holds``
  (run by ``pointsbank sweep``) voids the rest; a redemption row moves along ``TRANSITIONS``
  (held -> captured | voided) through a conditional UPDATE, so two parties never resolve one hold;
- stock is reserved when a redemption (or hold) is made and comes back when a hold is voided or a
  line refunded; a counted stock never goes below zero;
- refunds (entries of kind "refund", shop -> member) never exceed what was captured, per line and
  in total; lines keep the price they were sold at.
Lock order, the same everywhere to avoid deadlocks: member consent row -> shop row -> redemption
rows -> item rows (sorted by shop and sku) -> balance rows (sorted inside ``post_entry``).
On PostgreSQL a redemption by code first tries ``fastpath`` (the same rules and lock order in two
statements) and leaves anything unusual to the general path, in the same transaction.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, make_transient_to_detached

from ledger.core import errors
from ledger.core.balances import current_balance
from ledger.core.communities import held_by, member_account
from ledger.core.ids import new_id
from ledger.core.journal import (
    EntryDraft,
    PostingDraft,
    direct_write,
    post_entry,
    post_pending,
    void_pending,
)
from ledger.core.lookup import get_or_raise
from ledger.core.models import MEMO_MAX_LENGTH, Account, Member
from ledger.core.paging import Page, keyset_page
from ledger.webhooks import outbox

from . import errors as rerr
from . import fastpath
from .catalogue import AnyShop, lock_shop
from .consent import check_consent, code_digest, consent_method
from .models import (
    REDEMPTION_STATUSES,
    Redemption,
    RedemptionLine,
    RedemptionRefund,
    Shop,
    ShopItem,
)

HOLD_TTL = timedelta(minutes=30)
MAX_LINES = 50
MAX_QUANTITY = 10_000
SWEEP_BATCH = 200
SWEEP_MAX_BATCHES = 50  # one sweep run voids at most SWEEP_BATCH * SWEEP_MAX_BATCHES holds

# step -> (statuses it may start from, status it leads to)
TRANSITIONS = {
    "redeem": ((), "captured"),  # made and taken at once
    "hold": ((), "held"),  # made with capture=False: the points are held until HOLD_TTL
    "capture": (("held",), "captured"),
    "void": (("held",), "voided"),  # by the till, or by expiry (the member's next debit, the sweep)
    # A refund leaves the redemption captured; what moves is its refunded_points.
    "refund": (("captured",), "captured"),
}
assert {target for _, target in TRANSITIONS.values()} == set(REDEMPTION_STATUSES)

_redemptions = Redemption.__table__
_lines = RedemptionLine.__table__
_items = ShopItem.__table__


@dataclass
class RedeemOutcome:
    """Either the redemption made, or the consent refusal to answer with (after committing it)."""

    redemption: Redemption | None = None
    refusal: rerr.ConsentRefused | None = None
    member_available: int | None = None


def _merged_lines(lines) -> dict[str, int]:
    if not lines:
        raise errors.Invalid("a redemption needs lines or points")
    if len(lines) > MAX_LINES:
        raise errors.Invalid("too many lines", lines=len(lines), max_lines=MAX_LINES)
    wanted: dict[str, int] = {}
    for line in lines:
        sku, quantity = line["sku"], line["quantity"]
        if sku in wanted:
            raise rerr.DuplicateLine(sku=sku)
        if type(quantity) is not int or not 1 <= quantity <= MAX_QUANTITY:
            raise errors.Invalid(
                "quantity is out of range", sku=sku, quantity=quantity, max_quantity=MAX_QUANTITY
            )
        wanted[sku] = quantity
    return wanted


def _still_startable(step: str):
    """The condition a row meets while ``step`` may still start from its status: the WHERE of the
    conditional UPDATE that makes the step, so two parties never make it twice."""
    (source,) = TRANSITIONS[step][0]  # the steps taken by conditional UPDATE start from one status
    return _redemptions.c.status == source


def _claim_hold(session: Session, redemption_id: str, *, now: datetime, expired_only: bool) -> bool:
    """Move one hold to voided; False if someone else resolved it first (or it has not expired)."""
    query = _redemptions.update().where(
        _redemptions.c.id == redemption_id, _still_startable("void")
    )
    if expired_only:
        query = query.where(_redemptions.c.hold_expires_at <= now)
    query = query.values(status=TRANSITIONS["void"][1], voided_at=now)
    claimed = session.execute(query.returning(_redemptions.c.id, _redemptions.c.community_id))
    row = claimed.first()
    if row is not None:
        outbox.record(session, "redemption.voided", row, at=now)
    return row is not None


def _return_stock(session: Session, returns: dict[tuple[str, str], int]) -> None:
    for shop_id, sku in sorted(returns):
        session.execute(
            _items.update()
            .where(_items.c.shop_id == shop_id, _items.c.sku == sku, _items.c.stock.is_not(None))
            .values(stock=_items.c.stock + returns[(shop_id, sku)])
        )


def _lines_of(session: Session, redemption_ids) -> dict[str, list]:
    found = defaultdict(list)
    if redemption_ids:
        for row in session.execute(
            sa.select(
                _lines.c.redemption_id, _lines.c.sku, _lines.c.quantity, _lines.c.refunded_quantity
            ).where(_lines.c.redemption_id.in_(list(redemption_ids)))
        ):
            found[row.redemption_id].append(row)
    return found


def _expired_holds_of(session: Session, member_id: str, now: datetime) -> list:
    """Claim the member's expired holds (status -> voided); returns their (id, shop, entry) rows."""
    rows = session.execute(
        sa.select(_redemptions.c.id, _redemptions.c.shop_id, _redemptions.c.entry_id)
        .where(
            _redemptions.c.member_id == member_id,
            _still_startable("void"),
            _redemptions.c.hold_expires_at <= now,
        )
        .order_by(_redemptions.c.id)
    ).all()
    return [row for row in rows if _claim_hold(session, row.id, now=now, expired_only=True)]


def _reserve_stock(
    session: Session, shop_id: str, wanted: dict[str, int], returns: dict[tuple[str, str], int]
) -> dict[str, sa.Row[Any]]:
    """Take ``wanted`` off the shelf and put ``returns`` back, item rows locked in sorted order."""
    keys = sorted(set(returns) | {(shop_id, sku) for sku in wanted})
    priced: dict[str, sa.Row[Any]] = {}
    for key in keys:
        back = returns.get(key, 0)
        if key[0] != shop_id or key[1] not in wanted:
            _return_stock(session, {key: back})
            continue
        sku = key[1]
        item = session.execute(
            sa.select(_items)
            .where(_items.c.shop_id == shop_id, _items.c.sku == sku)
            .with_for_update()
        ).first()
        if item is None:
            raise rerr.ItemNotFound(shop=shop_id, sku=sku)
        if not item.active:
            raise rerr.ItemInactive(shop=shop_id, sku=sku)
        if item.stock is not None:
            on_shelf = item.stock + back
            if on_shelf < wanted[sku]:
                raise rerr.OutOfStock(sku=sku, stock=on_shelf, requested=wanted[sku])
            session.execute(
                _items.update()
                .where(_items.c.shop_id == shop_id, _items.c.sku == sku)
                .values(stock=on_shelf - wanted[sku])
            )
        priced[sku] = item
    return priced


def _stock_of(session: Session, holds) -> dict[tuple[str, str], int]:
    """{(shop, sku): quantity} the holds took off the shelf, to go back when they are voided."""
    lines = _lines_of(session, [h.id for h in holds])
    returns: dict[tuple[str, str], int] = defaultdict(int)
    for hold in holds:
        for line in lines[hold.id]:
            returns[(hold.shop_id, line.sku)] += line.quantity
    return returns


def _void_entries(session: Session, holds, *, now: datetime) -> None:
    for hold in holds:
        void_pending(session, hold.entry_id, now=now)


def _release_holds(session: Session, holds, *, now: datetime) -> None:
    """Void the entries of holds already claimed (status voided), returning their stock first."""
    _return_stock(session, _stock_of(session, holds))
    _void_entries(session, holds, now=now)


def release_expired_holds(session: Session, member_id: str, *, now: datetime) -> int:
    """Void the member's holds past their expiry (stock back, points released) before another of
    their debits is checked, so an expired hold never stands in the way; returns how many."""
    expired = _expired_holds_of(session, member_id, now)
    if expired:
        _release_holds(session, expired, now=now)
    return len(expired)


def _member_points_account(session: Session, shop: AnyShop, member_id: str):
    """The member (in the shop's community) and their points account, in one round trip: this is
    the till's hot path."""
    found = session.execute(
        sa.select(Member.id, Account.id.label("account_id"))
        .join(Account, held_by(Member.id, "member", "points"))
        .where(Member.id == member_id, Member.community_id == shop.community_id)
    ).first()
    if found is None:
        raise rerr.MemberNotInShopCommunity(member=member_id)
    return found


def _wanted_lines(lines, points: int | None, memo: str) -> dict[str, int]:
    """The lines asked for ({} for a redemption by points), once the input is checked."""
    if len(memo) > MEMO_MAX_LENGTH:
        raise errors.Invalid("memo is too long", max_length=MEMO_MAX_LENGTH)
    wanted = _merged_lines(lines) if points is None else {}
    if points is not None and (lines or not memo.strip()):
        raise errors.Invalid("a redemption by points has a memo and no lines")
    return wanted


def _reserve_after_expired_holds(
    session: Session, member_id: str, shop_id: str, wanted: dict[str, int], *, now: datetime
) -> dict[str, sa.Row[Any]]:
    """Void the member's expired holds and reserve ``wanted``: item rows (the expired holds'
    stock coming back, this redemption's going out) are locked before any balance row."""
    expired = _expired_holds_of(session, member_id, now)
    priced = _reserve_stock(session, shop_id, wanted, _stock_of(session, expired))
    _void_entries(session, expired, now=now)
    return priced


def _entry_draft(
    shop: AnyShop,
    account_id: str,
    redemption_id: str,
    *,
    points: int,
    memo: str,
    capture: bool,
    expires_at: datetime | None,
    api_key_id: str | None,
) -> EntryDraft:
    """The redemption's entry: member -> shop, posted at once or held until ``expires_at``."""
    return EntryDraft(
        community_id=shop.community_id,
        kind="redemption",
        postings=[PostingDraft(account_id, shop.account_id, "points", points)],
        memo=memo or f"redemption at {shop.name}"[:MEMO_MAX_LENGTH],
        details={"shop": shop.id, "redemption": redemption_id},
        pending=not capture,
        expires_at=expires_at,
        cause_id=redemption_id,
        api_key_id=api_key_id,
    )


def _redemption_rows(
    shop: AnyShop,
    member_id: str,
    redemption_id: str,
    entry_id: str,
    wanted: dict[str, int],
    priced: Mapping[str, Any],
    *,
    points: int,
    memo: str,
    consent: dict,
    capture: bool,
    expires_at: datetime | None,
    now: datetime,
    api_key_id: str | None,
) -> tuple[dict, list[dict]]:
    """The redemption's row and its lines' rows, by column name (both paths write these)."""
    row = {
        "id": redemption_id,
        "community_id": shop.community_id,
        "shop_id": shop.id,
        "member_id": member_id,
        "entry_id": entry_id,
        "status": TRANSITIONS["redeem" if capture else "hold"][1],
        "points": points,
        "refunded_points": 0,
        "memo": memo,
        "consent_method": consent_method(consent),
        "hold_expires_at": expires_at,
        "created_at": now,
        "captured_at": now if capture else None,
        "voided_at": None,
        "settlement_id": None,
        "api_key_id": api_key_id,
    }
    lines = [
        {
            "redemption_id": redemption_id,
            "line_no": n,
            "sku": sku,
            "name": priced[sku].name,
            "unit_price_points": priced[sku].price_points,
            "quantity": quantity,
            "refunded_quantity": 0,
        }
        for n, (sku, quantity) in enumerate(wanted.items(), start=1)
    ]
    return row, lines


def _new_redemption(
    session: Session,
    shop: AnyShop,
    found,
    wanted: dict[str, int],
    priced: dict[str, sa.Row[Any]],
    *,
    points: int,
    memo: str,
    consent: dict,
    capture: bool,
    now: datetime,
    api_key_id: str | None,
) -> Redemption:
    """Post the redemption's entry (or hold) and write its row and lines."""
    redemption_id = new_id("red")
    expires_at = None if capture else now + HOLD_TTL
    draft = _entry_draft(
        shop,
        found.account_id,
        redemption_id,
        points=points,
        memo=memo,
        capture=capture,
        expires_at=expires_at,
        api_key_id=api_key_id,
    )
    entry = post_entry(session, draft, now=now)
    row, lines = _redemption_rows(
        shop,
        found.id,
        redemption_id,
        entry.id,
        wanted,
        priced,
        points=points,
        memo=memo,
        consent=consent,
        capture=capture,
        expires_at=expires_at,
        now=now,
        api_key_id=api_key_id,
    )
    redemption = Redemption(**row, lines=[RedemptionLine(**line) for line in lines])
    session.add(redemption)
    session.flush()
    if capture:
        outbox.record(session, "redemption.captured", redemption, at=now)
    return redemption


def _priced_from(items: Mapping[str, Any], wanted: dict[str, int]) -> dict[str, Any] | None:
    """The item rows of ``wanted``, or None when one is missing, inactive or short of stock
    (the general path then raises what is wrong, in its own order)."""
    for sku, quantity in wanted.items():
        item = items.get(sku)
        if item is None or not item.active or (item.stock is not None and item.stock < quantity):
            return None
    return {sku: items[sku] for sku in wanted}


def _redeem_fast(
    session: Session,
    shop: AnyShop,
    *,
    member_id: str,
    consent: dict,
    lines,
    points: int | None,
    memo: str,
    capture: bool,
    now: datetime,
    api_key_id: str | None,
) -> RedeemOutcome | None:
    """:func:`redeem` in two statements (``fastpath``); None when the general path must answer."""
    try:
        wanted = _wanted_lines(lines, points, memo)
    except errors.LedgerError:
        return None  # the general path checks the member first, then raises this
    digest = code_digest(member_id, str(consent["code"]))
    standing = fastpath.stand(session, shop, member_id, digest, sorted(wanted), now=now)
    priced = None if standing is None else _priced_from(standing.items, wanted)
    if standing is None or priced is None:
        return None
    if points is None:
        points = sum(priced[sku].price_points * quantity for sku, quantity in wanted.items())
    redemption_id = new_id("red")
    expires_at = None if capture else now + HOLD_TTL
    draft = _entry_draft(
        shop,
        standing.account_id,
        redemption_id,
        points=points,
        memo=memo,
        capture=capture,
        expires_at=expires_at,
        api_key_id=api_key_id,
    )
    try:
        write = direct_write(draft, standing.accounts, now=now, floor_tests=True)
    except errors.LedgerError:
        return None
    if write is None:
        return None
    row, line_rows = _redemption_rows(
        shop,
        member_id,
        redemption_id,
        write.record.id,
        wanted,
        priced,
        points=points,
        memo=memo,
        consent=consent,
        capture=capture,
        expires_at=expires_at,
        now=now,
        api_key_id=api_key_id,
    )
    return _record_fast(session, shop, standing, write, row, line_rows, wanted, priced, now)


def _record_fast(session, shop, standing, write, row, line_rows, wanted, priced, now):
    """Send the writes; the redemption joins the session as if loaded (no second INSERT)."""
    stock = [
        {"shop_id": shop.id, "sku": sku, "quantity": quantity}
        for sku, quantity in wanted.items()
        if priced[sku].stock is not None
    ]
    captured = row["status"] == TRANSITIONS["redeem"][1]
    told = _Resource(row["id"], row["community_id"])
    outbox_row = outbox.plain_row("redemption.captured", told, at=now) if captured else None
    available = fastpath.record(
        session,
        standing,
        write,
        redemption=row,
        lines=line_rows,
        stock=stock,
        outbox_row=outbox_row,
        now=now,
    )
    if available is None:
        return None  # a floor refused: the general path raises InsufficientBalance
    lines = [RedemptionLine(**line) for line in line_rows]
    redemption = Redemption(**row, lines=lines)
    for obj in (*lines, redemption):
        make_transient_to_detached(obj)
    session.add(redemption)
    return RedeemOutcome(redemption=redemption, member_available=int(available))


@dataclass(frozen=True)
class _Resource:
    """What the outbox names of a resource."""

    id: str
    community_id: str


def redeem(
    session: Session,
    shop: AnyShop,
    *,
    member_id: str,
    consent: dict,
    lines=None,
    points: int | None = None,
    memo: str = "",
    capture: bool = True,
    now: datetime,
    api_key_id: str | None = None,
) -> RedeemOutcome:
    """Check consent, stock and balance, then take the points (or hold them) in one transaction.

    By code on PostgreSQL the fast path (``fastpath``) is tried first; whatever it does not
    handle it leaves to the general path, untouched."""
    asked = dict(member_id=member_id, consent=consent, lines=lines, points=points, memo=memo)
    asked |= dict(capture=capture, now=now, api_key_id=api_key_id)
    if fastpath.eligible(session, consent):
        outcome = _redeem_fast(session, shop, **asked)
        if outcome is not None:
            return outcome
    return _redeem_general(session, shop, **asked)


def _redeem_general(
    session: Session,
    shop: AnyShop,
    *,
    member_id: str,
    consent: dict,
    lines,
    points: int | None,
    memo: str,
    capture: bool,
    now: datetime,
    api_key_id: str | None,
) -> RedeemOutcome:
    """:func:`redeem` statement by statement, on any database."""
    found = _member_points_account(session, shop, member_id)
    wanted = _wanted_lines(lines, points, memo)
    # Input is checked before consent, so a malformed request never uses up a code or a try.
    refusal = check_consent(session, found.id, consent, now=now)
    if refusal is not None:
        return RedeemOutcome(refusal=refusal)
    priced = _reserve_after_expired_holds(session, found.id, shop.id, wanted, now=now)
    if points is None:  # by lines: _wanted_lines made sure there are some
        points = sum(priced[sku].price_points * quantity for sku, quantity in wanted.items())
    redemption = _new_redemption(
        session,
        shop,
        found,
        wanted,
        priced,
        points=points,
        memo=memo,
        consent=consent,
        capture=capture,
        now=now,
        api_key_id=api_key_id,
    )
    return RedeemOutcome(
        redemption=redemption, member_available=current_balance(session, found.account_id).available
    )


def get_redemption(session: Session, redemption_id: str) -> Redemption:
    return get_or_raise(
        session, Redemption, redemption_id, rerr.RedemptionNotFound, redemption=redemption_id
    )


def _reload(session: Session, redemption_id: str) -> Redemption:
    return session.scalars(
        sa.select(Redemption)
        .where(Redemption.id == redemption_id)
        .execution_options(populate_existing=True)
    ).one()


def _not_held(session: Session, redemption_id: str, now: datetime):
    redemption = _reload(session, redemption_id)
    if redemption.status in TRANSITIONS["capture"][0] and redemption.hold_expires_at <= now:
        return rerr.HoldExpired(
            redemption=redemption_id, expired_at=redemption.hold_expires_at.isoformat()
        )
    return rerr.RedemptionNotHeld(redemption=redemption_id, status=redemption.status)


def capture(session: Session, redemption_id: str, *, now: datetime) -> Redemption:
    """Turn a live hold into a posted redemption; an expired hold can no longer be captured."""
    get_redemption(session, redemption_id)
    changed = session.execute(
        _redemptions.update()
        .where(
            _redemptions.c.id == redemption_id,
            _still_startable("capture"),
            _redemptions.c.hold_expires_at > now,
        )
        .values(status=TRANSITIONS["capture"][1], captured_at=now)
    )
    # An UPDATE answers a CursorResult (with rowcount); Session.execute types it as any Result.
    if cast(CursorResult[Any], changed).rowcount != 1:
        raise _not_held(session, redemption_id, now)
    redemption = _reload(session, redemption_id)
    post_pending(session, redemption.entry_id, now=now)
    outbox.record(session, "redemption.captured", redemption, at=now)
    return redemption


def void(session: Session, redemption_id: str, *, now: datetime) -> Redemption:
    """Release a hold: the points are free again and its items go back on the shelf."""
    get_redemption(session, redemption_id)
    if not _claim_hold(session, redemption_id, now=now, expired_only=False):
        raise rerr.RedemptionNotHeld(
            redemption=redemption_id, status=_reload(session, redemption_id).status
        )
    redemption = _reload(session, redemption_id)
    _release_holds(session, [redemption], now=now)
    return redemption


def _lock_refundable(session: Session, redemption_id: str) -> tuple[Shop, Redemption]:
    """Lock the shop row, then the redemption row (the lock order), and check it may be refunded."""
    shop = lock_shop(session, get_redemption(session, redemption_id).shop_id)
    redemption = session.scalars(
        sa.select(Redemption)
        .where(Redemption.id == redemption_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()
    if redemption.status not in TRANSITIONS["refund"][0]:
        raise rerr.RedemptionNotCaptured(redemption=redemption_id, status=redemption.status)
    return shop, redemption


def _refund_by_lines(redemption: Redemption, lines) -> tuple[int, list[dict]]:
    """The points the lines are worth at the price they were sold at, and the lines to return."""
    wanted = _merged_lines(lines)
    by_sku = {line.sku: line for line in redemption.lines}
    points = 0
    refunded_lines = []
    for sku, quantity in wanted.items():
        line = by_sku.get(sku)
        if line is None:
            raise rerr.ItemNotFound(
                "that sku is not on this redemption", redemption=redemption.id, sku=sku
            )
        refundable = line.quantity - line.refunded_quantity
        if quantity > refundable:
            raise rerr.RefundTooLarge(sku=sku, requested=quantity, refundable=refundable)
        points += line.unit_price_points * quantity
        refunded_lines.append({"sku": sku, "quantity": quantity})
    return points, refunded_lines


def _post_refund(
    session: Session,
    shop: Shop,
    redemption: Redemption,
    refund_id: str,
    points: int,
    *,
    memo: str,
    now: datetime,
    api_key_id: str | None,
):
    """The refund's entry, shop -> member."""
    return post_entry(
        session,
        EntryDraft(
            community_id=redemption.community_id,
            kind="refund",
            postings=[
                PostingDraft(
                    shop.account_id,
                    member_account(session, redemption.member_id, "points").id,
                    "points",
                    points,
                )
            ],
            memo=memo or f"refund of {redemption.id}",
            details={"shop": shop.id, "redemption": redemption.id, "refund": refund_id},
            cause_id=redemption.id,
            api_key_id=api_key_id,
        ),
        now=now,
    )


def refund(
    session: Session,
    redemption_id: str,
    *,
    lines=None,
    points: int | None = None,
    memo: str = "",
    now: datetime,
    api_key_id: str | None = None,
) -> RedemptionRefund:
    """Give back part or all of a captured redemption, by lines (back to stock) or by points."""
    shop, redemption = _lock_refundable(session, redemption_id)
    refunded_lines: list[dict] = []
    if points is None:
        points, refunded_lines = _refund_by_lines(redemption, lines)
    elif lines:
        raise errors.Invalid("a refund is by lines or by points, not both")
    refundable_points = redemption.points - redemption.refunded_points
    if points > refundable_points:
        raise rerr.RefundTooLarge(requested=points, refundable=refundable_points)
    refund_id = new_id("rfd")
    # Stock goes back before the balance rows are touched: item rows come first in the lock order.
    _return_stock(session, {(shop.id, b["sku"]): b["quantity"] for b in refunded_lines})
    entry = _post_refund(
        session, shop, redemption, refund_id, points, memo=memo, now=now, api_key_id=api_key_id
    )
    for line in redemption.lines:
        for back in refunded_lines:
            if back["sku"] == line.sku:
                line.refunded_quantity += back["quantity"]
    redemption.refunded_points += points
    record = RedemptionRefund(
        id=refund_id,
        redemption_id=redemption_id,
        shop_id=shop.id,
        entry_id=entry.id,
        points=points,
        lines=refunded_lines,
        memo=memo,
        created_at=now,
        api_key_id=api_key_id,
    )
    session.add(record)
    session.flush()
    outbox.record(session, "redemption.refunded", redemption, at=now)
    return record


def list_redemptions(session: Session, shop_id: str, *, limit: int, cursor: str | None) -> Page:
    """A shop's redemptions, newest first (keyset on the time-ordered id)."""
    query = sa.select(Redemption).where(Redemption.shop_id == shop_id)
    return keyset_page(session, query, Redemption.id, limit=limit, cursor=cursor, newest_first=True)


def refunds_of(session: Session, redemption_id: str) -> Sequence[RedemptionRefund]:
    return session.scalars(
        sa.select(RedemptionRefund)
        .where(RedemptionRefund.redemption_id == redemption_id)
        .order_by(RedemptionRefund.id)
    ).all()


def member_available(session: Session, member_id: str) -> int:
    return current_balance(session, member_account(session, member_id, "points").id).available


def void_expired_holds(session: Session, now: datetime) -> int:
    """Sweep job: void every hold past its expiry, one short transaction per hold.

    Each hold commits on its own so that a sweep never holds balance rows while it waits for an
    item row (the order a redemption takes them in), and a concurrent sweep or redemption that
    claimed a hold first simply makes this one skip it.
    """
    voided = 0
    for _ in range(SWEEP_MAX_BATCHES):
        rows = session.execute(
            sa.select(_redemptions.c.id, _redemptions.c.shop_id, _redemptions.c.entry_id)
            .where(_still_startable("void"), _redemptions.c.hold_expires_at <= now)
            .order_by(_redemptions.c.hold_expires_at, _redemptions.c.id)
            .limit(SWEEP_BATCH)
        ).all()
        session.commit()
        claimed_any = False
        for row in rows:
            if _claim_hold(session, row.id, now=now, expired_only=True):
                _release_holds(session, [row], now=now)
                voided += 1
                claimed_any = True
            session.commit()
        if len(rows) < SWEEP_BATCH or not claimed_any:
            break
    return voided


# Answers ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RedemptionAnswer:
    """A redemption as it is answered; its other attributes are the redemption's own.

    A hold past its expiry shows as "expired": it is no longer reserved, and the sweep or the
    member's next redemption voids it. ``member_available_points`` is set only in answers to
    the shop's own writes: later reads by a shop must not become a window on the member's
    balance.
    """

    redemption: Redemption
    status: str
    member_available_points: int | None = None

    def __getattr__(self, name: str):
        return getattr(self.redemption, name)


def shown(redemption: Redemption, *, at: datetime, member_available: int | None = None):
    status = redemption.status
    if status == "held" and redemption.hold_expires_at <= at:
        status = "expired"
    return RedemptionAnswer(redemption, status, member_available)


def shown_after_write(session: Session, redemption: Redemption, *, now: datetime):
    """A redemption as answered to the write that changed it, with the member's available points."""
    available = member_available(session, redemption.member_id)
    return shown(redemption, at=now, member_available=available)


def shown_page(page: Page, *, now: datetime) -> Page:
    return Page([shown(r, at=now) for r in page.items], page.next_cursor)


@dataclass(frozen=True)
class RefundAnswer:
    """A refund with the redemption it refunded, as answered to the shop that made it."""

    refund: RedemptionRefund
    redemption: RedemptionAnswer

    def __getattr__(self, name: str):
        return getattr(self.refund, name)


def refund_answer(session: Session, refund: RedemptionRefund, *, now: datetime) -> RefundAnswer:
    sold = get_redemption(session, refund.redemption_id)
    return RefundAnswer(refund, shown_after_write(session, sold, now=now))
