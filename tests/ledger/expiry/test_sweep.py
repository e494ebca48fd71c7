"""The sweep's expiry job: expired lots to the love bank, once, never below a floor."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ledger.core.balances import current_balance
from ledger.core.communities import system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.core.models import Entry
from ledger.expiry import errors, sweep
from ledger.expiry.models import LotDraw


def test_expired_points_go_to_the_love_bank_once(session, yearly, wang, points_of, grant, now):
    """A year and a day on, 王's 25 points are one expiry entry naming the lot; then nothing."""
    grant(yearly, points_of(wang), 25)
    later = now + timedelta(days=366)
    assert sweep.expire_due(session, later) == 1
    assert sweep.expire_due(session, later) == 0
    love_bank = system_account(session, yearly.id, "love_bank", "points").id
    assert current_balance(session, love_bank).posted == 25
    assert current_balance(session, points_of(wang)).posted == 0
    entry = session.scalars(sa.select(Entry).where(Entry.kind == "expiry")).one()
    assert entry.details["points"] == 25
    assert len(entry.details["lots"]) == 1
    assert (
        session.scalar(sa.select(sa.func.sum(LotDraw.points)).where(LotDraw.entry_id == entry.id))
        == 25
    )


def test_nothing_expires_before_its_time(session, yearly, wang, points_of, grant, now):
    """A day short of a year nothing moves."""
    grant(yearly, points_of(wang), 25)
    assert sweep.expire_due(session, now + timedelta(days=364)) == 0


def test_points_held_by_a_sale_do_not_expire_under_it(session, yearly, wang, points_of, grant, now):
    """20 of 25 held by a shop: only the 5 free points expire, and the floor holds."""
    grant(yearly, points_of(wang), 25)
    love_bank = system_account(session, yearly.id, "love_bank", "points").id
    post_entry(
        session,
        EntryDraft(
            yearly.id,
            "donation",
            [PostingDraft(points_of(wang), love_bank, "points", 20)],
            pending=True,
        ),
        now=now,
    )
    assert sweep.expire_due(session, now + timedelta(days=366)) == 1
    assert current_balance(session, points_of(wang)).available == 0


def test_an_expiry_read_before_a_spend_is_refused_and_read_again(
    session, yearly, wang, points_of, grant, now
):
    """25 expired and 20 fresh; 10 spent after the sweep read its lots: refused, then 15 expire."""
    grant(yearly, points_of(wang), 25)
    later = now + timedelta(days=366)
    issuance = system_account(session, yearly.id, "issuance", "points").id
    love_bank = system_account(session, yearly.id, "love_bank", "points").id
    post_entry(
        session,
        EntryDraft(yearly.id, "award", [PostingDraft(issuance, points_of(wang), "points", 20)]),
        now=now + timedelta(days=200),
    )
    ((account, (community_id, lots, points)),) = sweep._expired(session, later).items()
    post_entry(
        session,
        EntryDraft(yearly.id, "donation", [PostingDraft(account, love_bank, "points", 10)]),
        now=later,
    )
    with pytest.raises(errors.LotsChanged), session.begin_nested():
        sweep._expire(session, account, community_id, lots, points, later)
    assert sweep.expire_due(session, later) == 1
    assert current_balance(session, love_bank).posted == 10 + 15
    assert current_balance(session, account).posted == 20
