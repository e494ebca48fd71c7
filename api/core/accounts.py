"""Accounts: balances, statements with running balance, balance as of an instant."""

from api import access, reads
from api.clock import now
from api.core.schemas import (
    AccountSchema,
    BalanceAsOfQuery,
    BalanceAsOfSchema,
    StatementQuery,
    StatementSchema,
)
from api.extensions import db
from api.smorest import Blueprint
from ledger.core import balances
from ledger.expiry import notice

blp = Blueprint(
    "accounts", __name__, url_prefix="/v1/accounts", description="Accounts and balances"
)


@blp.route("/<account_id>")
@blp.response(200, AccountSchema)
@reads.without_transaction
def show(account_id):
    """An account and its balances: posted, pending, available; points expiring soon."""
    at = now()
    return notice.with_expiring(db.session, access.account_standing(account_id, at=at), now=at)


@blp.route("/<account_id>/statement")
@blp.arguments(StatementQuery, location="query", as_kwargs=True)
@blp.response(200, StatementSchema)
@reads.without_transaction
def statement(account_id, **page):
    """Posted entries, oldest first, each with the balance after it (keyset-paginated), and
    the points expiring soon."""
    return notice.statement(db.session, access.account(account_id), now=now(), **page)


@blp.route("/<account_id>/balance")
@blp.arguments(BalanceAsOfQuery, location="query", as_kwargs=True)
@blp.response(200, BalanceAsOfSchema)
@reads.without_transaction
def balance_as_of(account_id, as_of):
    """The posted balance at a past instant."""
    return balances.posted_as_of(db.session, access.account(account_id), as_of)
