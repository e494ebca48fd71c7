"""A stored UTC instant shown in its community's time zone, formatted for the page's locale."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import format_decimal

from api.pages.formatting import local_datetime
from ledger.core.models import Community


def community_time(value: datetime | None, community: Community) -> str:
    if value is None:
        return ""
    return local_datetime(value.astimezone(ZoneInfo(community.timezone)))


def yuan(fen: int) -> str:
    """Integer fen as yuan with two decimals, grouped for the locale (3000 -> 30.00)."""
    whole, cents = divmod(int(fen), 100)
    return f"{format_decimal(whole)}.{cents:02d}"
