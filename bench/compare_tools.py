"""The outside tools bench/compare.py drives: pgbench, wrk, gunicorn, and /proc accounting.

Everything listens on and connects to 127.0.0.1 only. Missing pgbench or wrk are installed
from Debian's packages (apt-get), the way the machine got PostgreSQL.
"""

import glob
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
HOST = "127.0.0.1"
DEBIAN_PACKAGES = {"pgbench": "postgresql-client", "psql": "postgresql-client", "wrk": "wrk"}
WRK_THREADS = 2  # the machine's cores: more threads only add context switches
WRK_TIMEOUT = "30s"  # a batch of 100 may legitimately take seconds when the service queues
PGBENCH_THREADS = 2
GUNICORN_READY_SECONDS = 60.0
GUNICORN_STOP_SECONDS = 15.0
DRAIN_TIMEOUT_SECONDS = 30.0
DRAIN_POLL_SECONDS = 0.2
PERCENTILES = (50, 99)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Load:
    """What one load run measured, latencies in milliseconds."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non2xx: int = 0
    events: int = 0
    exhausted: int = 0
    socket_errors: int = 0
    first_error: str = ""

    @property
    def per_second(self) -> float:
        """Answered requests per second, counting only 2xx answers: a refusal is not served."""
        ok = self.requests - self.non2xx - self.socket_errors
        return max(ok, 0) / self.seconds if self.seconds else 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def pooled(first: Load, second: Load) -> Load:
    """Two runs of one load as one: their requests and events over their seconds together, the
    mean of their medians and the worse of their 99th percentiles."""
    return Load(
        requests=first.requests + second.requests,
        seconds=first.seconds + second.seconds,
        p50_ms=(first.p50_ms + second.p50_ms) / 2,
        p99_ms=max(first.p99_ms, second.p99_ms),
        non2xx=first.non2xx + second.non2xx,
        events=first.events + second.events,
        socket_errors=first.socket_errors + second.socket_errors,
    )


def require(tool: str) -> str:
    """The path of ``tool``, installing its Debian package first if it is missing."""
    found = shutil.which(tool)
    if found:
        return found
    package = DEBIAN_PACKAGES[tool]
    print(f"installing {package} for {tool} ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, env=env)
    found = shutil.which(tool)
    if not found:
        raise SystemExit(f"{tool} is still missing after installing {package}")
    return found


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq (psql, pgbench) reads it."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def run_psql(url: str, script: Path, variables: dict[str, int]) -> None:
    args = [require("psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-f", str(script)]
    for name, value in variables.items():
        args += ["-v", f"{name}={value}"]
    subprocess.run([*args, libpq_url(url)], check=True, stdout=subprocess.DEVNULL)


def percentile(sorted_values: list[float], pct: int) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, round(pct / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]


def pgbench(url: str, script: Path, variables: dict[str, int], clients: int, seconds: int) -> Load:
    """pgbench -M prepared over ``script``; latencies from its per-transaction log."""
    with tempfile.TemporaryDirectory(prefix="pgbench-") as logs:
        args = [
            require("pgbench"),
            "-n",
            "-M",
            "prepared",
            "-c",
            str(clients),
            "-j",
            str(min(PGBENCH_THREADS, clients)),
            "-T",
            str(seconds),
            "-f",
            str(script),
            "--log",
            f"--log-prefix={logs}/tx",
        ]
        for name, value in variables.items():
            args += ["-D", f"{name}={value}"]
        done = subprocess.run(
            [*args, libpq_url(url)], check=True, capture_output=True, text=True, cwd=logs
        )
        latencies, failed = [], 0
        for path in glob.glob(f"{logs}/tx*"):
            for line in Path(path).read_text().splitlines():
                fields = line.split()
                if fields[2] in ("failed", "skipped"):
                    failed += 1
                else:
                    latencies.append(int(fields[2]) / 1000)
    latencies.sort()
    if not latencies:
        raise RuntimeError(f"pgbench ran no transaction:\n{done.stdout}\n{done.stderr}")
    return Load(
        requests=len(latencies),
        seconds=float(seconds),
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        non2xx=failed,
        events=len(latencies),
    )


def wrk(url: str, seconds: int, connections: int, lua_args: list[str], token: str) -> Load:
    """One wrk run with bench/pointsbank.lua; its done() hook reports the figures."""
    threads = min(WRK_THREADS, connections)
    args = [
        require("wrk"),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        WRK_TIMEOUT,
        "-H",
        f"Authorization: Bearer {token}",
        "-s",
        str(BENCH_DIR / "pointsbank.lua"),
        url,
        "--",
        lua_args[0],
        lua_args[1],
        str(threads),
        *lua_args[2:],
    ]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    figures, first_error = {}, ""
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            figures = dict(pair.split("=") for pair in line.split()[1:])
        elif line.startswith("BENCH_ERROR "):
            first_error = line.removeprefix("BENCH_ERROR ")
    if not figures:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    return Load(
        requests=int(figures["requests"]),
        seconds=int(figures["duration_us"]) / 1e6,
        p50_ms=int(figures["p50_us"]) / 1000,
        p99_ms=int(figures["p99_us"]) / 1000,
        non2xx=int(figures["non2xx"]),
        events=int(figures["events"]),
        exhausted=int(figures["exhausted"]),
        socket_errors=int(figures["socket_errors"]),
        first_error=first_error,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_until_ready(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + GUNICORN_READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(DRAIN_POLL_SECONDS)
    raise RuntimeError("gunicorn did not answer /healthz in time")


@dataclass(frozen=True)
class Server:
    """How gunicorn runs: the service's own settings (api/gunicorn_conf.py) but for these."""

    workers: int
    worker_class: str
    threads: int


