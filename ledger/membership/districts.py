"""Districts (通存通兑): communities that honour each other's time credits, and moves between them.

- A district groups communities; a community is in one district at most. When a community
  joins, each pair it forms with a member community gets two clearing accounts (minutes, no
  floor), one in each community, each for what that community owes the other.
- A move takes a resident's minutes from community A to her member record in community B of the
  same district, as ONE operation writing two entries in one ``post_entries`` call: in A, her
  minutes to A's clearing account for B ("due to B"); in B, B's clearing account for A ("due from
  A") to her account in B. Each community's journal balances on its own, each chain seals its
  own entry, and the two clearing accounts of a pair always sum to zero.
- The member in B is the one with the reference given (her own reference in A by default); if B
  has none, the move creates her there with her name. She moves only the minutes she has (never
  the time floor's credit); her minutes row is locked before it is read.
- A move is made once: the web edge stores its answer under the request's Idempotency-Key.
- A pair's statement lists the moves both ways and the net: minutes A owes B.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import errors as core_errors
from ledger.core.balances import current_balances
from ledger.core.communities import create_member, get_community, member_account, open_account
from ledger.core.ids import new_id
from ledger.core.journal import EntryDraft, PostingDraft, post_entries
from ledger.core.lookup import one_or_raise
from ledger.core.models import MEMO_MAX_LENGTH, Community, Member

from . import errors
from .closing import lock_balances, open_member
from .models import ClearingAccount, District, DistrictCommunity, DistrictMove

CLEARING_KIND = "clearing"  # accounts.kind of a clearing account
MOVE_FLOOR = 0  # a move carries minutes she earned, never the time floor's credit


def create_district(session: Session, *, slug: str, name: str, now: datetime) -> "DistrictView":
    if session.scalar(sa.select(District.id).where(District.slug == slug)) is not None:
        raise errors.DistrictExists(slug=slug)
    district = District(id=new_id("dst"), slug=slug, name=name, created_at=now)
    session.add(district)
    session.flush()
    return DistrictView(district, [])


def get_district(session: Session, slug: str) -> District:
    query = sa.select(District).where(District.slug == slug)
    return one_or_raise(session, query, errors.DistrictNotFound, slug=slug)


def district_of(session: Session, community_id: str) -> str | None:
    return session.scalar(
        sa.select(DistrictCommunity.district_id).where(
            DistrictCommunity.community_id == community_id
        )
    )


@dataclass(frozen=True)
class DistrictView:
    """A district with the slugs of its communities."""

    district: District
    communities: list[str]

    def __getattr__(self, name: str):
        return getattr(self.district, name)


def district_view(session: Session, district: District) -> DistrictView:
    return DistrictView(district, [c.slug for c in communities_of(session, district)])


def communities_of(session: Session, district: District) -> list[Community]:
    return list(
        session.scalars(
            sa.select(Community)
            .join(DistrictCommunity, DistrictCommunity.community_id == Community.id)
            .where(DistrictCommunity.district_id == district.id)
            .order_by(Community.slug)
        )
    )


def _open_clearing(session, district, community_id, counterparty_id, now) -> ClearingAccount:
    clearing_id = new_id("clr")
    account = open_account(
        session,
        community_id=community_id,
        owner_id=clearing_id,
        kind=CLEARING_KIND,
        unit="minutes",
        floor=None,
        now=now,
    )
    clearing = ClearingAccount(
        id=clearing_id,
        district_id=district.id,
        community_id=community_id,
        counterparty_id=counterparty_id,
        account_id=account.id,
    )
    session.add(clearing)
    return clearing


def add_community(
    session: Session, district: District, community: Community, *, now: datetime
) -> "DistrictView":
    """Add a community, with clearing accounts towards each member; adding it again is a no-op."""
    current = district_of(session, community.id)
    if current == district.id:
        return district_view(session, district)
    if current is not None:
        raise errors.CommunityInOtherDistrict(community=community.slug)
    others = communities_of(session, district)
    session.add(
        DistrictCommunity(community_id=community.id, district_id=district.id, joined_at=now)
    )
    session.flush()
    for other in others:
        _open_clearing(session, district, community.id, other.id, now)
        _open_clearing(session, district, other.id, community.id, now)
    session.flush()
    return district_view(session, district)


def clearing_account(session: Session, community_id: str, counterparty_id: str) -> ClearingAccount:
    found = session.scalar(
        sa.select(ClearingAccount).where(
            ClearingAccount.community_id == community_id,
            ClearingAccount.counterparty_id == counterparty_id,
        )
    )
    if found is None:
        raise errors.NotInSameDistrict(community=community_id, counterparty=counterparty_id)
    return found


def _member_in(session: Session, source: Member, target: Community, ref: str | None, now):
    """Her member record in the target community: found by reference, or made by the move."""
    ref = ref or source.external_ref
    found = session.scalar(
        sa.select(Member).where(Member.community_id == target.id, Member.external_ref == ref)
    )
    if found is None:
        return create_member(
            session, target, external_ref=ref, display_name=source.display_name, now=now
        )
    return open_member(session, found.id)


def _in_district(session: Session, district: District, *communities: Community) -> None:
    for community in communities:
        if district_of(session, community.id) != district.id:
            raise errors.NotInSameDistrict(community=community.slug, district=district.slug)


def _move_drafts(move_id, member, target, leg_a, leg_b, minutes, memo, api_key_id):
    """The move's two entries: (from, to) account ids ``leg_a`` in her old community, ``leg_b``
    in the new one; both name the move as their cause."""
    details = {"move": move_id, "from_member": member.id, "to_member": target.id}
    return [
        EntryDraft(
            community_id=community_id,
            kind="transfer",
            postings=[PostingDraft(leg[0], leg[1], "minutes", minutes)],
            memo=memo,
            details=details,
            cause_id=move_id,
            api_key_id=api_key_id,
        )
        for community_id, leg in ((member.community_id, leg_a), (target.community_id, leg_b))
    ]


def move_minutes(
    session: Session,
    *,
    district: District,
    member_id: str,
    to_community_slug: str,
    minutes: int,
    to_member_ref: str | None = None,
    memo: str = "",
    now: datetime,
    api_key_id: str | None = None,
) -> DistrictMove:
    """Move her minutes to another community of her district (see the module docstring)."""
    if len(memo) > MEMO_MAX_LENGTH:
        raise core_errors.Invalid("memo is too long", max_length=MEMO_MAX_LENGTH)
    member = open_member(session, member_id)
    to_community = get_community(session, to_community_slug)
    if to_community.id == member.community_id:
        raise errors.MoveWithinCommunity(community=to_community.slug)
    _in_district(session, district, member.community, to_community)
    target = _member_in(session, member, to_community, to_member_ref, now)
    source_account = member_account(session, member.id, "minutes")
    posted, _, pending_out = lock_balances(session, [source_account.id])[source_account.id]
    if type(minutes) is int and posted - pending_out - minutes < MOVE_FLOOR:
        raise errors.MoveExceedsBalance(
            account=source_account.id,
            balance=posted - pending_out,
            floor=MOVE_FLOOR,
            requested=minutes,
        )
    due_to = clearing_account(session, member.community_id, to_community.id)
    due_from = clearing_account(session, to_community.id, member.community_id)
    move_id = new_id("mov")
    out_of_a, into_b = post_entries(
        session,
        _move_drafts(
            move_id,
            member,
            target,
            (source_account.id, due_to.account_id),
            (due_from.account_id, member_account(session, target.id, "minutes").id),
            minutes,
            memo,
            api_key_id,
        ),
        now=now,
    )
    move = DistrictMove(
        id=move_id,
        district_id=district.id,
        from_community_id=member.community_id,
        to_community_id=to_community.id,
        from_member_id=member.id,
        to_member_id=target.id,
        minutes=minutes,
        from_entry_id=out_of_a.id,
        to_entry_id=into_b.id,
        memo=memo,
        api_key_id=api_key_id,
        created_at=now,
    )
    session.add(move)
    session.flush()
    return move


@dataclass(frozen=True)
class PairStatement:
    """The moves between two communities of a district, both ways, and where the pair stands."""

    community: Community
    counterparty: Community
    moves: list[DistrictMove]
    minutes_out: int  # moved from ``community`` to ``counterparty``
    minutes_in: int  # moved the other way
    clearing_balance: int  # of ``community``'s clearing account for ``counterparty``
    counterparty_clearing_balance: int

    @property
    def net_minutes(self) -> int:
        """Minutes ``community`` owes ``counterparty`` (negative: is owed)."""
        return self.minutes_out - self.minutes_in


def pair_statement(
    session: Session, district: District, community: Community, counterparty: Community
) -> PairStatement:
    """The statement of one pair of communities of a district (see ``PairStatement``)."""
    pair = {community.id, counterparty.id}
    if len(pair) < 2 or any(district_of(session, c) != district.id for c in pair):
        raise errors.ClearingPairNotFound(
            community=community.slug, counterparty=counterparty.slug, district=district.slug
        )
    mine = clearing_account(session, community.id, counterparty.id)
    theirs = clearing_account(session, counterparty.id, community.id)
    moves = list(
        session.scalars(
            sa.select(DistrictMove)
            .where(DistrictMove.from_community_id.in_(pair), DistrictMove.to_community_id.in_(pair))
            .order_by(DistrictMove.id)
        )
    )
    balances = current_balances(session, [mine.account_id, theirs.account_id])
    return PairStatement(
        community=community,
        counterparty=counterparty,
        moves=moves,
        minutes_out=sum(m.minutes for m in moves if m.from_community_id == community.id),
        minutes_in=sum(m.minutes for m in moves if m.from_community_id == counterparty.id),
        clearing_balance=balances[mine.account_id].posted,
        counterparty_clearing_balance=balances[theirs.account_id].posted,
    )
