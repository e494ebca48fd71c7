"""Subscriptions: an API key's URL, the event types it wants and the secret deliveries are signed
with. A key sees and changes only its own subscriptions; another's answers "not found".

Safety: a URL is http(s) and every address its host resolves to is public (not loopback,
link-local, private, reserved or multicast), unless the installation allows private targets.
It is checked at creation and again before every delivery, since DNS answers change.
"""

import ipaddress
import socket
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.apikeys import is_live
from ledger.core.ids import new_id
from ledger.core.lookup import get_or_raise
from ledger.core.models import ApiKey, ApiKeyCommunity
from ledger.core.paging import Page, keyset_page

from . import errors, outbox, signing
from .models import URL_MAX_LENGTH, WebhookSubscription
from .outbox import EVENT_TYPES

ALLOWED_SCHEMES = ("http", "https")
SUBSCRIPTION_ID_PREFIX = "whs"
MAX_SUBSCRIPTIONS_PER_KEY = 20


def _unsafe_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse a URL that is not http(s) or whose host is (or resolves to) a non-public address."""
    if len(url) > URL_MAX_LENGTH:
        raise errors.UrlNotAllowed("the URL is too long", max_length=URL_MAX_LENGTH)
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise errors.UrlNotAllowed("a webhook URL is http:// or https:// with a host", url=url)
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        answers = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as error:
        raise errors.UrlNotAllowed(f"the host does not resolve: {error}", url=url) from error
    # An address's host is always a str (only IPv6's flow and scope ids are ints).
    if any(_unsafe_address(str(answer[4][0])) for answer in answers):
        raise errors.UrlNotAllowed(
            "the host is a loopback, link-local or private address", host=parts.hostname
        )


def _check_types(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown or not event_types:
        raise errors.UnknownEventType(unknown=unknown, event_types=list(EVENT_TYPES))
    return sorted(set(event_types))


@dataclass(frozen=True)
class Created:
    """A new subscription and its secret, which is never shown again; its other attributes are
    the subscription's own."""

    subscription: WebhookSubscription
    secret: str

    def __getattr__(self, name: str):
        return getattr(self.subscription, name)


def create(
    session: Session,
    api_key_id: str,
    *,
    url: str,
    event_types: list[str],
    server_key: str,
    allow_private: bool,
    now: datetime,
) -> Created:
    """Subscribe the key to ``event_types`` from now on (earlier events are in the feed)."""
    event_types = _check_types(event_types)
    check_url(url, allow_private=allow_private)
    owned = session.scalars(
        sa.select(sa.func.count()).where(WebhookSubscription.api_key_id == api_key_id)
    ).one()
    if owned >= MAX_SUBSCRIPTIONS_PER_KEY:
        raise errors.TooManySubscriptions(max_subscriptions=MAX_SUBSCRIPTIONS_PER_KEY)
    subscription_id = new_id(SUBSCRIPTION_ID_PREFIX)
    secret = signing.new_secret()
    cursor_xid, cursor_seq = outbox.latest_position(session)
    subscription = WebhookSubscription(
        id=subscription_id,
        api_key_id=api_key_id,
        url=url,
        event_types=event_types,
        secret_sealed=signing.seal(server_key, subscription_id, secret),
        state="active",
        cursor_xid=cursor_xid,
        cursor_seq=cursor_seq,
        created_at=now,
    )
    session.add(subscription)
    session.flush()
    return Created(subscription, secret)


def get_own(session: Session, api_key_id: str, subscription_id: str) -> WebhookSubscription:
    """The key's own subscription; another key's is not found, like one that does not exist."""
    found = get_or_raise(
        session,
        WebhookSubscription,
        subscription_id,
        errors.SubscriptionNotFound,
        subscription=subscription_id,
    )
    if found.api_key_id != api_key_id:
        raise errors.SubscriptionNotFound(subscription=subscription_id)
    return found


def list_own(session: Session, api_key_id: str, *, limit: int, cursor: str | None) -> Page:
    query = sa.select(WebhookSubscription).where(WebhookSubscription.api_key_id == api_key_id)
    return keyset_page(session, query, WebhookSubscription.id, limit=limit, cursor=cursor)


def pause(session: Session, api_key_id: str, subscription_id: str) -> WebhookSubscription:
    """Stop deliveries; events keep arriving and are delivered on resume."""
    subscription = get_own(session, api_key_id, subscription_id)
    subscription.state = "paused"
    subscription.paused_reason = "paused by its owner"
    session.flush()
    return subscription


def resume(session: Session, api_key_id: str, subscription_id: str) -> WebhookSubscription:
    """Deliver again, from where it stopped; the failure record starts afresh."""
    subscription = get_own(session, api_key_id, subscription_id)
    subscription.state = "active"
    subscription.paused_reason = None
    subscription.failing_since = None
    session.flush()
    return subscription


def delete(session: Session, api_key_id: str, subscription_id: str) -> None:
    """Remove the subscription and its deliveries (the events stay, for the feed)."""
    subscription = get_own(session, api_key_id, subscription_id)
    session.delete(subscription)
    session.flush()


def reach_of_key(session: Session, api_key_id: str, now: datetime) -> outbox.Reach | None:
    """What the key could read through the API now, which is what its subscriptions receive:
    nothing once it is revoked or expired, and its communities as they are now."""
    key = session.get(ApiKey, api_key_id)
    if key is None or not is_live(key, now):
        return None
    communities = session.scalars(
        sa.select(ApiKeyCommunity.community_id).where(ApiKeyCommunity.api_key_id == api_key_id)
    )
    return outbox.reach(key.role, key.id, communities)
