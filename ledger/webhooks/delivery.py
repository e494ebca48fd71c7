"""Delivery: every subscribed event POSTed, signed, at least once, in order per resource.

Steps, each safe to run in several workers at once:
1. fan out: a subscription's new events (after its cursor, of its types, within what its key
   could read through the API, and final: below the outbox's horizon) become pending delivery
   rows in the feed's order; the subscription row is claimed with FOR UPDATE SKIP LOCKED, so
   two workers never fan out the same events;
2. claim one due delivery with FOR UPDATE SKIP LOCKED whose resource has no earlier pending
   delivery: the earlier one (held by another worker or waiting to retry) goes first;
3. render the body (the web edge's job: the resource as GET shows it now), sign, POST with a
   timeout, and record the outcome before the lock is let go.
A failed attempt is retried after an exponential backoff with jitter; after
``MAX_RETRY_SPAN`` it is marked failed. A subscription failing for ``PAUSE_AFTER`` is paused
with its last error, which its owner sees on it. On SQLite one writer at a time does all this.
"""

import random
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from . import outbox, signing
from .errors import UrlNotAllowed
from .models import ERROR_MAX_LENGTH, WebhookDelivery, WebhookEvent, WebhookSubscription
from .subscriptions import check_url, reach_of_key

REQUEST_TIMEOUT_SECONDS = 10
FIRST_RETRY_SECONDS = 30
MAX_RETRY_DELAY = timedelta(hours=6)
MAX_RETRY_SPAN = timedelta(days=1)  # then the delivery is marked failed
PAUSE_AFTER = timedelta(days=1)  # a subscription failing this long is paused
FANOUT_CHUNK = 500
CLAIM_BATCH = 20  # deliveries one worker holds at once (one transaction, sent one by one)
MAX_DELIVERIES_PER_RUN = 10_000  # bounds one run; the next takes the rest
USER_AGENT = "pointsbank-webhooks/1"


@dataclass(frozen=True)
class Edge:
    """What delivery needs from the web edge: the body of an event as the API shows it, the
    server key that unseals secrets, and whether private targets are allowed."""

    render: Callable[[Session, WebhookEvent], bytes]
    server_key: Callable[[], str]
    allow_private: Callable[[], bool]


@dataclass(frozen=True)
class Attempt:
    """What a POST came to: ``error`` is None for a 2xx answer."""

    error: str | None


Sender = Callable[[str, dict[str, str], bytes], Attempt]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead past the address check to an internal host: it counts as a failure.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, headers: dict[str, str], body: bytes) -> Attempt:
    """POST ``body``; any answer but 2xx, and any network error or timeout, is a failure."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as answer:
            return Attempt(None if 200 <= answer.status < 300 else f"HTTP {answer.status}")
    except urllib.error.HTTPError as error:
        return Attempt(f"HTTP {error.code}")
    except (OSError, ValueError) as error:
        return Attempt(f"{type(error).__name__}: {error}")


def retry_delay(attempts: int, jitter: Callable[[], float] = random.random) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from FIRST_RETRY_SECONDS, plus up to
    half again of jitter (so retries of many deliveries spread out, and every gap still grows)."""
    base = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), MAX_RETRY_DELAY.total_seconds())
    return timedelta(seconds=base * (1 + jitter() / 2))


# 1. Fan-out -------------------------------------------------------------------------------------
def _new_events(
    session: Session, subscription: WebhookSubscription, scope, upto: outbox.Position
) -> Sequence[sa.Row[Any]]:
    """The next chunk of the subscription's events after its cursor, up to ``upto``."""
    query = outbox.in_reach(
        sa.select(
            WebhookEvent.xid, WebhookEvent.seq, WebhookEvent.resource_type, WebhookEvent.resource_id
        ).where(WebhookEvent.type.in_(subscription.event_types)),
        scope,
    )
    after = (subscription.cursor_xid, subscription.cursor_seq)
    return session.execute(outbox.served(query, after=after, upto=upto).limit(FANOUT_CHUNK)).all()


def fan_out(session: Session, now: datetime) -> int:
    """Turn every active subscription's new events into pending deliveries; returns how many.

    A subscription receives what its key could read through the API now (``reach_of_key``),
    and only final events (below the horizon), so one that commits late is not passed over."""
    made = 0
    subscriptions = session.scalars(
        sa.select(WebhookSubscription)
        .where(WebhookSubscription.state == "active")
        .order_by(WebhookSubscription.id)
        .with_for_update(skip_locked=True)
    ).all()
    for subscription in subscriptions:
        scope = reach_of_key(session, subscription.api_key_id, now)
        latest = outbox.latest_position(session)
        while (subscription.cursor_xid, subscription.cursor_seq) < latest:
            rows = _new_events(session, subscription, scope, latest)
            if rows:
                session.execute(
                    sa.insert(WebhookDelivery).values(
                        [_pending(subscription.id, row, now) for row in rows]
                    )
                )
                made += len(rows)
            # Events of other types, or out of the key's reach, are passed over too.
            last = rows[-1] if len(rows) == FANOUT_CHUNK else None
            subscription.cursor_xid, subscription.cursor_seq = (
                (last.xid, last.seq) if last is not None else latest
            )
        session.flush()
    session.commit()
    return made


