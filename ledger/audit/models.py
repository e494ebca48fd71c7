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
from ledger.core.types import UTCDateTime

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
