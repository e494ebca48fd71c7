"""The ledger's tables.

Invariants the database itself enforces, besides what ``ledger/`` checks in Python:
- every posting amount is positive and moves between two different accounts of its own unit
  (composite foreign keys on ``(account id, unit)``);
- no balance row with a floor falls below it (``posted - pending_out >= floor``);
- an entry is reversed at most once (unique ``reverses_id``);
- idempotency keys are unique per API key.
Postings are never updated or deleted; an entry's ``status`` only moves pending -> posted|voided.
"""

from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .ids import ID_MAX_LENGTH
from .types import BigId, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UNITS = ("points", "minutes")
ACCOUNT_STATUSES = ("open", "frozen", "closed")
ENTRY_STATUSES = ("posted", "pending", "voided")
ENTRY_KINDS = (
    "award",
    "redemption",
    "refund",
    "transfer",
    "donation",
    "grant",
    "service",
    "settlement",
    "reversal",
    "adjustment",
    "exchange",
    "expiry",
)
ROLES = ("admin", "staff", "integrator", "shop", "member")

SLUG_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200
MEMO_MAX_LENGTH = 500
TIMEZONE_MAX_LENGTH = 64
IDEMPOTENCY_KEY_MAX_LENGTH = 255

IdColumn = sa.String(ID_MAX_LENGTH)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model here maps one plain Table (none maps a join or a select), so its
        # __table__ has insert()/update(); DeclarativeBase types it as any FromClause.
        __table__: ClassVar[sa.Table]


class Community(Base):
    __tablename__ = "communities"
    __table_args__ = (
        sa.CheckConstraint("time_floor_minutes <= 0", name="time_floor_not_positive"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    timezone: Mapped[str] = mapped_column(sa.String(TIMEZONE_MAX_LENGTH))
    time_floor_minutes: Mapped[int] = mapped_column(sa.BigInteger)
    created_at = mapped_column(UTCDateTime, nullable=False)
    # Members' points are kept in dated lots (spent oldest first) while points expire here; a
    # new member's points account copies it into ``Account.keeps_lots``.
    points_in_lots: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )

    accounts: Mapped[list["Account"]] = relationship(
        primaryjoin="and_(Account.community_id == Community.id, Account.owner_id == Community.id)",
        viewonly=True,
        order_by="(Account.kind, Account.unit)",
    )


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (sa.UniqueConstraint("community_id", "external_ref"),)

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    external_ref: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    display_name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    created_at = mapped_column(UTCDateTime, nullable=False)

    community: Mapped[Community] = relationship()
    accounts: Mapped[list["Account"]] = relationship(
        primaryjoin="Account.owner_id == Member.id",
        foreign_keys="Account.owner_id",
        viewonly=True,
        order_by="Account.unit.desc()",
    )


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        sa.CheckConstraint(_in("unit", UNITS), name="unit_known"),
        sa.CheckConstraint(_in("status", ACCOUNT_STATUSES), name="status_known"),
        # The target of the postings' composite foreign keys: a posting's unit is its accounts'.
        sa.UniqueConstraint("id", "unit"),
        sa.UniqueConstraint("owner_id", "kind", "unit"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    # A member, a shop or the community itself (system accounts); polymorphic, so no foreign key.
    owner_id: Mapped[str] = mapped_column(IdColumn)
    kind: Mapped[str] = mapped_column(sa.String(32))
    unit: Mapped[str] = mapped_column(sa.String(16))
    floor: Mapped[int | None] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(16), server_default="open")
    created_at = mapped_column(UTCDateTime, nullable=False)
    # Every change of this account's balance is handed to the journal's lot keeper, which keeps
    # its points in dated lots (see ``ledger.core.journal.LotKeeper``); read with the accounts
    # an entry touches, so a community without lots pays no extra statement.
    keeps_lots: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    balance_rows: Mapped[list["AccountBalance"]] = relationship(viewonly=True)


class AccountBalance(Base):
    """Cached balance of an account, split into shards for accounts without a floor.

    Accounts with a floor have exactly one row (shard 0), locked to check the floor. Accounts without
    one (a community's issuance account) have several rows that writes spread over, so awards to
    different members do not queue on one row; their balance is the sum over shards.
    """

    __tablename__ = "account_balances"
    __table_args__ = (
        sa.CheckConstraint("pending_in >= 0", name="pending_in_not_negative"),
        sa.CheckConstraint("pending_out >= 0", name="pending_out_not_negative"),
        sa.CheckConstraint(
            "floor IS NULL OR posted - pending_out >= floor", name="floor_respected"
        ),
    )

    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    shard: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    # A copy of accounts.floor, so that the CHECK above can see it.
    floor: Mapped[int | None] = mapped_column(sa.BigInteger)
    posted: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    pending_in: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    pending_out: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        sa.CheckConstraint(_in("status", ENTRY_STATUSES), name="status_known"),
        sa.CheckConstraint(_in("kind", ENTRY_KINDS), name="kind_known"),
        sa.CheckConstraint("status <> 'posted' OR posted_at IS NOT NULL", name="posted_has_time"),
        sa.Index("ix_entries_community_posted_at", "community_id", "posted_at"),
        # The few pending entries, by expiry: a balance read finds the expired holds of an
        # account from here instead of scanning every posting of the account.
        sa.Index(
            "ix_entries_pending_expires_at",
            "expires_at",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16))
    occurred_at = mapped_column(UTCDateTime, nullable=False)
    posted_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False)
    # When a pending entry stops counting against the balance unless posted first.
    expires_at = mapped_column(UTCDateTime)
    memo: Mapped[str] = mapped_column(sa.String(MEMO_MAX_LENGTH), server_default="")
    # Named "details" in Python: "metadata" is reserved by SQLAlchemy's declarative base.
    details: Mapped[dict] = mapped_column("metadata", sa.JSON, default=dict)
    reverses_id: Mapped[str | None] = mapped_column(sa.ForeignKey("entries.id"), unique=True)
    # The domain object that caused this entry (an event, a redemption, a service...).
    cause_id: Mapped[str | None] = mapped_column(IdColumn, index=True)
    api_key_id: Mapped[str | None] = mapped_column(IdColumn)

    postings: Mapped[list["Posting"]] = relationship(order_by="Posting.id", lazy="selectin")


