"""Webhooks' errors: one family each, their own slugs, and the numbers that explain them."""

from ledger.core import errors as core_errors
from ledger.webhooks import errors
from tests.ledger.shared_checks import check_rules


def test_each_webhooks_rule_has_one_family_and_a_unique_slug():
    """Every webhooks error maps to one family and no two share a slug."""
    slugs = [rule.slug for rule in check_rules(errors)]
    assert len(slugs) == len(set(slugs))
    assert issubclass(errors.SubscriptionNotFound, core_errors.NotFound)
    assert issubclass(errors.WebhookEventNotFound, core_errors.NotFound)
    assert issubclass(errors.UrlNotAllowed, core_errors.Invalid)
    assert issubclass(errors.UnknownEventType, core_errors.Invalid)
    assert issubclass(errors.TooManySubscriptions, core_errors.Refused)


def test_a_refused_url_keeps_its_reason_and_host():
    """UrlNotAllowed says why in its detail and names the host in its numbers."""
    error = errors.UrlNotAllowed("the host is private", host="10.0.0.1")
    assert error.detail == "the host is private" and error.numbers == {"host": "10.0.0.1"}
    assert errors.TooManySubscriptions().detail == errors.TooManySubscriptions.title
