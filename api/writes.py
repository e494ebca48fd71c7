"""The transaction boundary of every write, with Idempotency-Key support.

A write view runs inside ``@write``: the view loads, calls one ledger function and dumps; this
decorator commits once, or rolls back on any error. With an ``Idempotency-Key`` header the key is
claimed by the first statement of the same transaction and the response is stored before the
commit, so a stored response always matches a committed write and vice versa:
- the same key and body again: the stored response is replayed (``Idempotent-Replayed: true``);
- the same key with another body: 422;
- a retry while the first is still in flight waits for it (the unique index holds it back) and
  then replays; if it cannot get the key within the lock timeout (``LOCK_TIMEOUT_MS``) it gets 409.
Keys are scoped to the API key that sent them.

A connection lost before COMMIT was sent takes the transaction with it (503, nothing written);
one lost during COMMIT leaves the outcome unknown (503 ``write-outcome-unknown``): the same
Idempotency-Key then either replays the kept write or makes it for the first time.
"""

import hashlib
import hmac
import logging
import re
from functools import wraps

import sqlalchemy as sa
from flask import Response, abort, current_app, make_response, request
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError

from api.auth import principal
from api.clock import now
from api.dbstate import is_connection_lost, is_lock_timeout
from api.extensions import db
from api.openapi import WRITE_MARK
from api.problems import WriteOutcomeUnknown, problem
from ledger.core.models import IDEMPOTENCY_KEY_MAX_LENGTH, IdempotencyKey

_KEY_PATTERN = re.compile(rf"^[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}$")
_table = IdempotencyKey.__table__
log = logging.getLogger(__name__)


def _fingerprint() -> str:
    """HMAC of the request under the server secret: bodies may hold a PIN, and a plain hash of a
    short PIN could be reversed by anyone able to read the stored keys."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), digestmod=hashlib.sha256)
    digest.update(f"{request.method} {request.path}?{request.query_string.decode()}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _stored(key_id: str, key: str):
    return db.session.execute(
        sa.select(_table).where(_table.c.api_key_id == key_id, _table.c.key == key)
    ).first()


def _replay(row, fingerprint: str) -> Response:
    if row.request_sha256 != fingerprint:
        return problem(
            422,
            "idempotency-key-reused",
            "This Idempotency-Key was used with a different request.",
            idempotency_key=row.key,
        )
    # Stored answers are JSON; a stored refusal (a 4xx) was a problem document.
    mimetype = "application/problem+json" if row.status_code >= 400 else "application/json"
    response = Response(row.response_body, status=row.status_code, mimetype=mimetype)
    response.headers["Idempotent-Replayed"] = "true"
    return response


# Built once: constructing an INSERT per request costs more Python than its round trip.
_CLAIMED_COLUMNS = ("api_key_id", "key", "request_sha256", "created_at")


def _claim_statement(insert) -> sa.Insert:
    row: dict[str, sa.BindParameter] = {c: sa.bindparam(c) for c in _CLAIMED_COLUMNS}
    return insert(_table).values(**row).on_conflict_do_nothing().returning(_table.c.key)


_CLAIM = {
    "postgresql": _claim_statement(postgresql.insert),
    "sqlite": _claim_statement(sqlite.insert),
}
_STORE = (
    _table.update()
    .where(
        _table.c.api_key_id == sa.bindparam("claimed_by"), _table.c.key == sa.bindparam("claimed")
    )
    .values(status_code=sa.bindparam("stored_status"), response_body=sa.bindparam("stored_body"))
)


def _claim(key_id: str, key: str, fingerprint: str):
    """Insert the key row first; returns a stored row to replay instead, if there is one.

    ON CONFLICT DO NOTHING needs no savepoint: on PostgreSQL it waits for an in-flight
    transaction holding the same key (up to the connection's lock timeout) and then does nothing
    if that one committed.
    """
    session = db.session
    statement = _CLAIM[session.get_bind().dialect.name]
    row = {"api_key_id": key_id, "key": key, "request_sha256": fingerprint, "created_at": now()}
    try:
        inserted = session.execute(statement, row).first() is not None
    except OperationalError as exc:
        if is_lock_timeout(exc):
            abort(409, "a request with this Idempotency-Key is still in flight")
        raise
    return None if inserted else _stored(key_id, key)


def _commit(session) -> None:
    """Flush, then COMMIT. Until COMMIT is sent a lost connection means nothing was written; a
    connection lost while COMMIT is in flight leaves the outcome unknown, and is said so."""
    session.flush()
    try:
        session.commit()
    except DBAPIError as exc:
        if is_connection_lost(exc):
            raise WriteOutcomeUnknown() from exc
        raise


def _roll_back(session) -> None:
    """Roll back; on a connection that is already gone there is nothing left to roll back, and
    the error that broke it, not this one, is what the caller is told."""
    try:
        session.rollback()
    except DBAPIError as exc:
        if not is_connection_lost(exc):
            raise
        log.warning("rollback on a lost connection: %s", exc)


def write(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        session = db.session
        try:
            if key is None:
                response = make_response(view(*args, **kwargs))
                _commit(session)
                return response
            if not _KEY_PATTERN.match(key):
                abort(
                    400,
                    f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} "
                    "printable ASCII characters",
                )
            who = principal()
            fingerprint = _fingerprint()
            existing = _claim(who.key_id, key, fingerprint)
            if existing is not None:
                # Nothing was written: COMMIT ends the transaction as ROLLBACK would, and keeps
                # the connection's prepared statements, which psycopg forgets at a rollback.
                session.commit()
                return _replay(existing, fingerprint)
            response = make_response(view(*args, **kwargs))
            stored = {
                "claimed_by": who.key_id,
                "claimed": key,
                "stored_status": response.status_code,
                "stored_body": response.get_data(as_text=True),
            }
            session.execute(_STORE, stored)
            _commit(session)
            return response
        except BaseException:
            _roll_back(session)
            raise

    setattr(wrapper, WRITE_MARK, True)  # /openapi.json lists its body errors and Idempotency-Key
    return wrapper
