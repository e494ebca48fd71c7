"""pointsbank over HTTP beside the database's own transfer ceiling, measured in one run.

    .venv/bin/python bench/compare.py [--duration 10] [--workers 4] [--connections 16]
        [--worker-class sync] [--threads 1] [--only PHASE ...] [--quick]

(a) The raw ceiling: pgbench -M prepared running bench/transfer.sql (one award as the database
    alone would do it) on a scratch database made by bench/transfer_setup.sql, before and again
    after pointsbank's phases; the ratios divide by the two runs pooled, since the disk's fsync
    time, which bounds this rate, moves within minutes.
(b) pointsbank under gunicorn, with the deployed settings (api/gunicorn_conf.py) but for the
    worker count, class and threads given, on its own scratch database, migrated with
    Flask-Migrate's upgrade, driven by wrk with bench/pointsbank.lua: every event a new
    source_id. Redemptions spend one-time codes issued beforehand with ledger's issue_code
    (each used once); the statement histories are preloaded by SQL (see compare_world). One
    phase reads GET /healthz, which touches neither a key nor the database: what gunicorn and
    Flask reach alone on this machine, the ceiling of every other phase.
Each phase starts when the previous one has drained (no active query, workers idle), an
ANALYZE has refreshed the statistics (as autovacuum would; this machine's server runs without
it) and a CHECKPOINT has written the dirty pages it left, so no phase pays for another's writes
or plans from another's statistics; the raw runs start after a checkpoint too. Redemptions,
like events, are warmed up unmeasured first. The per-key rate limit is off. Both scratch
databases are dropped however the run ends.
"""

import argparse
import os
import secrets
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import compare_tools as tools
import compare_world as world_
import sqlalchemy as sa
from scratch import scratch_database

from api import gunicorn_conf
from ledger.core.journal import UNFLOORED_SHARDS

DEFAULT_DURATION_SECONDS = 10
DEFAULT_WORKERS = 4
DEFAULT_CONNECTIONS = 16
DEFAULT_WORKER_CLASS = gunicorn_conf.worker_class
DEFAULT_THREADS = gunicorn_conf.threads
LONG_HISTORY_POSTINGS = 1_000_000
QUICK_LONG_HISTORY_POSTINGS = 100_000
WARM_UP_SECONDS = 3  # per warm-up run, before the first phase; not counted
BATCH_SIZE = 100
STATEMENT_LIMIT = 50
# Codes issued for the redemption phase, per second: well above any rate this machine reaches
# (600 ran out at 598 sales/s, whose last requests then answered 422 for a code already used).
REDEMPTION_CODES_PER_SECOND = 1_500
RAW_MEMBERS = world_.ONE_COMMUNITY_MEMBERS
INTERRUPTED_EXIT_STATUS = 130  # what a shell reports for SIGINT
RAW = "raw transfer"  # the ceiling's phase: measured before and after pointsbank's, pooled
RAW_DRIFT_WARNING = 0.25  # a larger change of the ceiling within one run is printed


@dataclass
class Phase:
    name: str
    load: tools.Load
    cpu_per_request_ms: float = 0.0
    rss_mb: float = 0.0
    awards: bool = True  # whether its requests carry earn events (events/s means something)


@dataclass(frozen=True)
class Target:
    label: str
    numerator: str
    denominator: str
    minimum: float
    events: bool = False  # compare events/s rather than requests/s


TARGETS = (
    Target("single events / raw", "events, one community", RAW, 0.40),
    Target("with Idempotency-Key / raw", "events + Idempotency-Key", RAW, 0.35),
    Target("one community / sixteen", "events, one community", "events, 16 communities", 0.90),
    Target("batch events/s / raw", "batches of 100", RAW, 1.5, events=True),
    Target("balance reads / raw", "balance reads", RAW, 1.5),
    Target("statement long history / 100", "statement, long history", "statement, 100", 0.90),
    Target("batches 16 conn / 1 conn", "batches of 100", "batches of 100, 1 conn", 4.0, True),
    Target("redemptions / raw", "redemptions by code", RAW, 0.25),
)
SINGLE_EVENTS_P99_MS = 50.0


def raw_ceiling(args, name: str) -> Phase:
    variables = {"members": RAW_MEMBERS, "shards": UNFLOORED_SHARDS}
    with scratch_database() as url:
        tools.run_psql(url, tools.BENCH_DIR / "transfer_setup.sql", variables)
        tools.checkpoint(url)  # as before every pointsbank phase
        load = tools.pgbench(
            url, tools.BENCH_DIR / "transfer.sql", variables, args.connections, args.duration
        )
    return Phase(name, load)


def both_ceilings(before: Phase, after: Phase) -> Phase:
    """The ceiling the ratios divide by: both runs pooled, for the disk's fsync time (which
    bounds the raw rate, and not pointsbank's) moves by a third and more within minutes here."""
    drift = abs(before.load.per_second - after.load.per_second) / max(
        before.load.per_second, after.load.per_second, 1.0
    )
    if drift > RAW_DRIFT_WARNING:
        print(
            f"note: the raw ceiling moved by {drift:.0%} between the start and the end of the run; "
            "every ratio to it carries that uncertainty"
        )
    return Phase(RAW, tools.pooled(before.load, after.load))


