"""The demo's audit part seals everything the other parts wrote, so its head is not empty."""

import sqlalchemy as sa

from ledger.audit import chain
from ledger.audit.verify import verify
from ledger.capabilities import load_demo
from ledger.core.models import Community, Entry


def test_the_demo_journal_is_sealed_whole_and_verifies(session, now):
    """After the demo, no entry of any of its communities is left unsealed; every invariant holds."""
    load_demo(session, now)
    session.commit()
    community = session.scalar(sa.select(Community).where(Community.slug == "demo"))
    head = chain.head(session, community.id)
    entries = session.scalar(
        sa.select(sa.func.count()).select_from(Entry).where(Entry.community_id == community.id)
    )
    assert head.seq >= entries > 0
    for each in session.scalars(sa.select(Community.id)):
        assert chain.unsealed_count(session, each) == 0
    assert verify(session) == []
