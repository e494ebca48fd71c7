"""The one list of capabilities, and the central lists assembled from it in its order."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ledger import approvals, audit, earning, expiry, gatherings, membership, supermarket, timebank
from ledger.capabilities import (
    CAPABILITIES,
    DEMO_PARTS,
    JOBS,
    METADATA,
    REVERSAL_FOLLOWUPS,
    reverse_entry,
)
from ledger.core import errors
from ledger.earning.models import EarningEvent


def test_capabilities_run_core_first_and_seal_after_every_writing_part():
    """Sealing follows every part that writes entries, so the demo's head and the sweep's seal
    cover them (expiry's too), and the report's rollups follow every part that posts; webhooks
    deliver last, after the vesting they report."""
    assert [c.name for c in CAPABILITIES] == [
        "core",
        "timebank",
        "supermarket",
        "earning",
        "expiry",
        "gatherings",
        "approvals",
        "membership",
        "audit",
        "webhooks",
    ]
    assert (
        timebank.CAPABILITY.demo_part,
        supermarket.CAPABILITY.demo_part,
        earning.CAPABILITY.demo_part,
        expiry.CAPABILITY.demo_part,
        gatherings.CAPABILITY.demo_part,
        approvals.CAPABILITY.demo_part,
        membership.CAPABILITY.demo_part,
        audit.CAPABILITY.demo_part,
    ) == DEMO_PARTS
    assert [name for name, _ in JOBS] == [
        "forget_old_form_submissions",
        "void_expired_holds",
        "vest_notice_awards",
        "expire_points",
        "seal_journal",
        "roll_up_days",
        "deliver_webhooks",
    ]


def tables_of(models) -> set[str]:
    """The tables a models module defines, as mapped classes or as plain tables."""
    found = set()
    for value in vars(models).values():
        if isinstance(value, sa.Table):
            found.add(value.name)
        elif isinstance(getattr(value, "__table__", None), sa.Table):
            found.add(value.__table__.name)
    return found


def test_metadata_is_exactly_the_tables_the_capabilities_hand_over():
    """Every table of every capability's models is in the one metadata, and nothing else is."""
    handed_over = [tables_of(c.models) for c in CAPABILITIES]
    assert all(handed_over)
    assert set().union(*handed_over) == set(METADATA.tables)
    assert {"entries", "earning_events", "shops", "services", "journal_seals"} <= set(
        METADATA.tables
    )


def test_reversing_an_award_lets_earning_void_its_event(session, wang, award, now):
    """The follow-up for awards is earning's: the event is voided and stops counting."""
    assert set(REVERSAL_FOLLOWUPS) == {"award"}
    recorded = award(wang, "cleanup.join", points=10)
    reverse_entry(session, recorded.entry_id, reason="not there", now=now + timedelta(minutes=1))
    assert session.get(EarningEvent, recorded.event.id).status == "voided"
    with pytest.raises(errors.AlreadyReversed):
        reverse_entry(session, recorded.entry_id, reason="again", now=now)


def test_the_sweeps_jobs_take_a_session_and_a_time_and_count_what_they_did(session, now):
    """On an empty ledger every job runs and has nothing to do."""
    assert {job(session, now) for _, job in JOBS} == {0}
