"""Signing in at a gathering: a rotating QR code scanned by the resident, or the roll call.

The QR code shown at the gathering encodes a link with a code derived from (gathering, minute
slot) by HMAC under the server's secret, so nothing is stored for it and a photo of the code is
useless a couple of minutes later: a code is accepted in its own slot and the one before
(``QR_SLOTS_ACCEPTED``), which covers a scan made just as the desk page refreshes.

Invariants:
- a member signs in at a gathering once: the attendance row's key is (gathering, member) and
  her earn event's ``source_id`` is the same pair, so a second scan, a scan after a tick, or
  two at once answer "already signed in" and award nothing;
- each sign-in is one earn event through ``ledger.earning.events.record_event`` (the path
  ``POST /v1/events`` takes), dated at the gathering's start: the rule version and the caps in
  force then judge it, its public notice is the rule's, and ``recorded_by`` is the organizer,
  so the organizer's own sign-in is refused by the earning rule that nobody records their own
  award;
- sign-in is open from ``SIGNIN_OPENS_BEFORE`` the start (the earning ledger accepts events at
  most that far in the future) until ``SIGNIN_CLOSES_AFTER`` the end.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledger.core.errors import MemberNotFound
from ledger.core.lookup import one_or_raise
from ledger.core.models import Member
from ledger.earning import events as earning
from ledger.earning.errors import MemberNotNamed, SourceIdReused
from ledger.earning.models import AnyEvent, EarningEvent

from . import errors
from .gatherings import organizer_ref
from .models import Gathering, GatheringAttendance

QR_SLOT_SECONDS = 60  # the desk's code changes every minute
QR_SLOTS_ACCEPTED = 2  # the code shown now and the one just before it
QR_CODE_LENGTH = 20  # hex digits of the HMAC kept in the link: 80 bits
SIGNIN_OPENS_BEFORE = earning.CLOCK_SKEW
SIGNIN_CLOSES_AFTER = timedelta(hours=1)  # the roll call of those without phones, at the end
SOURCE_PREFIX = "gatherings:"
MAX_ROLL_CALL = 500  # members listed on one roll call page

_attendances = GatheringAttendance.__table__


# QR codes ---------------------------------------------------------------------------------------
def _slot(at: datetime) -> int:
    return int(at.timestamp()) // QR_SLOT_SECONDS


def _code(secret: bytes, gathering_id: str, slot: int) -> str:
    message = f"gathering-signin:{gathering_id}:{slot}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:QR_CODE_LENGTH]


def signin_code(secret: bytes, gathering_id: str, *, now: datetime) -> str:
    """The code the desk shows for the gathering during the current minute."""
    return _code(secret, gathering_id, _slot(now))


def check_signin_code(secret: bytes, gathering_id: str, code: str, *, now: datetime) -> None:
    """Accept the code of this slot or the one before; anything else is expired."""
    current = _slot(now)
    for slot in range(current, current - QR_SLOTS_ACCEPTED, -1):
        if hmac.compare_digest(_code(secret, gathering_id, slot), code or ""):
            return
    raise errors.SigninCodeExpired(gathering=gathering_id, slot_seconds=QR_SLOT_SECONDS)


def code_expires_at(now: datetime) -> datetime:
    """When the code shown now stops being accepted."""
    return datetime.fromtimestamp((_slot(now) + QR_SLOTS_ACCEPTED) * QR_SLOT_SECONDS, tz=now.tzinfo)


# Sign-in ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignIn:
    """The answer to a sign-in: the attendance as stored, its event, and whether it was new."""

    attendance: GatheringAttendance
    event: AnyEvent
    already: bool


def signin_window(gathering: Gathering) -> tuple[datetime, datetime]:
    return gathering.starts_at - SIGNIN_OPENS_BEFORE, gathering.ends_at + SIGNIN_CLOSES_AFTER


def check_window(gathering: Gathering, now: datetime) -> None:
    opens, closes = signin_window(gathering)
    if not opens <= now <= closes:
        raise errors.OutsideSigninWindow(
            gathering=gathering.id,
            opens_at=opens.isoformat(),
            closes_at=closes.isoformat(),
            now=now.isoformat(),
        )


def source_of(gathering: Gathering) -> earning.Source:
    """The community's gatherings: one source_id namespace, keyed by (gathering, member)."""
    community_id = gathering.community_id
    return earning.Source(SOURCE_PREFIX + community_id, None, frozenset({community_id}))


def source_id_of(gathering_id: str, member_id: str) -> str:
    return f"gathering:{gathering_id}:{member_id}"


def _attendance(session: Session, gathering_id: str, member_id: str) -> GatheringAttendance | None:
    return session.get(GatheringAttendance, (gathering_id, member_id), populate_existing=True)


