"""Community reports (结果公示): what was issued, redeemed, settled and exchanged, from the journal.

Every figure is computed from entries, postings and accounts alone, so the report needs none of
the capability tables and always agrees with the statements:
- the window is ``[from, to)`` on ``posted_at``; flows count posted entries only;
- *issued* is every posting out of the community's points issuance account, labelled by the
  award's ``activity`` (from the entry's metadata) or, for other kinds, by the entry kind;
  *returned* is every posting into it (settlements, reversed awards);
- *redeemed* / *refunded* / *settled* per shop are the redemption / refund / settlement
  postings into and out of the shop's points account; *owed* is its posted balance at ``to``;
- *outstanding* is minus the issuance account's posted balance, at ``from`` and at ``to``, so
  ``outstanding_at_end = outstanding_at_start + issued - returned``;
- *pending* is what pending entries hold right now, by entry kind and unit;
- *participants* are the distinct members whose accounts a posted entry in the window touched;
- *minutes by category* sums posted service entries by the service ``category`` in their metadata;
- *love bank* is the posted balance of the love bank accounts at ``to``;
- *expired* sums the expiry entries (points that expired into the love bank), *donated* the
  donations to it, by unit, and *exchanged for time* the points given and minutes got by
  exchange entries (兑换服务时长).
- *clearing* is the posted balance at ``to`` of each of the community's clearing accounts (minutes
  it owes, or with a minus is owed by, another community of its district), by account id.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import errors
from ledger.core.balances import StatementLine, statement
from ledger.core.clock import as_utc
from ledger.core.communities import system_account
from ledger.core.models import Account, AccountLine, Base, Community, Entry, Member, Posting
from ledger.core.paging import MAX_PAGE_LIMIT

from .flows import WindowSum
from .rollups import window_flows

UNLABELLED = "(unlabelled)"
MAX_STATEMENT_EXPORT_LINES = 20_000  # a longer statement is exported window by window


class ReportWindowInvalid(errors.Invalid):
    slug = "report-window-invalid"
    title = "The report window must end after it starts."


class StatementTooLong(errors.Invalid):
    slug = "statement-too-long"
    title = "The statement has more lines than one export holds; ask for a shorter window."


@dataclass
class ShopFigures:
    shop_id: str
    name: str | None
    account_id: str
    redeemed: int = 0
    refunded: int = 0
    settled: int = 0
    owed: int = 0

    @property
    def net_redeemed(self) -> int:
        return self.redeemed - self.refunded


class PendingAmount(NamedTuple):
    kind: str
    unit: str
    amount: int


@dataclass
class CommunityReport:
    community_id: str
    slug: str
    from_: datetime | None
    to: datetime | None
    generated_at: datetime
    issued_by_activity: dict[str, int] = field(default_factory=dict)
    returned_by_kind: dict[str, int] = field(default_factory=dict)
    shops: list[ShopFigures] = field(default_factory=list)
    outstanding_at_start: int = 0
    outstanding_at_end: int = 0
    pending: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, unit) -> amount
    participants: int = 0
    members: int = 0
    minutes_by_category: dict[str, int] = field(default_factory=dict)
    love_bank: dict[str, int] = field(default_factory=dict)  # unit -> posted balance at ``to``
    expired_points: int = 0
    donated: dict[str, int] = field(default_factory=dict)  # unit -> donated to the love bank
    exchanged_for_time: dict[str, int] = field(default_factory=dict)  # points in, minutes out
    clearing: dict[str, int] = field(default_factory=dict)  # account id -> minutes at ``to``

    @property
    def issued(self) -> int:
        return sum(self.issued_by_activity.values())

    @property
    def returned(self) -> int:
        return sum(self.returned_by_kind.values())

    @property
    def redeemed(self) -> int:
        return sum(s.net_redeemed for s in self.shops)

    @property
    def settled(self) -> int:
        return sum(s.settled for s in self.shops)

    @property
    def minutes_exchanged(self) -> int:
        return sum(self.minutes_by_category.values())

    @property
    def points(self) -> "CommunityReport":
        """The points figures (issued, returned, redeemed, settled, outstanding, shops) are the
        report's own attributes; a representation that groups them reads them here."""
        return self

    @property
    def pending_held(self) -> list[PendingAmount]:
        """What pending entries hold right now, by kind and unit."""
        return [PendingAmount(k, u, amount) for (k, u), amount in sorted(self.pending.items())]

    def rows(self) -> list[tuple[str, str, str, int | str]]:
        """The report flattened to (section, item, unit, value): the CSV, and a stable listing.

        A shop's figures are keyed by its id; its ``shop`` row gives its name."""
        rows: list[tuple[str, str, str, int | str]] = [
            ("issued", activity, "points", amount)
            for activity, amount in sorted(self.issued_by_activity.items())
        ]
        rows.append(("issued", "total", "points", self.issued))
        rows += [
            ("returned", kind, "points", amount)
            for kind, amount in sorted(self.returned_by_kind.items())
        ]
        rows.append(("returned", "total", "points", self.returned))
        # Per shop and in total alike: redeemed is gross, refunded beside it, net_redeemed the
        # difference (what the JSON report's points.redeemed counts).
        for shop in self.shops:
            rows += [
                ("shop", shop.shop_id, "", shop.name or ""),
                ("redeemed", shop.shop_id, "points", shop.redeemed),
                ("refunded", shop.shop_id, "points", shop.refunded),
                ("net_redeemed", shop.shop_id, "points", shop.net_redeemed),
                ("settled", shop.shop_id, "points", shop.settled),
                ("owed", shop.shop_id, "points", shop.owed),
            ]
        rows.append(("redeemed", "total", "points", sum(s.redeemed for s in self.shops)))
        rows.append(("refunded", "total", "points", sum(s.refunded for s in self.shops)))
        rows.append(("net_redeemed", "total", "points", self.redeemed))
        rows.append(("settled", "total", "points", self.settled))
        rows.append(("outstanding", "at_start", "points", self.outstanding_at_start))
        rows.append(("outstanding", "at_end", "points", self.outstanding_at_end))
        rows += [
            ("pending", kind, unit, amount) for (kind, unit), amount in sorted(self.pending.items())
        ]
        rows.append(("participants", "members_taking_part", "members", self.participants))
        rows.append(("participants", "members", "members", self.members))
        rows += [
            ("minutes_exchanged", category, "minutes", minutes)
            for category, minutes in sorted(self.minutes_by_category.items())
        ]
        rows.append(("minutes_exchanged", "total", "minutes", self.minutes_exchanged))
        rows += [
            ("love_bank", "balance", unit, amount)
            for unit, amount in sorted(self.love_bank.items())
        ]
        rows.append(("expired", "to_love_bank", "points", self.expired_points))
        rows += [
            ("donated", "to_love_bank", unit, amount)
            for unit, amount in sorted(self.donated.items())
        ]
        rows += [
            ("exchanged_for_time", "total", unit, amount)
            for unit, amount in sorted(self.exchanged_for_time.items())
        ]
        rows += [
            ("clearing", account_id, "minutes", amount)
            for account_id, amount in sorted(self.clearing.items())
        ]
        return rows


