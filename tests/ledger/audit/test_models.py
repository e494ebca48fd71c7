"""On PostgreSQL the service's role may append to the journal but never rewrite or empty it."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from ledger.audit import chain
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending

SERVICE_ROLE = "pointsbank_app"
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.postgres


@pytest.fixture
def neighbours(session, community, wang, li, points_of, grant):
    """王秀英 holds 100 points; 李建国 none; both committed."""
    grant(community, points_of(wang), 100)
    session.commit()
    return community, points_of(wang), points_of(li)


def as_service(session):
    session.execute(sa.text(f"SET LOCAL ROLE {SERVICE_ROLE}"))


def refused(session, statement, **params) -> str:
    """Run a statement as the service role; return the database's refusal."""
    as_service(session)
    with pytest.raises(DBAPIError) as caught:
        session.execute(sa.text(statement), params)
    session.rollback()
    return str(caught.value.orig)


def test_the_service_role_cannot_update_delete_or_truncate_postings(session, neighbours):
    """An UPDATE of a posting as the service's role fails; so do DELETE and TRUNCATE."""
    assert "permission denied" in refused(session, "UPDATE postings SET amount = amount + 1")
    assert "permission denied" in refused(session, "DELETE FROM postings")
    assert "permission denied" in refused(session, "TRUNCATE postings")
    assert "permission denied" in refused(session, "UPDATE entries SET memo = 'rewritten'")
    assert "permission denied" in refused(session, "DELETE FROM entries")
    assert "permission denied" in refused(session, "DELETE FROM journal_seals")


def test_the_service_role_still_writes_entries_and_seals(session, neighbours):
    """As the service's role, posting, resolving a hold and sealing all work."""
    community, wang, li = neighbours
    as_service(session)
    hold = post_entry(
        session,
        EntryDraft(
            community_id=community.id,
            kind="transfer",
            pending=True,
            postings=[PostingDraft(wang, li, "points", 10)],
        ),
        now=NOW,
    )
    post_pending(session, hold.id, now=NOW)
    assert chain.seal_community(session, community.id, now=NOW) == 2
    session.commit()
    assert chain.head(session, community.id).seq == 2


def test_no_one_may_truncate_the_journal_while_the_guards_are_on(session, neighbours):
    """Even the owner's TRUNCATE is refused by the journal's trigger."""
    with pytest.raises(DBAPIError) as caught:
        session.execute(sa.text("TRUNCATE journal_seals"))
    session.rollback()
    assert "append-only" in str(caught.value.orig)
    chain.seal_all(session, NOW)
    session.commit()
    with pytest.raises(DBAPIError) as caught:
        session.execute(sa.text("UPDATE journal_seals SET hash = digest"))
    session.rollback()
    assert "append-only" in str(caught.value.orig)
