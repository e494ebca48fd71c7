"""Scale with history: ``pointsbank verify`` and the monthly community report over a long journal.

Creates a scratch PostgreSQL database (migrated as in production), one community of ``--members``
residents with a shop, and preloads ``--postings`` postings (one per entry) spread evenly over one
month by INSERT ... SELECT generate_series, in the journal's own shape: awards from the issuance
account labelled by one of a few activities, redemptions into the shop, settlements out of it,
donations to the love bank and service minutes between neighbours, each labelled by a category.
The preload skips the per-row foreign-key and trigger checks (session_replication_role =
replica, in its transaction only); verify checks the result. The cached balances are then set to
the sums of the postings, and (unless ``--unsealed``) the whole history is sealed into the journal
chain with ledger/audit/chain.py's own encoding (a few minutes for 1,000,000 on a busy machine:
every record is hashed in Python), so that verify walks a chain as long as the journal. Then it prints, each beside its target:
1. ``verify`` (ledger/audit/verify.py, what the CLI calls): postings checked per second, and the
   breaches it found (there must be none);
2. the community report for that month: ledger/audit/reports.py::community_report, and the
   endpoint GET /communities/<slug>/report through the Flask test client, in seconds, first
   scanning the month's postings, then after the sweep's ``roll_up_days`` job has summed the
   month's local days (ledger/audit/rollups.py: what a deployment has, the sweep running every
   minute), which is timed too; verify then also checks the rolled days against the postings.
Each figure is the median of ``--repeat`` runs. The database is dropped however the run ends.
Usage: python bench/bench_history.py [--postings 1000000] [--members 50] [--repeat 3] [--unsealed]
       [--workers N]
"""

import argparse
import os
import signal
import statistics
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from scratch import scratch_database

from ledger.audit import chain
from ledger.audit.verify import DEFAULT_VERIFY_WORKERS

DEFAULT_POSTINGS = 1_000_000
DEFAULT_MEMBERS = 50
DEFAULT_REPEAT = 3
VERIFY_TARGET_POSTINGS_PER_SECOND = 50_000
REPORT_TARGET_SECONDS = 1.0
MONTH_START = datetime(2026, 11, 1, tzinfo=UTC)
MONTH_END = datetime(2026, 12, 1, tzinfo=UTC)
TIME_FLOOR_MINUTES = -600  # a neighbour may owe up to ten hours of service
SEAL_COPY_ROWS = 10_000  # rows per fetch while sealing the preloaded history
SLUG = "history"
TERMINATED_EXIT_STATUS = 143  # what a shell reports for SIGTERM

