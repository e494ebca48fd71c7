"""The outcome: decisions after the gathering, publication, feedback, and the public notice."""

from datetime import timedelta

import pytest

from ledger.earning.errors import EventNotFound
from ledger.earning.notice import object_to_event
from ledger.gatherings import errors
from ledger.gatherings.attendance import sign_in, signed_in
from ledger.gatherings.gatherings import set_attendee_names
from ledger.gatherings.outcome import (
    DecisionDraft,
    add_feedback,
    object_to_award,
    public_notice,
    publish,
    record_decisions,
    shown_name,
)

DECISIONS = [
    DecisionDraft("楼道堆物清理", "本周六统一清理", "楼长李建国"),
    DecisionDraft("健身器材维修", "报物业维修", "物业王经理"),
]


@pytest.fixture
def signed(session, evening, wang, li, now):
    """Wang, then Li a minute later, signed in during the evening."""
    # Distinct instants: sign-ins at one instant are listed by member id, whose order is random.
    for minute, member in enumerate((wang, li), start=5):
        sign_in(
            session,
            evening,
            member,
            method="scan",
            ticked_by=member.id,
            now=now + timedelta(minutes=minute),
        )
    return evening


def test_decisions_wait_for_the_end_and_every_topic_before_publishing(session, evening, now):
    """Before the end nothing is decided; a topic left undecided holds the publication back."""
    with pytest.raises(errors.GatheringNotOver):
        record_decisions(session, evening, DECISIONS, now=now)
    after = evening.ends_at
    record_decisions(session, evening, DECISIONS[:1], now=after)
    with pytest.raises(errors.TopicUndecided):
        publish(session, evening, now=after)
    record_decisions(
        session, evening, [*DECISIONS, DecisionDraft("新议题", "下次再议", "议事会")], now=after
    )
    publish(session, evening, now=after)
    assert [t.carried_by for t in evening.topics] == ["楼长李建国", "物业王经理", "议事会"]
    with pytest.raises(errors.AlreadyPublished):
        record_decisions(session, evening, DECISIONS, now=after)


def test_feedback_follows_publication(session, evening):
    """Feedback on a decision comes after publishing and says whether it was carried out."""
    after = evening.ends_at
    with pytest.raises(errors.NotPublished):
        add_feedback(session, evening, 1, "已清理", carried_out=True, now=after)
    record_decisions(session, evening, DECISIONS, now=after)
    publish(session, evening, now=after)
    topic = add_feedback(session, evening, 1, "已清理完毕", carried_out=True, now=after)
    assert (topic.feedback, topic.carried_out) == ("已清理完毕", True)
    with pytest.raises(errors.TopicNotFound):
        add_feedback(session, evening, 9, "无", carried_out=False, now=after)


def test_the_notice_lists_attendees_points_deadline_and_updates_on_objection(
    session, community, signed, now
):
    """Two surnames and 10 points under notice; an objection leaves 5 and marks that award void."""
    after = signed.ends_at
    with pytest.raises(errors.GatheringNotFound):
        public_notice(session, signed)  # not published yet
    record_decisions(session, signed, DECISIONS, now=after)
    publish(session, signed, now=after)
    notice = public_notice(session, signed)
    assert [a.name for a in notice.attendees] == ["王某", "李某"]
    assert (notice.attendee_count, notice.points_under_notice) == (2, 10)
    assert notice.objection_deadline == max(s.event.vests_at for s in signed_in(session, signed))
    event = signed_in(session, signed)[0].event
    object_to_event(session, event.id, reason="未到场", now=after)
    notice = public_notice(session, signed)
    assert [a.status for a in notice.attendees] == ["voided", "pending"]
    assert notice.points_under_notice == 5
    set_attendee_names(session, community.id, "count", now=after)
    counted = public_notice(session, signed)
    assert (counted.attendees, counted.attendee_count) == ([], 2)


def test_names_are_shown_as_the_setting_allows(wang):
    """Full name, surname with 某, or nothing at all."""
    assert [shown_name(wang, s) for s in ("full", "surname", "count")] == ["王秀英", "王某", None]


def test_an_objection_through_the_gathering_reaches_only_its_own_awards(
    session, signed, wang, award, now
):
    """Objecting to one of its awards voids it; another gathering's award is not found here."""
    event = signed_in(session, signed)[0].event
    voided = object_to_award(
        session, signed, event.id, reason="未到场", now=now + timedelta(hours=3)
    )
    assert voided.status == "voided"
    elsewhere = award(wang, "proposal.adopted", points=20, notice_days=3)
    with pytest.raises(EventNotFound):
        object_to_award(session, signed, elsewhere.event.id, reason="无关", now=now)


def test_decisions_may_be_published_in_the_same_step(session, evening):
    """then_publish records the decisions and publishes them at once."""
    record_decisions(session, evening, DECISIONS, now=evening.ends_at, then_publish=True)
    assert evening.published_at == evening.ends_at
