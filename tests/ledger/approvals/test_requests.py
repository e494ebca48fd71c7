"""Held requests are no entries until approved; approval posts once, rejection never."""

import pytest
import sqlalchemy as sa

from ledger.approvals import errors, requests, rules
from ledger.core import errors as core_errors
from ledger.core.balances import current_balance
from ledger.core.communities import system_account
from ledger.core.journal import PostingDraft
from ledger.core.models import Entry


@pytest.fixture
def held(session, community, wang, points_of, staff_key, now):
    """李敏 asks for 500 points to 王秀英 where 100 is the threshold."""
    rules.set_thresholds(session, community.id, {"points": 100}, now=now)
    issuance = system_account(session, community.id, "issuance", "points").id
    return requests.adjust_or_hold(
        session,
        community_id=community.id,
        postings=[PostingDraft(issuance, points_of(wang), "points", 500)],
        reason="补录",
        now=now,
        api_key_id=staff_key("李敏").id,
    )


def entries(session):
    return session.scalar(sa.select(sa.func.count()).select_from(Entry))


def test_a_held_request_writes_no_entry_and_moves_nothing(session, held, wang, points_of):
    """Until approved it is only a request: no entry, no hold, no balance change."""
    assert held.status == "pending" and entries(session) == 0
    assert current_balance(session, points_of(wang)).available == 0


def test_approval_posts_the_entry_once(session, held, wang, points_of, staff_key, now):
    """The second person's approval posts 500; a second approval is refused."""
    approver = staff_key("赵刚")
    done = requests.approve(session, held.id, approver_key_id=approver.id, now=now)
    assert (done.status, entries(session)) == ("approved", 1)
    assert current_balance(session, points_of(wang)).posted == 500
    with pytest.raises(errors.ApprovalNotPending):
        requests.approve(session, held.id, approver_key_id=approver.id, now=now)


def test_rejection_posts_nothing_and_keeps_why(session, held, staff_key, now):
    """A rejected request keeps its reason and decider; nothing is posted."""
    key = staff_key("赵刚")
    done = requests.reject(session, held.id, key_id=key.id, reason="重复", now=now)
    assert (done.status, done.decision_reason, done.decided_by_key_id) == (
        "rejected",
        "重复",
        key.id,
    )
    assert entries(session) == 0


def test_a_request_that_could_never_post_is_refused_at_once(session, community, staff_key, now):
    """A posting to an account of nowhere is refused when asked, not when approved."""
    rules.set_thresholds(session, community.id, {"points": 1}, now=now)
    issuance = system_account(session, community.id, "issuance", "points").id
    with pytest.raises(core_errors.AccountNotFound):
        requests.adjust_or_hold(
            session,
            community_id=community.id,
            postings=[PostingDraft(issuance, "acc_nowhere", "points", 5)],
            reason="补录",
            now=now,
            api_key_id=staff_key("李敏").id,
        )
    assert entries(session) == 0


def test_the_desk_lists_pending_requests_oldest_first(session, community, held, staff_key, now):
    """pending_for lists what waits; a decided request leaves the list."""
    assert [r.id for r in requests.pending_for(session, community.id, limit=10)] == [held.id]
    requests.reject(session, held.id, key_id=staff_key("赵刚").id, reason="不对", now=now)
    assert requests.pending_for(session, community.id, limit=10) == []
