"""Request logs (one JSON line per request, no secrets) and /metrics, also under 4 gunicorn workers."""

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from api.observability import REQUEST_ID_HEADER, REQUEST_ID_MAX_LENGTH, access_log
from ledger.core import apikeys
from tests.conftest import BACKEND
from tests.support.cli import pointsbank
from tests.support.supermarket import fresh_code, redeem, resident, supermarket

# The supermarket's fixtures, used here as its own tests use them.
SUPERMARKET_FIXTURES = (fresh_code, redeem, resident, supermarket)

REPO = Path(__file__).resolve().parents[2]
WORKERS = 4
REQUESTS_SENT = 24
CONCURRENT_REQUESTS = 8
READY_TIMEOUT_SECONDS = 15
POLL_INTERVAL_SECONDS = 0.1
STOP_TIMEOUT_SECONDS = 10
SWEEPS = 2
SWEEP_FILES = ["counter_sweep.db", "gauge_max_sweep.db"]


class Lines(logging.Handler):
    """Keeps every formatted line written to the logger it is attached to."""

    def __init__(self, formatter):
        super().__init__()
        self.setFormatter(formatter)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def access_lines():
    lines = Lines(access_log.handlers[0].formatter)
    access_log.addHandler(lines)
    yield lines.lines
    access_log.removeHandler(lines)


