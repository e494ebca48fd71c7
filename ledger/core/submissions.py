"""One-time tokens of page forms: a double click or a resubmitted form writes once.

A form carries a token made when the page was rendered. The write claims the token as the first
statement of its transaction (an insert that ignores a duplicate), and records where it sent the
browser before it commits; a second submission of the token, concurrent or later, finds the
first's claim (on PostgreSQL the insert waits for the first transaction to end) and is sent to the
same place. A write that fails rolls back its claim with it, so the form can be sent again.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import FormSubmission

# How long a claimed token is kept: longer than any page stays open on a till or a phone.
SUBMISSION_KEPT = timedelta(days=2)
_table = FormSubmission.__table__


def _insert_ignoring_duplicate(session: Session, **values) -> bool:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT DO NOTHING.
    statement = (
        dialect.insert(_table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["token"])
        .returning(_table.c.token)
    )
    return session.execute(statement).first() is not None


def claim(session: Session, token: str, subject: str, *, now: datetime) -> FormSubmission | None:
    """Claim the token for this transaction: None if claimed now, else the earlier submission."""
    if _insert_ignoring_duplicate(session, token=token, subject=subject, created_at=now):
        return None
    return session.execute(
        sa.select(FormSubmission)
        .where(FormSubmission.token == token)
        .execution_options(populate_existing=True)
    ).scalar_one()


def record_outcome(session: Session, token: str, outcome: str) -> None:
    """Where the claiming write sent the browser, kept for a resubmission."""
    session.execute(
        sa.update(FormSubmission).where(FormSubmission.token == token).values(outcome=outcome)
    )


def forget_old(session: Session, now: datetime) -> int:
    """Sweep job: drop tokens older than SUBMISSION_KEPT; answers how many."""
    dropped = session.execute(
        sa.delete(FormSubmission).where(FormSubmission.created_at < now - SUBMISSION_KEPT)
    )
    return dropped.rowcount
