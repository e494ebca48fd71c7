"""One way to find a row or raise the rule's own not-found error, with the numbers that explain it."""

import pytest
import sqlalchemy as sa

from ledger.core import errors
from ledger.core.lookup import get_or_raise, lock_or_raise, one_or_raise
from ledger.core.models import Community, Member


def test_get_or_raise_returns_the_row_by_primary_key(session, wang):
    """A member that exists is returned by its id."""
    assert get_or_raise(session, Member, wang.id, errors.MemberNotFound, member=wang.id) is wang


def test_get_or_raise_raises_the_named_error_with_its_numbers(session):
    """An unknown id raises the error given, carrying the numbers given."""
    with pytest.raises(errors.MemberNotFound) as raised:
        get_or_raise(session, Member, "mem_missing", errors.MemberNotFound, member="mem_missing")
    assert raised.value.numbers == {"member": "mem_missing"}
    assert raised.value.slug == "member-not-found"


def test_one_or_raise_finds_by_another_unique_key(session, community):
    """A community is found by its slug; a slug nobody has raises CommunityNotFound."""
    by_slug = sa.select(Community).where(Community.slug == community.slug)
    assert (
        one_or_raise(session, by_slug, errors.CommunityNotFound, slug=community.slug) is community
    )
    nobody = sa.select(Community).where(Community.slug == "nowhere")
    with pytest.raises(errors.CommunityNotFound):
        one_or_raise(session, nobody, errors.CommunityNotFound, slug="nowhere")


def test_lock_or_raise_reads_the_row_afresh(session, wang):
    """A locked read returns the row as the database holds it, not as the session last saw it."""
    loaded = wang.display_name
    # A write the session does not see (Core, on its connection): its identity map still holds
    # the name it loaded.
    table = Member.__table__
    session.connection().execute(
        table.update().where(table.c.id == wang.id).values(display_name="王小明")
    )
    assert session.get(Member, wang.id).display_name == loaded != "王小明"
    locked = lock_or_raise(
        session,
        sa.select(Member).where(Member.id == wang.id).with_for_update(),
        errors.MemberNotFound,
        member=wang.id,
    )
    assert locked.display_name == "王小明"
