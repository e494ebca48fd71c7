"""Expiry's errors: one family each, their own slugs."""

from ledger.core import errors as core_errors
from ledger.expiry import errors
from tests.ledger.shared_checks import check_rules


def test_each_expiry_rule_has_one_family_and_a_unique_slug():
    """Every expiry error maps to one family and no two share a slug."""
    slugs = [rule.slug for rule in check_rules(errors)]
    assert len(slugs) == len(set(slugs))
    assert issubclass(errors.LotsChanged, core_errors.Conflict)
    assert issubclass(errors.ExpiryMonthsOutOfRange, core_errors.Invalid)
