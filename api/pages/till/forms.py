"""The till's forms: what a sale form asks for, the writes behind its buttons, and how a refusal
is shown.

Every write goes through ``submit_once`` with the form's one-time token, and calls the ledger
function the API's endpoint calls. A refused consent (a wrong code or PIN) is not raised: the
wrong try must be committed, so the write answers the sale form again with the tries left. Any
other ledger refusal rolls the write back and shows the same form again with what went wrong.
"""

from collections.abc import Callable, Mapping

from flask import g, render_template, url_for

from api import access
from api.clock import now
from api.extensions import db
from api.pages.submissions import submit_once
from api.pages.till.reach import till_shop
from api.problems import status_of
from ledger.core import errors
from ledger.supermarket import redemptions, till
from ledger.supermarket.consent import CONSENT_CODE_DIGITS
from ledger.supermarket.models import Shop

# Sale form fields: one quantity per item, the consent, and capture or hold.
QUANTITY_PREFIX = "qty-"
REFUND_PREFIX = "refund-"
MODES = ("capture", "hold")
HOLD_MINUTES = int(redemptions.HOLD_TTL.total_seconds() // 60)


def quantities(form: Mapping[str, str], prefix: str) -> list[dict]:
    """The lines asked for: each ``<prefix><sku>`` field with a whole number above zero."""
    lines = []
    for name, value in form.items():
        if not name.startswith(prefix) or not value.strip():
            continue
        if not value.strip().isdigit():
            raise errors.Invalid("quantity is not a whole number", field=name)
        if int(value) > 0:
            lines.append({"sku": name.removeprefix(prefix), "quantity": int(value)})
    return lines


def consent_of(form: Mapping[str, str]) -> dict:
    """The resident's one-time code, else her PIN, as the ledger checks them (one is needed)."""
    code, pin = form.get("code", "").strip(), form.get("pin", "").strip()
    if not (code or pin):
        # Refused before the ledger sees it: an empty form must not count as a wrong try.
        raise errors.Invalid("a code or a PIN is needed")
    return {"code": code} if code else {"pin": pin}


def sale_page(args: Mapping[str, str], *, error=None, status: int = 200, form=None):
    """The sale form for the resident a number (her reference, or her id from a QR) names."""
    shop = till_shop()
    number = args.get("member", "")
    try:
        member = till.member_by_number(db.session, shop, number)
    except errors.NotFound:
        return home_page(shop, number=number, missing=True), 404
    page = render_template(
        "pages/till/sell.html",
        shop=shop,
        member=member,
        shelf=till.shelf(db.session, shop.id),
        code=args.get("code", "") if error is None else "",
        refused=args.get("refused"),
        error=error,
        entered=form or {},
        hold_minutes=HOLD_MINUTES,
        code_digits=CONSENT_CODE_DIGITS,
    )
    return page, status


def home_page(shop: Shop, *, number: str = "", missing: bool = False) -> str:
    return render_template(
        "pages/till/home.html",
        shop=shop,
        shelf=till.shelf(db.session, shop.id),
        day=till.day_sales(db.session, shop, now=now()),
        number=number,
        missing=missing,
    )


def _sell(shop: Shop, form: Mapping[str, str]) -> str:
    outcome = redemptions.redeem(
        db.session,
        shop,
        member_id=form.get("member", ""),
        consent=consent_of(form),
        lines=quantities(form, QUANTITY_PREFIX),
        capture=form.get("mode", MODES[0]) != "hold",
        now=now(),
        api_key_id=g.device.key_id,
    )
    if outcome.refusal is not None:
        left = outcome.refusal.numbers["attempts_remaining"]
        return url_for(".sell_form", member=form.get("member", ""), refused=left)
    sold = outcome.redemption
    assert sold is not None  # an outcome without a refusal carries its redemption
    return url_for(".receipt", redemption_id=sold.id)


def sell(form: Mapping[str, str]):
    """Make the sale once per form; a refusal shows the form again, nothing written."""
    shop = till_shop()
    try:
        return submit_once(lambda: _sell(shop, form))
    except errors.LedgerError as error:
        args = {"member": form.get("member", "")}
        return sale_page(args, error=error, status=status_of(error), form=form)


def receipt_page(redemption_id: str, *, error=None, status: int = 200):
    sale = access.redemption(redemption_id)
    shown = till.receipt(db.session, sale, now=now())
    return render_template("pages/till/receipt.html", receipt=shown, error=error), status


def _refund(redemption_id: str, form: Mapping[str, str]) -> None:
    lines = quantities(form, REFUND_PREFIX)
    if not lines:
        raise errors.Invalid("choose what to refund")
    redemptions.refund(
        db.session, redemption_id, lines=lines, now=now(), api_key_id=g.device.key_id
    )


def _refund_all(redemption_id: str, form: Mapping[str, str]) -> None:
    whole = till.whole_refund(redemptions.get_redemption(db.session, redemption_id))
    redemptions.refund(db.session, redemption_id, now=now(), api_key_id=g.device.key_id, **whole)


STEPS: dict[str, Callable[[str, Mapping[str, str]], object]] = {
    "capture": lambda rid, form: redemptions.capture(db.session, rid, now=now()),
    "void": lambda rid, form: redemptions.void(db.session, rid, now=now()),
    "refund": _refund,
    "refund-all": _refund_all,
}


def change(redemption_id: str, step: str, form: Mapping[str, str]):
    """Capture, void or refund the sale once per form, then show its receipt again."""

    def write() -> str:
        access.redemption_to_change(redemption_id)
        STEPS[step](redemption_id, form)
        return url_for(".receipt", redemption_id=redemption_id)

    try:
        return submit_once(write)
    except errors.LedgerError as error:
        return receipt_page(redemption_id, error=error, status=status_of(error))
