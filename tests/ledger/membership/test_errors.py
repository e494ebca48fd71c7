"""Membership's errors: one family each, their own slugs, the numbers that explain them."""

from ledger.core import errors as core_errors
from ledger.membership import errors
from tests.ledger.shared_checks import check_rules


def test_each_membership_rule_has_one_family_and_a_unique_slug():
    """Every membership error maps to one family and no two share a slug."""
    slugs = [rule.slug for rule in check_rules(errors)]
    assert len(slugs) == len(set(slugs))


def test_minutes_beyond_what_she_has_are_refused_by_the_books():
    """Owing minutes and moving more than she has are refusals of the books (422), not conflicts."""
    assert issubclass(errors.MemberOwesMinutes, core_errors.Refused)
    assert issubclass(errors.MoveExceedsBalance, core_errors.Refused)
