"""Approvals' ledger tests: staff keys by person in 潜江社区."""

import pytest

from ledger.core import apikeys


@pytest.fixture
def staff_key(session, community, now):
    """staff_key(label, member=None) -> an ApiKey of the community's staff."""

    def make(label, member=None):
        key, _ = apikeys.create_key(
            session,
            role="staff",
            community_slugs=[community.slug],
            member_id=member.id if member else None,
            label=label,
            now=now,
        )
        return key

    return make
