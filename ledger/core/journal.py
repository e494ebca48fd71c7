"""The one write path: :func:`post_entry` and the resolution of pending entries.

Nothing else in pointsbank writes postings or balances. The rules, checked here in Python and
backed by the database (see ``models``):
- every posting moves a positive integer amount, at most ``MAX_AMOUNT``, between two different
  open accounts of the entry's community and of the posting's unit, so each unit sums to zero;
- a debit never takes an account's available balance (posted - pending out) below its floor,
  even under concurrent writers: the floor test sits in the same UPDATE that changes the row;
- balance rows are changed in sorted ``(account id, shard)`` order, so writers never deadlock;
- accounts without a floor (issuance) spread their writes over ``UNFLOORED_SHARDS`` rows, so
  awards to different members do not queue on one hot row.
Statements go straight to the session's connection as Core: no ORM flush or identity map on
the hot path. Functions here never commit: the caller owns the transaction. A refusal (a LedgerError) leaves
the transaction as it was; a database error (say a concurrent second reversal hitting the unique
key) leaves it failed, and the caller must roll back.

Round trips for a one-posting entry (an award): one SELECT of the two accounts, one UPDATE per
balance row touched (two), one INSERT of the entry and one of its postings: five in all.

One extension point: an entry that touches an account with ``keeps_lots`` (a community whose
points expire) is handed, after its balances changed and while their rows are still locked, to
the :data:`LotKeeper` a capability installed (:func:`install_lot_keeper`). Whether an account
keeps lots comes with the accounts' SELECT, so entries that touch none cost no extra statement.

:func:`direct_write` hands the same rows, checked by the same rules, to a caller that writes
them in one statement (the award of one earn event on PostgreSQL, ``ledger.earning.fastpath``).
"""

import secrets
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import bulk, errors, ids
from .ids import new_id, new_ids
from .models import ENTRY_KINDS, MEMO_MAX_LENGTH, UNITS, Account, AccountBalance, Entry, Posting

MAX_AMOUNT = 1_000_000_000  # per posting: far above any real award, far below BIGINT
MAX_POSTINGS_PER_ENTRY = 100
UNFLOORED_SHARDS = 16
# Ids drawn before settling for any shard: each tries its 32 last digits, and misses all with
# odds (15/16)^32 = 1 in 8; eight misses in a row, 1 in 16 million, still give a valid id.
MAX_SHARD_DRAWS = 8
SHARD_TAILS_CACHED = 256  # issuance accounts whose id tails are kept: one per community
# More balance rows than this, none with a floor test, change in one UPDATE (PostgreSQL).
BULK_BALANCE_ROWS = 2

_accounts = Account.__table__
_balances = AccountBalance.__table__
_entries = Entry.__table__
_postings = Posting.__table__


@dataclass(frozen=True)
class PostingDraft:
    from_account_id: str
    to_account_id: str
    unit: str
    amount: int


@dataclass(frozen=True)
class EntryDraft:
    community_id: str
    kind: str
    postings: Sequence[PostingDraft]
    memo: str = ""
    details: dict = field(default_factory=dict)
    occurred_at: datetime | None = None
    pending: bool = False
    expires_at: datetime | None = None
    reverses_id: str | None = None
    cause_id: str | None = None
    api_key_id: str | None = None


@dataclass
class EntryRecord:
    """What a write returns: the entry as stored, without a second round trip to read it back."""

    id: str
    community_id: str
    kind: str
    status: str
    occurred_at: datetime
    posted_at: datetime | None
    created_at: datetime
    expires_at: datetime | None
    memo: str
    details: dict
    reverses_id: str | None
    cause_id: str | None
    postings: list[PostingDraft]


@dataclass(frozen=True)
class LotChange:
    """What the lot keeper is told of one entry: ``transition`` is "post", "hold", "capture"
    or "release"; ``keeping`` names the touched accounts that keep lots."""

    entry_id: str
    kind: str
    transition: str
    postings: Sequence[PostingDraft]
    keeping: frozenset[str]
    reverses_id: str | None = None
    cause_id: str | None = None


# Called with every LotChange of a write, in the write's transaction; raising refuses the write.
LotKeeper = Callable[[Session, list[LotChange], datetime], None]
_lot_keeper: list[LotKeeper] = []


