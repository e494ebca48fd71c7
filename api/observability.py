"""Request logs and Prometheus metrics.

Every request writes one JSON line to the ``pointsbank.access`` logger (standard error) with a
request id, the caller's key id and role, the route (the URL rule, never the raw path, so ids,
codes and query strings stay out), the method, the status and the latency. Nothing taken from a
header or a body is logged except a sane ``X-Request-Id``: no key secret, PIN or consent code.

``/metrics`` answers in Prometheus' text format. Under gunicorn every worker writes its counts to
files in ``PROMETHEUS_MULTIPROC_DIR`` (api/gunicorn_conf.py sets a fresh one when it is unset) and
a scrape of any worker sums all of them. The route needs no key, like /healthz, and says nothing
about any account: still, keep it off the public side (firewall, or a proxy rule refusing it).
"""

import fcntl
import glob
import json
import logging
import os
import re
import secrets
import sys
import time

import sqlalchemy as sa
from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily

from api.extensions import db
from api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE
from ledger.audit.models import JournalSeal
from ledger.core.models import Entry

REQUEST_ID_HEADER = "X-Request-Id"
# An offered id is kept only when it is a short printable token: it lands in logs and headers.
REQUEST_ID_MAX_LENGTH = 128
SANE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:/+=-]{{1,{REQUEST_ID_MAX_LENGTH}}}")
REQUEST_ID_BYTES = 16
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# A request that matched no route (a 404 for an unknown path) is counted under this one label,
# so a scanner cannot grow the metrics with a label per path it tries.
UNMATCHED_ROUTE = "<unmatched>"
LATENCY_BUCKETS_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
AWARD_ROUTES = frozenset({("POST", "/v1/events"), ("POST", "/v1/events/batch")})
REDEMPTION_ROUTES = frozenset({("POST", "/v1/redemptions")})
LOCK_WAIT_PROBLEM = PROBLEM_TYPE_BASE + "busy"
MS_PER_SECOND = 1000
SWEEP_PROCESS_IDENTIFIER = "sweep"
SWEEP_LOCK_FILE = "sweep.lock"

access_log = logging.getLogger("pointsbank.access")

