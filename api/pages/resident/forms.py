"""What the resident's forms send, read into the values the ledger's calls take.

A field that is missing or not a number is the ledger's ``Invalid``, so it is answered as any
refused step is; the ranges themselves are the ledger's to judge.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ledger.core import errors
from ledger.core.models import MEMO_MAX_LENGTH, NAME_MAX_LENGTH
from ledger.timebank.gifts import LOVE_BANK

# The kinds of help a resident may ask for on her phone (the API takes any category).
HELP_CATEGORIES = ("elder_care", "child_care", "repair", "errand", "companionship")
# Whole numbers only; nine digits is far above any balance or service a form could name.
WHOLE_NUMBER = re.compile(r"^\s*(\d{1,9})\s*$")
# A gift goes to family (a member named by her resident number) or to the love bank.
GIFT_TARGETS = ("family", LOVE_BANK)
GIFT_UNITS = ("minutes", "points")


def whole_number(form: Mapping[str, str], name: str) -> int:
    matched = WHOLE_NUMBER.match(form.get(name, ""))
    if matched is None:
        raise errors.Invalid(f"{name} is a whole number", field=name)
    return int(matched.group(1))


def text(form: Mapping[str, str], name: str, max_length: int) -> str:
    value = form.get(name, "").strip()
    if len(value) > max_length:
        raise errors.Invalid(f"{name} is too long", field=name, max_length=max_length)
    return value


def reason(form: Mapping[str, str]) -> str:
    return text(form, "reason", MEMO_MAX_LENGTH)


def choice(form: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = form.get(name, "")
    if value not in choices:
        raise errors.Invalid(f"{name} is one of {', '.join(choices)}", field=name)
    return value


@dataclass(frozen=True)
class HelpRequest:
    title: str
    category: str
    minutes_estimate: int


def help_request(form: Mapping[str, str]) -> HelpRequest:
    return HelpRequest(
        title=text(form, "title", NAME_MAX_LENGTH),
        category=choice(form, "category", HELP_CATEGORIES),
        minutes_estimate=whole_number(form, "minutes"),
    )


@dataclass(frozen=True)
class GiftForm:
    target: str
    resident_number: str
    unit: str
    amount: int
    memo: str


def gift(form: Mapping[str, str]) -> GiftForm:
    return GiftForm(
        target=choice(form, "target", GIFT_TARGETS),
        resident_number=text(form, "resident_number", NAME_MAX_LENGTH),
        unit=choice(form, "unit", GIFT_UNITS),
        amount=whole_number(form, "amount"),
        memo=text(form, "memo", MEMO_MAX_LENGTH),
    )
