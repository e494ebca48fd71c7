"""The lot tables refuse lots and draws that cannot be."""

import pytest
import sqlalchemy as sa

from ledger.expiry.models import PointLot
from tests.ledger.shared_checks import refused_by_database


@pytest.fixture
def lot(session, yearly, wang, points_of, grant):
    """王 earned 50 points in an expiring community: one lot of 50, committed."""
    grant(yearly, points_of(wang), 50)
    session.commit()
    return session.scalar(sa.select(PointLot.id))


def test_a_lot_never_holds_less_than_nothing_or_more_than_it_was(session, lot):
    """Remaining below zero or above the lot's amount is refused by the database."""
    update = f"UPDATE point_lots SET {{}} WHERE id = {lot}"
    assert "remaining_in_range" in refused_by_database(
        session, update.format("remaining_points = -1")
    )
    assert "remaining_in_range" in refused_by_database(
        session, update.format("remaining_points = 51")
    )
    assert session.get(PointLot, lot).remaining_points == 50


def test_a_draw_puts_back_at_most_what_it_took(session, yearly, wang, points_of, lot, now):
    """A draw restoring more than it took is refused by the database."""
    from ledger.core.communities import system_account
    from ledger.core.journal import EntryDraft, PostingDraft, post_entry

    love_bank = system_account(session, yearly.id, "love_bank", "points").id
    post_entry(
        session,
        EntryDraft(yearly.id, "donation", [PostingDraft(points_of(wang), love_bank, "points", 5)]),
        now=now,
    )
    session.commit()
    assert "restored_in_range" in refused_by_database(
        session, "UPDATE lot_draws SET restored_points = 6"
    )


@pytest.mark.postgres
def test_a_lot_keeps_its_size_and_dates_on_postgresql(session, lot):
    """PostgreSQL refuses a change of a lot's amount: only what is left of it moves."""
    with pytest.raises(sa.exc.DBAPIError, match="changes only in what is left"):
        session.execute(sa.text(f"UPDATE point_lots SET amount_points = 60 WHERE id = {lot}"))
    session.rollback()
