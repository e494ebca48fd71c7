"""The one list of pointsbank's capabilities, and the central lists assembled from it.

Each capability's package hands over its part (``CAPABILITY`` in its ``__init__``): its models,
its scheduled jobs, its part of the demo, what it does when one of its entries is reversed and
the journal's lot keeper.
Importing this module completes ``Base.metadata`` with every capability's tables.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from ledger import (
    approvals,
    audit,
    core,
    earning,
    expiry,
    gatherings,
    membership,
    supermarket,
    timebank,
    webhooks,
)
from ledger.approvals import demo as approvals_demo
from ledger.audit import demo as audit_demo
from ledger.core import corrections, journal
from ledger.core import demo as core_demo
from ledger.core.journal import EntryRecord
from ledger.core.models import Base
from ledger.earning import demo as earning_demo
from ledger.expiry import demo as expiry_demo
from ledger.gatherings import demo as gatherings_demo
from ledger.membership import demo as membership_demo
from ledger.supermarket import demo as supermarket_demo
from ledger.timebank import demo as timebank_demo
from ledger.webhooks import outbox

# In this order: demo parts run in it (sealing last, so the demo's head covers every part), and
# so do the sweep's jobs.
CAPABILITIES = (
    core.CAPABILITY,
    timebank.CAPABILITY,
    supermarket.CAPABILITY,
    earning.CAPABILITY,
    expiry.CAPABILITY,
    gatherings.CAPABILITY,
    approvals.CAPABILITY,
    membership.CAPABILITY,
    audit.CAPABILITY,
    webhooks.CAPABILITY,
)

JOBS = tuple(job for capability in CAPABILITIES for job in capability.jobs)
DEMO_PARTS = tuple(c.demo_part for c in CAPABILITIES if c.demo_part is not None)
REVERSAL_FOLLOWUPS = {
    kind: followup for c in CAPABILITIES for kind, followup in c.reversal_followups.items()
}
METADATA = Base.metadata
# The journal's one extension point: the capability that keeps points in dated lots.
for _keeper in (c.lot_keeper for c in CAPABILITIES if c.lot_keeper is not None):
    journal.install_lot_keeper(_keeper)
# Each capability's part of the demo's story, told in the order the story reads best.
DEMO_TELLERS = (
    earning_demo.tell_demo,
    gatherings_demo.tell_demo,
    supermarket_demo.tell_demo,
    timebank_demo.tell_demo,
    expiry_demo.tell_demo,
    approvals_demo.tell_demo,
    membership_demo.tell_demo,
    audit_demo.tell_demo,
)


def load_demo(session: Session, now: datetime) -> core_demo.DemoStory:
    """Create (or find) the demo community with every capability's part; a fresh key per role."""
    return core_demo.load_demo(session, now, DEMO_PARTS, DEMO_TELLERS)


def reverse_entry(
    session: Session, entry_id: str, *, reason: str, now: datetime, api_key_id: str | None = None
) -> EntryRecord:
    """Reverse an entry; the capability that owns its kind follows up."""
    record = corrections.reverse_entry(
        session,
        entry_id,
        reason=reason,
        now=now,
        api_key_id=api_key_id,
        followups=REVERSAL_FOLLOWUPS,
    )
    outbox.record(session, "entry.reversed", corrections.get_entry(session, entry_id), at=now)
    return record
