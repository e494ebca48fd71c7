"""Earning's errors: one family each, their own slugs, and the numbers that explain them."""

from ledger.core import errors as core_errors
from ledger.earning import errors
from tests.ledger.shared_checks import check_rules


def test_each_earning_rule_has_one_family_and_a_unique_slug():
    """Every earning error maps to one family and no two share a slug."""
    slugs = [rule.slug for rule in check_rules(errors)]
    assert len(slugs) == len(set(slugs))
    assert issubclass(errors.RecordedBySelf, core_errors.Refused)
    assert issubclass(errors.SourceIdReused, core_errors.Conflict)
    assert issubclass(errors.RuleNotFound, core_errors.NotFound)


def test_a_cap_error_names_the_period():
    """CapPeriodRepeated keeps the period it found twice."""
    error = errors.CapPeriodRepeated(period="week")
    assert error.numbers == {"period": "week"} and error.detail == error.title
