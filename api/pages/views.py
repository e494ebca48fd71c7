"""Signing in and out, the resident's own page, the language, and the pages' error pages.

A resident signs in with her card's link (or its code), a till or a desk with its key; see
``sessions`` for how long each lasts. Reach is the API's: a member's session opens her own page
only, another member's answers 404 exactly as one that does not exist; a role that may not open a
page answers 403.
"""

from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from api.clock import now
from api.extensions import db
from api.pages import sessions, setup, submissions
from api.pages.formatting import FILTERS
from ledger import residents
from ledger.core import signin

# Where a device lands once signed in: its role's page.
DEVICE_HOMES = {"shop": "/till", "staff": "/desk", "admin": "/desk"}

blp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    # The app claims /static; the pages' own files sit under their name.
    static_url_path="/pages/static",
)
blp.record_once(setup.set_up)
for _name, _filter in FILTERS.items():
    blp.add_app_template_filter(_filter, _name)


# The areas (till, desk, ...) are blueprints nested in this one: its hooks, context and error
# pages apply to them too.
@blp.context_processor
def _page_context():
    return {"page_language": setup.page_language(), "form_token": submissions.form_token}


@blp.before_request
def _check_csrf():
    setup.csrf.protect()


def _start_session(token: str):
    sessions.start_resident_session(token)
    return redirect(url_for("pages.me"))


@blp.errorhandler(signin.SigninTokenSpent)
def _spent(error):
    return render_template("pages/refused.html", reason="spent"), 410


@blp.errorhandler(signin.SigninTokenUnknown)
def _unknown(error):
    return render_template("pages/refused.html", reason="unknown"), 403


@blp.errorhandler(CSRFError)
def _csrf_refused(error):
    return render_template("pages/refused.html", reason="csrf"), 400


@blp.errorhandler(sessions.DeviceKeyRefused)
def _device_refused(error):
    return render_template("pages/device.html", device=None, refused=True), 403


@blp.errorhandler(403)
def _forbidden(error):
    return render_template("pages/refused.html", reason="role"), 403


@blp.errorhandler(404)
def _not_found(error):
    return render_template("pages/refused.html", reason="missing"), 404


@blp.get("/")
def sign_in():
    """The sign-in page: scan the card, or type its code."""
    return render_template("pages/signin.html")


@blp.post("/")
def sign_in_with_code():
    """The code typed from a card signs in as its link does."""
    return _start_session(request.form.get("code", "").strip())


@blp.get("/s/<token>")
def card_link(token):
    """A card's link: spend its token and start the session."""
    return _start_session(token)


@blp.get("/me")
@sessions.resident_required
def me():
    """The signed-in resident's own page."""
    return redirect(url_for("pages.member_page", member_id=g.resident.id))


@blp.get("/members/<member_id>")
@sessions.resident_required
def member_page(member_id):
    """A member's page: only her own session opens it; any other id is 404."""
    if g.resident.id != member_id:
        abort(404)
    page = residents.resident_page(db.session, g.resident, now=now())
    return render_template("pages/me.html", page=page)


@blp.post("/signout")
def sign_out():
    """End the session."""
    sessions.end_session()
    return redirect(url_for("pages.sign_in"))


@blp.get("/device")
def device_sign_in():
    """A till's or a desk's sign-in with its key, or who the device is signed in as."""
    return render_template("pages/device.html", device=sessions.signed_in_device())


@blp.post("/device")
def device_sign_in_with_key():
    """Sign the device in with the key typed once, and go to its role's page."""
    key = sessions.start_device_session(request.form.get("key", ""))
    return redirect(DEVICE_HOMES[key.role])


def _back_here() -> str:
    """The page the link was followed from, if it is one of ours (never another site)."""
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc == request.host and came_from.path:
        return came_from.path
    return url_for("pages.me")


@blp.get("/language/<code>")
def choose_language(code):
    """Switch the pages' language and go back to where the link was followed."""
    if code in setup.LOCALES:
        session["language"] = code
    return redirect(_back_here())
