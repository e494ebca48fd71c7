"""What a resident reads on her own page: her balances and a statement in plain words.

It reads across capabilities (the activity of an award, the items of a purchase, the title of a
service), so it lives beside ``capabilities.py`` rather than inside one of them. Lines carry the
name of what caused them and a ``reason`` a page words in its language; times are the
community's local time.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import balances
from ledger.core.models import Entry, Member
from ledger.core.paging import MAX_PAGE_LIMIT
from ledger.earning.models import EarningEvent
from ledger.earning.rules import latest_titles
from ledger.expiry.notice import Expiring, expiring
from ledger.gatherings.reports import award_titles
from ledger.supermarket.models import Redemption
from ledger.timebank.models import Service

# The most recent lines shown: a phone page, not the full statement (the API pages that).
RECENT_LINES = 20
# How far back the page looks for them.
RECENT_WINDOW = timedelta(days=92)
# Why a line moved the balance, by entry kind; a page has one phrase per reason.
REASONS = {
    "award": "activity",
    "redemption": "purchase",
    "refund": "refund",
    "service": "service",
}


@dataclass(frozen=True)
class ResidentLine:
    reason: str
    name: str
    amount: int
    unit: str
    balance: int
    occurred_at: datetime


@dataclass(frozen=True)
class ResidentPage:
    member: Member
    standings: list
    lines: list[ResidentLine]
    # "N points expire on DATE": her points expiring within the warning days, soonest first.
    expiring: list[Expiring] = field(default_factory=list)


def _award_names(session: Session, cause_ids: set[str]) -> dict[str, str]:
    """Each award's activity as the community titles it now (its rule's latest version), else
    its code: a title set after the award still names it."""
    events = session.execute(
        sa.select(EarningEvent.id, EarningEvent.community_id, EarningEvent.activity).where(
            EarningEvent.id.in_(cause_ids)
        )
    ).all()
    if not events:
        return {}
    titles = latest_titles(
        session, {event.community_id for event in events}, {event.activity for event in events}
    )
    return {
        event.id: titles.get((event.community_id, event.activity)) or event.activity
        for event in events
    }


def _gathering_names(session: Session, cause_ids: set[str]) -> dict[str, str]:
    """A gathering's award is named by the gathering ("参加星空夜话"), not by its activity."""
    return {event: award.title for event, award in award_titles(session, cause_ids).items()}


def _purchase_names(session: Session, cause_ids: set[str]) -> dict[str, str]:
    """Each purchase's items as the till rang them up ("酱油 500ml", "鸡蛋 ×2")."""
    return {
        redemption.id: "、".join(
            f"{line.name} ×{line.quantity}" if line.quantity > 1 else line.name
            for line in redemption.lines
        )
        for redemption in session.scalars(sa.select(Redemption).where(Redemption.id.in_(cause_ids)))
    }


def _service_names(session: Session, cause_ids: set[str]) -> dict[str, str]:
    return dict(
        session.execute(sa.select(Service.id, Service.title).where(Service.id.in_(cause_ids))).all()
    )


# Who names the causes of lines, one capability each; a new kind of cause adds its own here.
# Later namers win: an award made at a gathering reads as the gathering, not its activity.
NAMERS = (_award_names, _gathering_names, _purchase_names, _service_names)


def names_by_cause(session: Session, cause_ids: set[str]) -> dict[str, str]:
    """The plain name of each cause: an award's activity, a purchase's items, a service's title."""
    names: dict[str, str] = {}
    if cause_ids:
        for namer in NAMERS:
            names.update(namer(session, cause_ids))
    return names


def _recent_lines(session: Session, account, since: datetime) -> list[tuple]:
    """The account's statement lines posted since ``since``, with its unit, following pages."""
    found: list[tuple] = []
    cursor = None
    while True:
        page = balances.statement(
            session, account.id, limit=MAX_PAGE_LIMIT, cursor=cursor, from_=since
        )
        found.extend((line, account.unit) for line in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return found[-RECENT_LINES:]


def resident_page(session: Session, member: Member, *, now: datetime) -> ResidentPage:
    """The member's standings (as the API reports them) and her latest lines, newest first."""
    standings = balances.standings(session, member.accounts, now=now)
    zone = ZoneInfo(member.community.timezone)
    since = now - RECENT_WINDOW
    raw = [row for account in member.accounts for row in _recent_lines(session, account, since)]
    raw.sort(key=lambda row: (row[0].posted_at, row[0].entry_id), reverse=True)
    raw = raw[:RECENT_LINES]
    entries = {row[0].entry_id for row in raw}
    causes = dict(
        session.execute(sa.select(Entry.id, Entry.cause_id).where(Entry.id.in_(entries))).all()
    )
    names = names_by_cause(session, {c for c in causes.values() if c})
    lines = [
        ResidentLine(
            reason=REASONS.get(line.kind, "other"),
            name=names.get(causes.get(line.entry_id) or "") or line.memo or line.kind,
            amount=line.amount,
            unit=unit,
            balance=line.balance,
            occurred_at=line.occurred_at.astimezone(zone),
        )
        for line, unit in raw
    ]
    soon = [e for a in member.accounts if a.unit == "points" for e in expiring(session, a, now=now)]
    return ResidentPage(member, standings, lines, soon)
