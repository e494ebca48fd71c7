"""gunicorn's settings for pointsbank: ``gunicorn -c python:api.gunicorn_conf wsgi:app``.

`pointsbank serve` uses this file; its ``--bind`` and ``--workers`` override the values here. Each
value can be set from the environment (POINTSBANK_BIND, POINTSBANK_WORKERS, ...) so that a systemd
unit or a container changes them without editing code.
"""

import os

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_WORKERS = 2
# A request that takes longer than this is stuck (the longest lock wait is 10 s): the worker is
# killed and replaced.
DEFAULT_TIMEOUT_SECONDS = 30
DEFAULT_GRACEFUL_TIMEOUT_SECONDS = 30
# Behind nginx a kept-alive connection is cheap; a short wait frees a sync worker soon.
DEFAULT_KEEPALIVE_SECONDS = 5

bind = os.environ.get("POINTSBANK_BIND", DEFAULT_BIND)
# Sync workers: each request holds one database connection and one transaction, start to end.
worker_class = "sync"
workers = int(os.environ.get("POINTSBANK_WORKERS", DEFAULT_WORKERS))
timeout = int(os.environ.get("POINTSBANK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
graceful_timeout = int(
    os.environ.get("POINTSBANK_GRACEFUL_TIMEOUT_SECONDS", DEFAULT_GRACEFUL_TIMEOUT_SECONDS)
)
keepalive = int(os.environ.get("POINTSBANK_KEEPALIVE_SECONDS", DEFAULT_KEEPALIVE_SECONDS))
# gunicorn 27 otherwise opens a control socket in $HOME (or $XDG_RUNTIME_DIR), which a service
# user often cannot write and which nothing here uses.
control_socket_disable = True
accesslog = "-"
