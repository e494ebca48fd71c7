"""How the desk names an activity: by its rule's latest title in the community, else its code."""

from flask import g, request

from api.extensions import db
from ledger.core.communities import get_community
from ledger.core.errors import NotFound
from ledger.earning.rules import latest_titles


def _page_community_id() -> str | None:
    """The community of the page's URL (its slug), if it names one that exists; looked up once
    a request, however many lines the page names."""
    if "page_community_id" not in g:
        g.page_community_id = _community_of_slug((request.view_args or {}).get("slug"))
    return g.page_community_id


def _community_of_slug(slug: str | None) -> str | None:
    if slug is None:
        return None
    try:
        return get_community(db.session, slug).id
    except NotFound:
        return None


def _titles(community_id: str) -> dict[tuple[str, str], str]:
    """The community's titles, read once a request however many lines a page names."""
    cached = g.setdefault("rule_titles", {})
    if community_id not in cached:
        cached[community_id] = latest_titles(db.session, {community_id})
    return cached[community_id]


def activity_name(activity: str, community_id: str | None = None) -> str:
    """ "星空夜话" for deliberation.attend once its rule has that title; the code until then."""
    community_id = community_id or _page_community_id()
    if community_id is None:
        return activity
    return _titles(community_id).get((community_id, activity)) or activity
