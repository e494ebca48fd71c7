"""Load a resource for the caller, and authorise them, in one place.

Each function loads one kind of resource through ``ledger/`` and answers for the caller (the
request's Principal): another party's resource raises the ledger's NotFound for it, exactly as
one that does not exist, so a key cannot probe what others have; a role that may see the
resource but never take the step is 403.
"""

from flask import abort

from api.auth import Principal, principal
from api.extensions import db
from ledger.approvals import requests as approvals
from ledger.approvals.errors import ApprovalNotFound
from ledger.core import errors
from ledger.core.balances import read_standing
from ledger.core.communities import accounts_touched, get_account, get_community, get_member
from ledger.core.corrections import get_entry
from ledger.earning import events as earning
from ledger.earning.errors import EventNotFound
from ledger.membership import districts
from ledger.membership.errors import DistrictNotFound
from ledger.supermarket import catalogue, redemptions, settlement
from ledger.supermarket import errors as supermarket_errors
from ledger.supermarket.models import Shop
from ledger.timebank import services as timebank
from ledger.timebank.errors import ServiceNotFound


def _visible(allowed: bool, error: errors.NotFound) -> None:
    if not allowed:
        raise error


def _forbidden_unless(reason: str | None) -> None:
    if reason:
        abort(403, reason)


# Communities, members, accounts and entries ------------------------------------------------------
def community(slug: str):
    """Any key of the community (and admin)."""
    found = get_community(db.session, slug)
    _visible(principal().in_community(found.id), errors.CommunityNotFound(slug=slug))
    return found


def staff_community(slug: str):
    """Staff of the community (and admin)."""
    found = get_community(db.session, slug)
    _visible(principal().is_staff_of(found.id), errors.CommunityNotFound(slug=slug))
    return found


def member(member_id: str):
    """The member themself, or staff of their community."""
    found = get_member(db.session, member_id)
    allowed = principal().may_read(found.community_id, member_id=found.id)
    _visible(allowed, errors.MemberNotFound(member=member_id))
    return found


def account(account_id: str):
    """Staff see their community's accounts; members and shops see only their own."""
    found = get_account(db.session, account_id)
    _visible(principal().may_read_account(found), errors.AccountNotFound(account=account_id))
    return found


def account_standing(account_id: str, *, at):
    """``account`` (same callers, same 404) as a record with its balance at ``at``, read in one
    statement: for the balance read, which only shows them."""
    found = read_standing(db.session, account_id, now=at)
    allowed = principal().may_read_account(found.account)
    _visible(allowed, errors.AccountNotFound(account=account_id))
    return found


def staff_account(account_id: str):
    """An account staff of its community may post adjustments to."""
    found = get_account(db.session, account_id)
    _visible(
        principal().is_staff_of(found.community_id), errors.AccountNotFound(account=account_id)
    )
    return found


def _may_read_entry(who: Principal, entry) -> bool:
    if who.is_staff_of(entry.community_id):
        return True
    # Members and shops see entries that touch one of their own accounts.
    return any(who.may_read_account(a) for a in accounts_touched(db.session, entry))


def entry(entry_id: str):
    """Staff of its community, and members and shops whose accounts it touches."""
    found = get_entry(db.session, entry_id)
    _visible(_may_read_entry(principal(), found), errors.EntryNotFound(entry=entry_id))
    return found


def staff_entry(entry_id: str):
    """An entry staff of its community may reverse."""
    found = get_entry(db.session, entry_id)
    _visible(principal().is_staff_of(found.community_id), errors.EntryNotFound(entry=entry_id))
    return found


def staff_member(member_id: str):
    """A member staff of her community may close or move."""
    found = get_member(db.session, member_id)
    _visible(principal().is_staff_of(found.community_id), errors.MemberNotFound(member=member_id))
    return found


def giving_member() -> str:
    """The member id of a member's own key: gifts and donations are sent with it."""
    member_id = principal().member_id
    if member_id is None:
        abort(403, "a gift or donation is sent with the giving member's own key")
    return member_id


def exchanging_member(named: str | None) -> str:
    """Who exchanges points for minutes: a member with her own key (naming nobody else), or
    staff for a member of their community they name."""
    who = principal()
    if who.role == "member" and who.member_id is not None:
        _forbidden_unless(
            None if named in (None, who.member_id) else "a member exchanges only her own points"
        )
        return who.member_id
    if named is None:
        abort(422, "staff name the member whose points are exchanged")
    return member(named).id


# The points supermarket ------------------------------------------------------------------------
def _shop_not_found(shop_id: str | None) -> errors.NotFound:
    return supermarket_errors.ShopNotFound(shop=shop_id)


def staff_shop(shop_id: str):
    """A shop staff of its community manage."""
    found = catalogue.get_shop(db.session, shop_id)
    _visible(principal().is_staff_of(found.community_id), _shop_not_found(shop_id))
    return found


def shop(shop_id: str, *, residents: bool = False):
    """Staff of its community and the shop's own keys (and, for the catalogue, its residents)."""
    found = catalogue.get_shop(db.session, shop_id)
    who = principal()
    allowed = who.may_read(found.community_id, shop_id=found.id)
    if residents and who.role == "member":
        allowed = who.in_community(found.community_id)
    _visible(allowed, _shop_not_found(shop_id))
    return found


def catalogue_shop(shop_id: str):
    """A shop whose catalogue the caller may browse: its staff, the shop, its residents."""
    return shop(shop_id, residents=True)


