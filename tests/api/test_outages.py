"""A database restart under write load: honest 503s, no 500, no write lost or made twice.

The test makes its own PostgreSQL cluster (its own data directory, port and socket folder) and
restarts that one with ``pg_ctl restart -m immediate``; the shared server is never touched.
"""

import json
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.postgres

PG_BIN = Path("/usr/lib/postgresql/15/bin")
WRITER_THREADS = 4
LOAD_BEFORE_RESTART_SECONDS = 1.5
LOAD_AFTER_RESTART_SECONDS = 2.5
RETRY_ROUNDS = 20
REQUEST_TIMEOUT_SECONDS = 15
# Requests sent one after another once the cluster is back from an idle restart: more than the
# pool keeps, so every pooled connection that died with the restart is met.
REQUESTS_AFTER_IDLE_RESTART = 8
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: dict
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self):
        return json.loads(self.body)


def call(method: str, url: str, *, headers: dict, body=None, timeout=REQUEST_TIMEOUT_SECONDS):
    """One HTTP request with the standard library; an error status is an Answer too."""
    data = None if body is None else json.dumps(body).encode()
    sent = {**headers, **({"Content-Type": "application/json"} if data else {})}
    request = urllib.request.Request(url, data=data, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateCluster:
    """A throwaway PostgreSQL 15 cluster run as the ``postgres`` OS user when we are root."""

    def __init__(self, folder: Path):
        self.data = folder / "data"
        self.sockets = folder / "sockets"
        self.log = folder / "postgres.log"
        self.port = _free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_owner, *command], check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        self._run("mkdir", str(self.sockets))
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def _pg_ctl(self, action: str, *options: str) -> None:
        # fsync=off: only processes are killed here, never the machine; the WAL written before
        # each acknowledged COMMIT stays in the page cache for crash recovery to replay.
        settings = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
            "-o", settings, action, *options,
        )  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")

    def restart_immediately(self) -> None:
        self._pg_ctl("restart", "-m", "immediate")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "immediate")


