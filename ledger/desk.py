"""What community staff read at the desk: residents, the rule book, the shops, the dispatch board,
the staff writes waiting for a second person.

Like ``residents`` it reads across capabilities, so it lives beside ``capabilities.py``. Every
time it hands over is in the community's local time; every figure is the owning capability's own
(``balances.standings`` for what a shop is owed, ``settlement.statement`` for what a settlement
covered), so the desk never disagrees with the API.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.approvals.models import ApprovalRequest
from ledger.approvals.requests import pending_for
from ledger.core.communities import list_members, members_with_accounts
from ledger.core.models import Account, ApiKey, Community, Member
from ledger.core.paging import DEFAULT_PAGE_LIMIT, Page
from ledger.earning.models import EarningRule
from ledger.earning.rules import RuleHistory, history
from ledger.supermarket import catalogue, settlement
from ledger.supermarket.models import Settlement, Shop
from ledger.timebank.models import Service

# Bounds on what one desk page reads; a community centre has far fewer of each.
MAX_RULES = 500
MAX_SHOPS = 200
RECENT_SETTLEMENTS = 5
MAX_BOARD_SERVICES = 500
MAX_VOLUNTEER_CHOICES = 1_000
DISPATCH_STATES = ("open", "assigned", "completed")
MAX_HELD_REQUESTS = 200


def residents(session: Session, community: Community, *, now: datetime, cursor=None) -> Page:
    """A page of the community's residents, each with her accounts and their balances."""
    found = list_members(session, community.id, limit=DEFAULT_PAGE_LIMIT, cursor=cursor)
    return Page(members_with_accounts(session, found.items, now=now), found.next_cursor)


def rule_book(session: Session, community: Community) -> list[RuleHistory]:
    """Every rule of the community by activity, each with all its versions, newest first."""
    versions = session.scalars(
        sa.select(EarningRule)
        .where(EarningRule.community_id == community.id)
        .order_by(EarningRule.activity, EarningRule.version)
        .limit(MAX_RULES * 20)
    ).all()
    by_activity: dict[str, list[EarningRule]] = {}
    for version in versions:
        by_activity.setdefault(version.activity, []).append(version)
    return [history(community.slug, found) for found in list(by_activity.values())[:MAX_RULES]]


@dataclass(frozen=True)
class ShopLine:
    shop: Shop
    owed: int  # the shop's posted points balance: redeemed and not yet settled
    settlements: list[Settlement]  # the latest first


def shop_ledger(session: Session, community: Community, *, now: datetime) -> list[ShopLine]:
    """The community's shops with what each is owed and its latest settlements."""
    shops = catalogue.list_shops(session, community.id, limit=MAX_SHOPS, cursor=None).items
    standings = {s.id: s for s in catalogue.shop_standings(session, shops, now=now)}
    return [
        ShopLine(
            shop,
            int(standings[shop.id].account.posted),
            list(
                settlement.list_settlements(
                    session, shop.id, limit=RECENT_SETTLEMENTS, cursor=None
                ).items
            ),
        )
        for shop in shops
    ]


@dataclass(frozen=True)
class SettlementSheet:
    """A settlement statement as printed: the statement, its shop and community, local times."""

    statement: settlement.SettlementStatement
    shop: Shop
    community: Community
    settled_at: datetime
    redemptions: list[tuple[str, int, datetime | None]]  # (id, points, captured at)
    refunds: list[tuple[str, str, int, datetime]]  # (id, redemption id, points, refunded at)


def settlement_sheet(session: Session, found: Settlement) -> SettlementSheet:
    community = session.get_one(Community, found.community_id)
    zone = ZoneInfo(community.timezone)
    statement = settlement.statement(session, found)
    return SettlementSheet(
        statement,
        session.get_one(Shop, found.shop_id),
        community,
        found.created_at.astimezone(zone),
        [
            (r.id, int(r.points), r.captured_at.astimezone(zone) if r.captured_at else None)
            for r in statement.redemptions
        ],
        [
            (r.id, r.redemption_id, int(r.points), r.created_at.astimezone(zone))
            for r in statement.refunds
        ],
    )


@dataclass(frozen=True)
class DispatchLine:
    service: Service
    requester: str
    volunteer: str | None
    asked_at: datetime


@dataclass(frozen=True)
class DispatchBoard:
    lines: dict[str, list[DispatchLine]]  # by state, DISPATCH_STATES; oldest first
    volunteers: list[Member]  # whom staff may dispatch, by name


def dispatch_board(session: Session, community: Community) -> DispatchBoard:
    """Requests waiting for a volunteer, under way and done but unconfirmed, with names."""
    zone = ZoneInfo(community.timezone)
    services = session.scalars(
        sa.select(Service)
        .where(Service.community_id == community.id, Service.state.in_(DISPATCH_STATES))
        .order_by(Service.created_at, Service.id)
        .limit(MAX_BOARD_SERVICES)
    ).all()
    members = session.scalars(
        sa.select(Member)
        .where(Member.community_id == community.id)
        .order_by(Member.display_name, Member.id)
        .limit(MAX_VOLUNTEER_CHOICES)
    ).all()
    names = {m.id: m.display_name for m in members}
    missing = {s.requester_id for s in services} | {s.volunteer_id for s in services}
    missing -= set(names) | {None}
    if missing:
        names.update(
            session.execute(
                sa.select(Member.id, Member.display_name).where(Member.id.in_(missing))
            ).all()
        )
    lines: dict[str, list[DispatchLine]] = {state: [] for state in DISPATCH_STATES}
    for service in services:
        lines[service.state].append(
            DispatchLine(
                service,
                names[service.requester_id],
                names.get(service.volunteer_id) if service.volunteer_id else None,
                service.created_at.astimezone(zone),
            )
        )
    return DispatchBoard(lines, list(members))


@dataclass(frozen=True)
class HeldPosting:
    from_name: str  # a member's name, or her account's kind for the community's own accounts
    to_name: str
    unit: str
    amount: int


@dataclass(frozen=True)
class HeldLine:
    request: ApprovalRequest
    postings: list[HeldPosting]
    requested_at: datetime
    requested_by: str  # the requesting key's label (or, for a member's key, her name)


def _account_names(session: Session, account_ids: set[str]) -> dict[str, str]:
    """A member's account by her name; the community's own accounts by their kind."""
    rows = session.execute(
        sa.select(Account.id, Account.kind, Member.display_name)
        .outerjoin(Member, Member.id == Account.owner_id)
        .where(Account.id.in_(account_ids))
    ).all()
    return {row.id: row.display_name or row.kind for row in rows}


def _holder(session: Session, key: ApiKey) -> str:
    if key.member_id:
        return session.get_one(Member, key.member_id).display_name
    return key.label or key.id


def approvals_board(session: Session, community: Community) -> list[HeldLine]:
    """Staff writes waiting for a second person, oldest first, with whom they move between."""
    zone = ZoneInfo(community.timezone)
    held = pending_for(session, community.id, limit=MAX_HELD_REQUESTS)
    keys = {
        key.id: key
        for key in session.scalars(
            sa.select(ApiKey).where(ApiKey.id.in_({r.requested_by_key_id for r in held}))
        )
    }
    names = _account_names(
        session, {p[end] for request in held for p in request.postings for end in ("from", "to")}
    )
    return [
        HeldLine(
            request,
            [
                HeldPosting(names[p["from"]], names[p["to"]], p["unit"], p["amount"])
                for p in request.postings
            ],
            request.requested_at.astimezone(zone),
            _holder(session, keys[request.requested_by_key_id]),
        )
        for request in held
    ]
