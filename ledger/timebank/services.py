"""The time bank: a request for help from order (点单) to rating (评单).

A service moves along ``TRANSITIONS`` only::

    open --assign (staff, 派单) | accept (volunteer, 接单)--> assigned
    assigned --complete (volunteer)--> completed --confirm (requester or staff)--> confirmed
    confirmed --rate (requester, or staff recording it)--> rated
    open | assigned --cancel (requester or staff)--> cancelled

The minutes follow the state, always through ``journal.post_entry``:
- assign/accept hold the estimate on the funder (the requester's minutes account or the
  community's love bank) as one pending "service" entry funder -> volunteer. The floor check
  counts the hold at once: a member's minutes go down to the community's time floor and no
  further, the love bank's to 0;
- complete with other minutes than the estimate voids the hold and holds the actual minutes in
  the same transaction: fewer release the difference; more are allowed up to ``OVERRUN_PERCENT``
  above the estimate and only if the funder covers them, or the completion is refused;
- confirm posts the hold, so funder and volunteer move by exactly the actual minutes, in one
  entry whose ``cause_id`` is the service; cancel voids the hold.
Each step locks the service row first (``SELECT ... FOR UPDATE``; SQLite transactions are serial)
and checks its state there, then touches balances: one lock order for every step, and of two
volunteers accepting at once exactly one wins; the other gets ``ServiceStateConflict``.
Nobody serves their own request (also a CHECK in the database); the volunteer who performed a
service cannot confirm it. Who may ask for each step is :func:`refusal`.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import errors
from ledger.core.balances import current_balance
from ledger.core.communities import member_account, system_account
from ledger.core.ids import new_id
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending, void_pending
from ledger.core.lookup import get_or_raise, lock_or_raise
from ledger.core.models import Member
from ledger.core.paging import DEFAULT_PAGE_LIMIT, Page, keyset_page
from ledger.webhooks import outbox

from . import errors as tb
from .models import (
    COMMENT_MAX_LENGTH,
    MAX_STARS,
    MIN_STARS,
    SERVICE_FUNDERS,
    SERVICE_STATES,
    Service,
)

MAX_SERVICE_MINUTES = 24 * 60  # one request covers at most a day of help; longer care is several
OVERRUN_PERCENT = 50  # the actual minutes may exceed the held estimate by at most half of it

# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    "request": ((), "open"),  # a request starts open; no step leads back to it
    "assign": (("open",), "assigned"),
    "accept": (("open",), "assigned"),
    "complete": (("assigned",), "completed"),
    "confirm": (("completed",), "confirmed"),
    "rate": (("confirmed",), "rated"),
    # From "completed" only staff cancel: a disputed service, whose hold must not stay forever.
    "cancel": (("open", "assigned", "completed"), "cancelled"),
}
assert {target for _, target in TRANSITIONS.values()} == set(SERVICE_STATES)

STAFF_STEPS = frozenset({"assign", "confirm", "rate", "cancel"})
REQUESTER_STEPS = frozenset({"confirm", "rate", "cancel"})


@dataclass(frozen=True)
class Actor:
    """Who asks for a step: a member (by id), or staff of the service's community."""

    member_id: str | None = None
    staff: bool = False

    @property
    def party(self) -> str:
        return "staff" if self.staff else "requester"


def refusal(service: Service, action: str, actor: Actor) -> str | None:
    """Why ``actor`` may not ask for ``action`` on ``service``, or None when they may.

    Staff dispatch, confirm, rate and cancel for residents who cannot; a volunteer takes an open
    request and completes what they took; the requester confirms, rates and cancels their own.
    (Whether the requester may serve themself is a rule, not a role: see ``accept``.)
    """
    if actor.staff:
        if action in STAFF_STEPS:
            return None
        return "staff assign a volunteer (派单); only a member accepts or completes a service"
    if action == "accept":
        return None
    if action == "complete":
        if actor.member_id == service.volunteer_id:
            return None
        return "only the volunteer on this service completes it"
    if action == "cancel" and service.state == "completed":
        return "a completed service is confirmed, or cancelled by staff if it is disputed"
    if action in REQUESTER_STEPS:
        if actor.member_id == service.requester_id:
            return None
        return f"only the requester (or staff) may {action} this service"
    return "staff assign volunteers (派单); a volunteer takes an open request with accept"


