"""Page writes that happen once: each form carries a one-time token (``form_token()`` in a
template, field ``form_token``), and ``submit_once`` claims it in the write's own transaction.

The first submission writes and is sent to where the write says (a receipt, the updated page);
a second one of the same form (a double tap, the browser's resubmit) writes nothing and is sent
to the same place. See ``ledger.core.submissions``.
"""

import re
import secrets
from collections.abc import Callable

from flask import Response, abort, g, redirect, request

from api.clock import now
from api.extensions import db
from ledger.core import submissions
from ledger.core.models import FORM_TOKEN_MAX_LENGTH

# 128 random bits, URL-safe.
FORM_TOKEN_BYTES = 16
_TOKEN_PATTERN = re.compile(rf"^[A-Za-z0-9_-]{{16,{FORM_TOKEN_MAX_LENGTH}}}$")


def form_token() -> str:
    """A fresh token for one form (a template calls it once per form it renders)."""
    return secrets.token_urlsafe(FORM_TOKEN_BYTES)


def _subject() -> str:
    """Who submits: the signed-in device's key, else the signed-in resident."""
    device = g.get("device")
    if device is not None:
        return f"key:{device.key_id}"
    resident = g.get("resident")
    if resident is not None:
        return f"member:{resident.id}"
    abort(403)


def submit_once(write: Callable[[], str]) -> Response:
    """Run ``write`` (it makes the change and answers the URL to show next) once per form token.

    A token of another signer, or none, is 400: the form did not come from this session's page.
    """
    token, subject = request.form.get("form_token", ""), _subject()
    if not _TOKEN_PATTERN.match(token):
        abort(400)
    earlier = submissions.claim(db.session, token, subject, now=now())
    if earlier is not None:
        db.session.rollback()
        if earlier.subject != subject or earlier.outcome is None:
            abort(400)
        return redirect(earlier.outcome)
    try:
        location = write()
        submissions.record_outcome(db.session, token, location)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return redirect(location)