REQUESTS = Counter(
    "pointsbank_http_requests", "HTTP requests answered.", ("route", "method", "status")
)
LATENCY = Histogram(
    "pointsbank_http_request_duration_seconds",
    "Time from the first hook to the response, by route.",
    ("route",),
    buckets=LATENCY_BUCKETS_SECONDS,
)
PROBLEMS = Counter(
    "pointsbank_problems", "Problem responses (refusals and errors) by type.", ("type", "status")
)
UNAVAILABLE = Counter("pointsbank_unavailable", "503 answers (database down, busy, unknown).")
LOCK_WAITS = Counter("pointsbank_lock_timeouts", "Requests that timed out waiting for a lock.")
AWARDS = Counter("pointsbank_awards", "Earning events (single or batch) accepted.")
REDEMPTIONS = Counter("pointsbank_redemptions", "Redemptions made.")
SWEEP_RUNS = Counter("pointsbank_sweep_job_runs", "Runs of a sweep job.", ("job",))
SWEEP_HANDLED = Counter("pointsbank_sweep_job_items", "Items a sweep job handled.", ("job",))
# The lag of the sweep is read as time() minus this; the oldest due item of each job is not
# tracked (each job has its own notion of "due" and finding it would cost a query per job).
SWEEP_LAST_RUN = Gauge(
    "pointsbank_sweep_job_last_run_timestamp_seconds",
    "When a sweep job last finished (Unix time).",
    ("job",),
    multiprocess_mode="max",
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        return json.dumps(line, ensure_ascii=False, default=str)


def _start_request():
    g.request_started = time.perf_counter()
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    sane = SANE_REQUEST_ID.fullmatch(offered)
    g.request_id = offered if sane else secrets.token_hex(REQUEST_ID_BYTES)


def _route() -> str:
    return request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE


def _count_problem(response: Response) -> None:
    body = response.get_json(silent=True) or {}
    problem_type = body.get("type", "about:blank")
    PROBLEMS.labels(problem_type, str(response.status_code)).inc()
    if problem_type == LOCK_WAIT_PROBLEM:
        LOCK_WAITS.inc()


def _count(route: str, response: Response, seconds: float) -> None:
    status = response.status_code
    REQUESTS.labels(route, request.method, str(status)).inc()
    LATENCY.labels(route).observe(seconds)
    if response.mimetype == PROBLEM_MEDIA_TYPE:
        _count_problem(response)
    if status == 503:
        UNAVAILABLE.inc()
    if 200 <= status < 300 and (request.method, route) in AWARD_ROUTES:
        AWARDS.inc()
    if 200 <= status < 300 and (request.method, route) in REDEMPTION_ROUTES:
        REDEMPTIONS.inc()


def _finish_request(response: Response) -> Response:
    """Echo the request id, count the answer and write its log line."""
    request_id = g.get("request_id") or secrets.token_hex(REQUEST_ID_BYTES)
    response.headers[REQUEST_ID_HEADER] = request_id
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    route = _route()
    _count(route, response, seconds)
    principal = g.get("principal")
    fields = {
        "request_id": request_id,
        "key_id": principal.key_id if principal else None,
        "role": principal.role if principal else None,
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "latency_ms": round(seconds * MS_PER_SECOND, 1),
    }
    access_log.info("request", extra={"fields": fields})
    return response


class UnsealedEntries:
    """A collector read at scrape time: one COUNT of entries whose current status has no seal."""

    def collect(self):
        sealed = sa.select(JournalSeal.seq).where(
            JournalSeal.entry_id == Entry.id, JournalSeal.status == Entry.status
        )
        query = sa.select(sa.func.count()).select_from(Entry).where(~sa.exists(sealed))
        count = db.session.scalar(query)
        # A scrape only reads: hold no transaction open after it, and end it with COMMIT so the
        # connection keeps its prepared statements (see api/reads.py).
        db.session.commit()
        yield GaugeMetricFamily(
            "pointsbank_unsealed_entries", "Entries not sealed into the journal yet.", value=count
        )


def metrics():
    """Prometheus text: the sum over gunicorn's workers in multiprocess mode, else this process."""
    registry = CollectorRegistry()
    registry.register(UnsealedEntries())
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY) + generate_latest(registry)
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def _count_sweep(results: dict[str, int]) -> None:
    for job, handled in results.items():
        SWEEP_RUNS.labels(job).inc()
        SWEEP_HANDLED.labels(job).inc(handled)
        SWEEP_LAST_RUN.labels(job).set(time.time())


def record_sweep(results: dict[str, int]) -> None:
    """Count one run of each sweep job; /metrics reads them when the sweep shares its directory.

    A sweep is a new process every minute: counted under its pid it would leave a file per run.
    Every sweep counts into the one ``sweep`` file instead, under a lock (two sweeps may overlap),
    and removes the files its pid made at import, which hold only request counters it never used.
    """
    directory = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if not directory:
        _count_sweep(results)
        return
    with open(os.path.join(directory, SWEEP_LOCK_FILE), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        values.ValueClass = values.MultiProcessValue(lambda: SWEEP_PROCESS_IDENTIFIER)
        _count_sweep(results)
    for unused in glob.glob(os.path.join(directory, f"*_{os.getpid()}.db")):
        os.remove(unused)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time, as a test's capture may replace it."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _stream):
        pass


def _configure_access_log() -> None:
    """The access logger writes JSON lines to standard error, once per process."""
    if access_log.handlers:
        return
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False


def init_app(app: Flask) -> None:
    """Register the hooks first, so even a request refused by an earlier hook is logged."""
    _configure_access_log()
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)
    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
    limiter = app.extensions.get("pointsbank.limiter")
    if limiter is not None:
        limiter.exempt(metrics)
