"""Opaque, prefixed, time-ordered identifiers (``acc_…``, ``ent_…``).

A ULID-style body (48-bit milliseconds + 80 random bits, Crockford base32) keeps new rows near
the end of their primary-key index, which keeps inserts cheap on PostgreSQL.
"""

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_BODY_LENGTH = 26
ID_MAX_LENGTH = 40  # longest prefix ("shop_") plus the body, with room to spare

PREFIXES = {
    "community": "com",
    "member": "mem",
    "account": "acc",
    "entry": "ent",
    "shop": "shop",
    "api_key": "key",
}


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """A fresh id such as ``acc_01JD3K…``; ids made later sort later (to the millisecond)."""
    millis = time.time_ns() // 1_000_000
    body = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    return f"{prefix}_{_encode(body, ID_BODY_LENGTH)}"
