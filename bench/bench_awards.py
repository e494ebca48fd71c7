"""Awards per second on PostgreSQL, with the issuance account sharded and with one hot row.

Creates a scratch database, runs `post_entry` awards (issuance -> member) from several threads
for a fixed time, prints the figures, drops the database. Also counts the SQL statements one award
sends. Usage: python bench/bench_awards.py [--seconds 5] [--threads 8] [--members 200]
"""

import argparse
import random
import threading
import time
from datetime import UTC, datetime

from scratch import award_community, scratch_engine
from sqlalchemy import event
from sqlalchemy.orm import Session

from ledger.capabilities import METADATA
from ledger.core import journal
from ledger.core.journal import EntryDraft, PostingDraft, post_entry


def setup(engine, members: int, shards: int):
    journal.UNFLOORED_SHARDS = shards
    import ledger.core.communities as communities

    communities.UNFLOORED_SHARDS = shards
    return award_community(engine, f"bench-{shards}", members)


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


def measure(engine, args) -> None:
    METADATA.create_all(engine)
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    with scratch_engine(args.threads + 2) as engine:
        measure(engine, args)


if __name__ == "__main__":
    main()
