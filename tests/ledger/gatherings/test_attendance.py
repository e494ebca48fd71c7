"""Signing in at a gathering: the rotating code, the window, one award per member, the organizer."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.errors import MemberNotFound
from ledger.core.models import Member
from ledger.earning.errors import MemberNotNamed, RecordedBySelf
from ledger.earning.models import EarningEvent
from ledger.earning.rules import RuleDraft, set_rule
from ledger.gatherings import errors
from ledger.gatherings.attendance import (
    QR_SLOT_SECONDS,
    SIGNIN_CLOSES_AFTER,
    SIGNIN_OPENS_BEFORE,
    attendances,
    check_scan,
    check_signin_code,
    code_expires_at,
    her_sign_in,
    roll_call,
    scan,
    sign_in,
    signed_in,
    signin_code,
    source_id_of,
    tick,
)
from ledger.gatherings.gatherings import GatheringDraft, schedule
from ledger.gatherings.models import Gathering
from tests.support.concurrently import run_together

from .conftest import SECRET


def test_a_code_is_accepted_in_its_minute_and_the_next_then_expires(evening, now):
    """The code shown now still works a minute later, and not two minutes later."""
    code = signin_code(SECRET, evening.id, now=now)
    check_signin_code(SECRET, evening.id, code, now=now + timedelta(seconds=QR_SLOT_SECONDS))
    with pytest.raises(errors.SigninCodeExpired):
        check_signin_code(
            SECRET, evening.id, code, now=now + timedelta(seconds=2 * QR_SLOT_SECONDS)
        )
    with pytest.raises(errors.SigninCodeExpired):
        check_signin_code(SECRET, "gat_OTHER", code, now=now)
    assert now < code_expires_at(now) <= now + timedelta(seconds=2 * QR_SLOT_SECONDS)


def test_a_sign_in_awards_once_under_notice_dated_at_the_start(session, evening, wang, now):
    """Wang's scan writes one pending 5-point award dated at the start; a second scan is 'already'."""
    first = sign_in(
        session, evening, wang, method="scan", ticked_by=wang.id, now=now + timedelta(minutes=20)
    )
    assert not first.already
    assert (first.event.status, first.event.points_awarded) == ("pending", 5)
    assert first.event.occurred_at == evening.starts_at
    assert first.event.source_id == source_id_of(evening.id, wang.id)
    again = sign_in(
        session,
        evening,
        wang,
        method="roll_call",
        ticked_by="staff",
        now=now + timedelta(minutes=30),
    )
    assert again.already and again.event.id == first.event.id
    assert again.attendance.method == "scan"
    assert [a.member_id for a in attendances(session, evening.id)] == [wang.id]


def test_the_organizer_cannot_sign_herself_in_for_points(session, evening, organizer, now):
    """The organizer vouches for the sign-ins, so her own is refused as self-recorded."""
    with pytest.raises(RecordedBySelf):
        sign_in(session, evening, organizer, method="scan", ticked_by=organizer.id, now=now)
    assert attendances(session, evening.id) == []
    assert organizer.id not in {m.id for m, _ in roll_call(session, evening)}


def test_sign_in_outside_the_window_is_refused_with_the_times(session, evening, wang, now):
    """Too early or too late, the refusal names when sign-in opens and closes."""
    early = evening.starts_at - SIGNIN_OPENS_BEFORE - timedelta(seconds=1)
    with pytest.raises(errors.OutsideSigninWindow) as refused:
        sign_in(session, evening, wang, method="scan", ticked_by=wang.id, now=early)
    assert (
        refused.value.numbers["opens_at"] == (evening.starts_at - SIGNIN_OPENS_BEFORE).isoformat()
    )
    late = evening.ends_at + SIGNIN_CLOSES_AFTER + timedelta(seconds=1)
    with pytest.raises(errors.OutsideSigninWindow):
        sign_in(session, evening, wang, method="scan", ticked_by=wang.id, now=late)


def test_the_rule_in_force_at_the_start_judges_a_late_sign_in(
    session, community, evening, wang, now
):
    """A rule changed during the evening does not change what its sign-ins earn."""
    set_rule(
        session,
        community.id,
        "deliberation.attend",
        RuleDraft(points=50),
        now=now + timedelta(minutes=10),
    )
    signed = sign_in(
        session, evening, wang, method="scan", ticked_by=wang.id, now=now + timedelta(minutes=30)
    )
    assert signed.event.points_awarded == 5


