"""The resident's "pay at the shop" page: a one-time code in large digits and as a QR code.

The code itself is never stored on the server (only its hash, by ``ledger.supermarket.consent``),
so her session keeps it, with the code's id, for as long as her page shows it. The QR code holds
a link to the till's sale form for her with the code filled in: a tablet's camera opens it in
the till's browser, whose session is the till's.
"""

from flask import g, render_template, session, url_for
from markupsafe import Markup

from api.clock import now
from api.extensions import db
from api.pages.cli import qr_svg
from ledger.supermarket import till

SESSION_KEY = "pay_code"


def issue() -> str:
    """A fresh code for the signed-in resident, kept in her session; answers her pay page."""
    code = till.pay_code(db.session, g.resident, now=now())
    session[SESSION_KEY] = {"id": code.id, "member": code.member_id, "code": code.code}
    return url_for(".pay", member_id=g.resident.id)


def _till_link(member_id: str, code: str) -> str:
    return url_for("pages.till.sell_form", member=member_id, code=code, _external=True)


def pay_page() -> str:
    """Her current code with its minutes left and QR code, or the button for a new one."""
    kept = session.get(SESSION_KEY) or {}
    state = None
    if kept.get("member") == g.resident.id:
        state = till.pay_code_state(db.session, g.resident.id, kept["id"], kept["code"], now=now())
    qr: Markup | None = None
    if state is not None and state.status == "live":
        qr = qr_svg(_till_link(g.resident.id, state.code))
    return render_template(
        "pages/till/pay.html",
        member=g.resident,
        state=state,
        qr=qr,
    )
