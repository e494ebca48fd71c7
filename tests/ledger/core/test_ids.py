"""Ids: a known prefix, a fixed-length Crockford body, and later ids sort later."""

import random
import time

from ledger.core import ids

CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_an_id_is_its_prefix_and_a_crockford_body():
    """acc_ plus 26 characters of Crockford base32 (no I, L, O or U), within the column."""
    made = ids.new_id(ids.PREFIXES["account"])
    prefix, _, body = made.partition("_")
    assert prefix == "acc" and len(body) == ids.ID_BODY_LENGTH
    assert set(body) <= CROCKFORD
    longest = max(len(p) for p in ids.PREFIXES.values()) + 1 + ids.ID_BODY_LENGTH
    assert longest <= ids.ID_MAX_LENGTH


def test_ids_made_a_millisecond_apart_sort_in_the_order_made():
    """Ids are time-ordered, so new rows land at the end of the primary-key index."""
    made = []
    for _ in range(5):
        made.append(ids.new_id("ent"))
        time.sleep(0.002)
    assert made == sorted(made) and len(set(made)) == 5


def test_the_encoding_is_big_endian_base32():
    """The body encodes numbers most significant digit first, padded with zeros."""
    assert ids._encode(0, 4) == "0000"
    assert ids._encode(31, 2) == "0Z"
    assert ids._encode(32, 2) == "10"


def _digit_by_digit(value: int, length: int) -> str:
    digits = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        digits.append("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[digit])
    return "".join(reversed(digits))


def test_the_encoding_is_base32_digit_by_digit_at_every_length():
    """The fast encoder gives the digits of repeated division by 32, for any value and length."""
    rng = random.Random(16)
    for length in (1, 2, 7, 8, 9, 13, ids.ID_BODY_LENGTH):
        for value in (0, 32**length - 1, *(rng.getrandbits(5 * length) for _ in range(200))):
            assert ids._encode(value, length) == _digit_by_digit(value, length)


def test_ids_drawn_together_are_distinct_and_of_one_millisecond():
    """new_ids gives as many distinct ids as asked, sharing their time part."""
    drawn = list(ids.new_ids("ent", 64))
    assert len(set(drawn)) == 64
    assert len({made[4:14] for made in drawn}) == 1  # prefix "ent_", then 10 time digits
    assert all(len(made) == 4 + ids.ID_BODY_LENGTH for made in drawn)
