"""Closing a member: one entry for her remainder, closed accounts, holds and debts refused."""

import pytest
import sqlalchemy as sa

from ledger.core import errors as core_errors
from ledger.core.balances import current_balance
from ledger.core.communities import member_account, system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.core.models import Entry
from ledger.membership import closing, errors


@pytest.fixture
def savings(community, wang, grant):
    """王秀英 holds 35 points and 90 minutes."""
    grant(community, member_account_id(wang, "points"), 35)
    grant(community, member_account_id(wang, "minutes"), 90, "minutes")


def member_account_id(member, unit):
    return next(a.id for a in member.accounts if a.unit == unit)


def close(session, member, to, now):
    return closing.close_member(session, member.id, to=to, reason="迁出", now=now)


def test_her_remainder_moves_in_one_entry_and_her_accounts_close(session, wang, li, savings, now):
    """Both units move in one transfer entry; her accounts are closed at zero."""
    done = close(session, wang, li.id, now)
    entry = session.get(Entry, done.entry_id)
    assert entry.kind == "transfer" and len(entry.postings) == 2
    assert current_balance(session, member_account(session, li.id, "minutes").id).posted == 90
    for unit in ("points", "minutes"):
        account = member_account(session, wang.id, unit)
        assert (account.status, current_balance(session, account.id).posted) == ("closed", 0)


def test_a_closed_account_takes_no_posting(session, community, wang, li, savings, now):
    """post_entry refuses a posting to her closed account, saying it is closed."""
    close(session, wang, li.id, now)
    issuance = system_account(session, community.id, "issuance", "points").id
    with pytest.raises(core_errors.AccountNotOpen) as refused:
        post_entry(
            session,
            EntryDraft(
                community.id,
                "adjustment",
                [
                    PostingDraft(
                        issuance, member_account(session, wang.id, "points").id, "points", 1
                    )
                ],
            ),
            now=now,
        )
    assert refused.value.numbers["account_status"] == "closed"


def test_with_nothing_left_closing_posts_nothing(session, wang, now):
    """A member with empty accounts is closed without an entry."""
    done = close(session, wang, closing.LOVE_BANK, now)
    assert done.entry_id is None and done.to_love_bank
    assert session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_a_member_with_minutes_on_hold_is_not_closed(session, community, wang, li, savings, now):
    """A hold on her minutes (a service under way) must be resolved first."""
    love_bank = system_account(session, community.id, "love_bank", "minutes").id
    draft = EntryDraft(
        community.id,
        "service",
        [PostingDraft(member_account(session, wang.id, "minutes").id, love_bank, "minutes", 30)],
        pending=True,
    )
    post_entry(session, draft, now=now)
    with pytest.raises(errors.MemberHasHolds):
        close(session, wang, li.id, now)
    assert member_account(session, wang.id, "points").status == "open"


def test_a_member_is_closed_once(session, wang, li, now):
    """Closing her again is refused, and nobody's remainder goes to her any more."""
    close(session, wang, li.id, now)
    with pytest.raises(errors.ClosingRecipientNotFound):
        close(session, li, wang.id, now)
    with pytest.raises(errors.MemberClosed):
        close(session, wang, li.id, now)
