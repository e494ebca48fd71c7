"""Communities and their members."""

from api import access
from api.auth import principal, roles
from api.clock import now
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
from api.smorest import Blueprint
from api.writes import write
from ledger.core import communities
from ledger.core.paging import Page

blp = Blueprint("communities", __name__, url_prefix="/v1", description="Communities and members")


@blp.route("/communities", methods=["POST"])
@roles()
@write
@blp.arguments(CommunityCreate)
@blp.response(201, CommunitySchema)
def create(body):
    """Create a community with its issuance and love bank accounts (admin)."""
    community = communities.create_community(db.session, now=now(), **body)
    return communities.community_with_accounts(db.session, community, now=now())


@blp.route("/communities")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, CommunityPage)
def index(limit, cursor=None):
    """The communities this key belongs to (all of them, for admin), by slug."""
    who = principal()
    only_ids = None if who.is_admin else who.community_ids
    return communities.list_communities(db.session, only_ids=only_ids, limit=limit, cursor=cursor)


@blp.route("/communities/<slug>")
@blp.response(200, CommunitySchema)
def show(slug):
    """A community with its system accounts and their balances."""
    return communities.community_with_accounts(db.session, access.community(slug), now=now())


@blp.route("/communities/<slug>/members", methods=["POST"])
@roles("staff")
@write
@blp.arguments(MemberCreate)
@blp.response(201, MemberSchema)
def create_member_view(body, slug):
    """Register a resident: opens a points account (floor 0) and a minutes account (staff)."""
    member = communities.create_member(db.session, access.staff_community(slug), now=now(), **body)
    return communities.member_with_accounts(db.session, member, now=now())


@blp.route("/communities/<slug>/members")
@roles("staff")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, MemberPage)
def members_index(slug, limit, cursor=None):
    """The community's members, oldest first (staff)."""
    community = access.staff_community(slug)
    page = communities.list_members(db.session, community.id, limit=limit, cursor=cursor)
    items = communities.members_with_accounts(db.session, page.items, now=now())
    return Page(items, page.next_cursor)


@blp.route("/members/<member_id>")
@blp.response(200, MemberSchema)
def show_member(member_id):
    """A member with their accounts and balances (the member themself, or staff)."""
    return communities.member_with_accounts(db.session, access.member(member_id), now=now())
