"""Earning rules of a community: set one (a new version), list them, read one with its history."""

from api import access
from api.auth import principal, roles
from api.clock import now
from api.earning.schemas import RulePage, RulePut, RuleSchema
from api.extensions import db
from api.schemas import PageQuery
from api.smorest import Blueprint
from api.writes import write
from ledger.earning import rules

blp = Blueprint("rules", __name__, url_prefix="/v1", description="Earning rules")


@blp.route("/communities/<slug>/rules/<activity>", methods=["PUT"])
@roles("staff")
@write
@blp.arguments(RulePut)
@blp.response(200, RuleSchema)
@blp.alt_response(201, schema=RuleSchema, description="A new version was written.")
def put(body, slug, activity):
    """Set the rule for an activity (staff): a change writes a new version; the same body is a
    no-op answered 200."""
    community = access.staff_community(slug)
    caps = tuple(rules.CapDraft(**cap) for cap in body.pop("caps"))
    draft = rules.RuleDraft(caps=caps, **body)
    versions, created = rules.set_rule(
        db.session, community.id, activity, draft, now=now(), api_key_id=principal().key_id
    )
    return rules.history(community.slug, versions), 201 if created else 200


@blp.route("/communities/<slug>/rules")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, RulePage)
def index(slug, limit, cursor=None):
    """The community's rules as they stand now, by activity (anyone of the community)."""
    community = access.community(slug)
    return rules.current_rules(db.session, community.id, community.slug, limit=limit, cursor=cursor)


@blp.route("/communities/<slug>/rules/<activity>")
@blp.response(200, RuleSchema)
def show(slug, activity):
    """One rule with every version it has had, newest first (anyone of the community)."""
    community = access.community(slug)
    return rules.history(community.slug, rules.get_rule(db.session, community.id, activity))
