"""Exchanging points for time credits (兑换服务时长), where a community allows it.

- Staff set the rate (``rate_points`` points buy ``rate_minutes`` minutes), a cap on the minutes a
  member may get this way in a calendar month (the community's time zone), and switch it on;
  it is off by default.
- An exchange is ONE balanced "exchange" entry through the community's issuance accounts: the
  member's points go back to points issuance and the minutes come out of minutes issuance, so
  what is outstanding in points falls by exactly what is newly outstanding in minutes.
- Points are exchanged in whole steps of the rate; a member exchanges only points she has (her
  points account's floor) and never past the cap. The cap is checked again after ``post_entry``
  has changed, and so locked, her points balance row, so two exchanges at once cannot both pass
  it. A reversed exchange no longer counts against the cap.
- Fairness: minutes bought this way are the member's own time credits and are spent exactly as
  earned ones: the care queue still serves requests in the order they were made, and nothing
  lets points (or more of them) move a request up the board.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ledger.core import errors
from ledger.core.communities import get_member, member_account, system_account
from ledger.core.journal import EntryDraft, EntryRecord, PostingDraft, post_entry
from ledger.core.models import Community, Entry, Member, Posting
from ledger.supermarket.redemptions import release_expired_holds

from . import errors as tb
from .models import MAX_EXCHANGE_CAP_MINUTES, MAX_EXCHANGE_RATE, ExchangeSettings


@dataclass(frozen=True)
class ExchangeView:
    community: str
    enabled: bool
    rate_points: int | None
    rate_minutes: int | None
    monthly_cap_minutes: int | None
    updated_at: datetime | None


def exchange_settings(session: Session, community: Community) -> ExchangeView:
    found = session.get(ExchangeSettings, community.id)
    if found is None:
        return ExchangeView(community.slug, False, None, None, None, None)
    return ExchangeView(
        community.slug,
        found.enabled,
        found.rate_points,
        found.rate_minutes,
        found.monthly_cap_minutes,
        found.updated_at,
    )


def set_exchange(
    session: Session,
    community: Community,
    *,
    enabled: bool,
    rate_points: int,
    rate_minutes: int,
    monthly_cap_minutes: int,
    now: datetime,
) -> ExchangeView:
    """Set (or switch off) the community's exchange of points for minutes."""
    for value in (rate_points, rate_minutes):
        if not 1 <= value <= MAX_EXCHANGE_RATE:
            raise tb.ExchangeRateOutOfRange(
                rate_points=rate_points, rate_minutes=rate_minutes, max_rate=MAX_EXCHANGE_RATE
            )
    if not 0 <= monthly_cap_minutes <= MAX_EXCHANGE_CAP_MINUTES:
        raise errors.Invalid(
            "monthly_cap_minutes is out of range",
            monthly_cap_minutes=monthly_cap_minutes,
            max_cap_minutes=MAX_EXCHANGE_CAP_MINUTES,
        )
    found = session.get(ExchangeSettings, community.id)
    if found is None:
        found = ExchangeSettings(community_id=community.id)
        session.add(found)
    found.enabled, found.rate_points, found.rate_minutes = enabled, rate_points, rate_minutes
    found.monthly_cap_minutes, found.updated_at = monthly_cap_minutes, now
    session.flush()
    return exchange_settings(session, community)


def month_of(at: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The calendar month holding ``at`` in the community's time zone: [start, end) in UTC."""
    local = at.astimezone(ZoneInfo(timezone))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start.astimezone(at.tzinfo), end.astimezone(at.tzinfo)


def minutes_exchanged(session: Session, minutes_account_id: str, start, end) -> int:
    """Minutes a member got by exchange in [start, end), leaving out reversed exchanges."""
    reversal = aliased(Entry)
    total = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Posting.amount), 0))
        .join(Entry, Entry.id == Posting.entry_id)
        .where(
            Posting.to_account_id == minutes_account_id,
            Entry.kind == "exchange",
            Entry.status == "posted",
            Entry.posted_at >= start,
            Entry.posted_at < end,
            ~sa.exists().where(reversal.reverses_id == Entry.id),
        )
    ).scalar_one()
    return int(total)


@dataclass(frozen=True)
class Exchange:
    """An exchange as answered: its entry, what went each way, and the month's cap."""

    entry: EntryRecord
    member: str
    points: int
    minutes: int
    monthly_cap_minutes: int
    used_minutes: int

    @property
    def remaining_minutes(self) -> int:
        return self.monthly_cap_minutes - self.used_minutes


def _enabled_settings(session: Session, community_id: str) -> ExchangeSettings:
    found = session.get(ExchangeSettings, community_id)
    if found is None or not found.enabled:
        raise tb.ExchangeOff(community=community_id)
    return found


def _check_cap(settings: ExchangeSettings, used: int, minutes: int) -> None:
    if used + minutes > settings.monthly_cap_minutes:
        raise tb.ExchangeCapReached(
            f"{minutes} minutes requested, {used} of {settings.monthly_cap_minutes} already "
            "exchanged this month",
            cap_minutes=settings.monthly_cap_minutes,
            used_minutes=used,
            requested_minutes=minutes,
            remaining_minutes=max(0, settings.monthly_cap_minutes - used),
        )


def exchange(
    session: Session,
    *,
    member_id: str,
    points: int,
    now: datetime,
    api_key_id: str | None = None,
) -> Exchange:
    """Exchange a member's points for minutes at her community's rate, within the cap."""
    member: Member = get_member(session, member_id)
    community = member.community
    settings = _enabled_settings(session, community.id)
    if type(points) is not int or points <= 0 or points % settings.rate_points:
        raise tb.ExchangeNotWholeSteps(
            requested=points, rate_points=settings.rate_points, rate_minutes=settings.rate_minutes
        )
    minutes = points // settings.rate_points * settings.rate_minutes
    points_account = member_account(session, member.id, "points")
    minutes_account = member_account(session, member.id, "minutes")
    start, end = month_of(now, community.timezone)
    _check_cap(settings, minutes_exchanged(session, minutes_account.id, start, end), minutes)
    release_expired_holds(session, member.id, now=now)
    draft = EntryDraft(
        community_id=community.id,
        kind="exchange",
        postings=[
            PostingDraft(
                points_account.id,
                system_account(session, community.id, "issuance", "points").id,
                "points",
                points,
            ),
            PostingDraft(
                system_account(session, community.id, "issuance", "minutes").id,
                minutes_account.id,
                "minutes",
                minutes,
            ),
        ],
        memo=f"{points} 积分兑换 {minutes} 分钟",
        details={"member": member.id, "points": points, "minutes": minutes},
        api_key_id=api_key_id,
    )
    # A savepoint: an exchange refused by the re-check below leaves nothing behind.
    with session.begin_nested():
        record = post_entry(session, draft, now=now)
        # Her points row is ours until commit: this is the test that holds under concurrency.
        used = minutes_exchanged(session, minutes_account.id, start, end)
        _check_cap(settings, used - minutes, minutes)
    return Exchange(record, member.id, points, minutes, settings.monthly_cap_minutes, used)