# Each entry n does what slot n % 8 says; the member is the (n / 8)-th resident round robin, so
# every resident earns 20 points per round and spends 3, and gives as many minutes as she gets.
PRELOAD_SQL = (
    sa.text(
        "INSERT INTO entries (id, community_id, kind, status, occurred_at, posted_at, created_at, "
        "memo, metadata) SELECT 'ent_hist_' || lpad(n::text, 9, '0'), :community, "
        "(ARRAY['award','award','award','award','redemption','service','donation','settlement'])"
        "[1 + n % 8], 'posted', t, t, t, 'preloaded', CAST(CASE "
        "WHEN n % 8 < 4 THEN json_build_object('activity', "
        "(ARRAY['cleanup.join','tutoring.hour','patrol.shift'])[1 + n % 3]) "
        "WHEN n % 8 = 5 THEN json_build_object('category', "
        "(ARRAY['eldercare','repairs'])[1 + (n / 8) % 2]) ELSE '{}' END AS json) "
        "FROM (SELECT n, CAST(:started AS timestamptz) + n * CAST(:step AS interval) AS t "
        "FROM generate_series(1, :count) AS n) AS s"
    ),
    sa.text(
        "INSERT INTO postings (entry_id, from_account_id, to_account_id, unit, amount) "
        "SELECT 'ent_hist_' || lpad(n::text, 9, '0'), CASE n % 8 "
        "WHEN 4 THEN (CAST(:points AS text[]))[1 + m] WHEN 5 THEN (CAST(:minutes AS text[]))[1 + m] "
        "WHEN 6 THEN (CAST(:points AS text[]))[1 + m] WHEN 7 THEN :shop ELSE :issuance END, "
        "CASE n % 8 WHEN 4 THEN :shop "
        "WHEN 5 THEN (CAST(:minutes AS text[]))[1 + (m + 1) % :members] "
        "WHEN 6 THEN :love_bank WHEN 7 THEN :issuance ELSE (CAST(:points AS text[]))[1 + m] END, "
        "CASE n % 8 WHEN 5 THEN 'minutes' ELSE 'points' END, "
        "CASE n % 8 WHEN 4 THEN 2 WHEN 5 THEN 30 WHEN 6 THEN 1 WHEN 7 THEN 1 ELSE 5 END "
        "FROM (SELECT n, (n / 8) % :members AS m FROM generate_series(1, :count) AS n) AS s"
    ),
    # The statement lines the postings' trigger would have written (skipped with the others).
    sa.text(
        "INSERT INTO account_lines (account_id, posted_at, entry_id, amount) "
        "SELECT s.account_id, e.posted_at, e.id, sum(s.amount) "
        "FROM postings AS p JOIN entries AS e ON e.id = p.entry_id "
        "CROSS JOIN LATERAL (VALUES (p.to_account_id, p.amount), (p.from_account_id, -p.amount)) "
        "AS s(account_id, amount) GROUP BY s.account_id, e.posted_at, e.id"
    ),
    # The cached balances become the sums of the postings (every entry is posted).
    sa.text("UPDATE account_balances SET posted = 0, pending_in = 0, pending_out = 0"),
    sa.text(
        "UPDATE account_balances AS b SET posted = s.total FROM ("
        "SELECT account_id, sum(amount) AS total FROM ("
        "SELECT to_account_id AS account_id, amount FROM postings UNION ALL "
        "SELECT from_account_id, -amount FROM postings) AS sides GROUP BY account_id) AS s "
        "WHERE b.account_id = s.account_id AND b.shard = 0"
    ),
)
POSTING_ROWS_SQL = sa.text(
    "SELECT e.id, e.community_id, e.kind, e.status, e.occurred_at, e.posted_at, e.created_at, "
    "e.expires_at, e.memo, e.metadata AS details, e.reverses_id, e.cause_id, e.api_key_id, "
    "p.id AS posting_id, p.from_account_id, p.to_account_id, p.unit, p.amount "
    "FROM entries AS e JOIN postings AS p ON p.entry_id = e.id "
    "WHERE e.community_id = :community ORDER BY e.created_at, e.id"
)


def build_community(session, members: int):
    """The community's id, its accounts by role and a staff token for it."""
    from ledger.core import apikeys
    from ledger.core.communities import (
        create_community,
        create_member,
        member_account,
        system_account,
    )
    from ledger.supermarket.catalogue import create_shop

    now = MONTH_START - timedelta(days=1)
    community = create_community(
        session, slug=SLUG, name="history", now=now, time_floor_minutes=TIME_FLOOR_MINUTES
    )
    residents = [
        create_member(session, community, external_ref=f"R-{n}", display_name=f"R{n}", now=now).id
        for n in range(members)
    ]
    shop = create_shop(session, community, name="history shop", now=now)
    _, token = apikeys.create_key(session, role="staff", community_slugs=[SLUG], now=now)
    values = {
        "community": community.id,
        "issuance": system_account(session, community.id, "issuance", "points").id,
        "love_bank": system_account(session, community.id, "love_bank", "points").id,
        "shop": shop.account_id,
        "points": [member_account(session, m, "points").id for m in residents],
        "minutes": [member_account(session, m, "minutes").id for m in residents],
        "members": members,
    }
    session.commit()
    return values["community"], values, token


def preload(engine, values: dict, count: int) -> None:
    step = (MONTH_END - MONTH_START) / (count + 1)
    values = {**values, "count": count, "started": MONTH_START, "step": step}
    with engine.begin() as conn:
        # A bulk load of rows made consistent by construction: skip the per-row foreign key and
        # closed-account triggers for this transaction only (as pg_restore would), which would
        # otherwise take most of the preload. verify then checks what they would have.
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for statement in PRELOAD_SQL:
            conn.execute(statement, values)


