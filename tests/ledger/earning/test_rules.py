"""Rules: versioned, checked, and the version in force judges each event."""

from datetime import timedelta

import pytest

from ledger.core import errors as core_errors
from ledger.earning import errors
from ledger.earning.models import RULE_TITLE_MAX_LENGTH
from ledger.earning.rules import (
    MAX_RULE_POINTS,
    CapDraft,
    CapTerms,
    RuleDraft,
    RuleTerms,
    check_activity,
    check_valid_at,
    latest_titles,
    set_rule,
    version_in_force,
)


def test_setting_the_same_rule_twice_writes_one_version(session, community, now):
    """An unchanged rule is not a new version; a changed one is version 2."""
    draft = RuleDraft(points=5, caps=(CapDraft("day", max_count=2),))
    versions, written = set_rule(session, community.id, "deliberation.attend", draft, now=now)
    assert written and [v.version for v in versions] == [1]
    versions, written = set_rule(session, community.id, "deliberation.attend", draft, now=now)
    assert not written and len(versions) == 1
    versions, written = set_rule(
        session, community.id, "deliberation.attend", RuleDraft(points=8), now=now
    )
    assert written and [(v.version, v.points) for v in versions] == [(1, 5), (2, 8)]


def test_the_version_in_force_is_the_latest_made_by_the_events_time(session, community, now):
    """An event before version 2 existed is judged by version 1."""
    set_rule(session, community.id, "cleanup.join", RuleDraft(points=5), now=now)
    later = now + timedelta(days=1)
    versions, _ = set_rule(session, community.id, "cleanup.join", RuleDraft(points=9), now=later)
    assert version_in_force(versions, now + timedelta(hours=1)).points == 5
    assert version_in_force(versions, later).points == 9


def test_rule_terms_hold_a_version_and_its_caps_and_judge_as_it_does(session, community, now):
    """A version's terms carry its columns and caps, and pick the same version in force."""
    caps = (CapDraft("day", max_count=2), CapDraft("week", max_points=30))
    set_rule(session, community.id, "cleanup.join", RuleDraft(points=5, caps=caps), now=now)
    later = now + timedelta(days=1)
    draft = RuleDraft(points=9, notice_days=3, valid_to=later + timedelta(days=7))
    versions, _ = set_rule(session, community.id, "cleanup.join", draft, now=later)
    terms = [RuleTerms.of(v) for v in versions]
    assert [(t.id, t.version, t.points, t.notice_days) for t in terms] == [
        (v.id, v.version, v.points, v.notice_days) for v in versions
    ]
    assert terms[0].caps == (CapTerms("day", None, 2), CapTerms("week", 30, None))
    assert (terms[1].caps, terms[1].valid_to) == ((), versions[1].valid_to)
    for at in (now + timedelta(hours=1), later):
        assert version_in_force(terms, at).id == version_in_force(versions, at).id
    with pytest.raises(errors.RuleNotValidThen):
        check_valid_at(terms[1], later + timedelta(days=8))


@pytest.mark.parametrize(
    ("draft", "error"),
    [
        (RuleDraft(points=0), core_errors.Invalid),
        (RuleDraft(points=MAX_RULE_POINTS + 1), core_errors.Invalid),
        (RuleDraft(points=5, per="minute"), core_errors.Invalid),
        (RuleDraft(points=5, caps=(CapDraft("day"),)), errors.CapNeedsALimit),
        (
            RuleDraft(points=5, caps=(CapDraft("day", 1), CapDraft("day", 2))),
            errors.CapPeriodRepeated,
        ),
        (RuleDraft(points=5, caps=(CapDraft("decade", 1),)), core_errors.Invalid),
    ],
)
def test_a_rule_that_breaks_a_limit_is_refused(session, community, now, draft, error):
    """Points out of range, an unknown per or period, a cap without limit or twice: refused."""
    with pytest.raises(error):
        set_rule(session, community.id, "cleanup.join", draft, now=now)


def test_activity_names_and_validity_windows_are_checked(session, community, now):
    """Dotted lower-case names only; an empty window is refused; events outside it too."""
    assert check_activity("volunteer.hour") == "volunteer.hour"
    for name in ("Volunteer", "a..b", "1st.place", ""):
        with pytest.raises(errors.ActivityNameInvalid):
            check_activity(name)
    with pytest.raises(errors.ValidityWindowEmpty):
        set_rule(
            session,
            community.id,
            "cleanup.join",
            RuleDraft(points=5, valid_from=now, valid_to=now),
            now=now,
        )
    versions, _ = set_rule(
        session,
        community.id,
        "cleanup.join",
        RuleDraft(points=5, valid_from=now, valid_to=now + timedelta(days=7)),
        now=now,
    )
    check_valid_at(versions[0], now)
    with pytest.raises(errors.RuleNotValidThen):
        check_valid_at(versions[0], now + timedelta(days=7))


def test_a_new_title_is_a_new_version_and_a_long_one_is_refused(session, community, now):
    """Titling a rule writes version 2 with the title trimmed; a title over the limit is refused."""
    set_rule(session, community.id, "stargazing.talk", RuleDraft(points=5), now=now)
    versions, written = set_rule(
        session, community.id, "stargazing.talk", RuleDraft(points=5, title=" 星空夜话 "), now=now
    )
    assert written and [(v.version, v.title) for v in versions] == [(1, ""), (2, "星空夜话")]
    with pytest.raises(core_errors.Invalid):
        set_rule(
            session,
            community.id,
            "stargazing.talk",
            RuleDraft(points=5, title="夜" * (RULE_TITLE_MAX_LENGTH + 1)),
            now=now,
        )


def test_latest_titles_name_each_activity_by_its_newest_version(session, community, now):
    """The newest version's title names the activity; an activity never titled is left out."""
    set_rule(
        session, community.id, "deliberation.attend", RuleDraft(points=5, title="夜话"), now=now
    )
    set_rule(
        session,
        community.id,
        "deliberation.attend",
        RuleDraft(points=5, title="星空夜话"),
        now=now + timedelta(minutes=1),
    )
    set_rule(session, community.id, "cleanup.join", RuleDraft(points=3), now=now)
    titles = latest_titles(session, {community.id})
    assert titles == {(community.id, "deliberation.attend"): "星空夜话"}
