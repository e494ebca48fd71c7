"""Tables of the audit capability: the sealed journal (see ``ledger/chain.py``).

- ``journal_seals`` holds one chained record per sealed fact: an entry as first sealed
  (``record = 'entry'``), or a pending entry's later move to posted or voided
  (``record = 'resolution'``). Its ``entry_id`` deliberately has no foreign key: a seal must
  outlive the deletion of the entry it names, so that the deletion can be reported.
  An entry is sealed at most once per status (unique ``(entry_id, status)``).
- ``journal_heads`` holds, per community, the last sealed sequence number and hash. Only the
  sealer writes it; ``post_entry`` never touches it, so writes do not queue on it.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.core.ids import ID_MAX_LENGTH
from ledger.core.models import Base, _in
from ledger.core.types import BigId, UTCDateTime

SEAL_RECORDS = ("entry", "resolution")
HASH_HEX_LENGTH = 64


class JournalHead(Base):
    __tablename__ = "journal_heads"

    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(HASH_HEX_LENGTH))
    sealed_at = mapped_column(UTCDateTime, nullable=False)


class JournalSeal(Base):
    __tablename__ = "journal_seals"
    __table_args__ = (
        sa.CheckConstraint(_in("record", SEAL_RECORDS), name="record_known"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
        sa.UniqueConstraint("entry_id", "status"),
    )

    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    entry_id: Mapped[str] = mapped_column(sa.String(ID_MAX_LENGTH))
    record: Mapped[str] = mapped_column(sa.String(16))
    # The entry's status as sealed by this record.
    status: Mapped[str] = mapped_column(sa.String(16))
    # sha256 of the record's canonical encoding, and the chained hash sha256(previous hash || digest).
    digest: Mapped[str] = mapped_column(sa.String(HASH_HEX_LENGTH))
    hash: Mapped[str] = mapped_column(sa.String(HASH_HEX_LENGTH))
    sealed_at = mapped_column(UTCDateTime, nullable=False)


class JournalDay(Base):
    """A community's local day whose flows are summed in ``journal_day_sums`` (the report's
    daily rollup, ``ledger/audit/rollups.py``).

    A day is rolled up once, after it has ended and no write can still post into it, and never
    changes: the service may insert these rows but not update or delete them (PostgreSQL).
    ``starts_at`` and ``ends_at`` are the day's bounds in UTC, so a report finds the days
    inside its window without the community's time zone.
    """

    __tablename__ = "journal_days"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="day_not_empty"),)

    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    starts_at = mapped_column(UTCDateTime, primary_key=True)
    ends_at = mapped_column(UTCDateTime, nullable=False)
    rolled_at = mapped_column(UTCDateTime, nullable=False)


class JournalDaySum(Base):
    """The posted postings of one rolled-up day with the same accounts, entry kind, unit and
    labels, summed: a report's ``WindowSum`` for that day. A day without postings has none."""

    __tablename__ = "journal_day_sums"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.ForeignKeyConstraint(
            ["community_id", "starts_at"],
            ["journal_days.community_id", "journal_days.starts_at"],
            name="fk_journal_day_sums_day",
        ),
        sa.Index("ix_journal_day_sums_day", "community_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(sa.String(ID_MAX_LENGTH))
    starts_at = mapped_column(UTCDateTime, nullable=False)
    from_account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"))
    to_account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    unit: Mapped[str] = mapped_column(sa.String(16))
    # Labels as the entries' metadata holds them, unbounded: a rollup must take any entry.
    activity: Mapped[str | None] = mapped_column(sa.Text)
    category: Mapped[str | None] = mapped_column(sa.Text)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
