"""The membership tables refuse a closing without one recipient, a move of nothing, and on
PostgreSQL any posting to a closed account or the reopening of one."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from ledger.core.communities import member_account, system_account
from ledger.membership import closing
from tests.ledger.shared_checks import refused_by_database


@pytest.fixture
def closed(session, wang, li, now):
    """王秀英, closed to 李建国 with nothing to move, committed."""
    closing.close_member(session, wang.id, to=li.id, reason="迁出", now=now)
    session.commit()
    return wang


def test_a_closing_names_one_recipient(session, closed):
    """Both a member and the love bank, or herself, are refused by the database."""
    update = f"UPDATE member_closings SET {{}} WHERE member_id = '{closed.id}'"
    assert "one_recipient" in refused_by_database(session, update.format("to_love_bank = true"))
    assert "not_self" in refused_by_database(session, update.format("to_member_id = member_id"))


@pytest.mark.postgres
def test_postgresql_refuses_postings_to_a_closed_account_and_keeps_it_closed(
    session, community, closed
):
    """A raw posting to her closed account, or reopening it, fails in the database's triggers."""
    account = member_account(session, closed.id, "points").id
    issuance = system_account(session, community.id, "issuance", "points").id
    session.execute(
        sa.text(
            "INSERT INTO entries (id, community_id, kind, status, occurred_at, posted_at, "
            "created_at, memo, metadata) VALUES ('ent_raw', :c, 'adjustment', 'posted', now(), "
            "now(), now(), '', '{}')"
        ),
        {"c": community.id},
    )
    with pytest.raises(DBAPIError) as refused:
        session.execute(
            sa.text(
                "INSERT INTO postings (entry_id, from_account_id, to_account_id, unit, amount) "
                "VALUES ('ent_raw', :f, :t, 'points', 1)"
            ),
            {"f": issuance, "t": account},
        )
    assert "account is closed" in str(refused.value)
    session.rollback()
    with pytest.raises(DBAPIError) as reopened:
        session.execute(
            sa.text("UPDATE accounts SET status = 'open' WHERE id = :a"), {"a": account}
        )
    assert "stays closed" in str(reopened.value)
    session.rollback()