@contextmanager
def gunicorn(database_url: str, server: Server, secret_key: str) -> Iterator[tuple[str, int]]:
    """gunicorn serving wsgi:app on a free local port; yields (base URL, master pid).

    It runs with the deployed settings (``-c python:api.gunicorn_conf``); the access log it
    writes goes to a file beside the run, kept only if gunicorn fails to start.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(REPO_DIR),
        # The per-key rate limit would cap every figure: it is what is measured elsewhere.
        "POINTSBANK_RATELIMIT_ENABLED": "false",
        "POINTSBANK_SECRET_KEY": secret_key,
    }
    binary = Path(sys.executable).with_name("gunicorn")
    command = [str(binary), "-c", "python:api.gunicorn_conf", "-b", f"{HOST}:{port}"]
    command += ["-w", str(server.workers), "-k", server.worker_class]
    command += ["--threads", str(server.threads), "--log-level", "warning", "wsgi:app"]
    with tempfile.NamedTemporaryFile("w+", prefix="pointsbank-bench-", suffix=".log") as log:
        process = subprocess.Popen(command, cwd=REPO_DIR, env=env, stderr=log)
        url = f"http://{HOST}:{port}"
        try:
            _wait_until_ready(url, process)
            yield url, process.pid
        except RuntimeError:
            log.seek(0)
            print(log.read()[-4000:], file=sys.stderr)
            raise
        finally:
            process.terminate()
            try:
                process.wait(GUNICORN_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of ``pids`` so far (fields 14 and 15 of /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(after_name[11]) + int(after_name[12])
    return total / CLOCK_TICKS


def rss_mb(pids: list[int]) -> float:
    """Mean resident set size of ``pids`` in MB."""
    sizes = [int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES for pid in pids]
    return statistics.mean(sizes) / 1e6 if sizes else 0.0


def _maintain(engine: sa.Engine, *statements: str) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def checkpoint(url: str) -> None:
    """Write every dirty page now: a checkpoint the last phase's writes (or a setup's) would
    start during the next phase would make that phase pay for them (its p99 tripled here)."""
    engine = sa.create_engine(url)
    try:
        _maintain(engine, "CHECKPOINT")
    finally:
        engine.dispose()


def drain(engine: sa.Engine, pids: list[int]) -> None:
    """Wait until the database has no active query of ours and the workers have gone idle, then
    ANALYZE, as autovacuum would between phases (this machine's server runs without it), and
    CHECKPOINT (see ``checkpoint``). Without fresh statistics a plan the workers cached while a
    table was empty (a foreign-key check of ``redemptions``, say) went on scanning it as it
    grew: sales by code served a quarter fewer."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    busy = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state <> 'idle' AND pid <> pg_backend_pid()"
    )
    before = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(DRAIN_POLL_SECONDS)
        with engine.connect() as conn:
            active = conn.execute(busy).scalar_one()
        now = cpu_seconds(pids)
        if active == 0 and now == before:
            _maintain(engine, "ANALYZE", "CHECKPOINT")
            return
        before = now
    print("warning: the previous phase had not drained in time", flush=True)