def install_lot_keeper(keeper: LotKeeper) -> None:
    """Install the one lot keeper (``ledger.capabilities`` does, from what a capability hands
    over); installing the same one again changes nothing."""
    if _lot_keeper and _lot_keeper[0] is not keeper:
        raise RuntimeError("a lot keeper is already installed")
    _lot_keeper[:] = [keeper]


def _keeping(postings: Sequence[PostingDraft], accounts) -> frozenset[str]:
    touched = {a for p in postings for a in (p.from_account_id, p.to_account_id)}
    return frozenset(a for a in touched if accounts[a].keeps_lots)


def _keep_lots(session: Session, changes: list[LotChange], now: datetime) -> None:
    changes = [change for change in changes if change.keeping]
    if not changes:
        return
    if not _lot_keeper:
        raise RuntimeError("accounts keep lots but no lot keeper is installed")
    _lot_keeper[0](session, changes, now)


def shard_for(entry_id: str, account_id: str, floor: int | None) -> int:
    """The balance row an entry uses on an account: always 0 for floored accounts.

    Derived from the entry id, so resolving a pending entry later touches the same rows.
    """
    if floor is not None:
        return 0
    return zlib.crc32(f"{entry_id}:{account_id}".encode()) % UNFLOORED_SHARDS


def check_draft(draft: EntryDraft) -> None:
    """The rules an entry must meet before any account is looked at."""
    if draft.kind not in ENTRY_KINDS:
        raise errors.Invalid(f"unknown entry kind {draft.kind!r}")
    if not draft.postings:
        raise errors.EntryHasNoPostings()
    if len(draft.postings) > MAX_POSTINGS_PER_ENTRY:
        raise errors.TooManyPostings(
            postings=len(draft.postings), max_postings=MAX_POSTINGS_PER_ENTRY
        )
    if len(draft.memo) > MEMO_MAX_LENGTH:
        raise errors.Invalid("memo is too long", max_length=MEMO_MAX_LENGTH)
    for posting in draft.postings:
        amount = posting.amount
        if type(amount) is not int or amount <= 0:
            raise errors.AmountMustBePositive(requested=amount)
        if amount > MAX_AMOUNT:
            raise errors.AmountTooLarge(requested=amount, max_amount=MAX_AMOUNT)
        if posting.unit not in UNITS:
            raise errors.UnknownUnit(unit=posting.unit, units=list(UNITS))
        if posting.from_account_id == posting.to_account_id:
            raise errors.SameAccountPosting(account=posting.from_account_id)


def _not_open(account) -> errors.AccountNotOpen:
    """The refusal of a posting to or from a frozen or closed account, saying which it is."""
    return errors.AccountNotOpen(
        f"account {account.id} is {account.status}: it takes no new postings",
        account=account.id,
        account_status=account.status,
    )


def _load_accounts(
    session: Session, drafts: Sequence[EntryDraft]
) -> dict[str, sa.Row[*tuple[Any, ...]]]:
    """The accounts the drafts touch, in one query, checked against each draft."""
    ids = {a for d in drafts for p in d.postings for a in (p.from_account_id, p.to_account_id)}
    columns = _accounts.c
    rows = (
        session.connection()
        .execute(
            sa.select(
                columns.id,
                columns.community_id,
                columns.unit,
                columns.floor,
                columns.status,
                columns.keeps_lots,
            ).where(columns.id.in_(ids))
        )
        .all()
    )
    accounts = {row.id: row for row in rows}
    check_accounts(accounts, drafts)
    return accounts


def check_accounts(accounts: Mapping[str, Any], drafts: Sequence[EntryDraft]) -> None:
    """Every account the drafts touch exists, is of the entry's community and the posting's
    unit, and is open for what the posting does to it (a debit needs an open account)."""
    ids = {a for d in drafts for p in d.postings for a in (p.from_account_id, p.to_account_id)}
    for account_id in sorted(ids):
        if account_id not in accounts:
            raise errors.AccountNotFound(f"no account {account_id}", account=account_id)
    for draft in drafts:
        for posting in draft.postings:
            for account_id in (posting.from_account_id, posting.to_account_id):
                account = accounts[account_id]
                if account.community_id != draft.community_id:
                    raise errors.CrossCommunityPosting(account=account_id)
                if account.unit != posting.unit:
                    raise errors.UnitMismatch(
                        account=account_id, account_unit=account.unit, unit=posting.unit
                    )
            if accounts[posting.from_account_id].status != "open":
                raise _not_open(accounts[posting.from_account_id])
            if accounts[posting.to_account_id].status == "closed":
                raise _not_open(accounts[posting.to_account_id])


