"""Ids: a known prefix, a fixed-length Crockford body, and later ids sort later."""

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
