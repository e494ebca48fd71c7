"""UTCDateTime stores UTC and always hands back aware datetimes, on both databases."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError

from ledger.core.models import Community
from ledger.core.types import UTCDateTime

SHANGHAI = timezone(timedelta(hours=8))


def test_a_shanghai_time_comes_back_as_the_same_instant_in_utc(session, make_community):
    """Stored at 9:00 +08:00, read back as 1:00 UTC, aware, from a fresh query."""
    community = make_community(slug="tz", name="tz")
    community.created_at = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    session.commit()
    session.expire_all()
    stored = session.scalar(sa.select(Community.created_at).where(Community.slug == "tz"))
    assert stored == datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused_before_it_reaches_the_database(session, make_community):
    """The ledger never guesses a zone: binding a naive datetime raises."""
    community = make_community(slug="naive", name="naive")
    community.created_at = datetime(2026, 11, 2, 9, 0)
    with pytest.raises(StatementError) as caught:
        session.flush()
    session.rollback()
    assert "naive datetime" in str(caught.value)


def test_the_type_is_zone_aware_and_cacheable():
    """The column is DateTime(timezone=True) underneath and safe for the statement cache."""
    assert UTCDateTime.cache_ok is True
    assert UTCDateTime().impl.timezone is True