def _sample(text: str, name: str, **labels) -> float:
    """The value of one sample of the exposition ``text`` (0 when it is absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def test_an_offered_request_id_is_echoed_in_the_header_and_the_problem(client):
    """A sane X-Request-Id comes back in the response header and the problem body."""
    response = client.get("/v1/accounts/nothing", headers={REQUEST_ID_HEADER: "till-7:abc.1"})
    assert response.status_code == 401
    assert response.headers[REQUEST_ID_HEADER] == "till-7:abc.1"
    assert response.json["request_id"] == "till-7:abc.1"


@pytest.mark.parametrize("offered", ["a b", "x" * (REQUEST_ID_MAX_LENGTH + 1), "ünï", ""])
def test_an_unfit_request_id_is_replaced_by_a_made_one(client, offered):
    """An id with spaces, non-ASCII, too long or empty is not echoed; the server makes one."""
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: offered})
    made = response.headers[REQUEST_ID_HEADER]
    assert made != offered and made.isalnum()


def _member_with_pin(app, client, make_member, supermarket, pin):
    """A member key (with its id) whose member set ``pin``."""
    member = make_member("qianjiang")
    with app.app_context():
        from api.extensions import db

        key, token = apikeys.create_key(
            db.session, role="member", member_id=member["id"], now=datetime.now(UTC)
        )
        db.session.commit()
        key_id = key.id
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    put = client.put(f"/v1/members/{member['id']}/pin", json={"pin": pin}, headers=headers)
    assert put.status_code < 300, put.json
    return member, key_id, token


def test_log_lines_name_the_key_but_never_a_secret(
    app, client, make_member, supermarket, fresh_code, redeem, grant, access_lines, caplog
):
    """Requests carrying a full key, a PIN and a consent code log the key id and none of those."""
    pin = "2580"
    member, key_id, token = _member_with_pin(app, client, make_member, supermarket, pin)
    grant(supermarket.community, member["points_account"], 100)
    code = fresh_code(member)
    assert redeem(member, lines=[("seeds", 1)], consent={"code": code}).status_code == 201
    assert redeem(member, lines=[("seeds", 1)], consent={"pin": pin}).status_code == 201
    client.get(f"/v1/members/{member['id']}", headers={"Authorization": f"Bearer {token}"})
    written = "\n".join(access_lines + [record.getMessage() for record in caplog.records])
    for secret in (token, token.split(".")[-1], pin, code):
        assert secret not in written
    assert key_id in written
    line = json.loads(access_lines[-1])
    assert line["key_id"] == key_id and line["role"] == "member"
    assert line["route"] == "/v1/members/<member_id>" and line["method"] == "GET"
    assert isinstance(line["latency_ms"], float) and line["status"] == 200


def test_metrics_count_requests_problems_and_redemptions(client, supermarket, resident, redeem):
    """/metrics is plain Prometheus text without a key and counts what happened since last read."""
    before = client.get("/metrics").get_data(as_text=True)
    assert redeem(resident(), lines=[("seeds", 1)]).status_code == 201
    refused = redeem(resident(points=0), lines=[("seeds", 1)])
    client.get("/v1/accounts/nothing")
    after = client.get("/metrics")
    assert after.status_code == 200 and after.mimetype == "text/plain"
    text = after.get_data(as_text=True)

    def grew(name, **labels):
        return _sample(text, name, **labels) - _sample(before, name, **labels)

    assert grew("pointsbank_redemptions_total") == 1
    assert grew("pointsbank_problems_total", type=refused.json["type"], status="422") == 1
    assert grew("pointsbank_problems_total", type="/problems/unauthorized", status="401") == 1
    labels = {"route": "/v1/redemptions", "method": "POST", "status": "201"}
    assert grew("pointsbank_http_requests_total", **labels) == 1
    assert grew("pointsbank_http_request_duration_seconds_count", route="/v1/redemptions") == 2
    assert _sample(text, "pointsbank_unsealed_entries") >= 1


def test_the_sweep_counts_its_job_runs_into_the_metrics_directory(database_url, tmp_path):
    """Two `pointsbank sweep` runs sharing PROMETHEUS_MULTIPROC_DIR count two runs per job into
    the one sweep file, leaving no file per process behind."""
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    try:
        runs = [pointsbank(database_url, "sweep") for _ in range(SWEEPS)]
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    assert sorted(path.name for path in tmp_path.glob("*.db")) == SWEEP_FILES
    swept = runs[-1]
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
    text = generate_latest(registry).decode()
    jobs = [line.split(":")[0] for line in swept.stdout.splitlines() if ":" in line]
    assert jobs
    for job in jobs:
        assert _sample(text, "pointsbank_sweep_job_runs_total", job=job) == SWEEPS
        assert _sample(text, "pointsbank_sweep_job_last_run_timestamp_seconds", job=job) > 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> str:
    request = urllib.request.Request(url, headers={"Connection": "close"})
    with urllib.request.urlopen(request, timeout=READY_TIMEOUT_SECONDS) as response:
        return response.read().decode()


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            _get(url)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(POLL_INTERVAL_SECONDS)
    raise AssertionError(f"{url} not answering within {READY_TIMEOUT_SECONDS} s\n{log.read_text()}")


@pytest.mark.skipif(BACKEND != "sqlite", reason="one run is enough; it makes its own SQLite file")
def test_metrics_under_four_gunicorn_workers_sum_over_them(tmp_path):
    """N requests, several at a time over 4 workers, show as N for their route in any worker's /metrics."""
    database_url = f"sqlite:///{tmp_path}/served.db"
    assert pointsbank(database_url, "db", "upgrade").returncode == 0
    port, log = _free_port(), tmp_path / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "gunicorn", "--config", "python:api.gunicorn_conf"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "wsgi:app"]
    base = f"http://127.0.0.1:{port}"
    with (
        open(log, "w") as output,
        subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=output) as server,
    ):
        try:
            _wait_until_serving(f"{base}/healthz", server, log)
            with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
                list(pool.map(_get, [f"{base}/healthz"] * (REQUESTS_SENT - 1)))
            text = _get(f"{base}/metrics")
        finally:
            server.terminate()
            server.wait(timeout=STOP_TIMEOUT_SECONDS)
    labels = {"route": "/healthz", "method": "GET", "status": "200"}
    assert _sample(text, "pointsbank_http_requests_total", **labels) == REQUESTS_SENT
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert (
        len({line["request_id"] for line in lines if line["route"] == "/healthz"}) == REQUESTS_SENT
    )
