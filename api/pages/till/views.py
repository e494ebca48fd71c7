"""The till's pages (/till) and the resident's "pay at the shop" page (/members/<id>/pay).

The till is a device signed in with its shop's key: it finds the resident by her QR code's link
or her typed number, sells from the shelf with her code or PIN (captured at once or held),
prints a receipt, captures, voids and refunds from it, and lists the day's sales. Every button
writes once per form (``submit_once``); the receipt is where a sale's form sends the browser.
"""

from flask import Blueprint, render_template, request

from api.clock import now
from api.extensions import db
from api.pages import sessions
from api.pages.submissions import submit_once
from api.pages.till import forms, paying
from api.pages.till.reach import her_own, till_required, till_shop
from ledger.core import errors
from ledger.supermarket import till

blp = Blueprint("till", __name__, url_prefix="/till", template_folder="templates")
pay_blp = Blueprint("pay", __name__, url_prefix="/members", template_folder="templates")


@blp.errorhandler(errors.NotFound)
def _not_found(error):
    return render_template("pages/refused.html", reason="missing"), 404


@blp.get("")
@till_required
def home():
    """The till's start: find the resident, the shelf with its stock, today's running total."""
    return forms.home_page(till_shop())


@blp.get("/sell")
@till_required
def sell_form():
    """The sale form for the resident her QR link or typed number names."""
    return forms.sale_page(request.args)


@blp.post("/sell")
@till_required
def sell():
    """Sell (or hold) the chosen items with her consent, once; then show the receipt."""
    return forms.sell(request.form)


@blp.get("/receipts/<redemption_id>")
@till_required
def receipt(redemption_id):
    """A sale's receipt (printable), with its capture, void and refund buttons."""
    return forms.receipt_page(redemption_id)


@blp.post("/receipts/<redemption_id>/capture")
@till_required
def capture(redemption_id):
    """Capture a held sale."""
    return forms.change(redemption_id, "capture", request.form)


@blp.post("/receipts/<redemption_id>/void")
@till_required
def void(redemption_id):
    """Release a held sale: the points are hers again, the items back on the shelf."""
    return forms.change(redemption_id, "void", request.form)


@blp.post("/receipts/<redemption_id>/refund")
@till_required
def refund(redemption_id):
    """Refund the chosen quantities of the sale's lines."""
    return forms.change(redemption_id, "refund", request.form)


@blp.post("/receipts/<redemption_id>/refund-all")
@till_required
def refund_all(redemption_id):
    """Refund all that is left of the sale."""
    return forms.change(redemption_id, "refund-all", request.form)


@blp.get("/today")
@till_required
def today():
    """Today's sales (the community's local day) and the running total."""
    day = till.day_sales(db.session, till_shop(), now=now())
    return render_template("pages/till/today.html", day=day)


@pay_blp.get("/<member_id>/pay")
@sessions.resident_required
def pay(member_id):
    """Her pay page: the code to show at the till, its QR code and minutes left."""
    her_own(member_id)
    return paying.pay_page()


@pay_blp.post("/<member_id>/pay")
@sessions.resident_required
def new_pay_code(member_id):
    """A new one-time code (once per form), then her pay page shows it."""
    her_own(member_id)
    return submit_once(paying.issue)
