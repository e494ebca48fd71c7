"""Checks the ledger's test modules share: error rules, and the database refusing a row."""

import inspect

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ledger.core import errors

FAMILIES = (errors.NotFound, errors.Invalid, errors.Refused, errors.Conflict)


def rules_of(module):
    """Every error class a module defines, families excepted."""
    return [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, errors.LedgerError)
        and value.__module__ == module.__name__
        and value not in (errors.LedgerError, *FAMILIES)
    ]


def check_rules(module):
    """Each rule has exactly one family, a slug of its own and a title."""
    rules = rules_of(module)
    assert rules, f"{module.__name__} defines no errors"
    for rule in rules:
        assert sum(issubclass(rule, family) for family in FAMILIES) == 1, rule
        assert rule.slug not in {f.slug for f in FAMILIES}, rule
        assert rule.title.endswith("."), rule
    return rules


def refused_by_database(session, statement, **params) -> str:
    """Run raw SQL that skips the ledger's Python checks; return the database's refusal."""
    with pytest.raises(IntegrityError) as caught:
        session.execute(sa.text(statement), params)
        session.flush()
    session.rollback()
    return str(caught.value.orig).lower()
