"""Keyset pages: every row once, in key order, behind an opaque cursor."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from ledger.core import errors, paging
from ledger.core.communities import list_communities
from ledger.core.models import Community


def test_pages_walk_every_community_once_in_slug_order(session, make_community):
    """Five communities, two a page: three pages, no row twice, the last without a cursor."""
    for slug in ("e", "b", "d", "a", "c"):
        make_community(slug=slug, name=slug)
    seen, cursor = [], None
    for _ in range(3):
        page = list_communities(session, limit=2, cursor=cursor)
        seen += [c.slug for c in page.items]
        cursor = page.next_cursor
    assert seen == ["a", "b", "c", "d", "e"] and cursor is None


def test_newest_first_walks_the_key_downwards(session, make_community):
    """newest_first gives the highest keys first and its cursor continues below them."""
    for slug in ("a", "b", "c"):
        make_community(slug=slug, name=slug)
    first = paging.keyset_page(
        session, sa.select(Community), Community.slug, limit=2, newest_first=True
    )
    assert [c.slug for c in first.items] == ["c", "b"]
    rest = paging.keyset_page(
        session,
        sa.select(Community),
        Community.slug,
        limit=2,
        cursor=first.next_cursor,
        newest_first=True,
    )
    assert [c.slug for c in rest.items] == ["a"]


def test_a_cursor_round_trips_its_key_with_aware_times():
    """A (time, id) key comes back as it went in, the time aware UTC."""
    at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    cursor = paging.encode_cursor(at, "ent_1")
    assert paging.decode_cursor(cursor, datetime, str) == (at, "ent_1")
    assert "=" not in cursor


@pytest.mark.parametrize(
    "cursor",
    ["not base64!", paging.encode_cursor("a", "b"), paging.encode_cursor("a\x00"), ""],
)
def test_a_cursor_this_service_never_issued_is_invalid(cursor):
    """Garbage, the wrong number of parts and NUL text are refused as Invalid, not a crash."""
    with pytest.raises(errors.Invalid):
        paging.decode_cursor(cursor, str)


def test_limits_outside_one_to_the_maximum_are_refused(session):
    """A limit of 0 or above MAX_PAGE_LIMIT is Invalid; the maximum itself is fine."""
    assert paging.check_limit(paging.MAX_PAGE_LIMIT) == paging.MAX_PAGE_LIMIT
    for limit in (0, paging.MAX_PAGE_LIMIT + 1):
        with pytest.raises(errors.Invalid):
            list_communities(session, limit=limit)