def _balances_at(
    session: Session, account_ids: list[str], from_: datetime | None, to: datetime | None
) -> dict[str, tuple[int, int]]:
    """{account: (posted balance at ``from_``, at ``to``)} from every entry posted before each
    (all, if None), for all the accounts at once: from their statement lines (``AccountLine``),
    a range of the lines' key per account read from the index alone, where summing the postings
    joined every posting of the issuance account's history to its entry."""
    before_from: sa.ColumnElement[int] = sa.literal(0)
    if from_ is not None:
        before_from = sa.func.sum(
            sa.case((AccountLine.posted_at < from_, AccountLine.amount), else_=0)
        )
    accounts = list(account_ids)
    query = (
        sa.select(AccountLine.account_id, before_from, sa.func.sum(AccountLine.amount))
        .where(AccountLine.account_id.in_(accounts))
        .group_by(AccountLine.account_id)
    )
    if to is not None:
        query = query.where(AccountLine.posted_at < to)
    balances = dict.fromkeys(accounts, (0, 0))
    for account, at_from, at_to in session.execute(query):
        balances[account] = (int(at_from), int(at_to))
    return balances


def _label(kind: str, activity: str | None) -> str:
    if kind == "award":
        return activity or UNLABELLED
    return kind


def _add(figures: dict[str, int], key: str, amount: int) -> None:
    figures[key] = figures.get(key, 0) + amount


