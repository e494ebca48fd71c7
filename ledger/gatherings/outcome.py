"""The outcome of a gathering: each topic's decision and who carries it out (一事一议一决), its
publication (结果公示), feedback on each decision's execution, and the public notice page.

A decision is recorded once the gathering has ended and until the outcome is published; the
published outcome is then fixed, and only feedback is added. The public notice names attendees as
the community's privacy setting allows (``ATTENDEE_NAMES``) and lists the points under notice with
the deadline for objections: the latest ``vests_at`` of the gathering's pending awards.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ledger.core.ids import new_id
from ledger.core.models import NAME_MAX_LENGTH, Community, Member
from ledger.earning.errors import EventNotFound
from ledger.earning.models import EarningEvent
from ledger.earning.notice import object_to_event

from . import errors
from .attendance import signed_in
from .gatherings import MAX_TOPICS, attendee_names, check_text
from .models import TEXT_MAX_LENGTH, Gathering, GatheringTopic


@dataclass(frozen=True)
class DecisionDraft:
    topic: str
    decision: str
    carried_by: str


def _topic(gathering: Gathering, position: int) -> GatheringTopic:
    for topic in gathering.topics:
        if topic.position == position:
            return topic
    raise errors.TopicNotFound(gathering=gathering.id, position=position)


def record_decisions(
    session: Session,
    gathering: Gathering,
    drafts: list[DecisionDraft],
    *,
    now: datetime,
    then_publish: bool = False,
) -> Gathering:
    """Set the outcome's decisions, topic by topic, in order (replacing any not yet published),
    and publish them at once when ``then_publish``.

    A draft whose topic matches a scheduled topic decides it; others become new topics.
    """
    if gathering.published_at is not None:
        raise errors.AlreadyPublished(gathering=gathering.id)
    if now < gathering.ends_at:
        raise errors.GatheringNotOver(gathering=gathering.id, ends_at=gathering.ends_at.isoformat())
    by_title = {t.title: t for t in gathering.topics}
    if len(set(by_title) | {d.topic.strip() for d in drafts}) > MAX_TOPICS:
        raise errors.TooManyTopics(max_topics=MAX_TOPICS)
    for draft in drafts:
        title = check_text(draft.topic, "topic", TEXT_MAX_LENGTH)
        topic = by_title.get(title)
        if topic is None:
            topic = GatheringTopic(
                id=new_id("top"), position=len(gathering.topics) + 1, title=title
            )
            gathering.topics.append(topic)
            by_title[title] = topic
        topic.decision = check_text(draft.decision, "decision", TEXT_MAX_LENGTH)
        topic.carried_by = check_text(draft.carried_by, "carried_by", NAME_MAX_LENGTH)
    session.flush()
    return publish(session, gathering, now=now) if then_publish else gathering


def publish(session: Session, gathering: Gathering, *, now: datetime) -> Gathering:
    """Publish the outcome: every topic decided, then fixed."""
    if gathering.published_at is not None:
        raise errors.AlreadyPublished(gathering=gathering.id)
    if now < gathering.ends_at:
        raise errors.GatheringNotOver(gathering=gathering.id, ends_at=gathering.ends_at.isoformat())
    undecided = [t.position for t in gathering.topics if t.decision is None]
    if undecided:
        raise errors.TopicUndecided(gathering=gathering.id, positions=undecided)
    gathering.published_at = now
    session.flush()
    return gathering


def add_feedback(
    session: Session,
    gathering: Gathering,
    position: int,
    feedback: str,
    *,
    carried_out: bool,
    now: datetime,
) -> GatheringTopic:
    """Report back on a published decision's execution; a later report replaces the earlier."""
    if gathering.published_at is None:
        raise errors.NotPublished(gathering=gathering.id)
    topic = _topic(gathering, position)
    topic.feedback = check_text(feedback, "feedback", TEXT_MAX_LENGTH)
    topic.carried_out = carried_out
    topic.feedback_at = now
    session.flush()
    return topic


# The public notice ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attendee:
    name: str | None  # None under the count-only setting
    status: str  # the award's: pending, awarded, refused, voided
    points: int


@dataclass(frozen=True)
class Notice:
    gathering: Gathering
    community: Community
    attendee_names: str
    attendee_count: int
    attendees: list[Attendee]  # empty under the count-only setting
    points_under_notice: int
    objection_deadline: datetime | None
    topics: list[GatheringTopic]


def shown_name(member: Member, setting: str) -> str | None:
    """The name a published list shows: full, the surname (the first character, 王某), or none."""
    if setting == "full":
        return member.display_name
    if setting == "surname":
        return member.display_name[:1] + "某"
    return None


def public_notice(session: Session, gathering: Gathering) -> Notice:
    """What the public notice page shows of a published gathering."""
    if gathering.published_at is None:
        raise errors.GatheringNotFound(gathering=gathering.id)
    setting = attendee_names(session, gathering.community_id)
    rows = signed_in(session, gathering)
    attendees = [
        Attendee(shown_name(s.attendance.member, setting), s.event.status, s.event.points_awarded)
        for s in rows
    ]
    pending = [s.event for s in rows if s.event.status == "pending"]
    return Notice(
        gathering=gathering,
        community=gathering.community,
        attendee_names=setting,
        attendee_count=len(rows),
        attendees=[] if setting == "count" else attendees,
        points_under_notice=sum(e.points_awarded for e in pending),
        objection_deadline=max((e.vests_at for e in pending if e.vests_at), default=None),
        topics=list(gathering.topics),
    )


def object_to_award(
    session: Session, gathering: Gathering, event_id: str, *, reason: str, now: datetime
) -> EarningEvent:
    """Staff object to one of the gathering's awards under notice (earning's objection)."""
    if event_id not in {s.event.id for s in signed_in(session, gathering)}:
        raise EventNotFound(event=event_id)
    return object_to_event(session, event_id, reason=reason, now=now)
