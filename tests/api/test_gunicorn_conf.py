"""The gunicorn configuration: its request limits hold before the app sees a request."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.gunicorn_conf import REQUEST_FIELDS_MAX, REQUEST_LINE_MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _status_of(port: int, raw: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(raw)
        return int(conn.recv(64).split()[1])


@pytest.fixture
def served(tmp_path):
    """gunicorn started with ``-c python:api.gunicorn_conf`` on a free port, one worker."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path}/pointsbank.db",
        "POINTSBANK_SECRET_KEY": "gunicorn-conf-test",
        "POINTSBANK_BIND": f"127.0.0.1:{port}",
        "POINTSBANK_WORKERS": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:api.gunicorn_conf", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if _status_of(port, b"GET /openapi.json HTTP/1.0\r\n\r\n") == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("gunicorn did not start")
    yield port
    server.terminate()
    server.wait(timeout=10)


def test_limits_refuse_oversized_request_lines_and_header_lists(served):
    """A request line past the limit is 414, too many header fields 431, a normal call 200."""
    long_path = b"/v1/communities?q=" + b"x" * REQUEST_LINE_MAX_BYTES
    many_fields = b"".join(b"X-F%d: y\r\n" % n for n in range(REQUEST_FIELDS_MAX + 1))
    assert _status_of(served, b"GET " + long_path + b" HTTP/1.0\r\n\r\n") == 414
    assert _status_of(served, b"GET /openapi.json HTTP/1.0\r\n" + many_fields + b"\r\n") == 431
    assert _status_of(served, b"GET /openapi.json HTTP/1.0\r\nHost: x\r\n\r\n") == 200


def test_the_worker_class_and_threads_come_from_the_environment(monkeypatch):
    """Sync workers of one thread unless POINTSBANK_WORKER_CLASS / POINTSBANK_THREADS say else."""
    import importlib

    from api import gunicorn_conf

    monkeypatch.delenv("POINTSBANK_WORKER_CLASS", raising=False)
    monkeypatch.delenv("POINTSBANK_THREADS", raising=False)
    defaults = importlib.reload(gunicorn_conf)
    assert (defaults.worker_class, defaults.threads) == ("sync", 1)
    monkeypatch.setenv("POINTSBANK_WORKER_CLASS", "gthread")
    monkeypatch.setenv("POINTSBANK_THREADS", "4")
    configured = importlib.reload(gunicorn_conf)
    assert (configured.worker_class, configured.threads) == ("gthread", 4)
    monkeypatch.undo()
    importlib.reload(gunicorn_conf)
