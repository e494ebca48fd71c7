"""Signing: Standard Webhooks signatures, and secrets sealed with the server's key."""

import base64

from ledger.webhooks import signing

# The example of the Standard Webhooks specification (and its reference libraries' tests).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def opened_with(server_key: str, subscription_id: str, sealed: str) -> str | None:
    """What unsealing gives with this key and id (None when it is not even text)."""
    try:
        return signing.unseal(server_key, subscription_id, sealed)
    except UnicodeDecodeError:
        return None


def test_a_signature_is_the_one_the_standard_webhooks_example_gives():
    """The specification's secret, id, timestamp and body sign to its published signature."""
    assert signing.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_verify_accepts_any_listed_signature_and_nothing_tampered():
    """One right signature among several passes; another body, timestamp or secret fails."""
    other = signing.new_secret()
    header = f"{signing.sign(other, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)} {SPEC_SIGNATURE}"
    assert signing.verify(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, header)
    assert not signing.verify(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, b'{"test": 1}', header)
    assert not signing.verify(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_BODY, header)
    assert not signing.verify(other, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, SPEC_SIGNATURE)


def test_a_new_secret_is_prefixed_random_key_material():
    """Each secret is whsec_ and SECRET_BYTES of base64, never the same twice."""
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith(signing.SECRET_PREFIX) and first != second
    assert len(base64.b64decode(first.removeprefix(signing.SECRET_PREFIX))) == signing.SECRET_BYTES


def test_a_sealed_secret_opens_only_with_its_server_key_and_subscription():
    """Unsealing with the same key and id gives the secret back; another key or id does not."""
    secret = signing.new_secret() * 3  # longer than one HMAC block of keystream
    sealed = signing.seal("server-key", "whs_1", secret)
    assert secret not in sealed and signing.unseal("server-key", "whs_1", sealed) == secret
    assert signing.seal("server-key", "whs_2", secret) != sealed
    assert opened_with("other-key", "whs_1", sealed) != secret
    assert opened_with("server-key", "whs_2", sealed) != secret