def acting_shop() -> Shop:
    """The shop of a shop key, loaded (a till's pages read and write through it)."""
    return catalogue.get_shop(db.session, _shop_of_key())


def redeeming_shop(named_shop_id: str | None = None) -> catalogue.ShopRecord:
    """The shop of a shop key, as the record every redemption there shares (not read again); a
    redemption naming another shop answers as a missing one."""
    found = catalogue.shop_record(db.session, _shop_of_key())
    _visible(named_shop_id in (None, found.id), _shop_not_found(named_shop_id))
    return found


def _shop_of_key() -> str:
    shop_id = principal().shop_id
    if shop_id is None:
        abort(403, "redemptions are made with the shop's own key")
    return shop_id


def settlement_record(settlement_id: str):
    """Staff of its community, or the shop it settled."""
    found = settlement.get_settlement(db.session, settlement_id)
    who = principal()
    _visible(
        who.is_staff_of(found.community_id) or who.shop_id == found.shop_id,
        supermarket_errors.SettlementNotFound(settlement=settlement_id),
    )
    return found


def _redemption(redemption_id: str, *, changing: bool):
    found = redemptions.get_redemption(db.session, redemption_id)
    # The member may read their redemption, never change it.
    member_id = None if changing else found.member_id
    allowed = principal().may_read(found.community_id, shop_id=found.shop_id, member_id=member_id)
    _visible(allowed, supermarket_errors.RedemptionNotFound(redemption=redemption_id))
    return found


def redemption(redemption_id: str):
    """The shop that made it, staff of its community, or the member."""
    return _redemption(redemption_id, changing=False)


def redemption_to_change(redemption_id: str):
    """A redemption to capture, void or refund: the shop that made it, or staff."""
    return _redemption(redemption_id, changing=True)


# The time bank ---------------------------------------------------------------------------------
def actor(community_id: str) -> timebank.Actor:
    """The caller as the time bank's state machine sees them in this community."""
    who = principal()
    return timebank.Actor(
        member_id=who.member_id if who.role == "member" else None,
        staff=who.is_staff_of(community_id),
    )


def service_community(slug: str, requester_id: str | None, funded_by: str):
    """The community a service is asked in, and the caller as actor, if they may ask for it."""
    found = community(slug)
    as_actor = actor(found.id)
    _forbidden_unless(timebank.request_refusal(as_actor, requester_id, funded_by))
    return found, as_actor


def service(service_id: str):
    """A service of the caller's community; members see open ones, and their own."""
    found = timebank.get_service(db.session, service_id)
    who = principal()
    not_found = ServiceNotFound(service=service_id)
    _visible(who.in_community(found.community_id), not_found)
    if who.role == "member" and found.state != "open":
        _visible(who.member_id in (found.requester_id, found.volunteer_id), not_found)
    return found


def service_step(service_id: str, action: str) -> timebank.Actor:
    """The caller as actor, if the service is of their community and they may take ``action``."""
    found = timebank.get_service(db.session, service_id)
    _visible(principal().in_community(found.community_id), ServiceNotFound(service=service_id))
    as_actor = actor(found.community_id)
    _forbidden_unless(timebank.refusal(found, action, as_actor))
    return as_actor


def service_board(slug: str, state: str):
    """A community's service board in one state: members see the open requests only."""
    found = community(slug)
    as_actor = actor(found.id)
    if not as_actor.staff and state != "open":
        abort(403, "members see the open requests; their own are under /v1/members/{id}/services")
    return found, as_actor


# Earning ---------------------------------------------------------------------------------------
def event_source() -> earning.Source:
    """An integrator key posts for its own communities only (admin: any)."""
    who = principal()
    return earning.Source(who.key_id, who.key_id, None if who.is_admin else who.community_ids)


def event(event_id: str):
    """Staff of its community, the key that posted it, and its member."""
    found = earning.get_event(db.session, event_id)
    allowed = principal().may_read(
        found.community_id, api_key_id=found.api_key_id, member_id=found.member_id
    )
    _visible(allowed, EventNotFound(event=event_id))
    return found


def staff_event(event_id: str):
    """An event staff of its community may object to."""
    found = earning.get_event(db.session, event_id)
    _visible(principal().is_staff_of(found.community_id), EventNotFound(event=event_id))
    return found


def event_list(slug: str) -> tuple:
    """A community's events the caller may list: (community, api_key_id, member_id) filters.

    Staff see every event, an integrator the ones it posted, a member their own."""
    found = community(slug)
    who = principal()
    if who.is_staff_of(found.id):
        return found, None, None
    if who.role == "integrator":
        return found, who.key_id, None
    _visible(who.role == "member", errors.CommunityNotFound(slug=slug))
    return found, None, who.member_id


# Approvals and districts -------------------------------------------------------------------------
def staff_approval(request_id: str):
    """An approval request of a community the caller is staff of."""
    found = approvals.get_request(db.session, request_id)
    _visible(principal().is_staff_of(found.community_id), ApprovalNotFound(approval=request_id))
    return found


def district(slug: str):
    """A district: admin, or staff of one of its communities."""
    found = districts.get_district(db.session, slug)
    members = districts.communities_of(db.session, found)
    who = principal()
    _visible(
        who.is_admin or any(who.is_staff_of(c.id) for c in members), DistrictNotFound(slug=slug)
    )
    return found


def district_pair(slug: str, community_slug: str, counterparty_slug: str):
    """A district and two communities of it, the first the caller's (staff) or any (admin)."""
    return (
        district(slug),
        staff_community(community_slug),
        get_community(db.session, counterparty_slug),
    )