@dataclass
class _Delta:
    posted: int = 0
    pending_in: int = 0
    pending_out: int = 0
    # What the floor test must cover: the sum of each entry's net decrease of available. Within
    # one entry debits and credits of a row net out; across entries they do not, so a batch is
    # never allowed what the same entries one by one would not be, in any order.
    debit: int = 0

    @property
    def available_change(self) -> int:
        return self.posted - self.pending_out

    def add(self, other: "_Delta") -> None:
        self.posted += other.posted
        self.pending_in += other.pending_in
        self.pending_out += other.pending_out
        self.debit += other.debit


def _deltas(entry_id, postings, accounts, transition, into=None) -> dict[tuple[str, int], _Delta]:
    """Change per balance row for ``transition``: "post", "hold", "capture" or "release".

    With ``into``, the entry's net changes are added to a batch's running totals.
    """
    deltas: dict[tuple[str, int], _Delta] = {}
    for posting in postings:
        for account_id, sign in ((posting.from_account_id, -1), (posting.to_account_id, 1)):
            floor = accounts[account_id].floor
            key = (account_id, shard_for(entry_id, account_id, floor))
            delta = deltas.setdefault(key, _Delta())
            amount = posting.amount
            if transition == "post":
                delta.posted += sign * amount
            elif transition in ("hold", "release"):
                step = amount if transition == "hold" else -amount
                if sign < 0:
                    delta.pending_out += step
                else:
                    delta.pending_in += step
            else:  # capture: the held amount becomes posted
                delta.posted += sign * amount
                if sign < 0:
                    delta.pending_out -= amount
                else:
                    delta.pending_in -= amount
    for delta in deltas.values():
        delta.debit = max(0, -delta.available_change)
    if into is None:
        return deltas
    for key, delta in deltas.items():
        into.setdefault(key, _Delta()).add(delta)
    return into


def _update(account_id: str, shard: int, delta: _Delta, sign: int = 1):
    return (
        _balances.update()
        .where(_balances.c.account_id == account_id, _balances.c.shard == shard)
        .values(
            posted=_balances.c.posted + sign * delta.posted,
            pending_in=_balances.c.pending_in + sign * delta.pending_in,
            pending_out=_balances.c.pending_out + sign * delta.pending_out,
        )
    )


def _guarded(delta: _Delta, account) -> bool:
    return delta.debit > 0 and account.floor is not None


_LOCK_BALANCE_ROWS = sa.text(
    f"SELECT b.account_id, b.shard FROM {_balances.name} b "
    "JOIN json_to_recordset(CAST(:keys AS json)) AS k(account_id text, shard smallint) "
    "ON b.account_id = k.account_id AND b.shard = k.shard "
    "ORDER BY b.account_id, b.shard FOR UPDATE OF b"
)
_CHANGE_BALANCE_ROWS = sa.text(
    f"UPDATE {_balances.name} b SET posted = b.posted + c.posted, "
    "pending_in = b.pending_in + c.pending_in, pending_out = b.pending_out + c.pending_out "
    "FROM json_to_recordset(CAST(:rows AS json)) AS c(account_id text, shard smallint, "
    "posted bigint, pending_in bigint, pending_out bigint) "
    "WHERE b.account_id = c.account_id AND b.shard = c.shard"
)


def _apply_all_at_once(session: Session, deltas: dict[tuple[str, int], _Delta]) -> None:
    """PostgreSQL, many rows, no floor test: lock them in sorted order with one SELECT ... FOR
    UPDATE (rows are locked as the sort emits them), then change them with one UPDATE. Both
    take their rows as one JSON parameter, so their text never changes with the batch's size."""
    keys = [{"account_id": a, "shard": shard} for a, shard in sorted(deltas)]
    connection = session.connection()
    locked = connection.execute(_LOCK_BALANCE_ROWS, {"keys": bulk.json_param(keys)})
    if len(locked.all()) != len(keys):
        raise RuntimeError("a balance row is missing")
    rows = [
        {"account_id": a, "shard": shard, "posted": d.posted}
        | {"pending_in": d.pending_in, "pending_out": d.pending_out}
        for (a, shard), d in deltas.items()
    ]
    connection.execute(_CHANGE_BALANCE_ROWS, {"rows": bulk.json_param(rows)})


