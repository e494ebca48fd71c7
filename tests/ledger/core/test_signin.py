"""Sign-in cards: a token signs in once, is stored only as its hash, and a new card replaces it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ledger.core import signin
from ledger.core.models import SigninToken


def test_a_card_signs_its_member_in_once(session, community, wang, now):
    """The card's token names Wang the first time and is refused as spent the second."""
    card = signin.issue_card(session, wang, now=now)
    assert signin.spend(session, card.token, now=now) is wang
    with pytest.raises(signin.SigninTokenSpent):
        signin.spend(session, card.token, now=now + timedelta(minutes=1))


def test_only_the_tokens_digest_is_stored(session, community, wang, now):
    """The table holds the SHA-256 of the 128-bit token, never the token itself."""
    card = signin.issue_card(session, wang, now=now)
    stored = session.scalars(sa.select(SigninToken)).one()
    assert stored.token_sha256 == signin.token_digest(card.token) != card.token
    assert len(card.token) * 6 >= 8 * signin.TOKEN_BYTES >= 128


def test_a_new_card_revokes_the_unused_one(session, community, wang, now):
    """A lost card is cancelled by issuing a new one: the old token no longer signs in."""
    lost = signin.issue_card(session, wang, now=now)
    replacement = signin.issue_card(session, wang, now=now + timedelta(minutes=5))
    with pytest.raises(signin.SigninTokenSpent):
        signin.spend(session, lost.token, now=now + timedelta(minutes=6))
    assert signin.spend(session, replacement.token, now=now + timedelta(minutes=6)) is wang


def test_a_card_expires_after_its_validity(session, community, wang, now):
    """A card unused for CARD_VALIDITY no longer signs in."""
    card = signin.issue_card(session, wang, now=now)
    assert card.expires_at == now + signin.CARD_VALIDITY
    with pytest.raises(signin.SigninTokenSpent):
        signin.spend(session, card.token, now=card.expires_at)


def test_an_unknown_token_is_refused(session, community, now):
    """A token no card carried is unknown, not spent."""
    with pytest.raises(signin.SigninTokenUnknown):
        signin.spend(session, "not-a-card", now=now)


def test_cards_go_to_the_named_members_or_to_all(session, community, wang, li, now):
    """Named references get a card each, in the order given; none named means every member."""
    assert [
        c.member for c in signin.issue_cards(session, community, [li.external_ref], now=now)
    ] == [li]
    everyone = signin.issue_cards(session, community, now=now)
    assert {c.member.id for c in everyone} == {wang.id, li.id}
    with pytest.raises(signin.MemberRefUnknown):
        signin.issue_cards(session, community, ["nobody"], now=now)
