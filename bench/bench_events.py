"""Events per second for POST /v1/events (one at a time) and POST /v1/events/batch.

Creates a fresh PostgreSQL database (127.0.0.1:5432, user postgres, or BENCH_PG_URL), migrates
it, builds a community of residents with a capped rule, posts events through the app in-process
(the Flask test client: parsing, auth, caps, journal, commit, JSON; no network) and drops the
database. Each phase stops at its event count or its time budget, whichever comes first.

    /work/venv/bin/python bench/bench_events.py
"""

import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

from scratch import scratch_database

RESIDENTS = 2_000
SINGLE_EVENTS = 2_000
THREADS = 4
BATCHES = 10
BATCH_SIZE = 1_000
PHASE_SECONDS = 30.0


def main() -> None:
    with scratch_database() as url:
        run(url)


def run(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from api.app import MIGRATIONS_DIR, create_app
    from api.extensions import db
    from ledger.core import apikeys
    from ledger.core.communities import create_community, create_member
    from ledger.earning.rules import CapDraft, RuleDraft, set_rule

    app = create_app(
        {"RATELIMIT_ENABLED": False, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": THREADS + 2}}
    )
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        community = create_community(db.session, slug="bench", name="bench", now=now)
        members = [
            create_member(
                db.session, community, external_ref=f"R-{n}", display_name=f"R{n}", now=now
            ).id
            for n in range(RESIDENTS)
        ]
        set_rule(
            db.session,
            community.id,
            "cleanup.join",
            RuleDraft(
                points=10,
                caps=(CapDraft("day", max_count=1_000), CapDraft("week", max_points=1_000_000)),
            ),
            now=now,
        )
        _, token = apikeys.create_key(
            db.session, role="integrator", community_slugs=["bench"], now=now
        )
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    occurred = (now - timedelta(hours=1)).isoformat()
    counter = iter(range(10**9))
    lock = threading.Lock()

    def event(n):
        return {
            "community": "bench",
            "activity": "cleanup.join",
            "member": members[n % RESIDENTS],
            "occurred_at": occurred,
            "source_id": f"e-{n}",
            "recorded_by": "bench",
        }

    def single_phase(threads: int) -> tuple[int, float]:
        done = [0]
        deadline = time.monotonic() + PHASE_SECONDS
        per_thread = SINGLE_EVENTS // threads

        def worker():
            client = app.test_client()
            for _ in range(per_thread):
                if time.monotonic() > deadline:
                    return
                with lock:
                    n = next(counter)
                response = client.post("/v1/events", json=event(n), headers=headers)
                assert response.status_code == 201, response.json
                with lock:
                    done[0] += 1

        started = time.monotonic()
        workers = [threading.Thread(target=worker) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return done[0], time.monotonic() - started

    def batch_phase() -> tuple[int, float, list[float]]:
        client = app.test_client()
        done, latencies = 0, []
        deadline = time.monotonic() + PHASE_SECONDS
        started = time.monotonic()
        for _ in range(BATCHES):
            if time.monotonic() > deadline:
                break
            with lock:
                events = [event(next(counter)) for _ in range(BATCH_SIZE)]
            t0 = time.monotonic()
            response = client.post("/v1/events/batch", json={"events": events}, headers=headers)
            latencies.append(time.monotonic() - t0)
            assert response.status_code == 200, response.json
            assert response.json["summary"]["awarded"] == BATCH_SIZE, response.json["summary"]
            done += BATCH_SIZE
        return done, time.monotonic() - started, latencies

    print(
        f"pointsbank event benchmark on PostgreSQL ({RESIDENTS} residents, rule with day and "
        f"week caps, in-process test client; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f})"
    )
    count, seconds = single_phase(1)
    print(
        f"single POST /v1/events, 1 client:        {count:6d} events in {seconds:6.2f}s "
        f"= {count / seconds:7.0f} events/s"
    )
    count, seconds = single_phase(THREADS)
    print(
        f"single POST /v1/events, {THREADS} threads:      {count:6d} events in {seconds:6.2f}s "
        f"= {count / seconds:7.0f} events/s"
    )
    count, seconds, latencies = batch_phase()
    print(
        f"POST /v1/events/batch of {BATCH_SIZE}:         {count:6d} events in {seconds:6.2f}s "
        f"= {count / seconds:7.0f} events/s (median batch {sorted(latencies)[len(latencies) // 2]:.2f}s)"
    )
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