def _lines(directory: Path, name: str, rows) -> str:
    path = directory / f"{name}.txt"
    path.write_text("".join(" ".join(row) + "\n" for row in rows))
    return str(path)


class Runner:
    """Runs the wrk phases against one gunicorn, each after the previous one drained."""

    def __init__(self, args, engine, url: str, master: int, world, directory: Path):
        self.args, self.engine, self.url, self.master = args, engine, url, master
        self.world, self.directory = world, directory
        self.phases: list[Phase] = []

    def warm_up(self, token, mode, rows) -> None:
        """A short unmeasured run: each worker's connection compiles the award's server-side
        functions and prepares its statements, and the reference caches fill, before a phase
        is timed (the first requests of a cold worker cost several times a warm one's)."""
        data = _lines(self.directory, f"warm-{mode}", rows)
        lua_args = [mode, data, "warm", self.world.occurred_at, "1"]
        tools.wrk(self.url, WARM_UP_SECONDS, self.args.connections, lua_args, token)

    def run(self, name, token, mode, rows, connections=None, batch_size=1) -> Phase | None:
        if self.args.only and name not in self.args.only:
            return None
        workers = tools.children(self.master)
        tools.drain(self.engine, workers)
        data = _lines(self.directory, mode, rows)
        before = tools.cpu_seconds(workers)
        load = tools.wrk(
            self.url,
            self.args.duration,
            connections or self.args.connections,
            [mode, data, f"p{len(self.phases)}", self.world.occurred_at, str(batch_size)],
            token,
        )
        cpu = tools.cpu_seconds(workers) - before
        phase = Phase(
            name,
            load,
            cpu_per_request_ms=1000 * cpu / load.requests if load.requests else 0.0,
            rss_mb=tools.rss_mb(workers),
            awards=mode.startswith(("event", "batch")),
        )
        self.phases.append(phase)
        print(f"  {name}: {load.per_second:.0f} requests/s", flush=True)
        return phase


def http_phases(args, engine, url: str, master: int, world) -> list[Phase]:
    w = world
    with tempfile.TemporaryDirectory(prefix="pointsbank-bench-") as directory:
        run = Runner(args, engine, url, master, w, Path(directory))
        run.warm_up(w.integrator_token, "event", w.one_community + w.spread)
        run.warm_up(w.staff_token, "get", [[f"/v1/accounts/{a}"] for a in w.member_accounts])
        run.run("events, one community", w.integrator_token, "event", w.one_community)
        run.run("events, 16 communities", w.integrator_token, "event", w.spread)
        run.run("events + Idempotency-Key", w.integrator_token, "event-key", w.one_community)
        batch = {"batch_size": BATCH_SIZE}
        run.run("batches of 100", w.integrator_token, "batch", w.one_community, **batch)
        run.run("batches of 100, 1 conn", w.integrator_token, "batch", w.one_community, 1, **batch)
        # What the HTTP stack alone reaches (no key, no database): the ceiling of any endpoint.
        run.run("health probe, no database", w.staff_token, "get", [["/healthz"]])
        reads = [[f"/v1/accounts/{a}"] for a in w.member_accounts]
        run.run("balance reads", w.staff_token, "get", reads)
        page = "/statement?limit=" + str(STATEMENT_LIMIT)
        pages = [[f"/v1/accounts/{a}{page}"] for a in w.member_accounts]
        run.run("statement pages", w.staff_token, "get", pages)
        long_page = [[f"/v1/accounts/{w.long_history_account}{page}"]]
        run.run("statement, long history", w.staff_token, "get", long_page)
        short_page = [[f"/v1/accounts/{w.short_history_account}{page}"]]
        run.run("statement, 100", w.staff_token, "get", short_page)
        if args.only and "redemptions by code" not in args.only:
            return run.phases
        tools.drain(engine, tools.children(master))
        started = time.monotonic()
        warm = REDEMPTION_CODES_PER_SECOND * WARM_UP_SECONDS
        wanted = REDEMPTION_CODES_PER_SECOND * args.duration + warm
        codes = world_.issue_codes(engine, w.redeemers, wanted)
        print(f"  {len(codes)} codes issued in {time.monotonic() - started:.0f}s", flush=True)
        # Unmeasured sales first, as for events: the redemption tables then hold rows when the
        # phase's drain analyzes them, as a running shop's do.
        run.warm_up(w.shop_token, "redeem", codes[:warm])
        run.run("redemptions by code", w.shop_token, "redeem", codes[warm:])
        return run.phases


