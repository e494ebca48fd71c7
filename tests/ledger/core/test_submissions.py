"""Form tokens: the first submission claims its token, a second finds the first's outcome."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ledger.core import submissions
from ledger.core.models import FormSubmission
from tests.support.concurrently import run_together

TOKEN = "f" * 22


def test_the_first_submission_claims_the_token(session, now):
    """Claiming a new token answers None and keeps it, with its outcome once recorded."""
    assert submissions.claim(session, TOKEN, "key:k1", now=now) is None
    submissions.record_outcome(session, TOKEN, "/till/receipts/r1")
    session.commit()
    stored = session.get(FormSubmission, TOKEN)
    assert (stored.subject, stored.outcome) == ("key:k1", "/till/receipts/r1")


def test_a_second_submission_finds_the_first(session, now):
    """The same token again answers the earlier submission, with its subject and outcome."""
    submissions.claim(session, TOKEN, "key:k1", now=now)
    submissions.record_outcome(session, TOKEN, "/till/receipts/r1")
    session.commit()
    earlier = submissions.claim(session, TOKEN, "key:k1", now=now + timedelta(seconds=1))
    assert (earlier.subject, earlier.outcome) == ("key:k1", "/till/receipts/r1")


def test_a_rolled_back_write_releases_its_claim(session, now):
    """A write that failed takes its claim with it: the form can be sent again."""
    submissions.claim(session, TOKEN, "member:m1", now=now)
    session.rollback()
    assert submissions.claim(session, TOKEN, "member:m1", now=now) is None


def test_old_tokens_are_forgotten_by_the_sweep(session, now):
    """Tokens older than SUBMISSION_KEPT are dropped; younger ones stay."""
    submissions.claim(session, TOKEN, "key:k1", now=now - submissions.SUBMISSION_KEPT)
    submissions.claim(session, "g" * 22, "key:k1", now=now)
    session.commit()
    assert submissions.forget_old(session, now + timedelta(seconds=1)) == 1
    session.commit()
    assert [s.token for s in session.query(FormSubmission)] == ["g" * 22]


@pytest.mark.postgres
def test_concurrent_submissions_of_one_form_claim_it_once(engine, session, now):
    """Eight transactions claiming one token at once: exactly one claims it."""

    def submit(_):
        with Session(engine) as own:
            claimed = submissions.claim(own, TOKEN, "key:k1", now=now) is None
            if claimed:
                submissions.record_outcome(own, TOKEN, "/done")
            own.commit()
            return claimed

    assert sorted(run_together(8, submit)) == [False] * 7 + [True]
