"""Jinja filters that format for the page's locale: amounts with their sign, local times."""

from flask_babel import format_datetime, format_decimal

# U+2212: a true minus sign, as print uses, not a hyphen.
MINUS = "\u2212"


def signed_amount(amount: int) -> str:
    """+5 / −30, digits grouped as the locale groups them."""
    digits = format_decimal(abs(amount))
    return ("+" if amount > 0 else MINUS if amount < 0 else "") + digits


def amount(value: int) -> str:
    return format_decimal(value) if value >= 0 else MINUS + format_decimal(-value)


def local_datetime(value) -> str:
    """An aware local datetime, formatted for the locale in its own time zone."""
    return format_datetime(value, "short", rebase=False)


FILTERS = {"signed_amount": signed_amount, "amount": amount, "local_datetime": local_datetime}
