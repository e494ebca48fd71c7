"""Communities, their system accounts, members and the accounts they own.

A community has, per unit, an ``issuance`` account (no floor: minus its balance is what is
outstanding) and a ``love_bank`` account (floor 0). A member has a points account (floor 0) and a
minutes account whose floor is the community's ``time_floor_minutes``.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import errors
from .balances import AccountStanding, standings
from .ids import new_id
from .journal import UNFLOORED_SHARDS
from .lookup import get_or_raise, one_or_raise
from .models import UNITS, Account, AccountBalance, Community, Entry, Member
from .paging import Page, keyset_page

DEFAULT_TIMEZONE = "Asia/Shanghai"
MIN_TIME_FLOOR_MINUTES = -100 * 60  # no community lets a newcomer owe more than 100 hours
SYSTEM_ACCOUNTS = (("issuance", None), ("love_bank", 0))  # (kind, floor)


def open_account(
    session: Session,
    *,
    community_id: str,
    owner_id: str,
    kind: str,
    unit: str,
    floor: int | None,
    now: datetime,
    keeps_lots: bool = False,
) -> Account:
    """Create an account with its balance rows (one, or ``UNFLOORED_SHARDS`` without a floor)."""
    account = Account(
        id=new_id("acc"),
        community_id=community_id,
        owner_id=owner_id,
        kind=kind,
        unit=unit,
        floor=floor,
        status="open",
        created_at=now,
        keeps_lots=keeps_lots,
    )
    session.add(account)
    session.flush()
    shards = 1 if floor is not None else UNFLOORED_SHARDS
    session.add_all(
        AccountBalance(
            account_id=account.id, shard=s, floor=floor, posted=0, pending_in=0, pending_out=0
        )
        for s in range(shards)
    )
    return account


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # "America" is a directory
        raise errors.UnknownTimezone(timezone=name) from exc
    return name


def create_community(
    session: Session,
    *,
    slug: str,
    name: str,
    now: datetime,
    timezone: str = DEFAULT_TIMEZONE,
    time_floor_minutes: int = 0,
) -> Community:
    check_timezone(timezone)
    if not MIN_TIME_FLOOR_MINUTES <= time_floor_minutes <= 0:
        raise errors.Invalid(
            "time_floor_minutes must be between the minimum and 0",
            time_floor_minutes=time_floor_minutes,
            min_time_floor_minutes=MIN_TIME_FLOOR_MINUTES,
        )
    if session.scalar(sa.select(Community.id).where(Community.slug == slug)) is not None:
        raise errors.CommunityExists(slug=slug)
    community = Community(
        id=new_id("com"),
        slug=slug,
        name=name,
        timezone=timezone,
        time_floor_minutes=time_floor_minutes,
        created_at=now,
    )
    session.add(community)
    session.flush()  # accounts reference it; the unit of work does not order unrelated mappers
    for kind, floor in SYSTEM_ACCOUNTS:
        for unit in UNITS:
            open_account(
                session,
                community_id=community.id,
                owner_id=community.id,
                kind=kind,
                unit=unit,
                floor=floor,
                now=now,
            )
    session.flush()
    return community


def get_community(session: Session, slug: str) -> Community:
    query = sa.select(Community).where(Community.slug == slug)
    return one_or_raise(session, query, errors.CommunityNotFound, slug=slug)


def held_by(owner_id, kind: str, unit: str):
    """What an account meets when it is ``owner_id``'s account of ``kind`` in ``unit``;
    ``owner_id`` is an id, or a column to join on."""
    return sa.and_(Account.owner_id == owner_id, Account.kind == kind, Account.unit == unit)


def system_account(session: Session, community_id: str, kind: str, unit: str) -> Account:
    account = session.scalar(sa.select(Account).where(held_by(community_id, kind, unit)))
    if account is None:
        raise errors.AccountNotFound(f"community has no {kind} account in {unit}")
    return account


def create_member(
    session: Session, community: Community, *, external_ref: str, display_name: str, now: datetime
) -> Member:
    exists = session.scalar(
        sa.select(Member.id).where(
            Member.community_id == community.id, Member.external_ref == external_ref
        )
    )
    if exists is not None:
        raise errors.MemberExists(external_ref=external_ref, member=exists)
    member = Member(
        id=new_id("mem"),
        community_id=community.id,
        external_ref=external_ref,
        display_name=display_name,
        created_at=now,
    )
    session.add(member)
    session.flush()
    open_account(
        session,
        community_id=community.id,
        owner_id=member.id,
        kind="member",
        unit="points",
        floor=0,
        now=now,
        keeps_lots=community.points_in_lots,
    )
    open_account(
        session,
        community_id=community.id,
        owner_id=member.id,
        kind="member",
        unit="minutes",
        floor=community.time_floor_minutes,
        now=now,
    )
    session.flush()
    return member


def get_member(session: Session, member_id: str) -> Member:
    return get_or_raise(session, Member, member_id, errors.MemberNotFound, member=member_id)


def member_account(session: Session, member_id: str, unit: str) -> Account:
    account = session.scalar(sa.select(Account).where(held_by(member_id, "member", unit)))
    if account is None:
        raise errors.AccountNotFound(f"member {member_id} has no {unit} account")
    return account


def get_account(session: Session, account_id: str) -> Account:
    return get_or_raise(session, Account, account_id, errors.AccountNotFound, account=account_id)


def list_communities(
    session: Session, *, only_ids=None, limit: int, cursor: str | None = None
) -> Page:
    """Communities by slug; ``only_ids`` narrows them to those a caller belongs to."""
    query = sa.select(Community)
    if only_ids is not None:
        query = query.where(Community.id.in_(list(only_ids)))
    return keyset_page(session, query, Community.slug, limit=limit, cursor=cursor)


def list_members(session: Session, community_id: str, *, limit: int, cursor: str | None = None):
    """A community's members, oldest first."""
    query = sa.select(Member).where(Member.community_id == community_id)
    return keyset_page(session, query, Member.id, limit=limit, cursor=cursor)


# Reading with balances ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WithAccounts:
    """A community or member read with its accounts' current balances; its other attributes
    are the owner's own."""

    owner: Community | Member
    accounts: list[AccountStanding]

    def __getattr__(self, name: str):
        return getattr(self.owner, name)


def community_with_accounts(session: Session, community: Community, *, now: datetime):
    """A community with its system accounts (by kind, then unit) and their balances."""
    return WithAccounts(community, standings(session, community.accounts, now=now))


def members_with_accounts(session: Session, members, *, now: datetime) -> list[WithAccounts]:
    """Members with their accounts (points, then minutes) and balances: two queries in all."""
    members = list(members)
    accounts = session.scalars(
        sa.select(Account)
        .where(Account.owner_id.in_([m.id for m in members]))
        .order_by(Account.owner_id, Account.unit.desc())
    ).all()
    by_owner: dict[str, list[AccountStanding]] = {m.id: [] for m in members}
    for found in standings(session, accounts, now=now):
        by_owner[found.owner_id].append(found)
    return [WithAccounts(m, by_owner[m.id]) for m in members]


def member_with_accounts(session: Session, member: Member, *, now: datetime) -> WithAccounts:
    return members_with_accounts(session, [member], now=now)[0]


def accounts_touched(session: Session, entry: Entry) -> list[Account]:
    """The accounts an entry's postings move points or minutes between, in one query."""
    ids = {p.from_account_id for p in entry.postings} | {p.to_account_id for p in entry.postings}
    return list(session.scalars(sa.select(Account).where(Account.id.in_(sorted(ids)))))