def _apply(session: Session, deltas: dict[tuple[str, int], _Delta], accounts) -> None:
    """Change balance rows in sorted order; a debit's floor test is part of its UPDATE.

    If a floor refuses, the rows already changed are changed back (their locks are still ours)
    before raising, so a refused entry leaves no trace even when the caller goes on with the
    same transaction. A batch on PostgreSQL whose rows need no floor test (awards) changes them
    in two statements however many there are (see :func:`_apply_all_at_once`).
    """
    many = len(deltas) > BULK_BALANCE_ROWS and session.get_bind().dialect.name == "postgresql"
    if many and not any(_guarded(d, accounts[a]) for (a, _), d in deltas.items()):
        _apply_all_at_once(session, deltas)
        return
    applied = []
    for account_id, shard in sorted(deltas):
        delta = deltas[(account_id, shard)]
        stmt = _update(account_id, shard, delta)
        guarded = _guarded(delta, accounts[account_id])
        if guarded:
            stmt = stmt.where(
                _balances.c.posted - _balances.c.pending_out - delta.debit >= _balances.c.floor
            )
        if session.connection().execute(stmt).rowcount == 1:
            applied.append((account_id, shard, delta))
            continue
        if not guarded:
            raise RuntimeError(f"balance row {account_id}/{shard} is missing")
        for undo_account, undo_shard, undo_delta in reversed(applied):
            session.connection().execute(_update(undo_account, undo_shard, undo_delta, sign=-1))
        row = (
            session.connection()
            .execute(
                sa.select(_balances.c.posted, _balances.c.pending_out, _balances.c.floor).where(
                    _balances.c.account_id == account_id, _balances.c.shard == shard
                )
            )
            .one()
        )
        raise errors.InsufficientBalance(
            f"account {account_id} has {row.posted - row.pending_out} available "
            f"and may not go below {row.floor}; {delta.debit} requested",
            account=account_id,
            balance=row.posted - row.pending_out,
            floor=row.floor,
            requested=delta.debit,
        )


def post_entry(session: Session, draft: EntryDraft, *, now: datetime) -> EntryRecord:
    """Write one balanced entry and move the balances, or raise a :class:`LedgerError`.

    With ``draft.pending`` the amounts are held (pending out / pending in) until
    :func:`post_pending` or :func:`void_pending`.
    """
    return post_entries(session, [draft], now=now)[0]


def _record_of(draft: EntryDraft, *, now: datetime, entry_id: str | None = None) -> EntryRecord:
    """The entry a draft becomes: posted now, or pending (held) until resolved."""
    return EntryRecord(
        id=entry_id or new_id("ent"),
        community_id=draft.community_id,
        kind=draft.kind,
        status="pending" if draft.pending else "posted",
        occurred_at=draft.occurred_at or now,
        posted_at=None if draft.pending else now,
        created_at=now,
        expires_at=draft.expires_at,
        memo=draft.memo,
        details=dict(draft.details),
        reverses_id=draft.reverses_id,
        cause_id=draft.cause_id,
        postings=list(draft.postings),
    )


def _insert_entries(connection, records, drafts, *, now: datetime) -> None:
    """One INSERT of every entry; a second reversal of one entry is its own rule."""
    try:
        rows = [_entry_row(r, d, now=now) for r, d in zip(records, drafts, strict=True)]
        bulk.insert_rows(connection, _entries, rows)
    except IntegrityError as exc:
        reversed_ids = [d.reverses_id for d in drafts if d.reverses_id is not None]
        if reversed_ids and "reverses_id" in str(exc.orig):
            raise errors.AlreadyReversed(entry=reversed_ids[0]) from exc
        raise


