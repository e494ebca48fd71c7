"""The pointsbank side of bench/compare.py: communities, keys, a shop, preloaded histories, codes.

Everything is made with ledger/ functions (through scratch.award_community where it fits),
except the long statement histories, which one INSERT ... SELECT generate_series writes in the
journal's own shape: each entry posted, with one positive posting from the community's issuance
account to the member's points account, and both balance rows moved by the sum, so that the
cached balances still equal the postings.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from scratch import award_community
from sqlalchemy.orm import Session

from ledger.core import apikeys
from ledger.core.journal import EntryDraft, PostingDraft, post_entries
from ledger.core.models import Member
from ledger.earning.rules import MAX_CAP_COUNT, MAX_CAP_POINTS, CapDraft, RuleDraft, set_rule
from ledger.supermarket.catalogue import add_item, create_shop
from ledger.supermarket.consent import issue_code

ONE_COMMUNITY = "bench"
ONE_COMMUNITY_MEMBERS = 1_000
SPREAD_COMMUNITIES = 16
SPREAD_MEMBERS_EACH = 64  # 16 x 64 = 1,024: about the one community's head count
ACTIVITY = "bench.join"
POINTS_PER_EVENT = 1
REDEEMING_MEMBERS = 256  # each redemption locks its member's consent row: spread them
OPENING_POINTS = 1_000_000
ITEM_SKU = "seeds"
ITEM_PRICE_POINTS = 1
SHORT_HISTORY_POSTINGS = 100
CODES_PER_COMMIT = 500
EVENT_AGE = timedelta(minutes=1)  # events happened just now, never in the future
PRELOAD_SPACING = timedelta(milliseconds=1)  # distinct posted_at per preloaded entry


@dataclass
class World:
    integrator_token: str
    staff_token: str
    shop_token: str
    one_community: list[tuple[str, str]]  # (slug, member id) for every member
    spread: list[tuple[str, str]]
    member_accounts: list[str]
    redeemers: list[str] = field(default_factory=list)
    long_history_account: str = ""
    short_history_account: str = ""
    occurred_at: str = ""


def _members_of(session: Session, community_id: str) -> list[str]:
    return list(
        session.scalars(
            sa.select(Member.id).where(Member.community_id == community_id).order_by(Member.id)
        )
    )


def _community(engine, slug: str, members: int, now: datetime):
    """A community of ``members`` residents and one uncapped-in-practice rule, both caps kept."""
    community_id, issuance, accounts = award_community(engine, slug, members)
    caps = (CapDraft("day", max_count=MAX_CAP_COUNT), CapDraft("week", max_points=MAX_CAP_POINTS))
    with Session(engine) as session:
        set_rule(
            session,
            community_id,
            ACTIVITY,
            RuleDraft(points=POINTS_PER_EVENT, caps=caps),
            now=now,
        )
        session.commit()
        return community_id, issuance, accounts, _members_of(session, community_id)


def _give_points(session: Session, community_id: str, issuance: str, accounts: list[str], now):
    post_entries(
        session,
        [
            EntryDraft(
                community_id,
                "grant",
                [PostingDraft(issuance, account, "points", OPENING_POINTS)],
                memo="bench opening",
            )
            for account in accounts
        ],
        now=now,
    )


def build_world(engine, long_history: int) -> World:
    """Every community, key, shop and history the phases use."""
    now = datetime.now(UTC)
    community_id, issuance, accounts, members = _community(
        engine, ONE_COMMUNITY, ONE_COMMUNITY_MEMBERS, now
    )
    spread, slugs = [], [ONE_COMMUNITY]
    for n in range(SPREAD_COMMUNITIES):
        slug = f"{ONE_COMMUNITY}-{n}"
        slugs.append(slug)
        spread += [(slug, m) for m in _community(engine, slug, SPREAD_MEMBERS_EACH, now)[3]]
    random.Random(0).shuffle(spread)  # consecutive requests go to different communities
    with Session(engine) as session:
        community = session.get(Member, members[0]).community
        shop = create_shop(session, community, name="bench shop", now=now)
        add_item(
            session,
            shop,
            sku=ITEM_SKU,
            name="seeds",
            price_points=ITEM_PRICE_POINTS,
            stock=None,
            now=now,
        )
        _give_points(session, community_id, issuance, accounts[:REDEEMING_MEMBERS], now)
        tokens = [
            apikeys.create_key(session, role="integrator", community_slugs=slugs, now=now)[1],
            apikeys.create_key(session, role="staff", community_slugs=[ONE_COMMUNITY], now=now)[1],
            apikeys.create_key(session, role="shop", shop_id=shop.id, now=now)[1],
        ]
        session.commit()
    world = World(
        *tokens,
        one_community=[(ONE_COMMUNITY, m) for m in members],
        spread=spread,
        member_accounts=accounts,
        redeemers=members[:REDEEMING_MEMBERS],
        occurred_at=(now - EVENT_AGE).isoformat(),
    )
    world.long_history_account = accounts[-1]
    world.short_history_account = accounts[-2]
    started = now - PRELOAD_SPACING * (long_history + 1)
    preload_postings(
        engine, community_id, issuance, world.long_history_account, long_history, started
    )
    preload_postings(
        engine, community_id, issuance, world.short_history_account, SHORT_HISTORY_POSTINGS, started
    )
    return world


PRELOAD_SQL = (
    sa.text(
        "INSERT INTO entries (id, community_id, kind, status, occurred_at, posted_at, created_at, "
        "memo, metadata) SELECT :prefix || n, :community, 'award', 'posted', t, t, t, "
        "'preloaded', CAST('{}' AS json) FROM (SELECT n, CAST(:started AS timestamptz) "
        "+ n * interval '1 millisecond' AS t FROM generate_series(1, :count) AS n) AS s"
    ),
    # The postings' foreign-key checks run plans this connection cached while ``entries`` was
    # small (a sequential scan, then one per posting: a million postings took hours); fresh
    # statistics, read with the entries just inserted, make them probe the primary key.
    sa.text("ANALYZE entries"),
    sa.text(
        "INSERT INTO postings (entry_id, from_account_id, to_account_id, unit, amount) "
        "SELECT :prefix || n, :issuance, :account, 'points', 1 FROM generate_series(1, :count) AS n"
    ),
    sa.text(
        "UPDATE account_balances SET posted = posted - :count "
        "WHERE account_id = :issuance AND shard = 0"
    ),
    sa.text(
        "UPDATE account_balances SET posted = posted + :count "
        "WHERE account_id = :account AND shard = 0"
    ),
)


def preload_postings(engine, community_id, issuance, account, count: int, started) -> None:
    """``count`` one-point awards to ``account``, 1 ms apart from ``started``, in one transaction."""
    values = {
        "prefix": f"ent_pre{account[-8:]}_",
        "community": community_id,
        "issuance": issuance,
        "account": account,
        "count": count,
        "started": started,
    }
    with engine.begin() as conn:
        for statement in PRELOAD_SQL:
            conn.execute(statement, values)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE entries, postings, account_balances")


def issue_codes(engine, members: list[str], count: int) -> list[tuple[str, str]]:
    """``count`` fresh one-time codes, round robin over ``members``, by ledger's issue_code."""
    codes = []
    now = datetime.now(UTC)
    with Session(engine) as session:
        by_id = {m.id: m for m in session.scalars(sa.select(Member).where(Member.id.in_(members)))}
        for n in range(count):
            member = by_id[members[n % len(members)]]
            codes.append((member.id, issue_code(session, member, now=now)[1]))
            if n % CODES_PER_COMMIT == CODES_PER_COMMIT - 1:
                session.commit()
        session.commit()
    return codes