def request_refusal(actor: Actor, requester_id: str | None, funded_by: str) -> str | None:
    """Why ``actor`` may not open this request, or None when they may.

    A member asks help for themself, paid from their own credits. Staff ask on a resident's
    behalf, and only staff open requests the love bank pays for: the pool is for those the
    community chooses to help (the elderly, children), not first come, first served.
    """
    if actor.staff:
        return None if requester_id else "staff name the requester of the help"
    if requester_id not in (None, actor.member_id):
        return "a member requests help for themself; staff request it on another's behalf"
    if funded_by == "love_bank":
        return "only staff open requests funded by the love bank"
    return None


# Reads ---------------------------------------------------------------------------------------
def get_service(session: Session, service_id: str) -> Service:
    return get_or_raise(session, Service, service_id, tb.ServiceNotFound, service=service_id)


def _locked(session: Session, service_id: str) -> Service:
    """The service row, locked until commit and read afresh (whatever was read before)."""
    return lock_or_raise(
        session,
        sa.select(Service).where(Service.id == service_id).with_for_update(),
        tb.ServiceNotFound,
        service=service_id,
    )


def _expect(service: Service, action: str) -> None:
    """Check ``action`` may start from the service's state (a 409 naming the state if not)."""
    sources, target = TRANSITIONS[action]
    if service.state in sources:
        return
    # Rating a service that is already rated is its own rule: a service is rated once.
    already_done = action == "rate" and service.state == target
    error = tb.ServiceAlreadyRated if already_done else tb.ServiceStateConflict
    raise error(
        f"cannot {action} a service that is {service.state}",
        service=service.id,
        state=service.state,
        action=action,
        allowed_from=list(sources),
    )


def _moved(session: Session, service: Service, action: str, **changes) -> Service:
    """Move the service to the state ``action`` leads to, with the step's own changes; flush."""
    service.state = TRANSITIONS[action][1]
    for name, value in changes.items():
        setattr(service, name, value)
    session.flush()
    # Each state has its own time column (assigned_at, completed_at, ...), set by this step.
    at = getattr(service, f"{service.state}_at")
    outbox.record(session, f"service.{service.state}", service, at=at)
    return service


def _check_minutes(minutes: int, name: str) -> None:
    if type(minutes) is not int or not 1 <= minutes <= MAX_SERVICE_MINUTES:
        raise tb.ServiceMinutesOutOfRange(**{name: minutes}, max_minutes=MAX_SERVICE_MINUTES)


def _community_member(session: Session, member_id: str, community_id: str, error) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.community_id != community_id:
        raise error(member=member_id)
    return member


def _cannot_cover(funded_by: str, requested: int, can_pay: int) -> tb.FunderCannotCover:
    return tb.FunderCannotCover(
        f"the {funded_by.replace('_', ' ')} can pay for {can_pay} more minutes; "
        f"{requested} requested",
        funded_by=funded_by,
        requested=requested,
        can_pay=can_pay,
    )


def _minutes_it_can_pay(session: Session, account) -> int:
    """How many more minutes the account can pay for before it reaches its floor."""
    return current_balance(session, account.id).available - account.floor


