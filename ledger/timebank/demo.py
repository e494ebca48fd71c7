"""The time bank's part of ``pointsbank demo``: volunteers, the love bank and a few services.

Runs once, when the demo community is created. It leaves services in several states so a new
user sees the whole loop: one rated, one waiting for the demo member to confirm, one waiting for
its requester's confirmation, one open on the board.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.balances import current_balance
from ledger.core.communities import create_member, system_account
from ledger.core.models import Community, Member

from . import exchange as exchanges
from . import gifts as transfers
from . import services as timebank
from .models import ExchangeSettings, Service

DEMO_VOLUNTEERS = (("V-001", "陈志愿"), ("V-002", "周热心"))
DEMO_LOVE_BANK_GRANT_MINUTES = 20 * 60
DEMO_DONATION_POINTS = 20
STAFF = timebank.Actor(staff=True)
# 兑换服务时长: 10 points buy an hour, at most 10 hours a member a month; 张梅 exchanges 20.
DEMO_EXCHANGE = {"rate_points": 10, "rate_minutes": 60, "monthly_cap_minutes": 600}
DEMO_EXCHANGE_POINTS = 20


def _served(session: Session, service, volunteer: Member, minutes: int, now: datetime):
    timebank.accept(session, service.id, volunteer_id=volunteer.id, now=now)
    return timebank.complete(session, service.id, minutes=minutes, now=now)


def add_demo(session: Session, community: Community, members: list[Member], now: datetime) -> None:
    elder, neighbour, parent, _ = members
    chen, zhou = (
        create_member(session, community, external_ref=ref, display_name=name, now=now)
        for ref, name in DEMO_VOLUNTEERS
    )
    transfers.grant_to_love_bank(
        session,
        community_id=community.id,
        unit="minutes",
        amount=DEMO_LOVE_BANK_GRANT_MINUTES,
        reason="街道拨付: 20 小时",
        now=now,
    )
    transfers.give(
        session,
        giver_id=neighbour.id,
        to=transfers.LOVE_BANK,
        unit="points",
        amount=DEMO_DONATION_POINTS,
        memo="献爱心",
        now=now,
    )

    def ask(requester, title, category, minutes, funded_by="requester"):
        return timebank.request_service(
            session,
            community_id=community.id,
            requester_id=requester.id,
            title=title,
            category=category,
            minutes_estimate=minutes,
            funded_by=funded_by,
            now=now,
        )

    # The love bank pays for the elder's hospital visit; it ran half an hour over; rated.
    visit = ask(elder, "陪王奶奶去医院复诊", "elder_care", 120, funded_by="love_bank")
    timebank.assign(session, visit.id, volunteer_id=chen.id, now=now)
    timebank.complete(session, visit.id, minutes=150, now=now)
    timebank.confirm(session, visit.id, actor=STAFF, now=now)
    timebank.rate(session, visit.id, actor=STAFF, stars=5, comment="很耐心", now=now)
    # 陈志愿 passes an hour of what she earned to the elder.
    transfers.give(
        session,
        giver_id=chen.id,
        to=elder.id,
        unit="minutes",
        amount=60,
        memo="送给王奶奶",
        now=now,
    )
    # Shopping for the elder, paid from her own credits: waiting for her to confirm.
    _served(session, ask(elder, "帮忙买菜", "errand", 30), zhou, 30, now)
    # A repair for a neighbour who has given nothing yet (the time floor lets him receive).
    _served(session, ask(neighbour, "修理漏水的水龙头", "repair", 60), zhou, 45, now)
    # After-school care, open on the board for a volunteer to take.
    ask(parent, "放学后接孩子", "child_care", 90)
    exchanges.set_exchange(session, community, enabled=True, now=now, **DEMO_EXCHANGE)
    exchanges.exchange(session, member_id=parent.id, points=DEMO_EXCHANGE_POINTS, now=now)


def tell_demo(session: Session, community: Community, now: datetime, story) -> None:
    """The services and their states, the love bank's balances (SVC: the open request)."""
    services = session.scalars(
        sa.select(Service).where(Service.community_id == community.id).order_by(Service.created_at)
    ).all()
    for service in services:
        minutes = service.minutes_actual or service.minutes_estimate
        story.lines.append(
            f"time bank: {service.title} ({service.category}, {minutes} min, "
            f"paid by the {service.funded_by.replace('_', ' ')}): {service.state}"
        )
    open_service = next((s for s in services if s.state == "open"), None)
    if open_service is not None:
        story.env["SVC"] = open_service.id
    balances = {
        unit: current_balance(
            session, system_account(session, community.id, "love_bank", unit).id
        ).posted
        for unit in ("minutes", "points")
    }
    story.lines.append(
        f"love bank: {balances['minutes']} minutes, {balances['points']} points "
        f"(a grant of {DEMO_LOVE_BANK_GRANT_MINUTES} minutes, donations)"
    )
    settings = session.get(ExchangeSettings, community.id)
    if settings is not None and settings.enabled:
        story.lines.append(
            f"exchange: {settings.rate_points} points buy {settings.rate_minutes} minutes, at "
            f"most {settings.monthly_cap_minutes} minutes a member a month "
            "(张梅 exchanged 20 points for 120 minutes)"
        )
