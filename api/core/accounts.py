"""Accounts: balances, statements with running balance, balance as of an instant."""

from flask_smorest import Blueprint

from api.auth import principal, visible
from api.clock import now
from api.core.schemas import (
    AccountSchema,
    BalanceAsOfQuery,
    BalanceAsOfSchema,
    StatementQuery,
    StatementSchema,
)
from api.extensions import db
from ledger.core import balances, errors
from ledger.core.communities import get_account

blp = Blueprint(
    "accounts", __name__, url_prefix="/v1/accounts", description="Accounts and balances"
)


def account_view(account, balance: balances.Balance) -> dict:
    """An account with its balance figures, as every representation shows it."""
    return {
        "id": account.id,
        "community_id": account.community_id,
        "owner_id": account.owner_id,
        "kind": account.kind,
        "unit": account.unit,
        "floor": account.floor,
        "status": account.status,
        "posted": balance.posted,
        "pending_in": balance.pending_in,
        "pending_out": balance.pending_out,
        "pending": balance.pending,
        "available": balance.available,
    }


def accounts_view(accounts) -> list[dict]:
    found = balances.current_balances(db.session, [a.id for a in accounts], now=now())
    return [account_view(a, found[a.id]) for a in accounts]


def readable_account(account_id: str):
    account = get_account(db.session, account_id)
    visible(principal().may_read_account(account), errors.AccountNotFound(account=account_id))
    return account


@blp.route("/<account_id>")
@blp.response(200, AccountSchema)
def show(account_id):
    """An account and its balances: posted, pending, available."""
    account = readable_account(account_id)
    return account_view(account, balances.current_balance(db.session, account.id, now=now()))


@blp.route("/<account_id>/statement")
@blp.arguments(StatementQuery, location="query", as_kwargs=True)
@blp.response(200, StatementSchema)
def statement(account_id, limit, cursor=None, from_=None, to=None):
    """Posted entries, oldest first, each with the balance after it (keyset-paginated)."""
    account = readable_account(account_id)
    page = balances.statement(
        db.session, account.id, limit=limit, cursor=cursor, from_=from_, to=to
    )
    return {
        "account": account.id,
        "unit": account.unit,
        "items": page.items,
        "next_cursor": page.next_cursor,
    }


@blp.route("/<account_id>/balance")
@blp.arguments(BalanceAsOfQuery, location="query", as_kwargs=True)
@blp.response(200, BalanceAsOfSchema)
def balance_as_of(account_id, as_of):
    """The posted balance at a past instant."""
    account = readable_account(account_id)
    return {
        "account": account.id,
        "unit": account.unit,
        "as_of": as_of,
        "posted": balances.balance_as_of(db.session, account.id, as_of),
    }
