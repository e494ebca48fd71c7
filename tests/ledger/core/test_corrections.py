"""Corrections: a reversal turns every posting round once; an adjustment must say why."""

import pytest

from ledger.core import balances, errors
from ledger.core.communities import system_account
from ledger.core.corrections import adjust, reverse_entry
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.core.models import Entry


def test_a_reversal_turns_every_posting_round_and_points_at_the_original(
    session, community, wang, li, points_of, grant, now
):
    """A 30-point gift reversed leaves both residents where they were, with the reason kept."""
    grant(community, points_of(wang), 100)
    gift = post_entry(
        session,
        EntryDraft(
            community.id, "transfer", [PostingDraft(points_of(wang), points_of(li), "points", 30)]
        ),
        now=now,
    )
    reversal = reverse_entry(session, gift.id, reason="  sent to the wrong neighbour ", now=now)
    assert reversal.kind == "reversal"
    assert balances.current_balance(session, points_of(wang)).posted == 100
    assert balances.current_balance(session, points_of(li)).posted == 0
    stored = session.get(Entry, reversal.id)
    assert stored.reverses_id == gift.id and stored.memo == "sent to the wrong neighbour"


def test_an_entry_is_reversed_once_and_a_reversal_never(
    session, community, wang, points_of, grant, now
):
    """A second reversal is AlreadyReversed; reversing the reversal is NotReversible."""
    opening = grant(community, points_of(wang), 100)
    reversal = reverse_entry(session, opening.id, reason="typo", now=now)
    with pytest.raises(errors.AlreadyReversed):
        reverse_entry(session, opening.id, reason="again", now=now)
    with pytest.raises(errors.NotReversible):
        reverse_entry(session, reversal.id, reason="undo the undo", now=now)
    with pytest.raises(errors.EntryNotFound):
        reverse_entry(session, "ent_NOPE", reason="no such", now=now)


def test_pending_holds_and_shop_entries_are_not_reversed_here(
    session, community, wang, points_of, grant, now
):
    """A hold is not yet posted, and a redemption is undone by its refund workflow instead."""
    grant(community, points_of(wang), 100)
    issuance = system_account(session, community.id, "issuance", "points").id
    for pending in (True, False):
        entry = post_entry(
            session,
            EntryDraft(
                community.id,
                "redemption",
                [PostingDraft(points_of(wang), issuance, "points", 10)],
                pending=pending,
            ),
            now=now,
        )
        with pytest.raises(errors.NotReversible):
            reverse_entry(session, entry.id, reason="no", now=now)


def test_an_adjustment_needs_a_reason_and_keeps_it(session, community, wang, points_of, now):
    """Without a reason nothing is posted; with one the entry is an adjustment that says why."""
    issuance = system_account(session, community.id, "issuance", "points").id
    postings = [PostingDraft(issuance, points_of(wang), "points", 15)]
    with pytest.raises(errors.ReasonRequired):
        adjust(session, community_id=community.id, postings=postings, reason=" ", now=now)
    record = adjust(
        session, community_id=community.id, postings=postings, reason="paper sheet lost", now=now
    )
    assert (record.kind, record.memo) == ("adjustment", "paper sheet lost")
    assert balances.current_balance(session, points_of(wang)).posted == 15
