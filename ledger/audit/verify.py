"""Invariant checks over the whole book, run by ``pointsbank verify``.

Each check is one aggregate query or one ordered walk, so verifying a large ledger stays a
handful of scans:
- every posting is positive, moves between two accounts, and matches both accounts' unit
  (so each entry sums to zero per unit);
- every entry has at least one posting;
- each account's cached posted / pending in / pending out equal the sums of its postings;
- no account with a floor has an available balance below it;
- each account's statement lines (``account_lines``) sum to its posted postings;
- in communities whose points expire, each member's lots hold exactly her posted points less
  what is held (``ledger.expiry.lots``);
- the two clearing accounts of each pair of communities of a district sum to zero (a move
  credits one exactly as it debits the other);
- each day of the report's daily rollups (``rollups.py``) still sums its posted postings;
- each community's sealed journal (``ledger/chain.py``) still matches the entries and postings it
  sealed, record by record, and names the first bad sequence number when it does not.
"""

import os
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ledger.core.models import Account, AccountBalance, AccountLine, Community, Entry, Posting
from ledger.expiry.lots import lots_out_of_step
from ledger.membership.models import ClearingAccount

from . import chain_check
from .rollups import days_out_of_step

# Processes walking long chains at once by default: the machine's cores, up to a bound, since
# each holds a database connection and a core for the length of its stretch.
MAX_VERIFY_WORKERS = 8
DEFAULT_VERIFY_WORKERS = min(os.cpu_count() or 1, MAX_VERIFY_WORKERS)


@dataclass(frozen=True)
class Breach:
    check: str
    subject: str
    detail: str
    # For journal-chain breaches: the first sequence number of the community's chain that fails.
    seq: int | None = None


def _bad_postings(session: Session):
    source, target = aliased(Account), aliased(Account)
    rows = session.execute(
        sa.select(
            Posting.id,
            Posting.entry_id,
            Posting.amount,
            Posting.unit,
            source.unit.label("from_unit"),
            target.unit.label("to_unit"),
            Posting.from_account_id,
            Posting.to_account_id,
        )
        .outerjoin(source, source.id == Posting.from_account_id)
        .outerjoin(target, target.id == Posting.to_account_id)
        .where(
            sa.or_(
                Posting.amount <= 0,
                Posting.from_account_id == Posting.to_account_id,
                source.id.is_(None),
                target.id.is_(None),
                source.unit != Posting.unit,
                target.unit != Posting.unit,
            )
        )
    )
    for row in rows:
        yield Breach(
            "posting",
            row.entry_id,
            f"posting {row.id}: {row.amount} {row.unit} from {row.from_account_id} "
            f"({row.from_unit}) to {row.to_account_id} ({row.to_unit})",
        )


def _empty_entries(session: Session):
    rows = session.execute(
        sa.select(Entry.id)
        .outerjoin(Posting, Posting.entry_id == Entry.id)
        .where(Posting.id.is_(None))
    )
    for (entry_id,) in rows:
        yield Breach("entry-balances", entry_id, "entry has no postings")


def _sums_by_account(session: Session, only: list[str] | None = None):
    """{account id: [posted, pending_in, pending_out]} recomputed from the postings (of the
    accounts ``only``, when given)."""
    sums: dict[str, list[int]] = {}
    for side, sign in ((Posting.from_account_id, -1), (Posting.to_account_id, 1)):
        query = (
            sa.select(side, Entry.status, sa.func.sum(Posting.amount))
            .join(Entry, Entry.id == Posting.entry_id)
            .where(Entry.status != "voided")
            .group_by(side, Entry.status)
        )
        if only is not None:
            query = query.where(side.in_(only))
        rows = session.execute(query)
        for account_id, status, total in rows:
            figures = sums.setdefault(account_id, [0, 0, 0])
            if status == "posted":
                figures[0] += sign * int(total)
            elif sign > 0:
                figures[1] += int(total)
            else:
                figures[2] += int(total)
    return sums


def _cached_balances(session: Session, computed: dict[str, list[int]]):
    rows = session.execute(
        sa.select(
            AccountBalance.account_id,
            Account.floor,
            sa.func.sum(AccountBalance.posted),
            sa.func.sum(AccountBalance.pending_in),
            sa.func.sum(AccountBalance.pending_out),
            sa.func.min(AccountBalance.posted - AccountBalance.pending_out),
        )
        .join(Account, Account.id == AccountBalance.account_id)
        .group_by(AccountBalance.account_id, Account.floor)
    )
    seen = set()
    for account_id, floor, posted, pending_in, pending_out, _ in rows:
        seen.add(account_id)
        cached = [int(posted), int(pending_in), int(pending_out)]
        expected = computed.get(account_id, [0, 0, 0])
        if cached != expected:
            yield Breach(
                "cached-balance",
                account_id,
                f"cached posted/pending_in/pending_out {cached} != postings {expected}",
            )
        if floor is not None and cached[0] - cached[2] < floor:
            yield Breach(
                "floor", account_id, f"available {cached[0] - cached[2]} is below the floor {floor}"
            )
    for account_id in sorted(set(computed) - seen):
        yield Breach("cached-balance", account_id, "postings touch an account with no balance row")


