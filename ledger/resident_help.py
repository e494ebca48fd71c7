"""What a resident's help and gifts pages read: the requests board, her own services with the
steps she may take on each, and the neighbour she names for a gift.

The steps offered are the time bank's own rules (``TRANSITIONS`` and ``refusal``), so a page
shows a button exactly when the ledger would accept it from her. Times are the community's.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import balances
from ledger.core.models import Member
from ledger.timebank import errors as tb
from ledger.timebank import services
from ledger.timebank.gifts import LOVE_BANK
from ledger.timebank.models import Service

# How many services of each list a phone page shows; the API pages through the rest.
BOARD_LIMIT = 30
# The steps a resident takes from her phone, in the order a service meets them.
RESIDENT_STEPS = ("accept", "complete", "confirm", "rate", "cancel")


@dataclass(frozen=True)
class ServiceCard:
    service: Service
    requester_name: str
    volunteer_name: str | None
    asked_at: datetime
    steps: tuple[str, ...]


@dataclass(frozen=True)
class HelpBoard:
    member: Member
    standings: list
    open_requests: list[ServiceCard]
    asked: list[ServiceCard]
    taken: list[ServiceCard]


def steps_for(service: Service, member: Member) -> tuple[str, ...]:
    """The steps ``member`` may take on ``service`` now, as the time bank would judge them."""
    actor = services.Actor(member_id=member.id)
    return tuple(
        step
        for step in RESIDENT_STEPS
        if service.state in services.TRANSITIONS[step][0]
        and services.refusal(service, step, actor) is None
        and not (step == "accept" and service.requester_id == member.id)
    )


def _cards(session: Session, found: list[Service], member: Member) -> list[ServiceCard]:
    people = {s.requester_id for s in found} | {s.volunteer_id for s in found if s.volunteer_id}
    names = dict(
        session.execute(
            sa.select(Member.id, Member.display_name).where(Member.id.in_(people))
        ).all()
    )
    zone = ZoneInfo(member.community.timezone)
    return [
        ServiceCard(
            service=s,
            requester_name=names[s.requester_id],
            volunteer_name=names.get(s.volunteer_id) if s.volunteer_id else None,
            asked_at=s.created_at.astimezone(zone),
            steps=steps_for(s, member),
        )
        for s in found
    ]


def help_board(session: Session, member: Member, *, now: datetime) -> HelpBoard:
    """Open requests of her community she can take (oldest first: the queue is served in the
    order asked), the requests she made and the services she took (newest first)."""
    board = services.community_services(
        session, member.community_id, not_requested_by=member.id, limit=BOARD_LIMIT
    )
    asked = services.member_services(session, member.id, as_="requester", limit=BOARD_LIMIT)
    taken = services.member_services(session, member.id, as_="volunteer", limit=BOARD_LIMIT)
    return HelpBoard(
        member=member,
        standings=balances.standings(session, member.accounts, now=now),
        open_requests=_cards(session, board.items, member),
        asked=_cards(session, asked.items, member),
        taken=_cards(session, taken.items, member),
    )


def neighbour(session: Session, member: Member, resident_number: str) -> Member:
    """The member of her community with this resident number (the one on her card), to give to.

    Any other community's member is answered as one that does not exist.
    """
    found = session.scalar(
        sa.select(Member).where(
            Member.community_id == member.community_id,
            Member.external_ref == resident_number.strip(),
        )
    )
    if found is None:
        raise tb.RecipientNotFound(member=resident_number)
    return found


@dataclass(frozen=True)
class GiftPreview:
    """A gift as the confirm step shows it: to whom (a member's id, or the love bank)."""

    to: str
    recipient: Member | None
    unit: str
    amount: int
    memo: str


def preview_gift(
    session: Session,
    member: Member,
    *,
    target: str,
    resident_number: str,
    unit: str,
    amount: int,
    memo: str,
) -> GiftPreview:
    """The gift she is about to confirm; family is named by resident number (see ``neighbour``).

    Nothing is checked against her balance here: ``gifts.give`` does, when she confirms.
    """
    if target == LOVE_BANK:
        return GiftPreview(LOVE_BANK, None, unit, amount, memo)
    recipient = neighbour(session, member, resident_number)
    if recipient.id == member.id:
        raise tb.CannotGiveToSelf(member=recipient.id)
    return GiftPreview(recipient.id, recipient, unit, amount, memo)
