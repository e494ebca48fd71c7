"""Whose page it is: a resident's session opens her own pages only, with the API's reach."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g

from api.pages import sessions


def own_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view runs for the signed-in resident's own ``member_id`` (any other is 404, as a
    missing one), with ``g.principal`` the one her own API key would have, for ``api.access``."""

    @wraps(view)
    def wrapper(member_id: str, **kwargs: Any) -> Any:
        if g.resident.id != member_id:
            abort(404)
        g.principal = sessions.resident_principal(g.resident)
        return view(**kwargs)

    return sessions.resident_required(wrapper)