def _issuance_flows(report: CommunityReport, sums: list[WindowSum], issuance_id: str) -> None:
    for flow in sums:
        if flow.from_account_id == issuance_id:
            _add(report.issued_by_activity, _label(flow.kind, flow.activity), flow.amount)
        if flow.to_account_id == issuance_id:
            _add(report.returned_by_kind, flow.kind, flow.amount)


def shop_names(session: Session, shop_ids) -> dict[str, str]:
    """Shop names, when the redemption capability's table is there; the journal needs none."""
    shops = Base.metadata.tables.get("shops")
    if shops is None or "name" not in shops.c or not shop_ids:
        return {}
    return dict(
        session.execute(
            sa.select(shops.c.id, shops.c.name).where(shops.c.id.in_(list(shop_ids)))
        ).all()
    )


def _shop_accounts(session: Session, report: CommunityReport, community_id: str) -> None:
    accounts = session.execute(
        sa.select(Account.id, Account.owner_id)
        .where(
            Account.community_id == community_id, Account.kind == "shop", Account.unit == "points"
        )
        .order_by(Account.owner_id)
    ).all()
    names = shop_names(session, {a.owner_id for a in accounts})
    report.shops = [
        ShopFigures(account.owner_id, names.get(account.owner_id), account.id)
        for account in accounts
    ]


def _shop_flows(report: CommunityReport, sums: list[WindowSum]) -> None:
    by_account = {shop.account_id: shop for shop in report.shops}
    for flow in sums:
        into, out_of = by_account.get(flow.to_account_id), by_account.get(flow.from_account_id)
        if into is not None and flow.kind == "redemption":
            into.redeemed += flow.amount
        if out_of is not None and flow.kind == "refund":
            out_of.refunded += flow.amount
        if out_of is not None and flow.kind == "settlement":
            out_of.settled += flow.amount


def _participants(session, community_id, sums: list[WindowSum]) -> int:
    """Distinct members whose accounts the window's postings touched."""
    owners = dict(
        session.execute(
            sa.select(Account.id, Account.owner_id).where(
                Account.community_id == community_id, Account.kind == "member"
            )
        ).all()
    )
    touched = {f.from_account_id for f in sums} | {f.to_account_id for f in sums}
    return len({owners[account] for account in touched if account in owners})


def _pending(session: Session, report: CommunityReport, community_id: str, now: datetime) -> None:
    for kind, unit, amount in session.execute(
        sa.select(Entry.kind, Posting.unit, sa.func.sum(Posting.amount))
        .join(Posting, Posting.entry_id == Entry.id)
        .where(
            Entry.community_id == community_id,
            Entry.status == "pending",
            # A hold past its expiry no longer counts, even before the sweep voids it.
            sa.or_(Entry.expires_at.is_(None), Entry.expires_at > now),
        )
        .group_by(Entry.kind, Posting.unit)
    ):
        report.pending[(kind, unit)] = int(amount)


