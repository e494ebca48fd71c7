"""The resident's phone pages under her own address: the help board and gifts.

Every page is hers only (``reach.own_page``: another member's id is 404); every write is a plain
form sent once (``submit_once``) and redirected to the updated page with a confirmation.
"""

from dataclasses import asdict

from flask import Blueprint, g, render_template, request, url_for

from api.clock import now
from api.extensions import db
from api.pages.submissions import submit_once
from api.problems import status_of
from ledger import resident_help
from ledger.core import balances, errors

from . import forms, writes
from .reach import own_page

blp = Blueprint(
    "resident", __name__, url_prefix="/members/<member_id>", template_folder="templates"
)


@blp.errorhandler(errors.LedgerError)
def _refused(error: errors.LedgerError):
    """A step the ledger refused: a page saying why in her words, nothing written."""
    back = ".gifts" if "/gifts" in request.path else ".help_board"
    page = render_template(
        "pages/resident/refused.html",
        slug=error.slug,
        back=url_for(back, member_id=g.resident.id),
    )
    return page, status_of(error)


@blp.get("/help")
@own_page
def help_board():
    """The open requests she can take, her requests and the services she took."""
    board = resident_help.help_board(db.session, g.resident, now=now())
    return render_template(
        "pages/resident/help.html",
        board=board,
        categories=forms.HELP_CATEGORIES,
        done=request.args.get("done"),
    )


@blp.post("/help")
@own_page
def ask_for_help():
    """Ask for help (点单), paid from her own minutes."""
    return submit_once(lambda: writes.ask_for_help(request.form))


@blp.post("/help/<service_id>/<step>")
@own_page
def take_step(service_id, step):
    """Take, mark done, confirm, rate or cancel a service: the API's step of the same name."""
    return submit_once(lambda: writes.take_step(service_id, step, request.form))


@blp.get("/gifts")
@own_page
def gifts():
    """Her balances and the form to give minutes or points to family or the love bank."""
    standings = balances.standings(db.session, g.resident.accounts, now=now())
    return render_template(
        "pages/resident/gifts.html", standings=standings, done=request.args.get("done")
    )


@blp.post("/gifts/check")
@own_page
def check_gift():
    """The confirm step: to whom, how much; nothing is given until she confirms."""
    asked = asdict(forms.gift(request.form))
    preview = resident_help.preview_gift(db.session, g.resident, **asked)
    return render_template("pages/resident/gift_confirm.html", gift=preview)


@blp.post("/gifts")
@own_page
def give():
    """Give, once: a gift to family or a donation to the love bank."""
    return submit_once(lambda: writes.give(request.form))
