"""Load a gathering for the caller, and authorise them, as ``api/access.py`` does for the rest.

Anyone of the gathering's community reads it and its published notice; staff schedule, tick,
decide and publish; the organizer (a member) ticks her own gathering's roll call. Another
community's gathering answers 404, exactly like a missing one.
"""

from flask import abort, current_app

from api.auth import Principal
from api.extensions import db
from ledger.gatherings.errors import GatheringNotFound
from ledger.gatherings.gatherings import get_gathering
from ledger.gatherings.models import Gathering


def server_secret() -> bytes:
    """The key of the rotating sign-in codes: the server secret, the same on every server."""
    return current_app.config["SECRET_KEY"].encode()


def gathering(who: Principal, gathering_id: str) -> Gathering:
    """A gathering of the caller's community."""
    found = get_gathering(db.session, gathering_id)
    if not who.in_community(found.community_id):
        raise GatheringNotFound(gathering=gathering_id)
    return found


def staff_gathering(who: Principal, gathering_id: str) -> Gathering:
    """A gathering staff of its community manage."""
    found = get_gathering(db.session, gathering_id)
    if not who.is_staff_of(found.community_id):
        raise GatheringNotFound(gathering=gathering_id)
    return found


def roll_call_gathering(who: Principal, gathering_id: str) -> tuple[Gathering, str]:
    """A gathering whose roll call the caller may tick, and who the tick is recorded as: staff
    (by key) or the gathering's organizer (by member id); another member is 403."""
    found = gathering(who, gathering_id)
    if who.is_staff_of(found.community_id):
        return found, f"key:{who.key_id}"
    if who.member_id is not None and who.member_id == found.organizer_member_id:
        return found, who.member_id
    abort(403, "only the gathering's organizer or staff tick its roll call")