@pytest.fixture
def cluster():
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 binaries not installed")
    folder = Path(tempfile.mkdtemp(prefix="pointsbank-outage-"))
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: initdb cannot run")
        shutil.chown(folder, user="postgres")
    found = PrivateCluster(folder)
    try:
        found.create()
        found.start()
    except (subprocess.SubprocessError, OSError, LookupError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"cannot run a private PostgreSQL cluster: {exc}")
    yield found
    try:
        found.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def served(cluster, test_clock):
    """The app against the private cluster, migrated, behind a threaded HTTP server."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from api.app import MIGRATIONS_DIR, create_app
    from api.extensions import db

    app = create_app(
        {
            "SECRET_KEY": "outage-test",
            "SQLALCHEMY_DATABASE_URI": cluster.url,
            "CLOCK": test_clock,
            "RATELIMIT_ENABLED": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        db.session.remove()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def _set_up_ledger(app, base: str):
    """An admin key, a community and a member: (headers, issuance account, member account)."""
    from api.extensions import db
    from ledger.core import apikeys

    with app.app_context():
        _, token = apikeys.create_key(db.session, role="admin", now=datetime.now(UTC))
        db.session.commit()
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    community = call(
        "POST",
        f"{base}/v1/communities",
        body={"slug": "qianjiang", "name": "潜江"},
        headers=headers,
    ).json()
    member = call(
        "POST",
        f"{base}/v1/communities/qianjiang/members",
        body={"external_ref": "ref-1", "display_name": "居民"},
        headers=headers,
    ).json()
    issuance = next(
        a["id"] for a in community["accounts"] if (a["kind"], a["unit"]) == ("issuance", "points")
    )
    points = next(a["id"] for a in member["accounts"] if a["unit"] == "points")
    return headers, issuance, points


class Load:
    """Writers that each send adjustments with fresh Idempotency-Keys until told to stop."""

    def __init__(self, base: str, headers: dict, source: str, target: str):
        self.base, self.headers, self.source, self.target = base, headers, source, target
        self.answers: list[tuple[str, Answer | None]] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()

    def send(self, key: str) -> Answer | None:
        posting = {"from": self.source, "to": self.target, "unit": "points", "amount": 1}
        try:
            return call(
                "POST",
                f"{self.base}/v1/adjustments",
                body={"postings": [posting], "reason": f"outage {key}"},
                headers={**self.headers, "Idempotency-Key": key},
            )
        except OSError:
            return None  # no answer at all: the outcome is unknown, as with a 503

    def _write_until_stopped(self) -> None:
        while not self.stop.is_set():
            key = uuid.uuid4().hex
            answer = self.send(key)
            with self._lock:
                self.answers.append((key, answer))

    def run(self, during) -> None:
        writers = [
            threading.Thread(target=self._write_until_stopped) for _ in range(WRITER_THREADS)
        ]
        for writer in writers:
            writer.start()
        try:
            during()
        finally:
            self.stop.set()
            for writer in writers:
                writer.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)


def _retry_until_answered(load: Load, keys: list[str]) -> dict[str, Answer]:
    """Each failed write sent again with its own key until it is answered 2xx."""
    answered, waiting = {}, list(keys)
    for _ in range(RETRY_ROUNDS):
        for key in list(waiting):
            answer = load.send(key)
            if answer is not None and answer.ok:
                answered[key] = answer
                waiting.remove(key)
        if not waiting:
            break
        time.sleep(0.5)
    assert not waiting, f"{len(waiting)} writes never succeeded on retry"
    return answered


def _entries_by_key(url: str) -> Counter:
    from ledger.core.models import Entry

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            memos = conn.execute(sa.select(Entry.memo).where(Entry.kind == "adjustment")).scalars()
            return Counter(m.removeprefix("outage ") for m in memos if m.startswith("outage "))
    finally:
        engine.dispose()


def _breaches(url: str) -> list:
    from sqlalchemy.orm import Session

    from ledger.audit.verify import verify

    engine = sa.create_engine(url)
    try:
        with Session(engine) as session:
            return verify(session)
    finally:
        engine.dispose()


def _is_honest_failure(answer: Answer | None) -> bool:
    if answer is None:
        return True
    return (
        answer.status_code == 503
        and answer.headers.get("Content-Type", "").startswith(PROBLEM)
        and int(answer.headers["Retry-After"]) > 0
    )


def test_a_restart_under_write_load_loses_and_doubles_nothing(cluster, served):
    """Restarting PostgreSQL mid-load: no 500, honest 503s, every write kept exactly once."""
    app, base = served
    headers, issuance, points = _set_up_ledger(app, base)
    load = Load(base, headers, issuance, points)

    def restart_mid_load():
        time.sleep(LOAD_BEFORE_RESTART_SECONDS)
        cluster.restart_immediately()
        time.sleep(LOAD_AFTER_RESTART_SECONDS)

    load.run(restart_mid_load)
    statuses = Counter(a.status_code if a is not None else "no answer" for _, a in load.answers)
    print(f"\nanswers under restart: {dict(statuses)}")
    assert statuses[500] == 0
    failed = [key for key, answer in load.answers if answer is None or not answer.ok]
    assert all(_is_honest_failure(a) for _, a in load.answers if a is None or not a.ok)
    kinds = Counter(a.json()["type"] for _, a in load.answers if a is not None and not a.ok)
    print(f"503 problem types: {dict(kinds)}")
    assert set(kinds) <= {"/problems/database-unavailable", "/problems/write-outcome-unknown"}
    retried = _retry_until_answered(load, failed)
    replayed = sum(1 for a in retried.values() if a.headers.get("Idempotent-Replayed") == "true")
    print(f"failed writes retried: {len(failed)}, of which already kept (replayed): {replayed}")
    kept = _entries_by_key(cluster.url)
    assert set(kept) == {key for key, _ in load.answers}
    assert set(kept.values()) == {1}
    assert _breaches(cluster.url) == []


def test_the_first_requests_after_a_restart_do_not_fail(cluster, served):
    """Pooled connections that died with an idle restart are replaced, not handed to requests."""
    app, base = served
    headers, issuance, points = _set_up_ledger(app, base)
    load = Load(base, headers, issuance, points)
    load.run(lambda: time.sleep(0.5))  # fill the pool with connections that will go stale
    cluster.restart_immediately()
    # Reads outside a transaction (a balance) and in one (the communities), each checking its
    # pooled connection at checkout its own way; the first to find one dead renews the pool.
    paths = [f"{base}/v1/accounts/{points}", f"{base}/v1/communities"]
    statuses = [
        call("GET", paths[i % len(paths)], headers=headers).status_code
        for i in range(REQUESTS_AFTER_IDLE_RESTART)
    ]
    assert statuses == [200] * REQUESTS_AFTER_IDLE_RESTART
