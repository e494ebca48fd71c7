"""Balance reads: current (from the cached rows), as of a past instant, and statements.

Posted balance = sum of the postings of posted entries; pending in/out = the same for pending
entries; available = posted - pending out. Statements and as-of balances are read from the
account's lines (``AccountLine``: its net share of each posted entry, written by the database's
triggers from the postings), ordered by ``(posted_at, entry id)``, so they never depend on the
cached balance rows.
"""

from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import errors
from .account_records import AccountRecord
from .clock import as_utc
from .lookup import get_or_raise
from .models import Account, AccountLine, Entry
from .paging import DEFAULT_PAGE_LIMIT, Page, check_limit, decode_cursor, encode_cursor
from .types import UTCDateTime


@dataclass(frozen=True)
class Balance:
    posted: int
    pending_in: int
    pending_out: int

    @property
    def pending(self) -> int:
        return self.pending_in + self.pending_out

    @property
    def available(self) -> int:
        return self.posted - self.pending_out


ZERO = Balance(0, 0, 0)


# The cached figures of the accounts, summed over shards. Written out once as SQL because
# building the equivalent SQLAlchemy expression (three subqueries, two outer joins) on every read
# cost several times more CPU than the database took to answer it; ``:account_ids`` expands to
# the list given, ``:now`` is bound as the columns' own UTCDateTime. The balance read names one
# account, as ``= :account_id``: an expanding list of one would be rendered afresh at every
# execution, where a plain parameter's statement is compiled once.
_MANY, _ONE = "IN :account_ids", "= :account_id"


def _cached_sql(accounts: str) -> str:
    return (
        "SELECT account_id, SUM(posted) AS posted, SUM(pending_in) AS pending_in, "
        "SUM(pending_out) AS pending_out FROM account_balances "
        f"WHERE account_id {accounts} GROUP BY account_id"
    )


def _expired_holds_sql(side: str, accounts: str) -> str:
    """Per account: the amount held on ``side`` of the postings by pending entries past expiry."""
    return (
        f"SELECT p.{side} AS account_id, SUM(p.amount) AS amount "
        "FROM postings AS p JOIN entries AS e ON e.id = p.entry_id "
        f"WHERE p.{side} {accounts} AND e.status = 'pending' AND e.expires_at <= :now "
        f"GROUP BY p.{side}"
    )


_ACCOUNT_IDS: sa.BindParameter[list[str]] = sa.bindparam("account_ids", expanding=True)
_NOW = sa.bindparam("now", type_=UTCDateTime())
_CACHED_BALANCES = sa.text(_cached_sql(_MANY)).bindparams(_ACCOUNT_IDS)


def _less_expired_holds_sql(accounts: str) -> str:
    return (
        "SELECT c.account_id, c.posted, "
        "c.pending_in - COALESCE(held_in.amount, 0) AS pending_in, "
        "c.pending_out - COALESCE(held_out.amount, 0) AS pending_out "
        f"FROM ({_cached_sql(accounts)}) AS c "
        f"LEFT OUTER JOIN ({_expired_holds_sql('to_account_id', accounts)}) AS held_in "
        "ON held_in.account_id = c.account_id "
        f"LEFT OUTER JOIN ({_expired_holds_sql('from_account_id', accounts)}) AS held_out "
        "ON held_out.account_id = c.account_id"
    )


_BALANCES_LESS_EXPIRED_HOLDS = sa.text(_less_expired_holds_sql(_MANY)).bindparams(
    _ACCOUNT_IDS, _NOW
)
# An account's record and its balance as current_balances gives it with ``now``, in ONE
# statement: the balance read's only one (no balance row reads as zero). Its columns are named
# in order, so SQLAlchemy keeps the result's layout with the compiled statement instead of
# matching the driver's column descriptions at every read.
_STANDING_COLUMNS = {
    **{f.name: "a" for f in fields(AccountRecord)},
    **dict.fromkeys(("posted", "pending_in", "pending_out"), "b"),
}
_STANDING_BY_ID = (
    sa.text(
        f"SELECT {', '.join(f'{table}.{name}' for name, table in _STANDING_COLUMNS.items())} "
        "FROM accounts AS a "
        f"LEFT OUTER JOIN ({_less_expired_holds_sql(_ONE)}) AS b ON b.account_id = a.id "
        "WHERE a.id = :account_id"
    )
    .bindparams(_NOW)
    .columns(*map(sa.column, _STANDING_COLUMNS))
)


