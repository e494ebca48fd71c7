"""A busy season in the time bank: random steps by random neighbours keep the books exact."""

import random
from collections import defaultdict

import pytest
import sqlalchemy as sa

from ledger.audit import verify as audit
from ledger.core import errors
from ledger.core.balances import current_balance
from ledger.core.communities import create_community, create_member, member_account, system_account
from ledger.core.models import Entry
from ledger.timebank import errors as tb_errors
from ledger.timebank import gifts as transfers
from ledger.timebank import services as timebank
from ledger.timebank.models import Service

SEED = 20260301
STEPS = 300
RESIDENTS = 6
FLOOR = -600
ACTIONS = ("assign", "accept", "complete", "confirm", "rate", "cancel")
# Mostly the next sensible step, sometimes any step at all (which must then be refused cleanly).
NEXT_STEPS = {
    "open": ("assign", "accept", "cancel"),
    "assigned": ("complete", "cancel"),
    "completed": ("confirm",),
    "confirmed": ("rate",),
}
SENSIBLE = 0.75
HOLD_STATUS = {
    "assigned": "pending",
    "completed": "pending",
    "confirmed": "posted",
    "rated": "posted",
}


def test_random_steps_move_exactly_the_confirmed_minutes(session, clock):
    """Whatever is asked in whatever order, each minutes balance is the confirmed services and
    gifts that touched it, holds are what is under way, and no floor is crossed."""
    rng = random.Random(SEED)
    now = clock.now()
    community = create_community(
        session, slug="busy", name="忙碌的社区", time_floor_minutes=FLOOR, now=now
    )
    people = [
        create_member(session, community, external_ref=f"R{i}", display_name=f"居民{i}", now=now)
        for i in range(RESIDENTS)
    ]
    love_bank = system_account(session, community.id, "love_bank", "minutes")
    transfers.grant_to_love_bank(
        session, community_id=community.id, unit="minutes", amount=900, reason="开办", now=now
    )
    session.commit()
    expected = defaultdict(int)  # owner id -> posted minutes, kept by hand
    expected[community.id] = 900
    staff = timebank.Actor(staff=True)
    opened = []  # service ids in the order opened: the walk must not depend on row order

    for _ in range(STEPS):
        someone, other = rng.sample(people, 2)
        service = (
            session.get(Service, rng.choice(opened)) if opened and rng.random() < 0.7 else None
        )
        sensible = service is not None and service.state in NEXT_STEPS and rng.random() < SENSIBLE
        action = rng.choice(NEXT_STEPS[service.state] if sensible else ACTIONS)
        try:
            if service is None and rng.random() < 0.2:
                amount = rng.randint(1, 120)
                transfers.give(
                    session,
                    giver_id=someone.id,
                    to=other.id,
                    unit="minutes",
                    amount=amount,
                    memo="",
                    now=now,
                )
                expected[someone.id] -= amount
                expected[other.id] += amount
            elif service is None:
                funder = rng.choice(["requester", "love_bank"])
                service = timebank.request_service(
                    session,
                    community_id=community.id,
                    requester_id=someone.id,
                    title="帮忙",
                    category="errand",
                    minutes_estimate=rng.randint(15, 240),
                    funded_by=funder,
                    now=now,
                )
                opened.append(service.id)
            elif action in ("assign", "accept"):
                getattr(timebank, action)(session, service.id, volunteer_id=someone.id, now=now)
            elif action == "complete":
                minutes = max(1, int(service.minutes_estimate * rng.uniform(0.5, 1.6)))
                timebank.complete(session, service.id, minutes=minutes, now=now)
            elif action == "confirm":
                timebank.confirm(session, service.id, actor=staff, now=now)
                payer = community.id if service.funded_by == "love_bank" else service.requester_id
                expected[payer] -= service.minutes_actual
                expected[service.volunteer_id] += service.minutes_actual
            elif action == "rate":
                timebank.rate(
                    session, service.id, actor=staff, stars=rng.randint(1, 5), comment="", now=now
                )
            else:
                timebank.cancel(session, service.id, actor=staff, reason="", now=now)
            session.commit()
        except errors.LedgerError:
            session.rollback()

    services = session.scalars(sa.select(Service)).all()
    assert {s.state for s in services} == {
        "open",
        "assigned",
        "completed",
        "confirmed",
        "rated",
        "cancelled",
    }
    held = defaultdict(int)
    for service in services:
        hold = session.get(Entry, service.entry_id) if service.entry_id else None
        if service.state in HOLD_STATUS:
            assert hold.status == HOLD_STATUS[service.state]
            amount = hold.postings[0].amount
            assert amount == (service.minutes_actual or service.minutes_estimate)
            if hold.status == "pending":
                held[service.funder_account_id] += amount
        else:
            assert hold is None or hold.status == "voided"
    for person in people:
        account = member_account(session, person.id, "minutes")
        figures = current_balance(session, account.id)
        assert figures.posted == expected[person.id]
        assert figures.pending_out == held[account.id]
        assert figures.available >= FLOOR
    figures = current_balance(session, love_bank.id)
    assert (figures.posted, figures.pending_out) == (expected[community.id], held[love_bank.id])
    assert audit.verify(session) == []


def test_a_service_from_request_to_rating_moves_the_actual_minutes(
    session, community, wang, li, now
):
    """李建国 helps 王秀英 for 75 minutes of a 60-minute estimate: 75 move on confirmation."""
    service = timebank.request_service(
        session,
        community_id=community.id,
        requester_id=wang.id,
        title="陪诊",
        category="escort",
        minutes_estimate=60,
        funded_by="requester",
        now=now,
    )
    timebank.accept(session, service.id, volunteer_id=li.id, now=now)
    wang_minutes = member_account(session, wang.id, "minutes").id
    assert current_balance(session, wang_minutes).pending_out == 60
    timebank.complete(session, service.id, minutes=75, now=now)
    timebank.confirm(session, service.id, actor=timebank.Actor(staff=True), now=now)
    timebank.rate(
        session, service.id, actor=timebank.Actor(staff=True), stars=5, comment="很好", now=now
    )
    assert session.get(Service, service.id).state == "rated"
    assert current_balance(session, wang_minutes).posted == -75
    assert current_balance(session, member_account(session, li.id, "minutes").id).posted == 75


def test_steps_out_of_order_and_serving_oneself_are_refused(session, community, wang, now):
    """Confirming an open request, or accepting one's own, is refused with the rule's error."""
    service = timebank.request_service(
        session,
        community_id=community.id,
        requester_id=wang.id,
        title="修水管",
        category="repair",
        minutes_estimate=30,
        funded_by="requester",
        now=now,
    )
    with pytest.raises(tb_errors.ServiceStateConflict):
        timebank.confirm(session, service.id, actor=timebank.Actor(staff=True), now=now)
    with pytest.raises(tb_errors.CannotServeOwnRequest):
        timebank.accept(session, service.id, volunteer_id=wang.id, now=now)
    with pytest.raises(tb_errors.ServiceMinutesOutOfRange):
        timebank.request_service(
            session,
            community_id=community.id,
            requester_id=wang.id,
            title="整天",
            category="care",
            minutes_estimate=timebank.MAX_SERVICE_MINUTES + 1,
            funded_by="requester",
            now=now,
        )
