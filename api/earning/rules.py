"""Earning rules of a community: set one (a new version), list them, read one with its history."""

from flask_smorest import Blueprint

from api.auth import principal, roles
from api.clock import now
from api.core.communities import staff_community, visible_community
from api.earning.schemas import RulePage, RulePut, RuleSchema
from api.extensions import db
from api.schemas import PageQuery
from api.writes import write
from ledger.earning.rules import CapDraft, RuleDraft, get_rule, list_rules, set_rule

blp = Blueprint("rules", __name__, url_prefix="/v1", description="Earning rules")


def version_view(version) -> dict:
    return {
        "id": version.id,
        "version": version.version,
        "points": version.points,
        "per": version.per,
        "notice_days": version.notice_days,
        "caps": [
            {"period": c.period, "max_points": c.max_points, "max_count": c.max_count}
            for c in version.caps
        ],
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "created_at": version.created_at,
    }


def rule_view(community, versions) -> dict:
    """A rule: its current version and, newest first, every version it has had."""
    newest_first = [version_view(v) for v in reversed(versions)]
    return {
        "community": community.slug,
        "activity": versions[-1].activity,
        "current": newest_first[0],
        "versions": newest_first,
    }


@blp.route("/communities/<slug>/rules/<activity>", methods=["PUT"])
@roles("staff")
@write
@blp.arguments(RulePut)
@blp.response(200, RuleSchema)
@blp.alt_response(201, schema=RuleSchema, description="A new version was written.")
def put(body, slug, activity):
    """Set the rule for an activity (staff): a change writes a new version; the same body is a
    no-op answered 200."""
    community = staff_community(slug)
    caps = tuple(CapDraft(**cap) for cap in body.pop("caps"))
    versions, created = set_rule(
        db.session,
        community.id,
        activity,
        RuleDraft(caps=caps, **body),
        now=now(),
        api_key_id=principal().key_id,
    )
    return rule_view(community, versions), 201 if created else 200


@blp.route("/communities/<slug>/rules")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, RulePage)
def index(slug, limit, cursor=None):
    """The community's rules as they stand now, by activity (anyone of the community)."""
    community = visible_community(slug)
    page = list_rules(db.session, community.id, limit=limit, cursor=cursor)
    items = [rule_view(community, [rule]) for rule in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


@blp.route("/communities/<slug>/rules/<activity>")
@blp.response(200, RuleSchema)
def show(slug, activity):
    """One rule with every version it has had, newest first (anyone of the community)."""
    community = visible_community(slug)
    return rule_view(community, get_rule(db.session, community.id, activity))
