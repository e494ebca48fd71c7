"""Scheduling a gathering: its rule, its times, its organizer and topics; the privacy setting."""

from datetime import timedelta

import pytest

from ledger.core.errors import MemberNotFound
from ledger.earning.errors import RuleNotFound
from ledger.gatherings import errors
from ledger.gatherings.gatherings import (
    MAX_GATHERING_LENGTH,
    GatheringDraft,
    attendee_names,
    get_gathering,
    organizer_ref,
    recent_gatherings,
    schedule,
    set_attendee_names,
)
from ledger.gatherings.models import DEFAULT_ATTENDEE_NAMES


def _draft(now, **changes):
    fields = dict(
        title="广场夜话",
        activity="deliberation.attend",
        place="文化礼堂",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        organizer_name="社区工作人员张敏",
    )
    return GatheringDraft(**{**fields, **changes})


def test_a_scheduled_gathering_keeps_its_topics_in_order(session, evening):
    """The evening's topics are numbered from 1 in the order given."""
    found = get_gathering(session, evening.id)
    assert [(t.position, t.title) for t in found.topics] == [
        (1, "楼道堆物清理"),
        (2, "健身器材维修"),
    ]
    assert organizer_ref(found) == evening.organizer_member_id


def test_a_staff_organizer_is_named_and_vouches_by_name(session, community, rule, now):
    """With no member organizer, the staff name given is who records the sign-ins."""
    gathering = schedule(session, community, _draft(now), now=now)
    assert gathering.organizer_member_id is None
    assert organizer_ref(gathering) == "社区工作人员张敏"
    assert recent_gatherings(session, community.id, limit=5) == [gathering]


def test_a_gathering_needs_a_rule_times_and_an_organizer(
    session, community, rule, now, make_community, make_member
):
    """No rule, an end before the start, too long, no organizer or another community's member: refused."""
    with pytest.raises(RuleNotFound):
        schedule(session, community, _draft(now, activity="cleanup.join"), now=now)
    with pytest.raises(errors.GatheringTimesInvalid):
        schedule(session, community, _draft(now, ends_at=now), now=now)
    with pytest.raises(errors.GatheringTimesInvalid):
        too_long = now + MAX_GATHERING_LENGTH + timedelta(minutes=1)
        schedule(session, community, _draft(now, ends_at=too_long), now=now)
    with pytest.raises(errors.OrganizerNotNamed):
        schedule(session, community, _draft(now, organizer_name=" "), now=now)
    stranger = make_member(make_community("taohua"), display_name="外人")
    with pytest.raises(MemberNotFound):
        schedule(session, community, _draft(now, organizer_member_id=stranger.id), now=now)
    with pytest.raises(errors.GatheringTextInvalid):
        schedule(session, community, _draft(now, title=""), now=now)


def test_the_privacy_setting_defaults_and_changes(session, community, now):
    """Notices name surnames until staff choose otherwise; unknown settings are refused."""
    assert attendee_names(session, community.id) == DEFAULT_ATTENDEE_NAMES
    set_attendee_names(session, community.id, "count", now=now)
    assert attendee_names(session, community.id) == "count"
    with pytest.raises(errors.GatheringTextInvalid):
        set_attendee_names(session, community.id, "everything", now=now)
