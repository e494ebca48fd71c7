"""Account records: an account read as a plain record for reads that only show it."""

import pytest

from ledger.core import errors
from ledger.core.account_records import AccountRecord, read_account
from ledger.core.communities import member_account


def test_a_record_carries_the_accounts_own_columns(session, community, wang):
    """The record of a member's points account says what the ORM account says."""
    account = member_account(session, wang.id, "points")
    assert read_account(session, account.id) == AccountRecord(
        id=account.id,
        community_id=community.id,
        owner_id=wang.id,
        kind="member",
        unit="points",
        floor=0,
        status="open",
        keeps_lots=False,
    )


def test_a_missing_account_is_not_found(session):
    """An id no account has raises AccountNotFound."""
    with pytest.raises(errors.AccountNotFound):
        read_account(session, "acc_none")