def current_balances(session: Session, account_ids, *, now: datetime | None = None):
    """Cached balances of several accounts (summed over shards), in ONE statement.

    Given ``now``, a hold past its expiry no longer counts, even before the sweep voids it. The
    expired holds are read in the same statement as the cached figures: read separately, a
    sweep committing in between would show a hold both still cached and no longer expired
    (a balance that never existed) under READ COMMITTED.
    """
    account_ids = list(account_ids)
    if not account_ids:
        return {}
    # A textual statement is not the ORM's, so the session would not flush on its own: flush as
    # an ORM query would, so that rows added in this session are counted.
    if session.autoflush:
        session.flush()
    if now is None:
        rows = session.execute(_CACHED_BALANCES, {"account_ids": account_ids})
    else:
        params = {"account_ids": account_ids, "now": as_utc(now)}
        rows = session.execute(_BALANCES_LESS_EXPIRED_HOLDS, params)
    found = {
        account_id: Balance(int(posted), int(pending_in), int(pending_out))
        for account_id, posted, pending_in, pending_out in rows
    }
    return {account_id: found.get(account_id, ZERO) for account_id in account_ids}


def current_balance(session: Session, account_id: str, *, now: datetime | None = None) -> Balance:
    return current_balances(session, [account_id], now=now)[account_id]


def balance_as_of(session: Session, account_id: str, at: datetime) -> int:
    """The posted balance at instant ``at``: every entry posted at or before it."""
    total = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(AccountLine.amount), 0)).where(
            AccountLine.account_id == account_id, AccountLine.posted_at <= as_utc(at)
        )
    ).scalar_one()
    return int(total)


@dataclass(frozen=True)
class StatementLine:
    entry_id: str
    kind: str
    memo: str
    occurred_at: datetime
    posted_at: datetime
    amount: int
    balance: int


def _opening_balance(session: Session, account_id: str, first) -> int:
    """The account's balance just before line ``first``: the sum of its lines ahead of it.

    The one part of a page that still grows with history: a page deep in a long history (or a
    window starting late in it) sums every line before it. It is a range of the key's index,
    read without the table (INCLUDE amount on PostgreSQL, a WITHOUT ROWID table on SQLite),
    tens of bytes a line; keeping running balances in the lines instead would need every
    writer to an account to queue on its latest line, since entries commit out of posting
    order, which the issuance account's sharding exists to avoid.
    """
    total = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(AccountLine.amount), 0)).where(
            AccountLine.account_id == account_id,
            sa.tuple_(AccountLine.posted_at, AccountLine.entry_id)
            < (first.posted_at, first.entry_id),
        )
    ).scalar_one()
    return int(total)


# PostgreSQL reads a page through a function planned once per connection (migration
# 0021_statement_plans): as a prepared statement, a page of an account holding most of the lines
# was planned afresh every time.
PLANNED_PAGE_DIALECT = "postgresql"
_PLANNED_PAGE = sa.text(
    "SELECT entry_id, kind, memo, occurred_at, posted_at, amount FROM pointsbank_statement_page("
    "CAST(:account AS text), CAST(:after_at AS timestamptz), CAST(:after_id AS text), "
    "CAST(:from_ AS timestamptz), CAST(:to AS timestamptz), CAST(:limit AS integer))"
).columns(
    sa.column("entry_id"),
    sa.column("kind"),
    sa.column("memo"),
    sa.column("occurred_at", UTCDateTime),
    sa.column("posted_at", UTCDateTime),
    sa.column("amount"),
)


def _planned_page(session: Session, account_id: str, after, window, limit: int):
    values = {"account": account_id, "after_at": after[0], "after_id": after[1]}
    values |= {"from_": window[0], "to": window[1], "limit": limit}
    return session.execute(_PLANNED_PAGE, values).all()


def _page(session: Session, account_id: str, after, window, limit: int):
    query = (
        sa.select(
            AccountLine.entry_id,
            Entry.kind,
            Entry.memo,
            Entry.occurred_at,
            AccountLine.posted_at,
            AccountLine.amount,
        )
        .join(Entry, Entry.id == AccountLine.entry_id)
        .where(AccountLine.account_id == account_id)
        .order_by(AccountLine.posted_at, AccountLine.entry_id)
        .limit(limit)
    )
    if window[0] is not None:
        query = query.where(AccountLine.posted_at >= window[0])
    if window[1] is not None:
        query = query.where(AccountLine.posted_at < window[1])
    if after[0] is not None:
        query = query.where(sa.tuple_(AccountLine.posted_at, AccountLine.entry_id) > after)
    return session.execute(query).all()


