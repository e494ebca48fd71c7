"""Who the desk is signed in as, and what it reaches: exactly what the staff key reaches in the API.

The desk runs as a staff (or admin) device; its Principal is put where ``api/access.py`` reads the
caller from, so every page loads and authorises through the same functions as the JSON views. A
staff key reaches its own communities only (another one answers 404, as in the API); an admin
reaches every community and chooses one on the desk's first page. A till's session is 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g

from api.extensions import db
from api.pages.sessions import device_required
from ledger.core.communities import list_communities
from ledger.core.models import Community
from ledger.core.paging import MAX_PAGE_LIMIT

# An admin's desk lists one page of communities to choose from, the most a page may hold.
MAX_DESK_COMMUNITIES = MAX_PAGE_LIMIT


def desk_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view runs for a staff or admin device, with ``g.principal`` set to it."""

    @wraps(view)
    def as_principal(*args: Any, **kwargs: Any) -> Any:
        g.principal = g.device
        return view(*args, **kwargs)

    return device_required("staff")(as_principal)


def desk_communities() -> list[Community]:
    """The communities the signed-in desk may open, by slug."""
    device = g.device
    only = None if device.is_admin else device.community_ids
    return list(
        list_communities(db.session, only_ids=only, limit=MAX_DESK_COMMUNITIES, cursor=None).items
    )
