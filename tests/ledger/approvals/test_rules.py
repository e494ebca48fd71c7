"""Who counts as a second person, and when a staff write waits."""

from ledger.approvals import rules
from ledger.core.communities import system_account
from ledger.core.journal import PostingDraft


def test_a_keys_person_is_its_member_else_its_label_else_itself(staff_key, wang):
    """A member wins over a label; labels compare without case or spaces; a bare key is its own."""
    assert rules.person_of(staff_key("x", member=wang)) == f"member:{wang.id}"
    assert rules.person_of(staff_key(" Li Min ")) == rules.person_of(staff_key("li min"))
    bare = staff_key("")
    assert rules.person_of(bare) == f"key:{bare.id}"


def test_only_what_is_above_the_threshold_waits(session, community, wang, points_of, now):
    """With 100 points allowed, 100 posts and 101 waits; minutes have no threshold."""
    rules.set_thresholds(session, community.id, {"points": 100}, now=now)
    issuance = system_account(session, community.id, "issuance", "points").id

    def reason(amount):
        postings = [PostingDraft(issuance, points_of(wang), "points", amount)]
        return rules.hold_reason(session, community.id, postings, None)

    assert (reason(100), reason(101)) == (None, rules.ABOVE_THRESHOLD)
    assert rules.thresholds(session, community.id) == {"points": 100, "minutes": None}


def test_a_credit_to_the_requesters_own_account_waits(
    session, community, wang, li, points_of, staff_key
):
    """Her key's 1 point to herself waits; to 李建国 it does not."""
    issuance = system_account(session, community.id, "issuance", "points").id
    hers = staff_key("王秀英", member=wang)

    def reason(member):
        postings = [PostingDraft(issuance, points_of(member), "points", 1)]
        return rules.hold_reason(session, community.id, postings, hers)

    assert (reason(wang), reason(li)) == (rules.OWN_ACCOUNT, None)


def test_the_approver_must_be_another_person_and_not_the_beneficiary(
    session, community, wang, points_of, staff_key
):
    """Same key, same person and the credited member are each refused with their rule."""
    issuance = system_account(session, community.id, "issuance", "points").id
    postings = [PostingDraft(issuance, points_of(wang), "points", 1)]
    asker = staff_key("李敏")

    def rule(approver):
        refusal = rules.refusal_to_approve(session, asker, approver, postings)
        return refusal.numbers["rule"] if refusal else None

    assert rule(asker) == "different-key"
    assert rule(staff_key("李敏")) == "different-person"
    assert rule(staff_key("王", member=wang)) == "not-the-beneficiary"
    assert rule(staff_key("赵刚")) is None
