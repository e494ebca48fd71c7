"""The demo community: four residents with opening points, found again rather than doubled."""

import sqlalchemy as sa

from ledger.core import apikeys
from ledger.core.balances import current_balance
from ledger.core.communities import member_account
from ledger.core.demo import DEMO_OPENING_POINTS, DEMO_RESIDENTS, DEMO_SLUG, load_demo
from ledger.core.models import Community, Member


def test_the_core_demo_opens_four_residents_with_points_and_keys(session, now):
    """Without other parts: four residents holding the opening points and a key per role."""
    keys = load_demo(session, now, parts=()).env
    community = session.scalar(sa.select(Community).where(Community.slug == DEMO_SLUG))
    residents = session.scalars(
        sa.select(Member).where(Member.community_id == community.id).order_by(Member.external_ref)
    ).all()
    assert [(m.external_ref, m.display_name) for m in residents] == list(DEMO_RESIDENTS)
    for member in residents:
        account = member_account(session, member.id, "points").id
        assert current_balance(session, account).posted == DEMO_OPENING_POINTS
    assert {"ADMIN", "STAFF", "INTEGRATOR", "MEMBER_KEY"} <= keys.keys()
    assert "TILL" not in keys and keys["MEMBER_ID"] == residents[0].id
    assert apikeys.authenticate(session, keys["STAFF"], now=now).role == "staff"


def test_loading_the_demo_twice_runs_its_parts_once(session, now):
    """The second load finds the community, runs no part again and hands out fresh keys."""
    runs = []
    first = load_demo(session, now, parts=(lambda *args: runs.append(args),))
    second = load_demo(session, now, parts=(lambda *args: runs.append(args),))
    assert len(runs) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(Community)) == 1
    assert first.env["ADMIN"] != second.env["ADMIN"]
