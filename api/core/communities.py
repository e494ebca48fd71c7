"""Communities and their members."""

from flask_smorest import Blueprint

from api.auth import principal, roles, visible
from api.clock import now
from api.core.accounts import accounts_view
from api.core.schemas import (
    CommunityCreate,
    CommunityPage,
    CommunitySchema,
    MemberCreate,
    MemberPage,
    MemberSchema,
)
from api.extensions import db
from api.schemas import PageQuery
from api.writes import write
from ledger.core import errors
from ledger.core.communities import (
    create_community,
    create_member,
    get_community,
    get_member,
    list_communities,
    list_members,
)

blp = Blueprint("communities", __name__, url_prefix="/v1", description="Communities and members")


def community_view(community) -> dict:
    return {
        "id": community.id,
        "slug": community.slug,
        "name": community.name,
        "timezone": community.timezone,
        "time_floor_minutes": community.time_floor_minutes,
        "created_at": community.created_at,
        "accounts": accounts_view(community.accounts),
    }


def member_view(member) -> dict:
    return {
        "id": member.id,
        "community": member.community.slug,
        "external_ref": member.external_ref,
        "display_name": member.display_name,
        "created_at": member.created_at,
        "accounts": accounts_view(member.accounts),
    }


def visible_community(slug: str):
    community = get_community(db.session, slug)
    visible(principal().in_community(community.id), errors.CommunityNotFound(slug=slug))
    return community


def staff_community(slug: str):
    community = get_community(db.session, slug)
    visible(principal().is_staff_of(community.id), errors.CommunityNotFound(slug=slug))
    return community


@blp.route("/communities", methods=["POST"])
@roles()
@write
@blp.arguments(CommunityCreate)
@blp.response(201, CommunitySchema)
def create(body):
    """Create a community with its issuance and love bank accounts (admin)."""
    return community_view(create_community(db.session, now=now(), **body))


@blp.route("/communities")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, CommunityPage)
def index(limit, cursor=None):
    """The communities this key belongs to (all of them, for admin), by slug."""
    who = principal()
    page = list_communities(
        db.session,
        only_ids=None if who.is_admin else who.community_ids,
        limit=limit,
        cursor=cursor,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@blp.route("/communities/<slug>")
@blp.response(200, CommunitySchema)
def show(slug):
    """A community with its system accounts and their balances."""
    return community_view(visible_community(slug))


@blp.route("/communities/<slug>/members", methods=["POST"])
@roles("staff")
@write
@blp.arguments(MemberCreate)
@blp.response(201, MemberSchema)
def create_member_view(body, slug):
    """Register a resident: opens a points account (floor 0) and a minutes account (staff)."""
    community = staff_community(slug)
    return member_view(create_member(db.session, community, now=now(), **body))


@blp.route("/communities/<slug>/members")
@roles("staff")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, MemberPage)
def members_index(slug, limit, cursor=None):
    """The community's members, oldest first (staff)."""
    community = staff_community(slug)
    page = list_members(db.session, community.id, limit=limit, cursor=cursor)
    return {"items": [member_view(m) for m in page.items], "next_cursor": page.next_cursor}


@blp.route("/members/<member_id>")
@blp.response(200, MemberSchema)
def show_member(member_id):
    """A member with their accounts and balances (the member themself, or staff)."""
    member = get_member(db.session, member_id)
    who = principal()
    visible(
        who.is_staff_of(member.community_id) or who.member_id == member.id,
        errors.MemberNotFound(member=member_id),
    )
    return member_view(member)
