"""Sealing the journal on PostgreSQL: do awards wait for it, and how fast does it go?

Creates a scratch database and prints:
1. awards per second from several threads with no sealer (the baseline);
2. the same while a sealer runs beside them every ``--interval`` seconds (the design shipped:
   sealing is asynchronous, so awards should not slow down), with the sealer's largest backlog;
3. the same if every award sealed itself in its own transaction (the design rejected: every
   award of the community queues on the community's head row);
4. how long sealing a backlog of ``--backlog`` entries takes, and verifying the whole chain.
Usage: python bench/bench_seal.py [--seconds 5] [--threads 8] [--rounds 3] [--backlog 20000]
"""

import argparse
import random
import statistics
import threading
import time
from datetime import UTC, datetime

from scratch import award_community, scratch_engine
from sqlalchemy.orm import Session

from ledger.audit import chain, chain_check
from ledger.capabilities import METADATA
from ledger.core.journal import EntryDraft, PostingDraft, post_entry

MEMBERS = 200


def setup(engine, slug: str):
    return award_community(engine, slug, MEMBERS)


def award(session, community_id, issuance, account):
    post_entry(
        session,
        EntryDraft(
            community_id,
            "award",
            [PostingDraft(issuance, account, "points", 5)],
            details={"activity": "bench"},
        ),
        now=datetime.now(UTC),
    )


def run_awards(engine, community_id, issuance, accounts, threads, seconds, seal_inline=False):
    deadline = time.monotonic() + seconds
    counts = []

    def worker(seed):
        rng, done = random.Random(seed), 0
        with Session(engine) as session:
            while time.monotonic() < deadline:
                award(session, community_id, issuance, rng.choice(accounts))
                if seal_inline:
                    chain.seal_community(session, community_id, now=datetime.now(UTC))
                session.commit()
                done += 1
        counts.append(done)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts)


def with_sealer(engine, community_id, issuance, accounts, threads, seconds, interval):
    stop = threading.Event()
    figures = {"runs": 0, "sealed": 0, "largest_batch": 0}

    def sealer():
        with Session(engine) as session:
            while not stop.is_set():
                sealed = chain.seal_community(session, community_id, now=datetime.now(UTC))
                session.commit()
                figures["runs"] += 1
                figures["sealed"] += sealed
                figures["largest_batch"] = max(figures["largest_batch"], sealed)
                stop.wait(interval)

    thread = threading.Thread(target=sealer)
    thread.start()
    try:
        total = run_awards(engine, community_id, issuance, accounts, threads, seconds)
    finally:
        stop.set()
        thread.join()
    return total, figures


def backlog(engine, community_id, issuance, accounts, size):
    with Session(engine) as session:
        rows = [{"i": i} for i in range(size)]
        for start in range(0, size, 1000):
            for _ in rows[start : start + 1000]:
                award(session, community_id, issuance, random.choice(accounts))
            session.commit()
        started = time.perf_counter()
        sealed = chain.seal_community(session, community_id, now=datetime.now(UTC))
        session.commit()
        seal_seconds = time.perf_counter() - started
        started = time.perf_counter()
        breaches = chain_check.check_community(session, community_id)
        verify_seconds = time.perf_counter() - started
        assert breaches == [], breaches
        return sealed, seal_seconds, chain.head(session, community_id).seq, verify_seconds


def measure(engine, args) -> None:
    shape = f"({args.threads} threads, {MEMBERS} members, {args.seconds:.0f}s)"
    METADATA.create_all(engine)
    rates = {"none": [], "beside": [], "inline": []}
    sealer_figures = []
    # Rounds interleave the three designs, so load from elsewhere on the machine hits all.
    for round_ in range(args.rounds):
        ids = setup(engine, f"bench-none-{round_}")
        rates["none"].append(run_awards(engine, *ids, args.threads, args.seconds))
        ids = setup(engine, f"bench-beside-{round_}")
        total, figures = with_sealer(engine, *ids, args.threads, args.seconds, args.interval)
        rates["beside"].append(total)
        sealer_figures.append(figures)
        ids = setup(engine, f"bench-inline-{round_}")
        rates["inline"].append(
            run_awards(engine, *ids, args.threads, args.seconds, seal_inline=True)
        )

    def median(totals):
        return statistics.median(totals) / args.seconds

    print(f"no sealer:                  {median(rates['none']):8.0f} awards/s {shape}")
    print(
        f"sealer beside (every {args.interval}s): {median(rates['beside']):8.0f} awards/s "
        f"{shape}; per round {sum(f['runs'] for f in sealer_figures) // args.rounds} seal "
        f"runs, largest batch {max(f['largest_batch'] for f in sealer_figures)}"
    )
    print(
        f"sealing inside each award:  {median(rates['inline']):8.0f} awards/s {shape} "
        "(rejected design)"
    )
    print(f"(medians of {args.rounds} interleaved rounds)")

    setup_ids = setup(engine, "bench-backlog")
    sealed, seal_seconds, seq, verify_seconds = backlog(engine, *setup_ids, args.backlog)
    print(
        f"sealing a backlog of {sealed} entries: {seal_seconds:.2f}s "
        f"({sealed / seal_seconds:.0f} entries/s); verifying the chain of {seq}: "
        f"{verify_seconds:.2f}s ({seq / verify_seconds:.0f} records/s)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with scratch_engine(args.threads + 4) as engine:
        measure(engine, args)


if __name__ == "__main__":
    main()