def _pending(subscription_id: str, event, now: datetime) -> dict:
    return {
        "subscription_id": subscription_id,
        "event_seq": event.seq,
        "resource_key": f"{event.resource_type}:{event.resource_id}",
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
    }


# 2. Claim ---------------------------------------------------------------------------------------
def _claim(
    session: Session, now: datetime, *, limit: int, subscription_id: str | None = None
) -> Sequence[WebhookDelivery]:
    """Lock up to ``limit`` due deliveries whose resources have nothing earlier still pending
    for their subscription (skipping rows other workers hold): at most one per resource.
    "Earlier" is the delivery's id: fan-out makes them in the feed's order."""
    earlier = aliased(WebhookDelivery)
    blocked = (
        sa.select(earlier.id)
        .where(
            earlier.subscription_id == WebhookDelivery.subscription_id,
            earlier.resource_key == WebhookDelivery.resource_key,
            earlier.status == "pending",
            earlier.id < WebhookDelivery.id,
        )
        .exists()
    )
    active = (
        sa.select(WebhookSubscription.id)
        .where(
            WebhookSubscription.id == WebhookDelivery.subscription_id,
            WebhookSubscription.state == "active",
        )
        .exists()
    )
    query = sa.select(WebhookDelivery)
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    return session.scalars(
        query.where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            active,
            ~blocked,
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    ).all()


# 3. Send and record -----------------------------------------------------------------------------
def _headers(secret: str, event_id: str, body: bytes, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.sign(secret, event_id, timestamp, body),
    }


def _attempt(
    session: Session,
    subscription: WebhookSubscription,
    delivery: WebhookDelivery,
    edge: Edge,
    send: Sender,
    now: datetime,
) -> Attempt:
    event = session.scalars(
        sa.select(WebhookEvent).where(WebhookEvent.seq == delivery.event_seq)
    ).one()
    try:
        check_url(subscription.url, allow_private=edge.allow_private())
    except UrlNotAllowed as refused:  # refused now (its DNS changed?): an attempt that failed
        return Attempt(refused.detail)
    body = edge.render(session, event)
    secret = signing.unseal(edge.server_key(), subscription.id, subscription.secret_sealed)
    return send(subscription.url, _headers(secret, event.id, body, now), body)


def _record_outcome(delivery: WebhookDelivery, attempt: Attempt, now: datetime) -> None:
    """Mark the delivery done, or schedule its retry (failed after MAX_RETRY_SPAN)."""
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or now
    if attempt.error is None:
        delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
        return
    delivery.last_error = attempt.error[:ERROR_MAX_LENGTH]
    if now - delivery.first_attempt_at >= MAX_RETRY_SPAN:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)


def _note_health(subscription: WebhookSubscription, errors: list, now: datetime) -> None:
    """After a batch: a success clears the failure record; failures keep the last error, and a
    subscription failing for PAUSE_AFTER is paused, saying since when."""
    if None in errors:
        subscription.failing_since = None
        return
    subscription.last_error = errors[-1][:ERROR_MAX_LENGTH]
    subscription.failing_since = subscription.failing_since or now
    if now - subscription.failing_since >= PAUSE_AFTER:
        subscription.state = "paused"
        subscription.paused_reason = f"failing since {subscription.failing_since.isoformat()}"


def _deliver_batch(session: Session, now: datetime, edge: Edge, send: Sender) -> int:
    """Claim a batch of one subscription's due deliveries, send them, record how they went.

    One subscription per batch: its row is written once, at the end, so workers busy with
    other subscriptions never wait on it, and two batches never lock rows in opposite orders.
    """
    first = _claim(session, now, limit=1)
    if not first:
        return 0
    subscription = session.get_one(WebhookSubscription, first[0].subscription_id)
    claimed = _claim(session, now, limit=CLAIM_BATCH, subscription_id=subscription.id)
    errors = []
    for delivery in claimed:
        attempt = _attempt(session, subscription, delivery, edge, send, now)
        _record_outcome(delivery, attempt, now)
        errors.append(attempt.error)
    _note_health(subscription, errors, now)
    session.commit()
    return len(claimed)


def deliver_due(
    session: Session, now: datetime, edge: Edge, *, send: Sender = post, limit: int | None = None
) -> int:
    """Fan out new events, then attempt every due delivery once; returns how many attempts.

    Each claimed batch is one transaction: its delivery rows stay locked while their POSTs are
    in flight, so no other worker sends them at the same time.
    """
    fan_out(session, now)
    attempts = 0
    while attempts < (limit or MAX_DELIVERIES_PER_RUN):
        made = _deliver_batch(session, now, edge, send)
        if not made:
            break
        attempts += made
    session.commit()
    return attempts


# The web edge registers itself here (api/webhooks does, when imported), so the sweep's job can
# render bodies without ledger/ importing the web framework.
_edges: list[Edge] = []


def use_edge(edge: Edge) -> None:
    _edges[:] = [edge]


def registered_edge() -> Edge:
    if not _edges:
        raise RuntimeError("no web edge registered: import api.webhooks first")
    return _edges[0]


def deliver_job(session: Session, now: datetime) -> int:
    """The sweep's job: deliver what is due, when a web edge is there to render bodies."""
    return deliver_due(session, now, _edges[0]) if _edges else 0