def _insert_attendance(session: Session, values: dict) -> None:
    """Insert unless (gathering, member) is there: a concurrent sign-in of the same member waits
    for the first to commit and then writes nothing (its award was a replay anyway)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(_attendances).values(**values).on_conflict_do_nothing())


def _already(session: Session, found: GatheringAttendance) -> SignIn:
    return SignIn(found, earning.get_event(session, found.event_id), already=True)


def _written(session: Session, gathering_id: str, member_id: str) -> GatheringAttendance:
    """The attendance just written (by this transaction or the concurrent one it waited for)."""
    found = _attendance(session, gathering_id, member_id)
    if found is None:  # an award of this source is only ever written with its attendance
        raise errors.GatheringNotFound(gathering=gathering_id)
    return found


def sign_in(
    session: Session,
    gathering: Gathering,
    member: Member,
    *,
    method: str,
    ticked_by: str,
    now: datetime,
) -> SignIn:
    """Sign the member in (by ``method``, ticked by ``ticked_by``) and record her earn event."""
    if member.community_id != gathering.community_id:
        raise errors.GatheringNotFound(gathering=gathering.id)
    found = _attendance(session, gathering.id, member.id)
    if found is not None:
        return _already(session, found)
    check_window(gathering, now)
    draft = earning.EventDraft(
        community=gathering.community.slug,
        activity=gathering.activity,
        occurred_at=gathering.starts_at,
        source_id=source_id_of(gathering.id, member.id),
        recorded_by=organizer_ref(gathering),
        member_id=member.id,
        evidence=f"{gathering.title} @ {gathering.place}"[: earning.AWARD_MEMO_MAX_LENGTH],
    )
    try:
        recorded = earning.record_event(session, source_of(gathering), draft, now=now)
    except SourceIdReused:  # only this module writes these source ids: a concurrent sign-in
        recorded = None
    if recorded is None or recorded.replayed:
        session.flush()
        return _already(session, _written(session, gathering.id, member.id))
    values = dict(
        gathering_id=gathering.id,
        member_id=member.id,
        method=method,
        ticked_by=ticked_by,
        signed_in_at=now,
        event_id=recorded.event.id,
    )
    _insert_attendance(session, values)
    return SignIn(_written(session, gathering.id, member.id), recorded.event, already=False)


def attendances(session: Session, gathering_id: str) -> list[GatheringAttendance]:
    """Who signed in, in the order they did."""
    return list(
        session.scalars(
            sa.select(GatheringAttendance)
            .where(GatheringAttendance.gathering_id == gathering_id)
            .order_by(GatheringAttendance.signed_in_at, GatheringAttendance.member_id)
        )
    )


def roll_call(session: Session, gathering: Gathering) -> list[tuple[Member, bool]]:
    """The community's members (by reference) and whether each has signed in."""
    signed = {a.member_id for a in attendances(session, gathering.id)}
    members = session.scalars(
        sa.select(Member)
        .where(Member.community_id == gathering.community_id)
        .order_by(Member.external_ref)
        .limit(MAX_ROLL_CALL)
    )
    return [(m, m.id in signed) for m in members if m.id != gathering.organizer_member_id]


def find_member(
    session: Session, gathering: Gathering, *, member_id: str | None, member_ref: str | None
) -> Member:
    """The member named by id or by the community's reference, exactly one of them."""
    if (member_id is None) == (member_ref is None):
        raise MemberNotNamed()
    query = sa.select(Member).where(Member.community_id == gathering.community_id)
    if member_id is not None:
        query = query.where(Member.id == member_id)
    else:
        query = query.where(Member.external_ref == member_ref)
    return one_or_raise(session, query, MemberNotFound, member=member_id, member_ref=member_ref)


def signed_in(session: Session, gathering: Gathering) -> list[SignIn]:
    """Every sign-in with its award, in the order they came."""
    rows = attendances(session, gathering.id)
    ids = [a.event_id for a in rows]
    events = {
        e.id: e for e in session.scalars(sa.select(EarningEvent).where(EarningEvent.id.in_(ids)))
    }
    return [SignIn(a, events[a.event_id], already=False) for a in rows]


# The resident's scan ----------------------------------------------------------------------------
def her_sign_in(session: Session, gathering: Gathering, member: Member) -> SignIn | None:
    """The member's own sign-in at the gathering, if she has one (another community's: 404)."""
    if member.community_id != gathering.community_id:
        raise errors.GatheringNotFound(gathering=gathering.id)
    found = _attendance(session, gathering.id, member.id)
    return None if found is None else _already(session, found)


def check_scan(
    session: Session,
    secret: bytes,
    gathering: Gathering,
    member: Member,
    code: str,
    *,
    now: datetime,
) -> SignIn | None:
    """What a scan would do: None when she may sign in now, her sign-in when she already has
    one; an expired code, another community or a closed window raise their refusal."""
    found = her_sign_in(session, gathering, member)
    if found is not None:
        return found
    check_signin_code(secret, gathering.id, code, now=now)
    check_window(gathering, now)
    return None


def scan(
    session: Session,
    secret: bytes,
    gathering: Gathering,
    member: Member,
    code: str,
    *,
    now: datetime,
) -> SignIn:
    """The resident signs herself in with the code she scanned (a second scan: "already")."""
    found = check_scan(session, secret, gathering, member, code, now=now)
    if found is not None:
        return found
    return sign_in(session, gathering, member, method="scan", ticked_by=member.id, now=now)


def tick(
    session: Session,
    gathering: Gathering,
    *,
    member_id: str | None = None,
    member_ref: str | None = None,
    ticked_by: str,
    now: datetime,
) -> SignIn:
    """Tick a member (by id or reference) off the roll call, recording who ticked."""
    member = find_member(session, gathering, member_id=member_id, member_ref=member_ref)
    return sign_in(session, gathering, member, method="roll_call", ticked_by=ticked_by, now=now)