# Steps ---------------------------------------------------------------------------------------
def request_service(
    session: Session,
    *,
    community_id: str,
    requester_id: str,
    title: str,
    category: str,
    minutes_estimate: int,
    funded_by: str,
    now: datetime,
) -> Service:
    """Open a request for help (点单); nothing is held until a volunteer is on it.

    A request its funder could not pay for right now is refused at once, so a newcomer at the
    time floor learns it before anyone turns up; the hold at accept is what really guards it.
    """
    _community_member(session, requester_id, community_id, tb.RequesterNotFound)
    _check_minutes(minutes_estimate, "minutes_estimate")
    title, category = title.strip(), category.strip()
    if not title or not category:
        raise errors.Invalid("a service needs a title and a category that are not blank")
    if funded_by not in SERVICE_FUNDERS:
        raise tb.UnknownFunder(funded_by=funded_by, funders=list(SERVICE_FUNDERS))
    if funded_by == "requester":
        funder = member_account(session, requester_id, "minutes")
    else:
        funder = system_account(session, community_id, "love_bank", "minutes")
    room = _minutes_it_can_pay(session, funder)
    if room < minutes_estimate:
        raise _cannot_cover(funded_by, minutes_estimate, max(room, 0))
    service = Service(
        id=new_id("svc"),
        community_id=community_id,
        requester_id=requester_id,
        title=title,
        category=category,
        funded_by=funded_by,
        funder_account_id=funder.id,
        minutes_estimate=minutes_estimate,
        state=TRANSITIONS["request"][1],
        comment="",
        cancel_reason="",
        created_at=now,
    )
    session.add(service)
    session.flush()
    outbox.record(session, "service.open", service, at=now)
    return service


def _hold(
    session: Session,
    service: Service,
    volunteer_id: str,
    minutes: int,
    *,
    now: datetime,
    api_key_id: str | None,
) -> str:
    """Hold ``minutes`` on the funder for the volunteer; returns the pending entry's id."""
    volunteer_account = member_account(session, volunteer_id, "minutes")
    draft = EntryDraft(
        community_id=service.community_id,
        kind="service",
        postings=[
            PostingDraft(service.funder_account_id, volunteer_account.id, "minutes", minutes)
        ],
        memo=service.title,
        details={
            "service": service.id,
            "category": service.category,
            "funded_by": service.funded_by,
        },
        pending=True,
        cause_id=service.id,
        api_key_id=api_key_id,
    )
    try:
        return post_entry(session, draft, now=now).id
    except errors.InsufficientBalance as exc:
        # Only the funder is debited, so this is the funder's floor speaking.
        can_pay = max(exc.numbers["balance"] - exc.numbers["floor"], 0)
        raise _cannot_cover(service.funded_by, minutes, can_pay) from exc


def _take(
    session: Session,
    service_id: str,
    volunteer_id: str,
    action: str,
    *,
    now: datetime,
    api_key_id: str | None,
) -> Service:
    service = _locked(session, service_id)
    _community_member(session, volunteer_id, service.community_id, tb.VolunteerNotFound)
    if volunteer_id == service.requester_id:
        raise tb.CannotServeOwnRequest(service=service.id, member=volunteer_id)
    _expect(service, action)
    service.entry_id = _hold(
        session, service, volunteer_id, service.minutes_estimate, now=now, api_key_id=api_key_id
    )
    return _moved(session, service, action, volunteer_id=volunteer_id, assigned_at=now)


def _taking_step(action: str, doc: str):
    """``assign`` and ``accept``: one step, asked for by staff (派单) or by the volunteer (接单)."""

    def step(
        session: Session,
        service_id: str,
        *,
        volunteer_id: str,
        now: datetime,
        api_key_id: str | None = None,
    ) -> Service:
        return _take(session, service_id, volunteer_id, action, now=now, api_key_id=api_key_id)

    step.__name__ = step.__qualname__ = action
    step.__doc__ = doc
    return step


assign = _taking_step(
    "assign", "Staff dispatch a volunteer (派单): the estimate is held on the funder."
)
accept = _taking_step(
    "accept", "A volunteer takes an open request (接单): the estimate is held on the funder."
)


def complete(
    session: Session, service_id: str, *, minutes: int, now: datetime, api_key_id: str | None = None
) -> Service:
    """The volunteer reports the actual minutes; the hold becomes exactly that many."""
    service = _locked(session, service_id)
    _expect(service, "complete")
    # An assigned service has its volunteer and its hold (a CHECK constraint says so).
    assert service.volunteer_id is not None and service.entry_id is not None
    _check_minutes(minutes, "minutes")
    estimate = service.minutes_estimate
    most = estimate + estimate * OVERRUN_PERCENT // 100
    if minutes > most:
        raise tb.OverrunTooLarge(
            minutes=minutes,
            minutes_estimate=estimate,
            max_minutes=most,
            overrun_percent=OVERRUN_PERCENT,
        )
    if minutes != estimate:
        # Release first: the funder's held estimate counts towards what it can pay for the actual.
        # In a savepoint, so a refused overrun leaves the original hold standing.
        with session.begin_nested():
            void_pending(session, service.entry_id, now=now)
            service.entry_id = _hold(
                session, service, service.volunteer_id, minutes, now=now, api_key_id=api_key_id
            )
    return _moved(session, service, "complete", minutes_actual=minutes, completed_at=now)