def test_the_day_cap_counts_other_gatherings_of_the_day(session, community, evening, wang, now):
    """A third gathering of the same day awards nothing: the cap of 2 a day is reached."""

    def another(hours):
        return schedule(
            session,
            community,
            GatheringDraft(
                title=f"夜话{hours}",
                activity="deliberation.attend",
                place="广场",
                starts_at=now + timedelta(hours=hours),
                ends_at=now + timedelta(hours=hours + 1),
                organizer_name="张敏",
            ),
            now=now,
        )

    sign_in(session, evening, wang, method="scan", ticked_by=wang.id, now=now)
    second, third = another(3), another(5)
    sign_in(session, second, wang, method="scan", ticked_by=wang.id, now=now + timedelta(hours=3))
    capped = sign_in(
        session, third, wang, method="scan", ticked_by=wang.id, now=now + timedelta(hours=5)
    )
    assert (capped.event.status, capped.event.points_awarded) == ("refused", 0)


def test_a_member_of_another_community_is_not_signed_in(
    session, evening, make_community, make_member, now
):
    """A stranger's sign-in answers as if the gathering did not exist."""
    stranger = make_member(make_community("taohua"))
    with pytest.raises(errors.GatheringNotFound):
        sign_in(session, evening, stranger, method="scan", ticked_by=stranger.id, now=now)


def test_a_scan_checks_the_code_then_signs_in_once(session, evening, wang, now):
    """A fresh code signs her in by scan; an old one is refused; once in, any scan is 'already'."""
    at = now + timedelta(minutes=3)
    stale = signin_code(SECRET, evening.id, now=at - timedelta(seconds=2 * QR_SLOT_SECONDS))
    with pytest.raises(errors.SigninCodeExpired):
        scan(session, SECRET, evening, wang, stale, now=at)
    assert (
        check_scan(session, SECRET, evening, wang, signin_code(SECRET, evening.id, now=at), now=at)
        is None
    )
    first = scan(session, SECRET, evening, wang, signin_code(SECRET, evening.id, now=at), now=at)
    assert (first.already, first.attendance.method, first.attendance.ticked_by) == (
        False,
        "scan",
        wang.id,
    )
    again = scan(session, SECRET, evening, wang, stale, now=at)
    assert again.already and her_sign_in(session, evening, wang).event.id == first.event.id


def test_a_tick_names_the_member_by_reference_and_records_who_ticked(
    session, evening, wang, organizer, now
):
    """The organizer ticks R-wang: the attendance says roll call, ticked by her."""
    ticked = tick(session, evening, member_ref="R-wang", ticked_by=organizer.id, now=now)
    assert (ticked.attendance.member_id, ticked.attendance.ticked_by) == (wang.id, organizer.id)
    assert [s.event.id for s in signed_in(session, evening)] == [ticked.event.id]
    with pytest.raises(MemberNotNamed):
        tick(session, evening, ticked_by=organizer.id, now=now)
    with pytest.raises(MemberNotFound):
        tick(session, evening, member_ref="R-nobody", ticked_by=organizer.id, now=now)


@pytest.mark.postgres
def test_concurrent_sign_ins_of_one_member_award_once(engine, session, evening, wang, li, now):
    """Eight scans and ticks of Wang at once: one new sign-in, seven 'already', one award."""
    session.commit()
    # Read once here: the threads must not reload the test session's expired objects together.
    gathering_id, member_id, organizer_id = evening.id, wang.id, li.id

    def sign(index):
        with Session(engine) as own:
            gathering, member = own.get(Gathering, gathering_id), own.get(Member, member_id)
            method = "scan" if index % 2 else "roll_call"
            signed = sign_in(own, gathering, member, method=method, ticked_by=organizer_id, now=now)
            own.commit()
            return signed.already, signed.event.id

    answers = run_together(8, sign)
    assert sorted(already for already, _ in answers) == [False] + [True] * 7
    assert len({event for _, event in answers}) == 1
    events = session.scalars(sa.select(EarningEvent).where(EarningEvent.member_id == wang.id))
    assert [e.points_awarded for e in events] == [5]
