"""The plans PostgreSQL really runs, statements nested in functions included, via auto_explain."""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

# auto_explain sends the plan of each statement (nested ones too) to the client as a LOG message.
PLAN_LOGGING = (
    "LOAD 'auto_explain'",
    "SET LOCAL auto_explain.log_min_duration = 0",
    "SET LOCAL auto_explain.log_nested_statements = on",
    "SET LOCAL client_min_messages = log",
)


@contextmanager
def logged_plans(session) -> Iterator[list[str]]:
    """Collects, for the session's transaction, each plan run, without its first line (the
    run's duration, which differs between runs of one plan)."""
    for statement in PLAN_LOGGING:
        session.execute(sa.text(statement))
    plans: list[str] = []

    def keep(notice):
        plans.append((notice.message_primary or "").partition("\n")[2])

    driver = session.connection().connection.driver_connection
    driver.add_notice_handler(keep)
    try:
        yield plans
    finally:
        driver.remove_notice_handler(keep)
