"""Keyset pagination: pages ordered by a unique key, with an opaque cursor; never offsets.

A cursor is the last key of the previous page, JSON in URL-safe base64. It is opaque to callers,
and decoding refuses anything this service could not have issued (wrong shape, text the database
could not store) with an ``Invalid`` error rather than a database error.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from . import errors
from .clock import as_utc

MAX_PAGE_LIMIT = 200
DEFAULT_PAGE_LIMIT = 50


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def encode_cursor(*key) -> str:
    raw = json.dumps([k.isoformat() if isinstance(k, datetime) else k for k in key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *kinds) -> tuple:
    """Parse an opaque cursor back into its key; ``kinds`` gives each part's type."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(parts, list) or len(parts) != len(kinds):
            raise ValueError
        for part in parts:
            # Text the database could not store cannot be a key it issued.
            if isinstance(part, str) and ("\x00" in part or not part.isprintable()):
                raise ValueError
            if isinstance(part, str):
                part.encode("utf-8")
        return tuple(
            as_utc(datetime.fromisoformat(p)) if kind is datetime else kind(p)
            for p, kind in zip(parts, kinds, strict=True)
        )
    except (ValueError, TypeError, UnicodeError) as exc:
        raise errors.Invalid("the cursor is not one this service issued", cursor=cursor) from exc


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise errors.Invalid("limit is out of range", limit=limit, max_limit=MAX_PAGE_LIMIT)
    return limit


def keyset_page(
    session: Session, query, key, *, limit: int, cursor: str | None = None, newest_first=False
) -> Page:
    """One page of the ORM ``query``, ordered by the unique string column ``key``.

    ``newest_first`` walks the key downwards (ids are time-ordered, so newest first).
    """
    check_limit(limit)
    if cursor:
        (after,) = decode_cursor(cursor, str)
        query = query.where(key < after if newest_first else key > after)
    query = query.order_by(key.desc() if newest_first else key).limit(limit + 1)
    rows = session.scalars(query).all()
    page = rows[:limit]
    more = len(rows) > limit
    return Page(list(page), encode_cursor(getattr(page[-1], key.key)) if more else None)
