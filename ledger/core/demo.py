"""The core of ``pointsbank demo``: the demo community, its residents and their opening points.

Safe to run again: what exists is kept. Keys are shown once, so each run issues fresh ones and
revokes those of the runs before, leaving one valid key per role and demo person. Each
capability adds its own part, run once when the community is first made, and tells its part of
the story (see :func:`ledger.capabilities.load_demo`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import apikeys
from .capability import DemoPart
from .communities import create_community, create_member, member_account, system_account
from .corrections import adjust
from .journal import PostingDraft
from .models import Account, ApiKey, Community, Member

DEMO_SLUG = "demo"
DEMO_RESIDENTS = (
    ("R-001", "王秀英"),
    ("R-002", "李建国"),
    ("R-003", "张梅"),
    ("R-004", "刘洋"),
)
DEMO_OPENING_POINTS = 100
DEMO_MEMBER_REF = "R-001"  # 王秀英: the demo member, and the elder of the time bank's story
DEMO_MOTHER_REF = "R-003"  # 张梅: the mother the volunteer gives an hour to
DEMO_VOLUNTEER_REF = "V-001"  # 陈志愿, made by the time bank's part
DEMO_KEY_LABEL = "demo"
# Labels of keys issued by earlier versions of the demo, revoked like the current ones.
DEMO_KEY_LABELS = (DEMO_KEY_LABEL, "demo till")


@dataclass
class DemoStory:
    """What the demo loaded, in plain lines, and the shell variables the walk-through uses."""

    lines: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


# Tells a capability's part of the story (and adds its variables), on every run of the demo.
DemoTeller = Callable[[Session, Community, datetime, DemoStory], None]


def _community(session: Session, now: datetime) -> tuple[Community, bool]:
    community = session.scalar(sa.select(Community).where(Community.slug == DEMO_SLUG))
    if community is not None:
        return community, False
    community = create_community(
        session,
        slug=DEMO_SLUG,
        name="星光社区 (demo)",
        timezone="Asia/Shanghai",
        time_floor_minutes=-600,
        now=now,
    )
    return community, True


def _member(session: Session, community: Community, ref: str) -> Member | None:
    return session.scalar(
        sa.select(Member).where(Member.community_id == community.id, Member.external_ref == ref)
    )


def _residents(session: Session, community: Community, now: datetime) -> list[Member]:
    return [
        _member(session, community, ref)
        or create_member(session, community, external_ref=ref, display_name=name, now=now)
        for ref, name in DEMO_RESIDENTS
    ]


def _opening_balances(
    session: Session, community: Community, members: list[Member], now: datetime
) -> None:
    issuance = system_account(session, community.id, "issuance", "points")
    for member in members:
        adjust(
            session,
            community_id=community.id,
            now=now,
            postings=[
                PostingDraft(
                    issuance.id,
                    member_account(session, member.id, "points").id,
                    "points",
                    DEMO_OPENING_POINTS,
                )
            ],
            reason="demo opening balance",
        )


def _revoke_demo_keys(session: Session, now: datetime) -> int:
    """Revoke every live key an earlier run of the demo issued."""
    key_ids = session.scalars(
        sa.select(ApiKey.id).where(ApiKey.label.in_(DEMO_KEY_LABELS), ApiKey.revoked_at.is_(None))
    ).all()
    for key_id in key_ids:
        apikeys.revoke(session, key_id, now)
    return len(key_ids)


def _keys(session: Session, community: Community, shop_id: str | None, now: datetime) -> dict:
    """One key per role and per demo person, as shell variable names."""
    people = {
        "MEMBER_KEY": _member(session, community, DEMO_MEMBER_REF),
        "VOLUNTEER_KEY": _member(session, community, DEMO_VOLUNTEER_REF),
    }
    grants: list[tuple[str, str, dict[str, Any]]] = [
        ("ADMIN", "admin", {}),
        ("STAFF", "staff", {"community_slugs": [DEMO_SLUG]}),
        ("INTEGRATOR", "integrator", {"community_slugs": [DEMO_SLUG]}),
    ]
    grants += [
        (name, "member", {"member_id": member.id})
        for name, member in people.items()
        if member is not None
    ]
    if shop_id is not None:
        grants.append(("TILL", "shop", {"shop_id": shop_id}))
    keys = {}
    for name, role, kwargs in grants:
        _, keys[name] = apikeys.create_key(
            session, role=role, now=now, label=DEMO_KEY_LABEL, **kwargs
        )
    keys["ELDER_KEY"] = keys["MEMBER_KEY"]  # the demo member is the elder of the story
    return keys


def tell_core(session: Session, community: Community, now: datetime, story: DemoStory) -> None:
    """The community, its members and the accounts the walk-through names."""
    members = session.scalars(
        sa.select(Member).where(Member.community_id == community.id).order_by(Member.external_ref)
    ).all()
    story.lines.append(
        f"community '{community.slug}' ({community.name}, {community.timezone}, "
        f"time floor {community.time_floor_minutes} min)"
    )
    story.lines.append(
        f"{len(members)} members: "
        + ", ".join(f"{m.external_ref} {m.display_name}" for m in members)
    )
    member = _member(session, community, DEMO_MEMBER_REF)
    mother = _member(session, community, DEMO_MOTHER_REF)
    volunteer = _member(session, community, DEMO_VOLUNTEER_REF)
    assert member is not None and mother is not None  # the demo makes both; the story needs them
    story.env.update(
        ISSUANCE=system_account(session, community.id, "issuance", "points").id,
        MEMBER=member_account(session, member.id, "points").id,
        MEMBER_ID=member.id,
        MEMBER_REF=member.external_ref,
        ELDER=member.id,
        MOTHER=mother.id,
        **({"VOLUNTEER": volunteer.id} if volunteer else {}),
    )


def load_demo(
    session: Session,
    now: datetime,
    parts: Iterable[DemoPart],
    tellers: Iterable[DemoTeller] = (),
) -> DemoStory:
    """Create (or find) the demo community, run ``parts`` on a new one; tell what is there.

    The story's ``env`` holds a fresh key per role and demo person (the earlier demo keys are
    revoked) and the ids the README's walk-through uses.
    """
    community, created = _community(session, now)
    members = _residents(session, community, now)
    if created:
        _opening_balances(session, community, members, now)
        for part in parts:
            part(session, community, members, now)
    story = DemoStory()
    for teller in (tell_core, *tellers):
        teller(session, community, now, story)
    shop_id = session.scalar(
        sa.select(Account.owner_id)
        .where(Account.community_id == community.id, Account.kind == "shop")
        .order_by(Account.id)
        .limit(1)
    )
    revoked = _revoke_demo_keys(session, now)
    story.env.update(_keys(session, community, shop_id, now))
    if revoked:
        story.lines.append(f"revoked the {revoked} keys of the previous demo run")
    return story
