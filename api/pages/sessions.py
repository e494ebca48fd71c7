"""Who a page's session is: a resident signed in by her card, or a device signed in by its key.

A resident's session holds the member the spent card token named; a device's (a shop's till, a
staff desk) holds the id of the API key typed once at the device. Either ends after its duration,
or when signed out. A device's key is read again on every page, so revoking or expiring the key
ends its sessions on their next page. Reach is exactly the API's: the pages build the same
``Principal`` a bearer key gets and authorise with it.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import abort, g, redirect, session, url_for

from api.auth import Principal, principal_of
from api.clock import now
from api.extensions import db
from ledger.core import apikeys, signin
from ledger.core.communities import get_member
from ledger.core.errors import NotFound
from ledger.core.models import ApiKey, Member

# A resident's session: a morning or an afternoon at the community centre, not a week.
RESIDENT_SESSION = timedelta(hours=12)
# A till's or a desk's session: one working day at the counter.
DEVICE_SESSION = timedelta(hours=12)
# The roles a device may sign in with (a member signs in with her card, an integrator never).
DEVICE_ROLES = ("shop", "staff", "admin")


class DeviceKeyRefused(Exception):
    """The key typed at a device does not authenticate, or its role cannot run a device."""


def _fresh(since: str | None, lasting: timedelta) -> bool:
    return bool(since) and now() - datetime.fromisoformat(str(since)) < lasting


def _start(**fields: Any) -> None:
    """A new session (a fresh cookie, so a session fixed before sign-in is not kept)."""
    language = session.get("language")
    session.clear()
    session.update(signed_in_at=now().isoformat(), language=language, **fields)


def start_resident_session(token: str) -> Member:
    """Spend a card's token and sign its member in."""
    member = signin.spend(db.session, token, now=now())
    db.session.commit()
    _start(member_id=member.id)
    return member


def start_device_session(token: str) -> ApiKey:
    """Sign a till or a desk in with its API key."""
    key = apikeys.authenticate(db.session, token.strip(), now=now())
    if key is None or key.role not in DEVICE_ROLES:
        raise DeviceKeyRefused(token.partition(".")[0])
    _start(device_key_id=key.id)
    return key


def end_session() -> None:
    session.clear()


def signed_in_member() -> Member | None:
    """The session's member, or None when there is none or it has expired."""
    member_id = session.get("member_id")
    if not member_id or not _fresh(session.get("signed_in_at"), RESIDENT_SESSION):
        return None
    try:
        return get_member(db.session, member_id)
    except NotFound:
        return None


def signed_in_device() -> Principal | None:
    """The device's principal, or None when signed out, expired, or its key no longer lives."""
    key_id = session.get("device_key_id")
    if not key_id or not _fresh(session.get("signed_in_at"), DEVICE_SESSION):
        return None
    key = db.session.get(ApiKey, key_id)
    if key is None or not apikeys.is_live(key, now()):
        return None
    return principal_of(key)


def resident_principal(member: Member) -> Principal:
    """What a member's own API key would be: her community, her accounts."""
    return Principal(
        key_id="",
        role="member",
        community_ids=frozenset({member.community_id}),
        member_id=member.id,
        shop_id=None,
    )


def resident_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view runs with ``g.resident`` (her Member), else the browser goes to sign-in."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        member = signed_in_member()
        if member is None:
            session.pop("member_id", None)
            return redirect(url_for("pages.sign_in"))
        g.resident = member
        return view(*args, **kwargs)

    return wrapper


def device_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view runs with ``g.device`` (a Principal of one of ``roles`` or admin); no session
    sends the browser to the device sign-in, another role is 403 as in the API."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            device = signed_in_device()
            if device is None:
                session.pop("device_key_id", None)
                return redirect(url_for("pages.device_sign_in"))
            if not (device.is_admin or device.role in roles):
                abort(403)
            g.device = device
            return view(*args, **kwargs)

        return wrapper

    return decorate
