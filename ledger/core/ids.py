"""Opaque, prefixed, time-ordered identifiers (``acc_…``, ``ent_…``).

A ULID-style body (48-bit milliseconds + 80 random bits, Crockford base32) keeps new rows near
the end of their primary-key index, which keeps inserts cheap on PostgreSQL.
"""

import os
import time
from collections.abc import Iterator

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DIGIT_PAIRS = [high + low for high in ALPHABET for low in ALPHABET]  # by 10-bit value
ID_BODY_LENGTH = 26
RANDOM_BYTES = 10  # the body's 80 random bits, below its 48 bits of milliseconds
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
    """``value`` as ``length`` Crockford base32 digits, most significant first, two digits (ten
    bits) a step: a batch of events draws thousands of ids."""
    digits = []
    while length >= 2:
        digits.append(_DIGIT_PAIRS[value & 0x3FF])
        value >>= 10
        length -= 2
    if length:
        digits.append(ALPHABET[value & 0x1F])
    return "".join(reversed(digits))


def new_id(prefix: str) -> str:
    """A fresh id such as ``acc_01JD3K…``; ids made later sort later (to the millisecond)."""
    millis = time.time_ns() // 1_000_000
    body = (millis << 80) | int.from_bytes(os.urandom(RANDOM_BYTES), "big")
    return f"{prefix}_{_encode(body, ID_BODY_LENGTH)}"


def new_ids(prefix: str, count: int) -> Iterator[str]:
    """Up to ``count`` fresh ids of the same millisecond, made as they are asked for, from one
    read of the system's randomness (a batch looking for an id of a given shard tries about 16:
    see ``journal._entry_id``)."""
    millis = time.time_ns() // 1_000_000
    randomness = os.urandom(RANDOM_BYTES * count)
    for start in range(0, len(randomness), RANDOM_BYTES):
        bits = int.from_bytes(randomness[start : start + RANDOM_BYTES], "big")
        yield f"{prefix}_{_encode((millis << 80) | bits, ID_BODY_LENGTH)}"
