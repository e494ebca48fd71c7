"""The time bank's errors: one family each, their own slugs, the numbers that explain them."""

from ledger.core import errors as core_errors
from ledger.timebank import errors
from tests.ledger.shared_checks import check_rules


def test_each_timebank_rule_has_one_family_and_a_unique_slug():
    """Every time-bank error maps to one family and no two share a slug."""
    slugs = [rule.slug for rule in check_rules(errors)]
    assert len(slugs) == len(set(slugs))
    assert issubclass(errors.CannotServeOwnRequest, core_errors.Refused)
    assert issubclass(errors.VolunteerNotFound, core_errors.NotFound)


def test_an_already_rated_service_is_a_state_conflict():
    """Rating twice is the special case of a service in the wrong state."""
    assert issubclass(errors.ServiceAlreadyRated, errors.ServiceStateConflict)
    assert issubclass(errors.ServiceStateConflict, core_errors.Conflict)
    assert errors.ServiceAlreadyRated.slug != errors.ServiceStateConflict.slug
