"""Per-engine memory: one value per database, made once."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.per_engine import PerEngine


def test_each_engine_has_its_own_value_made_on_first_use():
    """Sessions of one engine share its value; another engine gets a value of its own."""
    made = []
    memory = PerEngine(lambda: made.append(1) or {})
    first, second = sa.create_engine("sqlite://"), sa.create_engine("sqlite://")
    with Session(first) as a, Session(first) as b, Session(second) as c:
        memory.of(a)["shop"] = "first"
        assert memory.of(b) == {"shop": "first"}
        assert memory.of(c) == {}
    assert len(made) == 2
