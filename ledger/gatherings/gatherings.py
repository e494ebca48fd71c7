"""Scheduling gatherings (meetings and actions), reading them, and the community's settings.

A gathering awards under one activity's earning rule: the rule must exist when it is scheduled,
and the version in force at the gathering's start judges every sign-in (see ``attendance``).
The organizer is a member of the community or a staff name; a member organizer never earns at
her own gathering.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.clock import as_utc
from ledger.core.communities import get_member
from ledger.core.errors import MemberNotFound
from ledger.core.ids import new_id
from ledger.core.lookup import get_or_raise, one_or_raise
from ledger.core.models import Community, Member
from ledger.core.paging import Page, keyset_page
from ledger.earning.rules import get_rule

from . import errors
from .models import (
    ATTENDEE_NAMES,
    DEFAULT_ATTENDEE_NAMES,
    GATHERING_KINDS,
    PLACE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Gathering,
    GatheringSettings,
    GatheringTopic,
)

MAX_GATHERING_LENGTH = timedelta(days=2)  # an evening, or a weekend's clean-up, not a season
MAX_TOPICS = 30  # one evening's agenda
ID_PREFIX = "gat"


@dataclass(frozen=True)
class GatheringDraft:
    title: str
    activity: str
    place: str
    starts_at: datetime
    ends_at: datetime
    kind: str = "meeting"
    organizer_member_id: str | None = None
    organizer_name: str = ""
    organizer_member_ref: str | None = None  # or by the community's reference (a desk's form)
    topics: tuple[str, ...] = ()


def check_text(value: str, field: str, max_length: int) -> str:
    """Stripped, present and within its length, or ``GatheringTextInvalid`` naming the field."""
    value = (value or "").strip()
    if not value or len(value) > max_length:
        raise errors.GatheringTextInvalid(field=field, max_length=max_length)
    return value


def _check_times(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    starts_at, ends_at = as_utc(starts_at), as_utc(ends_at)
    if not starts_at < ends_at <= starts_at + MAX_GATHERING_LENGTH:
        raise errors.GatheringTimesInvalid(
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
            max_hours=int(MAX_GATHERING_LENGTH.total_seconds() // 3600),
        )
    return starts_at, ends_at


def _organizer(session: Session, community: Community, draft: GatheringDraft) -> tuple:
    """(member or None, the organizer's name as shown)."""
    if draft.organizer_member_ref:
        member = one_or_raise(
            session,
            sa.select(Member).where(
                Member.community_id == community.id,
                Member.external_ref == draft.organizer_member_ref,
            ),
            MemberNotFound,
            member_ref=draft.organizer_member_ref,
            community=community.slug,
        )
        return member, (draft.organizer_name or "").strip()[
            :TITLE_MAX_LENGTH
        ] or member.display_name
    if draft.organizer_member_id is None:
        name = (draft.organizer_name or "").strip()
        if not name:
            raise errors.OrganizerNotNamed()
        return None, name[:TITLE_MAX_LENGTH]
    member = get_member(session, draft.organizer_member_id)
    if member.community_id != community.id:
        raise MemberNotFound(member=draft.organizer_member_id, community=community.slug)
    return member, (draft.organizer_name or "").strip()[:TITLE_MAX_LENGTH] or member.display_name


def schedule(
    session: Session,
    community: Community,
    draft: GatheringDraft,
    *,
    now: datetime,
    api_key_id: str | None = None,
) -> Gathering:
    """Schedule a gathering with its topics; the activity's rule must exist."""
    if draft.kind not in GATHERING_KINDS:
        raise errors.GatheringTextInvalid(field="kind", kinds=list(GATHERING_KINDS))
    get_rule(session, community.id, draft.activity)  # RuleNotFound when there is none
    starts_at, ends_at = _check_times(draft.starts_at, draft.ends_at)
    if len(draft.topics) > MAX_TOPICS:
        raise errors.TooManyTopics(topics=len(draft.topics), max_topics=MAX_TOPICS)
    organizer, organizer_name = _organizer(session, community, draft)
    gathering = Gathering(
        id=new_id(ID_PREFIX),
        community_id=community.id,
        title=check_text(draft.title, "title", TITLE_MAX_LENGTH),
        kind=draft.kind,
        activity=draft.activity,
        place=check_text(draft.place, "place", PLACE_MAX_LENGTH),
        starts_at=starts_at,
        ends_at=ends_at,
        organizer_member_id=organizer.id if organizer else None,
        organizer_name=organizer_name,
        created_at=now,
        api_key_id=api_key_id,
    )
    gathering.topics = [
        GatheringTopic(
            id=new_id("top"), position=i, title=check_text(title, "topics", TEXT_MAX_LENGTH)
        )
        for i, title in enumerate(draft.topics, start=1)
    ]
    session.add(gathering)
    session.flush()
    return gathering


def get_gathering(session: Session, gathering_id: str) -> Gathering:
    return get_or_raise(
        session, Gathering, gathering_id, errors.GatheringNotFound, gathering=gathering_id
    )


def list_gatherings(
    session: Session, community_id: str, *, limit: int, cursor: str | None = None
) -> Page:
    """A community's gatherings in the order they were scheduled."""
    query = sa.select(Gathering).where(Gathering.community_id == community_id)
    return keyset_page(session, query, Gathering.id, limit=limit, cursor=cursor)


def recent_gatherings(session: Session, community_id: str, *, limit: int) -> list[Gathering]:
    """The community's gatherings, latest start first (the desk's list)."""
    return list(
        session.scalars(
            sa.select(Gathering)
            .where(Gathering.community_id == community_id)
            .order_by(Gathering.starts_at.desc(), Gathering.id.desc())
            .limit(limit)
        )
    )


def organizer_ref(gathering: Gathering) -> str:
    """Who vouches for the gathering's sign-ins (the earn events' ``recorded_by``)."""
    return gathering.organizer_member_id or gathering.organizer_name


def is_organizer(gathering: Gathering, member: Member) -> bool:
    return gathering.organizer_member_id == member.id


# Settings ---------------------------------------------------------------------------------------
def attendee_names(session: Session, community_id: str) -> str:
    """How the community's published notices name attendees."""
    settings = session.get(GatheringSettings, community_id)
    return settings.attendee_names if settings else DEFAULT_ATTENDEE_NAMES


def set_attendee_names(session: Session, community_id: str, value: str, *, now: datetime) -> str:
    if value not in ATTENDEE_NAMES:
        raise errors.GatheringTextInvalid(field="attendee_names", choices=list(ATTENDEE_NAMES))
    settings = session.get(GatheringSettings, community_id)
    if settings is None:
        settings = GatheringSettings(community_id=community_id)
        session.add(settings)
    settings.attendee_names = value
    settings.updated_at = now
    session.flush()
    return value
