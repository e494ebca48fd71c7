"""The resident's pages: sign in with a card's link, her own page, sign out, the language.

A session holds the member the spent token named and when she signed in; it ends after
RESIDENT_SESSION, or when she signs out. Reach is the API's for a member key: her own page only,
another member's answers 404 exactly as one that does not exist.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from api.clock import now
from api.extensions import db
from api.pages import setup
from api.pages.formatting import FILTERS
from ledger import residents
from ledger.core import signin
from ledger.core.communities import get_member
from ledger.core.errors import NotFound

# A resident's session: a morning or an afternoon at the community centre, not a week.
RESIDENT_SESSION = timedelta(hours=12)

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


@blp.context_processor
def _page_language():
    return {"page_language": setup.page_language()}


@blp.before_request
def _check_csrf():
    setup.csrf.protect()


def _signed_in_member():
    """The session's member, or None when there is none or it has expired."""
    member_id, since = session.get("member_id"), session.get("signed_in_at")
    if not member_id or not since:
        return None
    if now() - datetime.fromisoformat(since) >= RESIDENT_SESSION:
        session.clear()
        return None
    try:
        return get_member(db.session, member_id)
    except NotFound:
        return None


def _start_session(token: str):
    member = signin.spend(db.session, token, now=now())
    db.session.commit()
    language = session.get("language")
    session.clear()
    session.update(member_id=member.id, signed_in_at=now().isoformat(), language=language)
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
def me():
    """The signed-in resident's own page."""
    member = _signed_in_member()
    if member is None:
        return redirect(url_for("pages.sign_in"))
    return redirect(url_for("pages.member_page", member_id=member.id))


@blp.get("/members/<member_id>")
def member_page(member_id):
    """A member's page: only her own session opens it; any other id is 404."""
    member = _signed_in_member()
    if member is None:
        return redirect(url_for("pages.sign_in"))
    if member.id != member_id:
        abort(404)
    page = residents.resident_page(db.session, member, now=now())
    return render_template("pages/me.html", page=page)


@blp.post("/signout")
def sign_out():
    """End the session."""
    session.clear()
    return redirect(url_for("pages.sign_in"))


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
