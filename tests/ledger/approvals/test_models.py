"""The approval tables refuse a request decided without saying who, or approved without an entry."""

import pytest

from ledger.approvals import rules
from ledger.approvals.requests import adjust_or_hold
from ledger.core.communities import system_account
from ledger.core.journal import PostingDraft
from tests.ledger.shared_checks import refused_by_database


@pytest.fixture
def held(session, community, wang, points_of, staff_key, now):
    """A held adjustment of 500 points to 王秀英, committed."""
    rules.set_thresholds(session, community.id, {"points": 100}, now=now)
    issuance = system_account(session, community.id, "issuance", "points").id
    request = adjust_or_hold(
        session,
        community_id=community.id,
        postings=[PostingDraft(issuance, points_of(wang), "points", 500)],
        reason="补录",
        now=now,
        api_key_id=staff_key("李敏").id,
    )
    session.commit()
    return request.id


def test_an_approved_request_must_name_its_entry(session, held):
    """Approved with no entry, or decided by nobody, is refused by the database."""
    update = f"UPDATE approval_requests SET {{}} WHERE id = '{held}'"
    assert "approved_has_entry" in refused_by_database(
        session,
        update.format(
            "status = 'approved', decided_at = requested_at, "
            "decided_by_key_id = requested_by_key_id"
        ),
    )
    assert "decided_says_who" in refused_by_database(session, update.format("status = 'rejected'"))


def test_a_threshold_is_positive(session, community, now):
    """A threshold of zero is refused by the database."""
    rules.set_thresholds(session, community.id, {"minutes": 60}, now=now)
    session.commit()
    assert "max_amount_positive" in refused_by_database(
        session, "UPDATE approval_thresholds SET max_amount = 0"
    )