def _entry_row(record: EntryRecord, draft: EntryDraft, *, now: datetime) -> dict:
    """The entries row of ``record``, by column name."""
    return {
        "id": record.id,
        "community_id": record.community_id,
        "kind": record.kind,
        "status": record.status,
        "occurred_at": record.occurred_at,
        "posted_at": record.posted_at,
        "created_at": now,
        "expires_at": record.expires_at,
        "memo": record.memo,
        "metadata": record.details,
        "reverses_id": record.reverses_id,
        "cause_id": record.cause_id,
        "api_key_id": draft.api_key_id,
    }


def _posting_rows(records) -> list[dict]:
    """The postings rows of every entry of ``records``, by column name."""
    return [
        {
            "entry_id": record.id,
            "from_account_id": p.from_account_id,
            "to_account_id": p.to_account_id,
            "unit": p.unit,
            "amount": p.amount,
        }
        for record in records
        for p in record.postings
    ]


def _insert_postings(connection, records) -> None:
    """One INSERT of every posting of every entry."""
    bulk.insert_rows(connection, _postings, _posting_rows(records))


@lru_cache(maxsize=SHARD_TAILS_CACHED)
def _shard_tails(account_id: str) -> tuple[tuple[str, bytes], ...]:
    """Each last digit an id may end with, and the rest of what :func:`shard_for` hashes after
    it: CRC-32 runs on, so an id's head is hashed once and each tail continues from there."""
    return tuple((digit, f"{digit}:{account_id}".encode()) for digit in ids.ALPHABET)


def _entry_id(draft: EntryDraft, accounts, shard: int | None) -> str:
    """A new entry id; with ``shard``, one whose shard on the draft's one unfloored account is
    that shard, so that a batch holds one issuance row instead of all of them and concurrent
    batches do not queue behind each other. The shard still follows from the entry id, as
    :func:`shard_for` requires: the id's last digit is the one (of 32) that lands on ``shard``.
    """
    unfloored = {
        a
        for p in draft.postings
        for a in (p.from_account_id, p.to_account_id)
        if accounts[a].floor is None
    }
    if shard is None or len(unfloored) != 1:
        return new_id("ent")
    (account_id,) = unfloored
    tails = _shard_tails(account_id)
    entry_id = ""
    for entry_id in new_ids("ent", MAX_SHARD_DRAWS):
        head = entry_id[:-1]
        running = zlib.crc32(head.encode())
        for digit, tail in tails:
            if zlib.crc32(tail, running) % UNFLOORED_SHARDS == shard:
                return head + digit
    return entry_id


def post_entries(
    session: Session, drafts: Sequence[EntryDraft], *, now: datetime, one_shard: bool = False
) -> list[EntryRecord]:
    """Write several entries at once, all or none: the bulk form of :func:`post_entry`.

    One read of the accounts, one UPDATE per balance row touched (their changes summed), one
    INSERT of the entries and one of their postings, however many entries: the path for a
    batch of awards. Floors are tested against the sum of the entries' debits. With
    ``one_shard`` every entry uses the same (random) shard of its unfloored account.
    """
    if not drafts:
        return []
    for draft in drafts:
        check_draft(draft)
    accounts = _load_accounts(session, drafts)
    records: list[EntryRecord] = []
    deltas: dict[tuple[str, int], _Delta] = {}
    shard = secrets.randbelow(UNFLOORED_SHARDS) if one_shard else None
    for draft in drafts:
        record = _record_of(draft, now=now, entry_id=_entry_id(draft, accounts, shard))
        records.append(record)
        transition = "post" if record.status == "posted" else "hold"
        _deltas(record.id, draft.postings, accounts, transition, into=deltas)
    # Balances first: a refusal then happens before anything is inserted (see _apply).
    _apply(session, deltas, accounts)
    connection = session.connection()
    _insert_entries(connection, records, drafts, now=now)
    _insert_postings(connection, records)
    _keep_lots(
        session,
        [
            LotChange(
                r.id,
                r.kind,
                "post" if r.status == "posted" else "hold",
                r.postings,
                _keeping(r.postings, accounts),
                r.reverses_id,
                r.cause_id,
            )
            for r in records
        ],
        now,
    )
    return records


@dataclass(frozen=True)
class DirectWrite:
    """One entry as rows, for a caller that ships them to the database in a single statement:
    the entry, its postings and the change of each balance row (floor tests need none)."""

    record: EntryRecord
    entry: dict
    postings: list[dict]
    balances: list[dict]


