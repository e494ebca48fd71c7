"""Redemptions per second on PostgreSQL, through the HTTP API (in-process WSGI, several threads).

Creates its own database on 127.0.0.1:5432 (user postgres), migrates it, opens one shop with an
unlimited item and members with plenty of points, then runs, each for at most ``--seconds``:
- ``code``: every redemption carries a fresh one-time code (issued before the clock starts);
- ``pin``: every redemption carries the member's PIN (argon2id verification on every request);
- ``hold+capture``: a hold by code, then its capture (two requests per sale).
All tills sell at the same shop, so every sale also queues on that shop's balance row: this is the
worst case for one busy points supermarket. The database is dropped at the end.

    /work/venv/bin/python bench/bench_redemptions.py [--threads 8] [--seconds 10]
"""

import argparse
import statistics
import threading
import time
from datetime import UTC, datetime

from scratch import scratch_database

PIN = "2580"
OPENING_POINTS = 1_000_000
MEMBERS_PER_THREAD = 4
MAX_CODES_PER_THREAD = 4000  # more than a till can use in the time allowed


def build_world(app, threads: int, codes_per_thread: int):
    from api.extensions import db
    from ledger.core import apikeys
    from ledger.core.communities import (
        create_community,
        create_member,
        member_account,
        system_account,
    )
    from ledger.core.corrections import adjust
    from ledger.core.journal import PostingDraft
    from ledger.supermarket.catalogue import add_item, create_shop
    from ledger.supermarket.consent import issue_code, set_pin

    now = datetime.now(UTC)
    with app.app_context():
        session = db.session
        community = create_community(session, slug="bench", name="bench", now=now)
        shop = create_shop(session, community, name="bench shop", now=now)
        add_item(session, shop, sku="seeds", name="seeds", price_points=1, stock=None, now=now)
        issuance = system_account(session, community.id, "issuance", "points")
        tills = []
        for t in range(threads):
            members = [
                create_member(
                    session, community, external_ref=f"m-{t}-{i}", display_name="resident", now=now
                )
                for i in range(MEMBERS_PER_THREAD)
            ]
            for member in members:
                adjust(
                    session,
                    community_id=community.id,
                    now=now,
                    reason="bench",
                    postings=[
                        PostingDraft(
                            issuance.id,
                            member_account(session, member.id, "points").id,
                            "points",
                            OPENING_POINTS,
                        )
                    ],
                )
                set_pin(session, member, PIN, now=now)
            codes = []
            for n in range(codes_per_thread):
                member = members[n % len(members)]
                codes.append((member.id, issue_code(session, member, now=now)[1]))
            tills.append({"members": [m.id for m in members], "codes": codes})
            session.commit()
        _, token = apikeys.create_key(session, role="shop", shop_id=shop.id, now=now)
        session.commit()
        db.session.remove()
    return {"Authorization": f"Bearer {token}"}, tills


def run(app, key, name: str, tills, seconds: float, make_requests):
    """Each thread sends its till's requests until it runs out or time is up."""
    barrier = threading.Barrier(len(tills) + 1)
    latencies: list[float] = []
    failures: list[str] = []
    done = [0] * len(tills)
    lock = threading.Lock()

    def till(index):
        client = app.test_client()
        mine, wrong = [], []
        barrier.wait()
        deadline = time.perf_counter() + seconds
        for steps in make_requests(tills[index]):
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            for method, path, body, expected in steps(client):
                response = client.open(path, method=method, json=body, headers=key)
                if response.status_code != expected:
                    wrong.append(f"{response.status_code} {response.get_data(as_text=True)[:200]}")
                    break
            else:
                mine.append(time.perf_counter() - started)
                done[index] += 1
        with lock:
            latencies.extend(mine)
            failures.extend(wrong)

    threads = [threading.Thread(target=till, args=(i,)) for i in range(len(tills))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(done)
    ms = sorted(x * 1000 for x in latencies) or [0.0]
    print(
        f"{name:<13} {total:>6} sales in {elapsed:5.1f}s = {total / elapsed:7.1f} sales/s   "
        f"latency p50 {statistics.median(ms):6.1f} ms  p95 {ms[int(len(ms) * 0.95) - 1]:6.1f} ms"
        f"   errors {len(failures)}"
    )
    for failure in failures[:3]:
        print("   ", failure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    from api.app import MIGRATIONS_DIR, create_app
    from api.extensions import db

    with scratch_database() as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "RATELIMIT_ENABLED": False,
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": args.threads + 4},
            }
        )
        from flask_migrate import upgrade

        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
        setup = time.perf_counter()
        key, tills = build_world(app, args.threads, MAX_CODES_PER_THREAD)
        print(
            f"PostgreSQL, {args.threads} tills at one shop, {args.seconds:.0f}s per scenario "
            f"(setup {time.perf_counter() - setup:.1f}s)"
        )

        def by_code(t):
            for member, code in t["codes"][: MAX_CODES_PER_THREAD // 2]:
                yield lambda client, m=member, c=code: [
                    (
                        "POST",
                        "/v1/redemptions",
                        {
                            "member": m,
                            "consent": {"code": c},
                            "lines": [{"sku": "seeds", "quantity": 1}],
                        },
                        201,
                    )
                ]

        def by_pin(t):
            n = 0
            while True:
                member = t["members"][n % len(t["members"])]
                n += 1
                yield lambda client, m=member: [
                    (
                        "POST",
                        "/v1/redemptions",
                        {"member": m, "consent": {"pin": PIN}, "points": 1, "memo": "bench"},
                        201,
                    )
                ]

        def hold_then_capture(t):
            for member, code in t["codes"][MAX_CODES_PER_THREAD // 2 :]:

                def steps(client, m=member, c=code):
                    held = client.post(
                        "/v1/redemptions",
                        headers=key,
                        json={
                            "member": m,
                            "consent": {"code": c},
                            "capture": False,
                            "lines": [{"sku": "seeds", "quantity": 1}],
                        },
                    )
                    if held.status_code != 201:
                        return [("GET", "/v1/redemptions/none", None, 200)]
                    return [("POST", f"/v1/redemptions/{held.json['id']}/capture", None, 200)]

                yield steps

        run(app, key, "code", tills, args.seconds, by_code)
        run(app, key, "pin", tills, args.seconds, by_pin)
        run(app, key, "hold+capture", tills, args.seconds, hold_then_capture)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