def confirm(session: Session, service_id: str, *, actor: Actor, now: datetime) -> Service:
    """The requester (or staff) confirms: the held minutes are posted to the volunteer."""
    service = _locked(session, service_id)
    if actor.member_id is not None and actor.member_id == service.volunteer_id:
        raise tb.VolunteerCannotConfirm(service=service.id, member=actor.member_id)
    _expect(service, "confirm")
    assert service.entry_id is not None  # a completed service holds its minutes (a CHECK says so)
    post_pending(session, service.entry_id, now=now)
    return _moved(session, service, "confirm", confirmed_at=now, confirmed_by=actor.party)


def rate(
    session: Session, service_id: str, *, actor: Actor, stars: int, comment: str, now: datetime
) -> Service:
    """The requester rates a confirmed service once (评单), or staff record their rating."""
    if type(stars) is not int or not MIN_STARS <= stars <= MAX_STARS:
        raise tb.StarsOutOfRange(stars=stars, min_stars=MIN_STARS, max_stars=MAX_STARS)
    if len(comment) > COMMENT_MAX_LENGTH:
        raise errors.Invalid("comment is too long", max_length=COMMENT_MAX_LENGTH)
    service = _locked(session, service_id)
    _expect(service, "rate")
    return _moved(
        session,
        service,
        "rate",
        stars=stars,
        comment=comment.strip(),
        rated_at=now,
        rated_by=actor.party,
    )


def cancel(
    session: Session, service_id: str, *, actor: Actor, reason: str, now: datetime
) -> Service:
    """Withdraw a request before it is completed; a hold on the funder is released."""
    service = _locked(session, service_id)
    _expect(service, "cancel")
    if service.entry_id is not None:
        void_pending(session, service.entry_id, now=now)
    return _moved(
        session,
        service,
        "cancel",
        cancelled_at=now,
        cancelled_by=actor.party,
        cancel_reason=reason.strip(),
    )


# Lists ---------------------------------------------------------------------------------------
def _page(session: Session, query, *, limit: int, cursor: str | None, newest_first: bool) -> Page:
    return keyset_page(
        session, query, Service.id, limit=limit, cursor=cursor, newest_first=newest_first
    )


def community_services(
    session: Session,
    community_id: str,
    *,
    state: str = "open",
    category: str | None = None,
    not_requested_by: str | None = None,
    limit: int = DEFAULT_PAGE_LIMIT,
    cursor: str | None = None,
) -> Page:
    """A community's services in one state, oldest first: for ``open``, the requests a
    volunteer can take (``not_requested_by`` leaves out the volunteer's own)."""
    if state not in SERVICE_STATES:
        raise errors.Invalid("unknown service state", state=state, states=list(SERVICE_STATES))
    query = sa.select(Service).where(Service.community_id == community_id, Service.state == state)
    if category:
        query = query.where(Service.category == category)
    if not_requested_by:
        query = query.where(Service.requester_id != not_requested_by)
    return _page(session, query, limit=limit, cursor=cursor, newest_first=False)


def member_services(
    session: Session,
    member_id: str,
    *,
    as_: str = "requester",
    limit: int = DEFAULT_PAGE_LIMIT,
    cursor: str | None = None,
) -> Page:
    """A member's own requests (``as_="requester"``) or the services they took, newest first."""
    if as_ not in ("requester", "volunteer"):
        raise errors.Invalid("as is requester or volunteer", **{"as": as_})
    column = Service.requester_id if as_ == "requester" else Service.volunteer_id
    query = sa.select(Service).where(column == member_id)
    return _page(session, query, limit=limit, cursor=cursor, newest_first=True)
