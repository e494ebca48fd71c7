"""gunicorn settings for ``pointsbank serve`` (``gunicorn -c python:api.gunicorn_conf 'wsgi:app'``).

`pointsbank serve`'s ``--bind`` and ``--workers`` override the values here; bind, workers, the
worker class, threads and the timeouts can also be set from the environment (POINTSBANK_BIND,
POINTSBANK_WORKERS, POINTSBANK_WORKER_CLASS, POINTSBANK_THREADS, POINTSBANK_TIMEOUT_SECONDS, ...)
so that a systemd unit changes them without editing code, and any value on gunicorn's command
line or through GUNICORN_CMD_ARGS. The request
limits are gunicorn's own: a request past them is refused by gunicorn before the app sees it
(414 for a request line over the limit, 431 for too many or too large header fields), and
gunicorn writes that refusal as a short HTML page, not problem+json. They are set tight enough that no
call this API documents comes near them, so only malformed or hostile requests meet that page.
"""

import glob
import multiprocessing
import os
import shutil
import tempfile

from api.config import SQLITE_BUSY_TIMEOUT_SECONDS
from api.dbstate import LOCK_TIMEOUT_MS

# The longest request line the API needs is a statement page: a path with two ids, a cursor
# (~100 characters) and two timestamps, well under 1 KiB. 2 KiB leaves room; gunicorn's own
# default is 4094.
REQUEST_LINE_MAX_BYTES = 2048
# A client sends a handful of fields (Host, Authorization, Content-Type, Content-Length,
# Idempotency-Key, X-Request-Id, Accept, User-Agent, and what a proxy adds); gunicorn allows 100.
REQUEST_FIELDS_MAX = 32
# The largest field is Authorization (a key id and 43 characters of secret) or a proxy's
# forwarding list; 4 KiB covers both. gunicorn's default is 8190.
REQUEST_FIELD_MAX_BYTES = 4096
# Sync workers each serve one request at a time and hold at most one database connection; the
# usual 2 x cores + 1, capped so several hosts do not exhaust PostgreSQL's max_connections.
MAX_DEFAULT_WORKERS = 9
# A request may wait up to the SQLite busy timeout (30 s) or the PostgreSQL lock timeout (10 s)
# for a lock and then answer 503; a worker is killed only well after that.
REQUEST_TIMEOUT_SECONDS = max(SQLITE_BUSY_TIMEOUT_SECONDS, LOCK_TIMEOUT_MS // 1000) + 15
# On SIGTERM (systemd stop, deploy) a worker finishes the request in hand: one request timeout.
GRACEFUL_TIMEOUT_SECONDS = REQUEST_TIMEOUT_SECONDS
# Behind nginx, which keeps client connections itself; a short keep-alive to the proxy.
KEEPALIVE_SECONDS = 5
DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_WORKERS = min(2 * multiprocessing.cpu_count() + 1, MAX_DEFAULT_WORKERS)
DEFAULT_TIMEOUT_SECONDS = REQUEST_TIMEOUT_SECONDS
DEFAULT_WORKER_CLASS = "sync"
DEFAULT_THREADS = 1

bind = os.environ.get("POINTSBANK_BIND", DEFAULT_BIND)
worker_class = os.environ.get("POINTSBANK_WORKER_CLASS", DEFAULT_WORKER_CLASS)
threads = int(os.environ.get("POINTSBANK_THREADS", DEFAULT_THREADS))
workers = int(os.environ.get("POINTSBANK_WORKERS", DEFAULT_WORKERS))
timeout = int(os.environ.get("POINTSBANK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
graceful_timeout = int(
    os.environ.get("POINTSBANK_GRACEFUL_TIMEOUT_SECONDS", GRACEFUL_TIMEOUT_SECONDS)
)
keepalive = int(os.environ.get("POINTSBANK_KEEPALIVE_SECONDS", KEEPALIVE_SECONDS))
limit_request_line = REQUEST_LINE_MAX_BYTES
limit_request_fields = REQUEST_FIELDS_MAX
limit_request_field_size = REQUEST_FIELD_MAX_BYTES
# gunicorn 27 would otherwise open a control socket in $HOME, which a service user may not have.
control_socket_disable = True
# No gunicorn access log: the app writes one JSON line per request (api/observability.py) with
# the request id, key id and route that gunicorn's line cannot know; two lines would only repeat.
accesslog = None

# Workers count into files in this directory, so that /metrics sums them all.
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
METRICS_DIR_PREFIX = "pointsbank-metrics-"
# The directory on_starting made, which on_exit removes; a configured one is left in place.
_made_metrics_dirs: list[str] = []


def on_starting(_server):
    """Before the workers fork: a fresh metrics directory when none is set; an existing one is
    emptied of the last run's files, whose dead workers would otherwise be counted again."""
    directory = os.environ.get(METRICS_DIR_VARIABLE)
    if not directory:
        os.environ[METRICS_DIR_VARIABLE] = tempfile.mkdtemp(prefix=METRICS_DIR_PREFIX)
        _made_metrics_dirs.append(os.environ[METRICS_DIR_VARIABLE])
        return
    os.makedirs(directory, exist_ok=True)
    for stale in glob.glob(os.path.join(directory, "*.db")):
        os.remove(stale)


def child_exit(_server, worker):
    """A worker that ended leaves its counters to the sum; its live gauges go with it."""
    # Imported here, not above: prometheus_client picks its multiprocess storage when first
    # imported, and the master must not import it before on_starting has set the directory.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(_server):
    for directory in _made_metrics_dirs:
        shutil.rmtree(directory, ignore_errors=True)
