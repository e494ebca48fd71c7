"""Column types shared by the models (imported by migrations too)."""

from datetime import UTC, datetime

import sqlalchemy as sa


class UTCDateTime(sa.types.TypeDecorator):
    """Stores UTC, always returns aware datetimes: SQLite drops zones, PostgreSQL keeps them."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ledger; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Row ids that grow without bound: BIGINT on PostgreSQL, SQLite's rowid alias INTEGER there.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

__all__ = ["UTCDateTime", "BigId", "datetime"]
