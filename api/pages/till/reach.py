"""Who may use the till's pages: a device signed in with its shop's key, authorised as the API
authorises that key (``api.access`` reads the request's principal)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g

from api import access
from api.pages import sessions
from ledger.supermarket.models import Shop


def till_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view runs for a till's session, with the till's key as the request's principal."""

    @wraps(view)
    def as_the_tills_key(*args: Any, **kwargs: Any) -> Any:
        g.principal = g.device
        return view(*args, **kwargs)

    return sessions.device_required("shop")(as_the_tills_key)


def till_shop() -> Shop:
    """The shop the till's key sells for (an admin's device has none: 403)."""
    return access.acting_shop()


def her_own(member_id: str) -> None:
    """A resident's page of her own: any other member's id is 404, as a missing one."""
    if g.resident.id != member_id:
        abort(404)
