"""Approvals' errors: one family each, their own slugs; the second-person rules are one family."""

from ledger.approvals import errors
from ledger.core import errors as core_errors
from tests.ledger.shared_checks import check_rules


def test_each_approval_rule_has_one_family_and_a_unique_slug():
    """Every approvals error maps to one family and no two share a slug."""
    slugs = [rule.slug for rule in check_rules(errors)]
    assert len(slugs) == len(set(slugs))


def test_an_approver_who_benefits_breaks_the_second_person_rule():
    """The beneficiary's refusal is a special case of the second-person rule (answered 403)."""
    assert issubclass(errors.ApproverIsBeneficiary, errors.SecondPersonRequired)
    assert issubclass(errors.SecondPersonRequired, core_errors.Refused)
