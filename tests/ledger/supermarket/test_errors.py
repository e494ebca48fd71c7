"""The supermarket's errors: one family each, their own slugs, the numbers that explain them."""

from ledger.core import errors as core_errors
from ledger.supermarket import errors
from tests.ledger.shared_checks import check_rules


def test_each_supermarket_rule_has_one_family_and_a_unique_slug():
    """Every supermarket error maps to one family and no two share a slug."""
    slugs = [rule.slug for rule in check_rules(errors)]
    assert len(slugs) == len(set(slugs))
    assert issubclass(errors.OutOfStock, core_errors.Refused)
    assert issubclass(errors.HoldExpired, core_errors.Conflict)
    assert issubclass(errors.DuplicateLine, core_errors.Invalid)


def test_a_consent_refusal_carries_the_tries_left():
    """ConsentRefused keeps attempts_remaining for the till to show."""
    error = errors.ConsentRefused(member="mem_1", attempts_remaining=3)
    assert error.numbers["attempts_remaining"] == 3
    assert issubclass(errors.ConsentRefused, core_errors.Refused)
