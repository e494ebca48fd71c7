"""Awards per second on PostgreSQL, with the issuance account sharded and with one hot row.

Creates a scratch database, runs `post_entry` awards (issuance -> member) from several threads
for a fixed time, prints the figures, drops the database. Also counts the SQL statements one award
sends. Usage: python bench/bench_awards.py [--seconds 5] [--threads 8] [--members 200]
"""

import argparse
import random
import threading
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from ledger import journal
from ledger.communities import create_community, create_member, member_account, system_account
from ledger.journal import EntryDraft, PostingDraft, post_entry
from ledger.models import Base

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def setup(engine, members: int, shards: int):
    journal.UNFLOORED_SHARDS = shards
    import ledger.communities as communities

    communities.UNFLOORED_SHARDS = shards
    now = datetime.now(UTC)
    with Session(engine) as session:
        community = create_community(session, slug=f"bench-{shards}", name="bench", now=now)
        issuance = system_account(session, community.id, "issuance", "points").id
        accounts = [
            member_account(
                session,
                create_member(
                    session, community, external_ref=str(i), display_name=str(i), now=now
                ).id,
                "points",
            ).id
            for i in range(members)
        ]
        session.commit()
        return community.id, issuance, accounts


def run(engine, community_id, issuance, accounts, threads: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    counts = []

    def worker(seed):
        rng, done = random.Random(seed), 0
        with Session(engine) as session:
            while time.monotonic() < deadline:
                post_entry(
                    session,
                    EntryDraft(
                        community_id,
                        "award",
                        [PostingDraft(issuance, rng.choice(accounts), "points", 5)],
                    ),
                    now=datetime.now(UTC),
                )
                session.commit()
                done += 1
        counts.append(done)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts)


def statements_per_award(engine, community_id, issuance, accounts) -> int:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    with Session(engine) as session:
        post_entry(
            session,
            EntryDraft(community_id, "award", [PostingDraft(issuance, accounts[0], "points", 5)]),
            now=datetime.now(UTC),
        )
        session.commit()
    event.remove(engine, "before_cursor_execute", listener)
    return len([s for s in seen if not s.startswith(("BEGIN", "COMMIT"))])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    name = f"pointsbank_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = sa.create_engine(sa.make_url(ADMIN_URL).set(database=name), pool_size=args.threads + 2)
    try:
        Base.metadata.create_all(engine)
        for shards in (16, 1):
            community_id, issuance, accounts = setup(engine, args.members, shards)
            total = run(engine, community_id, issuance, accounts, args.threads, args.seconds)
            print(
                f"issuance shards={shards:>2}: {total / args.seconds:8.0f} awards/s "
                f"({args.threads} threads, {args.members} members, {args.seconds:.0f}s)"
            )
        print(
            f"SQL statements per award (excluding BEGIN/COMMIT): "
            f"{statements_per_award(engine, community_id, issuance, accounts)}"
        )
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