def statement(
    session: Session,
    account_id: str,
    *,
    limit: int = DEFAULT_PAGE_LIMIT,
    cursor: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> Page:
    """Posted entries touching the account, oldest first, each with the balance after it.

    ``from_`` is inclusive and ``to`` exclusive, both on ``posted_at``. Read from the
    account's lines (``AccountLine``) in key order, ``limit + 1`` of them, with each line's
    entry by primary key: the page costs the same however long the account's history.
    """
    check_limit(limit)
    get_or_raise(session, Account, account_id, errors.AccountNotFound, account=account_id)
    after = decode_cursor(cursor, datetime, str) if cursor else (None, None)
    window = (as_utc(from_) if from_ is not None else None, as_utc(to) if to is not None else None)
    if session.get_bind().dialect.name == PLANNED_PAGE_DIALECT:
        rows = _planned_page(session, account_id, after, window, limit + 1)
    else:
        rows = _page(session, account_id, after, window, limit + 1)
    page, more = rows[:limit], len(rows) > limit
    if not page:
        return Page([], None)
    # Without a cursor or a start, the page begins at the account's first line: nothing before.
    from_start = cursor is None and from_ is None
    running = 0 if from_start else _opening_balance(session, account_id, page[0])
    lines = []
    for row in page:
        running += int(row.amount)
        lines.append(
            StatementLine(
                entry_id=row.entry_id,
                kind=row.kind,
                memo=row.memo,
                occurred_at=row.occurred_at,
                posted_at=row.posted_at,
                amount=int(row.amount),
                balance=running,
            )
        )
    last = page[-1]
    return Page(lines, encode_cursor(last.posted_at, last.entry_id) if more else None)


BALANCE_FIGURES = ("posted", "pending_in", "pending_out", "pending", "available")


@dataclass(frozen=True)
class AccountStanding:
    """An account with its current balance, as every representation shows it: the balance
    figures (BALANCE_FIGURES) are the balance's, every other attribute is the account's."""

    account: Account | AccountRecord
    balance: Balance

    def __getattr__(self, name: str):
        return getattr(self.balance if name in BALANCE_FIGURES else self.account, name)


def read_standing(session: Session, account_id: str, *, now: datetime) -> AccountStanding:
    """The account as a record (``AccountRecord``) with its current balance, as ``standings``
    gives them, in one statement; or AccountNotFound."""
    # A textual statement is not the ORM's: flush as an ORM query would.
    if session.autoflush:
        session.flush()
    params = {"account_id": account_id, "now": as_utc(now)}
    row = session.execute(_STANDING_BY_ID, params).one_or_none()
    if row is None:
        raise errors.AccountNotFound(account=account_id)
    # Read as text, SQLite hands back its 0 or 1 for a boolean; no balance row reads as NULL.
    account = AccountRecord(
        id=row.id,
        community_id=row.community_id,
        owner_id=row.owner_id,
        kind=row.kind,
        unit=row.unit,
        floor=row.floor,
        status=row.status,
        keeps_lots=bool(row.keeps_lots),
    )
    balance = Balance(int(row.posted or 0), int(row.pending_in or 0), int(row.pending_out or 0))
    return AccountStanding(account, balance)


def standings(session: Session, accounts, *, now: datetime) -> list[AccountStanding]:
    """Accounts with their current balances, in one balance query for all of them."""
    accounts = list(accounts)
    found = current_balances(session, [a.id for a in accounts], now=now)
    return [AccountStanding(a, found[a.id]) for a in accounts]


@dataclass(frozen=True)
class AccountStatement:
    """A page of an account's statement, named by the account and its unit."""

    account: str
    unit: str
    items: list[StatementLine]
    next_cursor: str | None


def account_statement(session: Session, account: Account, **page) -> AccountStatement:
    """``statement`` of the account (``page``: limit, cursor, from_, to)."""
    found = statement(session, account.id, **page)
    return AccountStatement(account.id, account.unit, found.items, found.next_cursor)


@dataclass(frozen=True)
class PostedAsOf:
    """An account's posted balance at a past instant."""

    account: str
    unit: str
    as_of: datetime
    posted: int


def posted_as_of(session: Session, account: Account, as_of: datetime) -> PostedAsOf:
    return PostedAsOf(account.id, account.unit, as_of, balance_as_of(session, account.id, as_of))
