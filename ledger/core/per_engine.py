"""Memory a process keeps per database engine: caches of rows that never change once written.

Each engine (one database) has its own value, made on first use and dropped with the engine, so
two apps in one process (tests make many) never answer from each other's database.
"""

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

T = TypeVar("T")


class PerEngine(Generic[T]):
    """One value per engine, made by ``factory`` the first time a session of it asks."""

    def __init__(self, factory: Callable[[], T]):
        self._factory = factory
        self._values: weakref.WeakKeyDictionary[sa.Engine, T] = weakref.WeakKeyDictionary()

    def of(self, session: Session) -> T:
        engine = session.get_bind().engine
        value = self._values.get(engine)
        if value is None:
            value = self._values[engine] = self._factory()
        return value
