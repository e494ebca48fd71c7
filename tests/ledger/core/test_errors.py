"""Every ledger error belongs to one family and carries its own slug and numbers."""

import pytest

from ledger.core import errors
from tests.ledger.shared_checks import check_rules


def test_each_core_rule_has_one_family_and_a_unique_slug():
    """Core errors map to exactly one of the four families and never share a slug."""
    rules = check_rules(errors)
    slugs = [rule.slug for rule in rules]
    assert len(slugs) == len(set(slugs))
    assert issubclass(errors.InsufficientBalance, errors.Refused)
    assert issubclass(errors.AccountNotFound, errors.NotFound)
    assert issubclass(errors.AlreadyReversed, errors.Conflict)


def test_an_error_keeps_its_detail_and_the_numbers_that_explain_it():
    """Keyword arguments become the numbers; the title stands in for a missing detail."""
    error = errors.InsufficientBalance("only 3 left", balance=3, requested=5)
    assert (error.detail, str(error)) == ("only 3 left", "only 3 left")
    assert error.numbers == {"balance": 3, "requested": 5}
    bare = errors.EntryNotFound(entry="ent_X")
    assert bare.detail == errors.EntryNotFound.title and bare.numbers == {"entry": "ent_X"}


def test_a_reason_is_stripped_required_and_bounded():
    """require_reason strips blanks, refuses an empty reason and one over the limit."""
    assert errors.require_reason("  wrong neighbour  ") == "wrong neighbour"
    with pytest.raises(errors.ReasonRequired):
        errors.require_reason("   ")
    with pytest.raises(errors.Invalid) as refused:
        errors.require_reason("x" * (errors.REASON_MAX_LENGTH + 1))
    assert refused.value.numbers == {"max_length": errors.REASON_MAX_LENGTH}