def _account_lines(session: Session, computed: dict[str, list[int]]):
    """Per account, its lines' sum against its posted postings' (the triggers' work checked)."""
    posted = {account_id: figures[0] for account_id, figures in computed.items()}
    lined = {
        account_id: int(total)
        for account_id, total in session.execute(
            sa.select(AccountLine.account_id, sa.func.sum(AccountLine.amount)).group_by(
                AccountLine.account_id
            )
        )
    }
    for account_id in sorted(set(posted) | set(lined)):
        if lined.get(account_id, 0) != posted.get(account_id, 0):
            yield Breach(
                "account-lines",
                account_id,
                f"statement lines sum to {lined.get(account_id, 0)}, "
                f"posted postings to {posted.get(account_id, 0)}",
            )


def _balances_and_lines(session: Session):
    """The cached balances, then the statement lines, against one summing of every posting."""
    computed = _sums_by_account(session)
    yield from _cached_balances(session, computed)
    yield from _account_lines(session, computed)


def _clearing_pairs(session: Session):
    """Each pair's clearing accounts, from their postings: what one is owed the other owes."""
    mine, theirs = aliased(ClearingAccount), aliased(ClearingAccount)
    pairs = session.execute(
        sa.select(mine.account_id, theirs.account_id, mine.community_id, mine.counterparty_id)
        .join(
            theirs,
            sa.and_(
                theirs.community_id == mine.counterparty_id,
                theirs.counterparty_id == mine.community_id,
            ),
        )
        .where(mine.community_id < mine.counterparty_id)
    ).all()
    # Only the clearing accounts' sums: the whole book's were already checked, and a ledger
    # without districts reads no postings here at all.
    accounts = [account for pair in pairs for account in pair[:2]]
    posted = _sums_by_account(session, accounts) if accounts else {}
    for account_id, counterpart_id, community_id, counterparty_id in pairs:
        total = posted.get(account_id, [0])[0] + posted.get(counterpart_id, [0])[0]
        if total != 0:
            yield Breach(
                "clearing-pair",
                f"{community_id}/{counterparty_id}",
                f"clearing accounts {account_id} and {counterpart_id} sum to {total}, not 0",
            )


def _journal_chain(session: Session, workers: int):
    slugs = dict(session.execute(sa.select(Community.id, Community.slug)).all())
    named_first = set()
    # check_all lists each community's breaches with its first bad sequence number first.
    for breach in chain_check.check_all(session, workers=workers):
        where = slugs.get(breach.community_id, breach.community_id)
        if breach.seq is None:
            yield Breach("journal-chain", where, breach.detail)
            continue
        lead = f"seq {breach.seq}"
        if breach.community_id not in named_first:
            named_first.add(breach.community_id)
            lead = f"first bad sequence number {breach.seq}"
        yield Breach(
            "journal-chain", f"{where} seq {breach.seq}", f"{lead}: {breach.detail}", seq=breach.seq
        )


def _lots_in_step(session: Session):
    for account_id, points, available in lots_out_of_step(session):
        yield Breach(
            "lots",
            account_id,
            f"its lots hold {points} points but {available} are posted and not held",
        )


def _rollups_in_step(session: Session):
    for community_id, starts_at in days_out_of_step(session):
        if starts_at is None:
            yield Breach("rollup", community_id, "its rolled-up days are not one unbroken run")
            continue
        yield Breach(
            "rollup",
            f"{community_id} {starts_at.isoformat()}",
            "the day's rolled-up sums differ from its posted postings",
        )


CHECKS = (
    _bad_postings,
    _empty_entries,
    _balances_and_lines,
    _lots_in_step,
    _clearing_pairs,
    _rollups_in_step,
)


def verify(session: Session, *, workers: int = 1) -> list[Breach]:
    """Every breach of the ledger's invariants; an empty list means the book is sound.

    ``workers`` > 1 lets long journal chains be walked in that many processes at once, on
    PostgreSQL, when the session's transaction is a snapshot that has written nothing (what
    ``verify_snapshot`` begins); otherwise the chains are walked here.
    """
    found = [breach for check in CHECKS for breach in check(session)]
    return found + list(_journal_chain(session, workers))


def verify_snapshot(session: Session, *, workers: int = 1) -> list[Breach]:
    """``verify`` in a read-only snapshot of its own, ended afterwards: what ``pointsbank
    verify`` runs. On PostgreSQL the snapshot is a repeatable-read transaction, since sums and
    caches read at different moments of a live service would disagree without anything being
    wrong; SQLite's transaction is one already."""
    session.rollback()
    if session.get_bind().dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        session.connection(execution_options=options)
    try:
        return verify(session, workers=workers)
    finally:
        session.rollback()
