"""What a PostgreSQL connection sends, read from libpq's own protocol trace."""

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from psycopg.pq import Trace

# A frontend message that ends a request and waits for the server's answer: one round trip.
_ROUND_TRIP = re.compile(r"^F\t\d+\t(Sync|Query)\b")
_QUERY_TEXT = re.compile(r'^F\t\d+\tQuery\t "(?P<text>[^"]*)"')


class Wire:
    """The trace of every connection the engine checks out while it is open."""

    def __init__(self, path: str):
        self.path = path
        self.traced: list = []
        self._lines: list[str] | None = None

    def lines(self) -> list[str]:
        """The trace; reading it ends it."""
        if self._lines is None:
            for pgconn in self.traced:
                pgconn.untrace()  # flushes the trace
            with open(self.path) as trace:
                self._lines = trace.read().splitlines()
        return self._lines

    def round_trips(self) -> int:
        return sum(1 for line in self.lines() if _ROUND_TRIP.search(line))

    def simple_queries(self) -> list[str]:
        """The texts sent as simple queries: BEGIN, COMMIT, ROLLBACK and SETs."""
        found = (_QUERY_TEXT.search(line) for line in self.lines())
        return [match["text"] for match in found if match]


@contextmanager
def traced(engine: sa.Engine) -> Iterator[Wire]:
    """Trace what each connection checked out from ``engine`` sends from its next checkout on
    (a BEGIN sent at that checkout comes before the trace starts)."""
    with tempfile.NamedTemporaryFile("w", suffix=".trace") as file:
        wire = Wire(file.name)

        def on_checkout(dbapi_connection, _record, _proxy):
            pgconn = dbapi_connection.pgconn
            if pgconn not in wire.traced and wire._lines is None:
                pgconn.trace(file.fileno())
                pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
                wire.traced.append(pgconn)

        sa.event.listen(engine, "checkout", on_checkout)
        try:
            yield wire
        finally:
            sa.event.remove(engine, "checkout", on_checkout)
            for pgconn in wire.traced:
                pgconn.untrace()