def direct_write(
    draft: EntryDraft, accounts: Mapping[str, Any], *, now: datetime, floor_tests: bool = False
) -> DirectWrite | None:
    """The rows :func:`post_entries` would write for ``draft``, checked by the same rules, for
    the one-statement award of ``ledger.earning.fastpath``; None when a debit must pass a floor
    test (the conditional UPDATE of :func:`_apply` is then needed) or an account keeps lots (its
    lot keeper must see the entry), and the caller then takes the general path. ``accounts`` are rows read in the caller's transaction.

    With ``floor_tests`` the caller runs the floor tests itself (a redemption at the till,
    ``ledger.supermarket.fastpath``): each balance row then carries ``debit``, the amount its
    available balance must still cover above the row's floor (0 when no test is due)."""
    check_draft(draft)
    check_accounts(accounts, [draft])
    if _keeping(draft.postings, accounts):
        return None  # the lot keeper runs in the general path only
    record = _record_of(draft, now=now)
    transition = "post" if record.status == "posted" else "hold"
    deltas = _deltas(record.id, draft.postings, accounts, transition)
    if not floor_tests and any(_guarded(d, accounts[a]) for (a, _), d in deltas.items()):
        return None
    entry = _entry_row(record, draft, now=now)
    postings = _posting_rows([record])
    balances = [
        {"account_id": a, "shard": shard, "posted": d.posted}
        | {"pending_in": d.pending_in, "pending_out": d.pending_out}
        | ({"debit": d.debit if _guarded(d, accounts[a]) else 0} if floor_tests else {})
        for (a, shard), d in sorted(deltas.items())
    ]
    return DirectWrite(record, entry, postings, balances)


def _resolve(session: Session, entry_id: str, *, now: datetime, to_status: str) -> None:
    # The conditional UPDATE takes the entry's row lock, so a concurrent capture and void of one
    # hold cannot both succeed: the second finds the status already changed.
    values: dict[str, object] = {"status": to_status}
    if to_status == "posted":
        values["posted_at"] = now
    changed = (
        session.connection()
        .execute(
            _entries.update()
            .where(_entries.c.id == entry_id, _entries.c.status == "pending")
            .values(**values)
        )
        .rowcount
    )
    if changed != 1:
        status = (
            session.connection()
            .execute(sa.select(_entries.c.status).where(_entries.c.id == entry_id))
            .scalar()
        )
        if status is None:
            raise errors.EntryNotFound(entry=entry_id)
        raise errors.EntryNotPending(entry=entry_id, entry_status=status)
    postings = [
        PostingDraft(r.from_account_id, r.to_account_id, r.unit, r.amount)
        for r in session.connection().execute(
            sa.select(
                _postings.c.from_account_id,
                _postings.c.to_account_id,
                _postings.c.unit,
                _postings.c.amount,
            ).where(_postings.c.entry_id == entry_id)
        )
    ]
    ids = {p.from_account_id for p in postings} | {p.to_account_id for p in postings}
    accounts = {
        row.id: row
        for row in session.connection().execute(
            sa.select(_accounts.c.id, _accounts.c.floor, _accounts.c.keeps_lots).where(
                _accounts.c.id.in_(ids)
            )
        )
    }
    transition = "capture" if to_status == "posted" else "release"
    _apply(session, _deltas(entry_id, postings, accounts, transition), accounts)
    keeping = _keeping(postings, accounts)
    if keeping:
        entry = (
            session.connection()
            .execute(
                sa.select(_entries.c.kind, _entries.c.reverses_id, _entries.c.cause_id).where(
                    _entries.c.id == entry_id
                )
            )
            .one()
        )
        change = LotChange(
            entry_id, entry.kind, transition, postings, keeping, entry.reverses_id, entry.cause_id
        )
        _keep_lots(session, [change], now)


def post_pending(session: Session, entry_id: str, *, now: datetime) -> None:
    """Turn a pending entry's held amounts into posted ones (capture, vesting)."""
    _resolve(session, entry_id, now=now, to_status="posted")


def void_pending(session: Session, entry_id: str, *, now: datetime) -> None:
    """Release a pending entry's holds; the entry stays in the journal as voided."""
    _resolve(session, entry_id, now=now, to_status="voided")
