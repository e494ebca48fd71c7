"""The database itself refuses rows that break the ledger's invariants."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ledger.core.communities import system_account
from ledger.core.ids import new_id
from ledger.core.models import NAMING_CONVENTION, AccountBalance, Base, Entry
from tests.ledger.shared_checks import refused_by_database


@pytest.fixture
def committed(session, community, wang, li, points_of, grant):
    """王秀英 holds 50 points, committed, so a refused statement can be rolled back alone."""
    grant(community, points_of(wang), 50)
    session.commit()
    return community, points_of(wang), points_of(li)


def test_a_posting_must_move_a_positive_amount_between_two_accounts(session, committed):
    """Zero amounts and postings from an account to itself are refused by CHECKs."""
    _, wang, li = committed
    entry = session.execute(sa.text("SELECT id FROM entries LIMIT 1")).scalar_one()
    insert = (
        "INSERT INTO postings (entry_id, from_account_id, to_account_id, unit, amount) "
        "VALUES (:e, :a, :b, 'points', :n)"
    )
    assert "amount_positive" in refused_by_database(session, insert, e=entry, a=wang, b=li, n=0)
    assert "distinct_accounts" in refused_by_database(session, insert, e=entry, a=wang, b=wang, n=1)


def test_a_posting_cannot_pair_a_points_account_with_minutes(session, committed):
    """The composite key on (account id, unit) refuses minutes posted to a points account."""
    community, wang, _ = committed
    entry = session.execute(sa.text("SELECT id FROM entries LIMIT 1")).scalar_one()
    love_bank = system_account(session, community.id, "love_bank", "minutes").id
    refused_by_database(
        session,
        "INSERT INTO postings (entry_id, from_account_id, to_account_id, unit, amount) "
        "VALUES (:e, :a, :b, 'minutes', 5)",
        e=entry,
        a=love_bank,
        b=wang,
    )
    assert session.execute(sa.text("SELECT count(*) FROM postings")).scalar_one() == 1


def test_a_cached_balance_cannot_fall_below_its_floor(session, committed):
    """Setting 王秀英's cached points below zero breaks the floor_respected CHECK."""
    _, wang, _ = committed
    message = refused_by_database(
        session,
        "UPDATE account_balances SET posted = -1 WHERE account_id = :a",
        a=wang,
    )
    assert "floor_respected" in message
    row = session.get(AccountBalance, (wang, 0))
    assert (row.posted, row.floor) == (50, 0)


def test_entries_need_a_known_kind_and_a_posting_time_once_posted(session, committed, now):
    """An entry of an unknown kind, or posted without posted_at, is refused by CHECKs."""
    community, _, _ = committed

    def insert(kind, posted_at):
        session.execute(
            Entry.__table__.insert().values(
                id=new_id("ent"),
                community_id=community.id,
                kind=kind,
                status="posted",
                occurred_at=now,
                posted_at=posted_at,
                created_at=now,
                memo="",
                metadata={},
            )
        )

    for kind, posted_at, rule in (("gift", now, "kind_known"), ("award", None, "posted_has_time")):
        with pytest.raises(IntegrityError) as caught:
            insert(kind, posted_at)
        session.rollback()
        assert rule in str(caught.value.orig).lower()


def test_a_community_time_floor_cannot_be_positive(session, committed):
    """A community may let residents owe minutes, never start them in credit."""
    community, _, _ = committed
    message = refused_by_database(
        session, "UPDATE communities SET time_floor_minutes = 1 WHERE id = :c", c=community.id
    )
    assert "time_floor_not_positive" in message


def test_every_table_names_its_constraints_by_the_convention():
    """Every CHECK constraint is named ck_<table>_<rule>, so migrations can refer to it."""
    assert NAMING_CONVENTION["ck"] == "ck_%(table_name)s_%(constraint_name)s"
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                assert constraint.name.startswith(f"ck_{table.name}_"), constraint.name