def seal_history(engine, community_id: str) -> int:
    """Seal every preloaded entry in creation order, as ``chain.seal_community`` would."""
    seq, chained = 0, chain.genesis_hash(community_id)
    sealed_at = datetime.now(UTC)
    with engine.connect() as reader, engine.connect() as writer:
        rows = reader.execution_options(stream_results=True, yield_per=SEAL_COPY_ROWS).execute(
            POSTING_ROWS_SQL, {"community": community_id}
        )
        cursor = writer.connection.driver_connection.cursor()
        with cursor.copy(
            "COPY journal_seals (community_id, seq, entry_id, record, status, digest, hash, "
            "sealed_at) FROM STDIN"
        ) as copy:
            for row in rows:
                seq += 1
                posting = (row.posting_id, row.from_account_id, row.to_account_id, row.unit)
                postings = [(*posting, int(row.amount))]
                digest = chain.digest_of(
                    chain.entry_payload(community_id, seq, row, postings, row.status)
                )
                chained = chain.link(chained, digest)
                copy.write_row(
                    (community_id, seq, row.id, "entry", row.status, digest, chained, sealed_at)
                )
        writer.exec_driver_sql(
            "INSERT INTO journal_heads (community_id, seq, hash, sealed_at) "
            "VALUES (%(c)s, %(s)s, %(h)s, %(t)s)",
            {"c": community_id, "s": seq, "h": chained, "t": sealed_at},
        )
        writer.commit()
    return seq


def _median_seconds(repeat: int, run) -> tuple[float, object]:
    times, outcome = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        outcome = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), outcome


def verify_rate(app, postings: int, args) -> None:
    from api.extensions import db
    from ledger.audit.verify import verify_snapshot

    with app.app_context():
        seconds, breaches = _median_seconds(
            args.repeat, lambda: verify_snapshot(db.session, workers=args.workers)
        )
        rate = postings / seconds
        print(
            f"verify:                {rate:10,.0f} postings/s ({seconds:.2f} s for {postings:,}; "
            f"target {VERIFY_TARGET_POSTINGS_PER_SECOND:,}/s) breaches: {len(breaches)}"
        )
        for breach in breaches[:5]:
            print(f"    {breach}")


def roll_up_month(app) -> None:
    """The sweep's roll_up_days job, run as it would be an hour after the month ended."""
    from api.extensions import db
    from ledger.audit.rollups import ROLLUP_DELAY, roll_up_days

    with app.app_context():
        started = time.perf_counter()
        days = roll_up_days(db.session, MONTH_END + ROLLUP_DELAY + timedelta(days=1))
        db.session.commit()
        print(f"rolled up {days} days in {time.perf_counter() - started:.1f} s")


def report_seconds(app, community_id: str, token: str, args, label: str) -> None:
    repeat = args.repeat
    from api.extensions import db
    from ledger.audit.reports import community_report
    from ledger.core.models import Community

    with app.app_context():
        community = db.session.get(Community, community_id)
        seconds, report = _median_seconds(
            repeat,
            lambda: community_report(
                db.session, community, now=MONTH_END, from_=MONTH_START, to=MONTH_END
            ),
        )
        print(
            f"community_report{label}: {seconds:10.3f} s (target {REPORT_TARGET_SECONDS} s) "
            f"issued {report.issued:,}, participants {report.participants}"
        )
        db.session.rollback()
    client = app.test_client()
    query = {"from": MONTH_START.isoformat(), "to": MONTH_END.isoformat()}
    headers = {"Authorization": f"Bearer {token}"}
    seconds, response = _median_seconds(
        repeat,
        lambda: client.get(f"/v1/communities/{SLUG}/report", query_string=query, headers=headers),
    )
    print(
        f"GET .../report{label}:   {seconds:10.3f} s (target {REPORT_TARGET_SECONDS} s) "
        f"status {response.status_code}"
    )


def run(url: str, args) -> None:
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from api.app import MIGRATIONS_DIR, create_app
    from api.extensions import db

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        community_id, values, token = build_community(db.session, args.members)
        engine = db.engine
        started = time.perf_counter()
        preload(engine, values, args.postings)
        print(f"preloaded {args.postings:,} postings in {time.perf_counter() - started:.1f} s")
        if not args.unsealed:
            started = time.perf_counter()
            sealed = seal_history(engine, community_id)
            print(f"sealed {sealed:,} entries in {time.perf_counter() - started:.1f} s")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    verify_rate(app, args.postings, args)
    report_seconds(app, community_id, token, args, ", scanned")
    roll_up_month(app)
    report_seconds(app, community_id, token, args, ", rolled ")
    verify_rate(app, args.postings, args)
    with app.app_context():
        db.engine.dispose()  # before the scratch database is dropped


def _stop(signum, frame):
    raise SystemExit(TERMINATED_EXIT_STATUS)  # unwinds, so the scratch database is dropped


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=DEFAULT_POSTINGS)
    parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS)
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    parser.add_argument("--unsealed", action="store_true", help="leave the history unsealed")
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_VERIFY_WORKERS, help="verify's --workers"
    )
    args = parser.parse_args()
    with scratch_database() as url:
        run(url, args)


if __name__ == "__main__":
    main()