def pointsbank_phases(args) -> tuple[list[Phase], int]:
    from flask_migrate import upgrade

    from api.app import MIGRATIONS_DIR, create_app
    from api.extensions import db

    secret = secrets.token_hex(32)
    long_history = QUICK_LONG_HISTORY_POSTINGS if args.quick else LONG_HISTORY_POSTINGS
    with scratch_database() as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
            db.engine.dispose()
        engine = sa.create_engine(url)
        try:
            print(f"setting up pointsbank ({long_history:,} preloaded postings) ...", flush=True)
            started = time.monotonic()
            world = world_.build_world(engine, long_history)
            # What autovacuum does within a minute of a load this size, done before measuring
            # rather than during the first phase: without statistics the planner takes the
            # freshly filled tables for empty, and a vacuum of a million new rows would compete
            # with the phase for the CPU.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
            print(f"  set up in {time.monotonic() - started:.0f}s", flush=True)
            server = tools.Server(args.workers, args.worker_class, args.threads)
            with tools.gunicorn(url, server, secret) as (base_url, master):
                return http_phases(args, engine, base_url, master, world), long_history
        finally:
            engine.dispose()


def _ratio(by_name: dict[str, Phase], target: Target) -> float:
    top, bottom = by_name[target.numerator].load, by_name[target.denominator].load
    if target.events:
        # The raw ceiling's "events" are its transactions: one award each.
        top_rate, bottom_rate = top.events_per_second, bottom.events_per_second
    else:
        top_rate, bottom_rate = top.per_second, bottom.per_second
    return top_rate / bottom_rate if bottom_rate else 0.0


def print_phases(phases: list[Phase]) -> None:
    print(
        f"\n{'phase':<26} {'2xx/s':>8} {'events/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>8} {'CPU ms/req':>10} {'RSS MB/wkr':>10}"
    )
    for phase in phases:
        load = phase.load
        cpu = f"{phase.cpu_per_request_ms:10.2f}" if phase.rss_mb else f"{'-':>10}"
        rss = f"{phase.rss_mb:10.0f}" if phase.rss_mb else f"{'-':>10}"
        events = f"{load.events_per_second:9.0f}" if phase.awards else f"{'-':>9}"
        print(
            f"{phase.name:<26} {load.per_second:8.1f} {events} "
            f"{load.p50_ms:8.1f} {load.p99_ms:8.1f} {load.non2xx + load.socket_errors:8d} "
            f"{cpu} {rss}"
        )
    for phase in phases:
        if phase.load.exhausted:
            print(f"note: {phase.name} ran out of codes on {phase.load.exhausted} requests")
        if phase.load.first_error:
            print(f"first non-2xx of {phase.name}: {phase.load.first_error}")


def print_targets(phases: list[Phase]) -> tuple[int, int]:
    """The acceptance ratios the phases run allow, beside their targets: (failed, measured)."""
    by_name = {phase.name: phase for phase in phases}
    print(f"\n{'ratio':<30} {'measured':>9} {'target':>9}  result")
    failures = 0
    rows = [
        (t.label, _ratio(by_name, t), t.minimum, True)
        for t in TARGETS
        if t.numerator in by_name and t.denominator in by_name
    ]
    if "events, one community" in by_name:
        single = by_name["events, one community"].load
        rows.append(("single events p99 ms", single.p99_ms, SINGLE_EVENTS_P99_MS, False))
    errors = sum(p.load.non2xx + p.load.socket_errors for p in phases)
    rows.append(("non-2xx, all phases", errors, 0, False))
    for label, measured, target, at_least in rows:
        passed = measured >= target if at_least else measured <= target
        failures += not passed
        sign = ">=" if at_least else "<="
        print(f"{label:<30} {measured:9.2f} {sign}{target:7.2f}  {'pass' if passed else 'FAIL'}")
    return failures, len(rows)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=DEFAULT_DURATION_SECONDS)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--connections", type=int, default=DEFAULT_CONNECTIONS)
    parser.add_argument(
        "--worker-class", default=DEFAULT_WORKER_CLASS, help="gunicorn's -k (sync, gthread)"
    )
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="gunicorn's --threads")
    parser.add_argument(
        "--only", nargs="+", metavar="PHASE", help="run only these phases (names as printed)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"preload {QUICK_LONG_HISTORY_POSTINGS:,} postings instead of "
        f"{LONG_HISTORY_POSTINGS:,} for the long statement",
    )
    return parser.parse_args()


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # unwinds the context managers: gunicorn stops, databases drop


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Ctrl-C must unwind the same way even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for tool in ("psql", "pgbench", "wrk"):
        tools.require(tool)
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {args.duration}s a phase, "
        f"{args.connections} connections, {args.workers} gunicorn {args.worker_class} workers "
        f"x {args.threads} threads",
        flush=True,
    )
    before = raw_ceiling(args, f"{RAW}, before")
    print(f"  {before.name}: {before.load.per_second:.0f} transactions/s", flush=True)
    phases, long_history = pointsbank_phases(args)
    after = raw_ceiling(args, f"{RAW}, after")
    print(f"  {after.name}: {after.load.per_second:.0f} transactions/s", flush=True)
    phases = [before, after, both_ceilings(before, after), *phases]
    print(f"(statement, long history: {long_history:,} postings on the account)")
    print_phases(phases)
    failures, measured = print_targets(phases)
    print(
        f"\n{failures} of {measured} targets not met "
        f"(load average at the end {os.getloadavg()[0]:.1f})"
    )
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("interrupted: gunicorn stopped, scratch databases dropped", file=sys.stderr)
        raise SystemExit(INTERRUPTED_EXIT_STATUS) from None
