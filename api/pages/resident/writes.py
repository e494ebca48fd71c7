"""The resident's writes: the same ledger calls, and the same reach checks, as the API's.

Each runs inside ``submit_once`` (so a double tap writes once) and answers where to go next: the
updated page, with ``done`` naming the confirmation it shows.
"""

from collections.abc import Callable, Mapping

from flask import abort, g, url_for

from api import access
from api.clock import now
from api.extensions import db
from ledger.core.models import MEMO_MAX_LENGTH
from ledger.timebank import gifts
from ledger.timebank import services as timebank

from . import forms

Form = Mapping[str, str]


def _board(done: str) -> str:
    return url_for("pages.resident.help_board", member_id=g.resident.id, done=done)


def ask_for_help(form: Form) -> str:
    """点单: her own request, paid from her own minutes (only staff open love-bank requests)."""
    asked = forms.help_request(form)
    community, _ = access.service_community(g.resident.community.slug, None, "requester")
    timebank.request_service(
        db.session,
        community_id=community.id,
        requester_id=g.resident.id,
        title=asked.title,
        category=asked.category,
        minutes_estimate=asked.minutes_estimate,
        funded_by="requester",
        now=now(),
    )
    return _board("asked")


def _take(service_id: str, form: Form) -> str:
    actor = access.service_step(service_id, "accept")
    timebank.accept(db.session, service_id, volunteer_id=actor.member_id, now=now())
    return _board("taken")


def _complete(service_id: str, form: Form) -> str:
    access.service_step(service_id, "complete")
    minutes = forms.whole_number(form, "minutes")
    timebank.complete(db.session, service_id, minutes=minutes, now=now())
    return _board("completed")


def _confirm(service_id: str, form: Form) -> str:
    actor = access.service_step(service_id, "confirm")
    timebank.confirm(db.session, service_id, actor=actor, now=now())
    return _board("confirmed")


def _rate(service_id: str, form: Form) -> str:
    actor = access.service_step(service_id, "rate")
    stars = forms.whole_number(form, "stars")
    comment = form.get("comment", "")
    timebank.rate(db.session, service_id, actor=actor, stars=stars, comment=comment, now=now())
    return _board("rated")


def _cancel(service_id: str, form: Form) -> str:
    actor = access.service_step(service_id, "cancel")
    timebank.cancel(db.session, service_id, actor=actor, reason=forms.reason(form), now=now())
    return _board("cancelled")


# The steps of a service her page offers, by the name in the form's address.
STEPS: dict[str, Callable[[str, Form], str]] = {
    "accept": _take,
    "complete": _complete,
    "confirm": _confirm,
    "rate": _rate,
    "cancel": _cancel,
}


def take_step(service_id: str, step: str, form: Form) -> str:
    write = STEPS.get(step)
    if write is None:
        abort(404)
    return write(service_id, form)


def give(form: Form) -> str:
    """A gift to family or a donation to the love bank, as POST /v1/transfers makes it."""
    giver_id = access.giving_member()
    gifts.give(
        db.session,
        giver_id=giver_id,
        to=form.get("to", ""),
        unit=forms.choice(form, "unit", forms.GIFT_UNITS),
        amount=forms.whole_number(form, "amount"),
        memo=forms.text(form, "memo", MEMO_MAX_LENGTH),
        now=now(),
    )
    return url_for("pages.resident.gifts", member_id=g.resident.id, done="given")
