"""Consent at the till: a one-time code or a PIN, and a lock after too many wrong tries."""

from datetime import timedelta

import pytest

from ledger.supermarket import errors
from ledger.supermarket.consent import (
    CONSENT_CODE_TTL,
    LOCK_DURATION,
    MAX_FAILED_ATTEMPTS,
    check_consent,
    consent_method,
    issue_code,
    set_pin,
)


def test_a_code_is_accepted_once_and_only_while_fresh(session, wang, now):
    """The code works once; used again, or another code after its five minutes, it is refused."""
    _, code = issue_code(session, wang, now=now)
    assert check_consent(session, wang.id, {"code": code}, now=now) is None
    again = check_consent(session, wang.id, {"code": code}, now=now)
    assert again.numbers["attempts_remaining"] == MAX_FAILED_ATTEMPTS - 1
    _, stale = issue_code(session, wang, now=now)
    assert check_consent(session, wang.id, {"code": stale}, now=now + CONSENT_CODE_TTL)


def test_five_wrong_pins_lock_the_member_for_a_quarter_of_an_hour(session, wang, now):
    """The fifth wrong PIN locks; while locked even the right PIN raises RedemptionLocked."""
    set_pin(session, wang, "2580", now=now)
    for attempt in range(1, MAX_FAILED_ATTEMPTS + 1):
        refusal = check_consent(session, wang.id, {"pin": "1357"}, now=now)
        assert refusal.numbers["attempts_remaining"] == MAX_FAILED_ATTEMPTS - attempt
    assert refusal.numbers["locked_until"] == (now + LOCK_DURATION).isoformat()
    with pytest.raises(errors.RedemptionLocked):
        check_consent(session, wang.id, {"pin": "2580"}, now=now + timedelta(minutes=1))
    assert check_consent(session, wang.id, {"pin": "2580"}, now=now + LOCK_DURATION) is None


def test_trivial_or_malformed_pins_are_not_allowed(session, wang, now):
    """1234, 0000, 9876, three digits and letters are refused as PINs."""
    for pin in ("1234", "0000", "9876", "123", "12a4", "123456789"):
        with pytest.raises(errors.PinNotAllowed):
            set_pin(session, wang, pin, now=now)
    assert (consent_method({"code": "1"}), consent_method({"pin": "1"})) == ("code", "pin")