def community_report(
    session: Session,
    community: Community,
    *,
    now: datetime,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> CommunityReport:
    """The community's figures for the window ``[from_, to)`` (either end may be open)."""
    from_ = as_utc(from_) if from_ is not None else None
    to = as_utc(to) if to is not None else None
    if from_ is not None and to is not None and to <= from_:
        raise ReportWindowInvalid(**{"from": from_.isoformat(), "to": to.isoformat()})
    report = CommunityReport(community.id, community.slug, from_, to, now)
    sums = window_flows(session, community.id, from_, to)
    issuance = system_account(session, community.id, "issuance", "points")
    _issuance_flows(report, sums, issuance.id)
    _shop_accounts(session, report, community.id)
    _shop_flows(report, sums)
    _pending(session, report, community.id, now)
    report.participants = _participants(session, community.id, sums)
    report.members = session.scalars(
        sa.select(sa.func.count()).select_from(Member).where(Member.community_id == community.id)
    ).one()
    for flow in sums:
        if flow.kind == "service" and flow.unit == "minutes":
            _add(report.minutes_by_category, flow.category or UNLABELLED, flow.amount)
    _love_bank_and_exchange_flows(report, sums)
    _balances(session, report, issuance.id)
    return report


def _balances(session: Session, report: CommunityReport, issuance_id: str) -> None:
    """Outstanding points, what each shop is owed, the love banks and the clearing accounts."""
    love_banks = session.execute(
        sa.select(Account.id, Account.unit).where(
            Account.owner_id == report.community_id, Account.kind == "love_bank"
        )
    ).all()
    clearing = session.scalars(
        sa.select(Account.id).where(
            Account.community_id == report.community_id, Account.kind == "clearing"
        )
    ).all()
    accounts = [issuance_id, *(s.account_id for s in report.shops), *clearing]
    accounts += [account_id for account_id, _ in love_banks]
    balances = _balances_at(session, accounts, report.from_, report.to)
    if report.from_ is not None:
        report.outstanding_at_start = -balances[issuance_id][0]
    report.outstanding_at_end = -balances[issuance_id][1]
    for shop in report.shops:
        shop.owed = balances[shop.account_id][1]
    report.love_bank = {unit: balances[account_id][1] for account_id, unit in love_banks}
    report.clearing = {account_id: balances[account_id][1] for account_id in clearing}


def _love_bank_and_exchange_flows(report: CommunityReport, sums: list[WindowSum]) -> None:
    """Expired and donated into the love bank, and what exchange entries moved, in the window."""
    report.donated = {"points": 0, "minutes": 0}
    report.exchanged_for_time = {"points": 0, "minutes": 0}
    for flow in sums:
        if flow.kind == "expiry":
            report.expired_points += flow.amount
        elif flow.kind in ("donation", "exchange"):
            _add(
                report.donated if flow.kind == "donation" else report.exchanged_for_time,
                flow.unit,
                flow.amount,
            )


def statement_lines(
    session: Session, account_id: str, *, from_: datetime | None = None, to: datetime | None = None
) -> list[StatementLine]:
    """A whole statement for the window, page after page (for CSV export), bounded in length."""
    lines: list[StatementLine] = []
    cursor = None
    while True:
        page = statement(
            session, account_id, limit=MAX_PAGE_LIMIT, cursor=cursor, from_=from_, to=to
        )
        lines.extend(page.items)
        if len(lines) > MAX_STATEMENT_EXPORT_LINES:
            raise StatementTooLong(max_lines=MAX_STATEMENT_EXPORT_LINES)
        if page.next_cursor is None:
            return lines
        cursor = page.next_cursor


# Exports ----------------------------------------------------------------------------------------
REPORT_CSV_HEADER = ("section", "item", "unit", "value")
STATEMENT_CSV_HEADER = (
    "entry",
    "kind",
    "posted_at",
    "occurred_at",
    "memo",
    "amount",
    "balance",
    "unit",
)


def report_csv_rows(report: CommunityReport) -> list[tuple]:
    """The report as exported: its window first, then ``report.rows()``."""
    window = [
        ("report", "community", "", report.slug),
        ("report", "from", "", report.from_.isoformat() if report.from_ else ""),
        ("report", "to", "", report.to.isoformat() if report.to else ""),
    ]
    return window + report.rows()


def statement_csv_rows(session: Session, account: Account, **window) -> list[tuple]:
    """An account's statement lines in a window (see ``statement_lines``), as exported."""
    return [
        (
            line.entry_id,
            line.kind,
            line.posted_at.isoformat(),
            line.occurred_at.isoformat(),
            line.memo,
            line.amount,
            line.balance,
            account.unit,
        )
        for line in statement_lines(session, account.id, **window)
    ]