class Posting(Base):
    __tablename__ = "postings"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("from_account_id <> to_account_id", name="distinct_accounts"),
        sa.CheckConstraint(_in("unit", UNITS), name="unit_known"),
        sa.ForeignKeyConstraint(
            ["from_account_id", "unit"],
            ["accounts.id", "accounts.unit"],
            name="fk_postings_from_unit",
        ),
        sa.ForeignKeyConstraint(
            ["to_account_id", "unit"], ["accounts.id", "accounts.unit"], name="fk_postings_to_unit"
        ),
        sa.Index("ix_postings_from_account", "from_account_id", "id"),
        sa.Index("ix_postings_to_account", "to_account_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(sa.ForeignKey("entries.id"), index=True)
    from_account_id: Mapped[str] = mapped_column(IdColumn)
    to_account_id: Mapped[str] = mapped_column(IdColumn)
    unit: Mapped[str] = mapped_column(sa.String(16))
    amount: Mapped[int] = mapped_column(sa.BigInteger)


class AccountLine(Base):
    """One line of an account's statement: its signed net share of one posted entry.

    Derived from the postings and written only by the database's triggers (migration
    ``0016_account_lines``), when postings of a posted entry are inserted or an entry becomes
    posted; never by Python. Keyed in statement order, so a page is an index range whatever
    the account's history. No foreign keys: every row is computed from rows that have them,
    and ``pointsbank verify`` checks the lines against the postings.
    """

    __tablename__ = "account_lines"
    __table_args__ = (
        # INCLUDE: the opening balance of a page sums amounts straight from the index.
        sa.PrimaryKeyConstraint(
            "account_id", "posted_at", "entry_id", postgresql_include=["amount"]
        ),
        # Clustered on the key: a range of one account's lines is one contiguous read.
        {"sqlite_with_rowid": False},
    )

    account_id: Mapped[str] = mapped_column(IdColumn)
    posted_at = mapped_column(UTCDateTime, nullable=False)
    entry_id: Mapped[str] = mapped_column(IdColumn)
    amount: Mapped[int] = mapped_column(sa.BigInteger)


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (sa.CheckConstraint(_in("role", ROLES), name="role_known"),)

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(sa.String(64))
    role: Mapped[str] = mapped_column(sa.String(16))
    member_id: Mapped[str | None] = mapped_column(sa.ForeignKey("members.id"))
    shop_id: Mapped[str | None] = mapped_column(IdColumn)
    label: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH), server_default="")
    created_at = mapped_column(UTCDateTime, nullable=False)
    revoked_at = mapped_column(UTCDateTime)
    # No expiry when NULL; a key stops authenticating at this instant.
    expires_at = mapped_column(UTCDateTime)
    # Coarse on purpose: written at most once per apikeys.LAST_USED_RESOLUTION.
    last_used_at = mapped_column(UTCDateTime)

    communities: Mapped[list[Community]] = relationship(
        secondary="api_key_communities", lazy="selectin", order_by="Community.slug"
    )


class ApiKeyCommunity(Base):
    __tablename__ = "api_key_communities"

    api_key_id: Mapped[str] = mapped_column(sa.ForeignKey("api_keys.id"), primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)


class IdempotencyKey(Base):
    """A stored response, written in the same transaction as the write it answers."""

    __tablename__ = "idempotency_keys"

    api_key_id: Mapped[str] = mapped_column(sa.ForeignKey("api_keys.id"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(IDEMPOTENCY_KEY_MAX_LENGTH), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None] = mapped_column(sa.SmallInteger)
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    created_at = mapped_column(UTCDateTime, nullable=False)


class SigninToken(Base):
    """A printed card's sign-in token: only its SHA-256 is kept, and it signs in once."""

    __tablename__ = "signin_tokens"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    member_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"), index=True)
    created_at = mapped_column(UTCDateTime, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    # Set once, by the sign-in that spends it; a token with used_at set never signs in again.
    used_at = mapped_column(UTCDateTime)
    # Set when a newer card is issued to the member before this one was used.
    revoked_at = mapped_column(UTCDateTime)


FORM_TOKEN_MAX_LENGTH = 64
FORM_SUBJECT_MAX_LENGTH = 80
FORM_OUTCOME_MAX_LENGTH = 500


class FormSubmission(Base):
    """A page form's one-time token, claimed by the write it submitted, in that write's
    transaction: a second submission of the same form finds it and is shown the first's result."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(sa.String(FORM_TOKEN_MAX_LENGTH), primary_key=True)
    # Who submitted it ("key:<id>" for a device, "member:<id>" for a resident).
    subject: Mapped[str] = mapped_column(sa.String(FORM_SUBJECT_MAX_LENGTH))
    # Where the first submission sent the browser (the receipt, the updated page).
    outcome: Mapped[str | None] = mapped_column(sa.String(FORM_OUTCOME_MAX_LENGTH))
    created_at = mapped_column(UTCDateTime, nullable=False, index=True)
