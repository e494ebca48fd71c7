"""Accounts: balances, statements with running balance, balance as of an instant."""

from flask_smorest import Blueprint

from api import access
from api.clock import now
from api.core.schemas import (
    AccountSchema,
    BalanceAsOfQuery,
    BalanceAsOfSchema,
    StatementQuery,
    StatementSchema,
)
from api.extensions import db
from ledger.core import balances

blp = Blueprint(
    "accounts", __name__, url_prefix="/v1/accounts", description="Accounts and balances"
)


@blp.route("/<account_id>")
@blp.response(200, AccountSchema)
def show(account_id):
    """An account and its balances: posted, pending, available."""
    return balances.standing(db.session, access.account(account_id), now=now())


@blp.route("/<account_id>/statement")
@blp.arguments(StatementQuery, location="query", as_kwargs=True)
@blp.response(200, StatementSchema)
def statement(account_id, limit, cursor=None, from_=None, to=None):
    """Posted entries, oldest first, each with the balance after it (keyset-paginated)."""
    account = access.account(account_id)
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
    account = access.account(account_id)
    return {
        "account": account.id,
        "unit": account.unit,
        "as_of": as_of,
        "posted": balances.balance_as_of(db.session, account.id, as_of),
    }
