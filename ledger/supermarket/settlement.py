"""Settlement: the community takes a shop's redeemed points back into issuance and owes it money.

Invariants:
- a settlement covers every captured redemption and every refund of the shop not yet settled,
  each exactly once (``settlement_id`` is set once, under the shop row's lock);
- its points = redeemed - refunded over what it covers; they move from the shop's account back to
  the community's points issuance account in one entry of kind "settlement" (the other way when
  refunds of sales settled before outweigh the new sales: then the money due is negative, what
  the shop owes back);
- the money due is points x the community's rate (integer fen per point), fixed on the settlement;
- the shop's balance = captured - refunded - settled, so every settlement brings it back to 0.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.communities import system_account
from ledger.core.ids import new_id
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.core.lookup import get_or_raise
from ledger.core.paging import Page, keyset_page

from . import errors as rerr
from .catalogue import fen_per_point, lock_shop
from .models import Redemption, RedemptionRefund, Settlement

_redemptions = Redemption.__table__
_refunds = RedemptionRefund.__table__
# What a query of some columns answers.
Rows = Sequence[sa.Row[*tuple[Any, ...]]]


def _unsettled(session: Session, shop) -> tuple[Rows, Rows]:
    """The shop's captured redemptions and its refunds not settled yet, as (id, points) rows."""
    # Refunds of this shop wait for its row lock, so the refunds read here stay the whole set;
    # captures committed after this read simply wait for the next settlement.
    redeemed = session.execute(
        sa.select(_redemptions.c.id, _redemptions.c.points)
        .where(
            _redemptions.c.shop_id == shop.id,
            _redemptions.c.status == "captured",
            _redemptions.c.settlement_id.is_(None),
        )
        .order_by(_redemptions.c.id)
        .with_for_update(key_share=True)
    ).all()
    refunded = session.execute(
        sa.select(_refunds.c.id, _refunds.c.points)
        .where(_refunds.c.shop_id == shop.id, _refunds.c.settlement_id.is_(None))
        .order_by(_refunds.c.id)
    ).all()
    return redeemed, refunded


def _post_settlement(
    session: Session,
    shop,
    settlement_id: str,
    points: int,
    *,
    now: datetime,
    api_key_id: str | None,
) -> str | None:
    """The points the shop took in go back to issuance (or the other way when refunds were more);
    returns the entry's id, or None when they net to nothing."""
    if points == 0:
        return None
    issuance = system_account(session, shop.community_id, "issuance", "points")
    settle = PostingDraft(shop.account_id, issuance.id, "points", points)
    if points < 0:
        settle = PostingDraft(issuance.id, shop.account_id, "points", -points)
    return post_entry(
        session,
        EntryDraft(
            community_id=shop.community_id,
            kind="settlement",
            postings=[settle],
            memo=f"settlement of {shop.name}",
            details={"shop": shop.id, "settlement": settlement_id},
            cause_id=settlement_id,
            api_key_id=api_key_id,
        ),
        now=now,
    ).id


def settle_shop(
    session: Session, shop_id: str, *, now: datetime, api_key_id: str | None = None
) -> Settlement:
    shop = lock_shop(session, shop_id)
    redeemed, refunded = _unsettled(session, shop)
    if not redeemed and not refunded:
        raise rerr.NothingToSettle(shop=shop.id)
    redeemed_points = sum(int(r.points) for r in redeemed)
    refunded_points = sum(int(r.points) for r in refunded)
    points = redeemed_points - refunded_points
    settlement_id = new_id("stl")
    entry_id = _post_settlement(
        session, shop, settlement_id, points, now=now, api_key_id=api_key_id
    )
    rate = fen_per_point(session, shop.community_id)
    settlement = Settlement(
        id=settlement_id,
        shop_id=shop.id,
        community_id=shop.community_id,
        entry_id=entry_id,
        redeemed_points=redeemed_points,
        refunded_points=refunded_points,
        points=points,
        fen_per_point=rate,
        money_due_fen=points * rate,
        created_at=now,
        api_key_id=api_key_id,
    )
    session.add(settlement)
    session.flush()
    for table, rows in ((_redemptions, redeemed), (_refunds, refunded)):
        if rows:
            session.execute(
                table.update()
                .where(table.c.id.in_([r.id for r in rows]))
                .values(settlement_id=settlement_id)
            )
    return settlement


def get_settlement(session: Session, settlement_id: str) -> Settlement:
    return get_or_raise(
        session, Settlement, settlement_id, rerr.SettlementNotFound, settlement=settlement_id
    )


def covered(session: Session, settlement_id: str) -> tuple[Rows, Rows]:
    """The redemptions and refunds a settlement covers, oldest first."""
    redemptions = session.execute(
        sa.select(_redemptions.c.id, _redemptions.c.points, _redemptions.c.captured_at)
        .where(_redemptions.c.settlement_id == settlement_id)
        .order_by(_redemptions.c.id)
    ).all()
    refunds = session.execute(
        sa.select(_refunds.c.id, _refunds.c.redemption_id, _refunds.c.points, _refunds.c.created_at)
        .where(_refunds.c.settlement_id == settlement_id)
        .order_by(_refunds.c.id)
    ).all()
    return redemptions, refunds


def list_settlements(session: Session, shop_id: str, *, limit: int, cursor: str | None) -> Page:
    """A shop's settlements, newest first."""
    query = sa.select(Settlement).where(Settlement.shop_id == shop_id)
    return keyset_page(session, query, Settlement.id, limit=limit, cursor=cursor, newest_first=True)


@dataclass(frozen=True)
class SettlementStatement:
    """A settlement with the redemptions and refunds it covers; its other attributes are the
    settlement's own."""

    settlement: Settlement
    redemptions: Rows
    refunds: Rows

    def __getattr__(self, name: str):
        return getattr(self.settlement, name)


def statement(session: Session, settlement: Settlement) -> SettlementStatement:
    """A settlement statement: the record and, oldest first, what it covers."""
    return SettlementStatement(settlement, *covered(session, settlement.id))
