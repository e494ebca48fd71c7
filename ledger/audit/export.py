"""A community's journal as a plain-text double-entry ledger (beancount syntax).

What the export holds, so that ``bean-check`` accepts it and its balances equal the API's:
- commodities ``POINTS`` and ``MINUTES``; every account of the community opened on the first
  day of the ledger (the earliest account or entry date), with its id and owner as metadata;
- one transaction per posted entry, dated by ``posted_at`` in the community's time zone, in
  ``(posted_at, id)`` order; each posting "amount from A to B" becomes the legs ``A -amount`` and
  ``B +amount``, so each transaction balances per commodity. Pending and voided entries move
  no posted balance and are left out;
- a closing ``balance`` assertion for every account, dated the day after the last entry (or the
  export date, whichever is later), equal to the account's posted balance as the API shows it.
Each account keeps its holder's own sign: a member's 80 points are ``+80 POINTS`` on an Assets
account; the issuance account is Equity and runs negative by what is outstanding.

Account names: ``Equity:Issuance:<Unit>``, ``Assets:LoveBank:<Unit>``,
``Assets:Members:<member id>:<Unit>``, ``Assets:Shops:<shop id>:<Unit>``; any other kind goes
under ``Assets:<Kind>:<owner id>:<Unit>``. Ids are written without their prefix (``mem_01J…`` ->
``01J…``), which always starts with a digit as beancount requires.
"""

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.balances import current_balances
from ledger.core.models import Account, Community, Entry, Member

from .chain import load_postings
from .reports import shop_names

COMMODITY = {"points": "POINTS", "minutes": "MINUTES"}
EXPORT_BATCH = 1000  # entries read per round
_NON_NAME = re.compile(r"[^A-Za-z0-9-]")


def _component(text: str) -> str:
    """A valid account name component: letters, digits and dashes, starting with one of A-Z0-9."""
    cleaned = _NON_NAME.sub("-", text).strip("-") or "X"
    return cleaned[0].upper() + cleaned[1:]


def _id_part(identifier: str) -> str:
    return _component(identifier.split("_", 1)[-1])


def account_name(account, community_id: str) -> str:
    unit = _component(account.unit)
    if account.owner_id == community_id:
        if account.kind == "issuance":
            return f"Equity:Issuance:{unit}"
        if account.kind == "love_bank":
            return f"Assets:LoveBank:{unit}"
        return f"Assets:Community:{_component(account.kind)}:{unit}"
    if account.kind == "member":
        return f"Assets:Members:{_id_part(account.owner_id)}:{unit}"
    if account.kind == "shop":
        return f"Assets:Shops:{_id_part(account.owner_id)}:{unit}"
    return f"Assets:{_component(account.kind)}:{_id_part(account.owner_id)}:{unit}"


def _quote(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\r\n\t]+", " ", text) + '"'


def _holders(session: Session, community: Community, accounts) -> dict[str, str]:
    """{owner id: display name} of the members and shops holding the accounts."""
    holders = dict(
        session.execute(
            sa.select(Member.id, Member.display_name).where(Member.community_id == community.id)
        ).all()
    )
    holders.update(shop_names(session, {a.owner_id for a in accounts if a.kind == "shop"}))
    return holders


def _opening_and_closing(
    session: Session, community: Community, accounts, day, now: datetime
) -> tuple[date, date]:
    """The day every account is opened on, and the day the closing balances are asserted on."""
    first_posted, last_posted = session.execute(
        sa.select(sa.func.min(Entry.posted_at), sa.func.max(Entry.posted_at)).where(
            Entry.community_id == community.id, Entry.status == "posted"
        )
    ).one()
    opened_on = min(
        [day(a.created_at) for a in accounts]
        + ([day(first_posted)] if first_posted else [])
        + [day(now)]
    )
    closing_on = max(day(last_posted) + timedelta(days=1) if last_posted else day(now), day(now))
    return opened_on, closing_on


def _open_lines(accounts, names, holders, opened_on: date) -> Iterator[str]:
    for unit in sorted(COMMODITY):
        yield f"{opened_on.isoformat()} commodity {COMMODITY[unit]}"
    yield ""
    for account in accounts:
        yield f"{opened_on.isoformat()} open {names[account.id]} {COMMODITY[account.unit]}"
        yield f"  account: {_quote(account.id)}"
        yield f"  kind: {_quote(account.kind)}"
        if account.owner_id in holders:
            yield f"  holder: {_quote(holders[account.owner_id])}"
    yield ""


def _transaction_lines(session: Session, community: Community, names, day) -> Iterator[str]:
    """Every posted entry as a transaction, read ``EXPORT_BATCH`` entries at a time."""
    after = None
    while True:
        query = (
            sa.select(Entry.id, Entry.kind, Entry.memo, Entry.posted_at, Entry.cause_id)
            .where(Entry.community_id == community.id, Entry.status == "posted")
            .order_by(Entry.posted_at, Entry.id)
            .limit(EXPORT_BATCH)
        )
        if after is not None:
            query = query.where(sa.tuple_(Entry.posted_at, Entry.id) > after)
        entries = session.execute(query).all()
        if not entries:
            break
        postings = load_postings(session, [e.id for e in entries])
        for entry in entries:
            yield f"{day(entry.posted_at).isoformat()} * {_quote(entry.memo or entry.kind)}"
            yield f"  entry: {_quote(entry.id)}"
            yield f"  kind: {_quote(entry.kind)}"
            if entry.cause_id:
                yield f"  cause: {_quote(entry.cause_id)}"
            for _, source, target, unit, amount in postings.get(entry.id, []):
                yield f"  {names[source]}  {-amount} {COMMODITY[unit]}"
                yield f"  {names[target]}  {amount} {COMMODITY[unit]}"
            yield ""
        last = entries[-1]
        after = (last.posted_at, last.id)


def export_beancount(session: Session, community: Community, *, now: datetime) -> Iterator[str]:
    """The community's ledger as beancount text, yielded line by line."""
    zone = ZoneInfo(community.timezone)

    def day(at: datetime) -> date:
        return at.astimezone(zone).date()

    accounts = session.scalars(
        sa.select(Account).where(Account.community_id == community.id).order_by(Account.id)
    ).all()
    names = {a.id: account_name(a, community.id) for a in accounts}
    holders = _holders(session, community, accounts)
    opened_on, closing_on = _opening_and_closing(session, community, accounts, day, now)

    yield f"; pointsbank export of community {community.slug}"
    yield f"; generated at {now.isoformat()}; balances asserted as of {closing_on.isoformat()}"
    yield f'option "title" {_quote(community.name)}'
    yield ""
    yield from _open_lines(accounts, names, holders, opened_on)
    yield from _transaction_lines(session, community, names, day)
    found = current_balances(session, [a.id for a in accounts])
    for account in accounts:
        yield (
            f"{closing_on.isoformat()} balance {names[account.id]}  "
            f"{found[account.id].posted} {COMMODITY[account.unit]}"
        )
