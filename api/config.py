"""The service's default configuration; the environment (POINTSBANK_*) and ``create_app``'s
argument override it."""

import copy
import os
from importlib import resources
from pathlib import Path

from api.dbstate import LOCK_TIMEOUT_MS
from ledger.core.engine import SQLITE_BUSY_TIMEOUT_SECONDS as SQLITE_BUSY_TIMEOUT_SECONDS

MAX_BODY_BYTES = 64 * 1024
# No request body of this API nests deeper than a few levels; the bound keeps the JSON parser's
# recursion far from Python's own limit (a RecursionError would otherwise be a 500).
MAX_JSON_DEPTH = 32
DEFAULT_RATE_LIMIT = "1200 per minute"
# The Alembic scripts ship as the `migrations` package (with its ini and mako as package data), so
# an installed copy finds them beside its own code, wherever it was installed.
MIGRATIONS_DIR = str(resources.files("migrations"))
INSTANCE_PATH_VARIABLE = "POINTSBANK_INSTANCE_PATH"
INSTANCE_FOLDER_NAME = "pointsbank"
CHECKOUT_ROOT = Path(__file__).resolve().parent.parent

DOCS_ASSETS_URL = "/docs/assets/"

API_SPEC_OPTIONS = {
    "info": {"description": "A double-entry points and time-bank ledger."},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
}


def _running_from_checkout() -> bool:
    """True in a source tree (an editable install included): its pyproject.toml is beside api/.

    Anything else (a wheel in a virtualenv, ``pip install --user``, ``--target``) is installed.
    """
    return (CHECKOUT_ROOT / "pyproject.toml").is_file()


def instance_path() -> str:
    """Where the SQLite database, the server secret and demo.env live.

    POINTSBANK_INSTANCE_PATH when set; from a checkout (an editable install included) its
    ``instance/`` folder, as before; from an installed wheel ``$XDG_DATA_HOME/pointsbank``
    (``~/.local/share/pointsbank``), since Flask's own ``<prefix>/var/api-instance`` would put
    the data inside the virtualenv, which is rebuilt on every upgrade.
    """
    configured = os.environ.get(INSTANCE_PATH_VARIABLE)
    if configured:
        return os.path.abspath(configured)
    if _running_from_checkout():
        return str(CHECKOUT_ROOT / "instance")
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return os.path.join(data_home, INSTANCE_FOLDER_NAME)


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + os.path.join(instance_path, "pointsbank.db")


def defaults(instance_path: str) -> dict:
    """The configuration before the environment and the caller's overrides."""
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or default_database_url(instance_path),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "API_TITLE": "pointsbank",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Swagger UI at /docs, its files served by the app itself (api.extensions).
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": DOCS_ASSETS_URL,
        # A copy: the spec builder may fill in the dict it is given.
        "API_SPEC_OPTIONS": copy.deepcopy(API_SPEC_OPTIONS),
        "RATELIMIT_DEFAULT": DEFAULT_RATE_LIMIT,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Flask-Limiter's own fields are the old X-RateLimit-* and put Retry-After on every
        # answer; api.extensions writes the IETF RateLimit fields instead.
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOCK_TIMEOUT_MS": LOCK_TIMEOUT_MS,
    }
