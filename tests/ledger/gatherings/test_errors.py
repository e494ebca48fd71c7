"""Each gatherings error names its rule with a stable slug and belongs to a family."""

import inspect

from ledger.core.errors import LedgerError
from ledger.gatherings import errors


def test_every_error_has_its_own_slug_and_title():
    """No two gatherings errors share a slug, and each has a title."""
    found = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, LedgerError)
    ]
    mine = [c for c in found if c.__module__ == errors.__name__]
    assert len({c.slug for c in mine}) == len(mine)
    assert all(c.title and c.slug.islower() for c in mine)
