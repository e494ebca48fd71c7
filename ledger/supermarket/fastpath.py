"""The fast path of a redemption by one-time code on PostgreSQL: four round trips, BEGIN and
COMMIT included (the shop's key and row are read before, as for any till request).

The general path (``redemptions.redeem``) reads the member, locks and reads the consent row,
spends the code, looks for expired holds, locks each item, reads the accounts, changes each
balance row, then inserts the entry, postings, redemption, lines and outbox row and reads the
balance back: fifteen statements. This one keeps its rules, its lock order and its rows, and
sends two (the functions of migrations ``0017_redeem_fast`` and ``0019_fast_path_plans``):

1. ``pointsbank_redeem_standing``: the member's points account, the consent row locked, the
   code's row (not yet spent), the item rows (those whose stock is counted locked), the two
   accounts;
2. ``pointsbank_record_redemption``: the floor tests with every balance row locked, then every
   write, and the member's available points.

An item whose stock is not counted is read without a lock, so the tills of a shop selling it at
once do not queue on its row: a price change or deactivation committed meanwhile is ordered
after the sale, which read the row first. A counted item is locked, as by the general path,
which locks every item: its stock never goes below zero.

Between them ``redemptions`` judges with the general path's own functions (the price of the
lines, ``journal.direct_write``'s checks of the entry). Anything unusual goes to the general
path in the same transaction, which then answers exactly as before, because nothing has been
written but the consent row the general path would create too: a PIN, an unknown member, a
locked member, a code not accepted (the general path counts the wrong try), an expired hold to
void first, an item missing (or whose counting changed while the statement waited), inactive
or short of stock, an entry the journal refuses, an account that keeps lots, and a debit below
the member's floor.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import bulk
from ledger.core.journal import DirectWrite

FAST_DIALECT = "postgresql"
_STANDING = sa.text(
    "SELECT pointsbank_redeem_standing(:member, :community, :shop, :shop_account, :digest, "
    "CAST(:skus AS text[]), :now)"
)
_RECORD = sa.text(
    "SELECT pointsbank_record_redemption(:member_account, :digest, :reset, :now, "
    "CAST(:stock AS json), CAST(:entry AS json), CAST(:postings AS json), "
    "CAST(:balances AS json), CAST(:redemption AS json), CAST(:lines AS json), "
    "CAST(:outbox AS json))"
)


def eligible(session: Session, consent: dict) -> bool:
    """Whether a redemption may try the fast path: by code (a PIN needs argon2 and its rehash,
    which the general path does), on PostgreSQL."""
    return "code" in consent and session.get_bind().dialect.name == FAST_DIALECT


@dataclass(frozen=True)
class AccountRow:
    """The columns of an account that ``journal.check_accounts`` and its deltas read."""

    id: str
    community_id: str
    owner_id: str | None
    kind: str
    unit: str
    floor: int | None
    status: str
    keeps_lots: bool


@dataclass(frozen=True)
class ItemRow:
    sku: str
    name: str
    price_points: int
    stock: int | None
    active: bool


@dataclass(frozen=True)
class Standing:
    """What the first statement read, with the consent row and the counted item rows locked."""

    account_id: str
    digest: str  # of the code accepted, which the second statement spends
    counters_set: bool  # wrong tries or locks to forget once the code is accepted
    items: dict[str, ItemRow]
    accounts: dict[str, AccountRow]


def stand(
    session: Session, shop, member_id: str, digest: str, skus: list[str], *, now: datetime
) -> Standing | None:
    """The standing of a redemption by code; None when the general path must answer."""
    found = session.execute(
        _STANDING,
        {
            "member": member_id,
            "community": shop.community_id,
            "shop": shop.id,
            "shop_account": shop.account_id,
            "digest": digest,
            "skus": skus,
            "now": now,
        },
    ).scalar_one()
    if not found["usable"]:
        return None
    return Standing(
        account_id=found["account"],
        digest=digest,
        counters_set=bool(found["failed_attempts"] or found["locks_in_a_row"]),
        items={i["sku"]: ItemRow(**i) for i in found["items"] or []},
        accounts={a["id"]: AccountRow(**a) for a in found["accounts"] or []},
    )


def record(
    session: Session,
    standing: Standing,
    write: DirectWrite,
    *,
    redemption: dict,
    lines: list[dict],
    stock: list[dict],
    outbox_row: dict | None,
    now: datetime,
) -> int | None:
    """Write the redemption; the member's available points, or None (nothing written) when a
    debit would take a balance below its floor."""
    return session.execute(
        _RECORD,
        {
            "member_account": standing.account_id,
            "digest": standing.digest,
            "reset": standing.counters_set,
            "now": now,
            "stock": bulk.json_param(stock),
            "entry": bulk.json_param(write.entry),
            "postings": bulk.json_param(write.postings),
            "balances": bulk.json_param(write.balances),
            "redemption": bulk.json_param(redemption),
            "lines": bulk.json_param(lines),
            "outbox": bulk.json_param(outbox_row),
        },
    ).scalar_one()
