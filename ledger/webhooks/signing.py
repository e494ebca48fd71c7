"""Signatures as Standard Webhooks makes them, and the sealing of subscription secrets.

A delivery carries ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature:
v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed by the subscription's secret.

The secret must stay usable for signing, so it cannot be hashed like an API key. It is stored
sealed: XORed with an HMAC-SHA256 keystream of the server's SECRET_KEY and the subscription id.
That keeps it out of a plain database dump; whoever holds both the database and SECRET_KEY can
unseal it (as they could sign as the server anyway).
"""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24
SIGNATURE_VERSION = "v1"


def new_secret() -> str:
    """A fresh subscription secret, shown to its owner once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _secret_key_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one delivery."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_key_bytes(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def verify(secret: str, message_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """Whether any signature in ``header`` (space-separated) is the one ``secret`` makes."""
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in header.split())


def _keystream(server_key: str, subscription_id: str, length: int) -> bytes:
    stream = b""
    counter = 0
    while len(stream) < length:
        block = f"{subscription_id}:{counter}".encode()
        stream += hmac.new(server_key.encode(), block, hashlib.sha256).digest()
        counter += 1
    return stream[:length]


def seal(server_key: str, subscription_id: str, secret: str) -> str:
    """The secret as stored: unreadable without the server's key."""
    raw = secret.encode()
    mask = _keystream(server_key, subscription_id, len(raw))
    return base64.b64encode(bytes(a ^ b for a, b in zip(raw, mask, strict=True))).decode("ascii")


def unseal(server_key: str, subscription_id: str, sealed: str) -> str:
    """The secret back from its stored form, to sign with."""
    raw = base64.b64decode(sealed)
    mask = _keystream(server_key, subscription_id, len(raw))
    return bytes(a ^ b for a, b in zip(raw, mask, strict=True)).decode()
