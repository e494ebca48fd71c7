"""A resident's consent to a redemption: one-time codes and a PIN, with a lock after wrong tries.

Invariants:
- a consent code is bound to one member, lives ``CONSENT_CODE_TTL``, is accepted at most once,
  and only its SHA-256 (salted with the member id) is stored; a PIN is stored only as an argon2id
  hash (slow and salted: PINs have little entropy);
- every check locks the member's ``member_consents`` row first, so concurrent tries are counted
  one after another and a code cannot be spent twice;
- after ``MAX_FAILED_ATTEMPTS`` wrong codes or PINs in a row the member is locked for
  ``LOCK_DURATION``, doubled for each lock since the last accepted try (at most
  ``MAX_LOCK_DURATION``): while locked even the right code or PIN is refused (and not used up);
- a wrong try must be counted although the redemption is refused, so :func:`check_consent`
  returns the refusal instead of raising it: the caller commits the counter and answers with it.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, cast

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from ledger.core.ids import new_id
from ledger.core.models import Member

from . import errors as rerr
from .models import ConsentCode, MemberConsent

CONSENT_CODE_DIGITS = 6
CONSENT_CODE_TTL = timedelta(minutes=5)
MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=15)
# Each further lock without an accepted try in between lasts twice as long, up to a day: five
# guesses a day at most, so a till cannot walk through a 4-digit PIN space.
MAX_LOCK_DURATION = timedelta(days=1)
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 8
# argon2id at the RFC 9106 "low memory" end: tens of milliseconds per check, which an attacker
# holding the table must pay per guess, and which keeps a till (and the test suite) responsive.
PIN_HASH_TIME_COST = 2
PIN_HASH_MEMORY_KIB = 19 * 1024
PIN_HASH_PARALLELISM = 1

_hasher = PasswordHasher(
    time_cost=PIN_HASH_TIME_COST, memory_cost=PIN_HASH_MEMORY_KIB, parallelism=PIN_HASH_PARALLELISM
)
_consents = MemberConsent.__table__
_codes = ConsentCode.__table__
_PIN_PATTERN = re.compile(rf"^[0-9]{{{PIN_MIN_DIGITS},{PIN_MAX_DIGITS}}}$")


def code_digest(member_id: str, code: str) -> str:
    """What is stored of a one-time code: its SHA-256, salted with its member's id."""
    return hashlib.sha256(f"{member_id}:{code}".encode()).hexdigest()


def _insert_ignoring_duplicate(session: Session, member_id: str, now: datetime) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(_consents)
        .values(member_id=member_id, failed_attempts=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["member_id"])
    )


def lock_consent_row(session: Session, member_id: str, now: datetime):
    """The member's consent row, created if missing, locked until the transaction ends."""
    query = sa.select(_consents).where(_consents.c.member_id == member_id).with_for_update()
    row = session.execute(query).first()
    if row is None:
        # Two first-ever tries may race to create the row: the loser's insert does nothing.
        _insert_ignoring_duplicate(session, member_id, now)
        row = session.execute(query).one()
    return row


def issue_code(
    session: Session, member: Member, *, now: datetime, api_key_id: str | None = None
) -> tuple[ConsentCode, str]:
    """A fresh one-time code for ``member``; the code itself is returned once and never stored."""
    code = "".join(secrets.choice("0123456789") for _ in range(CONSENT_CODE_DIGITS))
    record = ConsentCode(
        id=new_id("cc"),
        member_id=member.id,
        code_sha256=code_digest(member.id, code),
        expires_at=now + CONSENT_CODE_TTL,
        created_at=now,
        api_key_id=api_key_id,
    )
    session.add(record)
    session.flush()
    return record, code


def _is_trivial(pin: str) -> bool:
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    return len(steps) == 1 and steps <= {-1, 0, 1}


def set_pin(session: Session, member: Member, pin: str, *, now: datetime) -> None:
    """Set or replace the member's PIN; it is kept only as an argon2id hash."""
    if not _PIN_PATTERN.match(pin) or _is_trivial(pin):
        raise rerr.PinNotAllowed(min_digits=PIN_MIN_DIGITS, max_digits=PIN_MAX_DIGITS)
    lock_consent_row(session, member.id, now)
    session.execute(
        _consents.update()
        .where(_consents.c.member_id == member.id)
        .values(pin_hash=_hasher.hash(pin), updated_at=now)
    )


def _spend_code(session: Session, member_id: str, code: str, now: datetime) -> bool:
    # One statement finds and spends the code. The consent row is locked, so nobody else is
    # spending this member's codes; the condition on used_at keeps single use true regardless.
    spent = session.execute(
        _codes.update()
        .where(
            _codes.c.member_id == member_id,
            _codes.c.code_sha256 == code_digest(member_id, code),
            _codes.c.used_at.is_(None),
            _codes.c.expires_at > now,
        )
        .values(used_at=now)
    )
    # An UPDATE answers a CursorResult (with rowcount); Session.execute types it as any Result.
    return cast(CursorResult[Any], spent).rowcount >= 1


def _pin_matches(session: Session, row, pin: str, now: datetime) -> bool:
    if row.pin_hash is None:
        # Hash anyway, so that a member without a PIN does not answer measurably faster.
        _hasher.hash(pin)
        return False
    try:
        _hasher.verify(row.pin_hash, pin)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(row.pin_hash):
        session.execute(
            _consents.update()
            .where(_consents.c.member_id == row.member_id)
            .values(pin_hash=_hasher.hash(pin), updated_at=now)
        )
    return True


def check_consent(
    session: Session, member_id: str, consent: dict, *, now: datetime
) -> rerr.ConsentRefused | None:
    """Accept the member's code or PIN (None), or count the wrong try and return the refusal.

    Raises :class:`RedemptionLocked` while the member is locked: nothing changes then.
    """
    row = lock_consent_row(session, member_id, now)
    if row.locked_until is not None and row.locked_until > now:
        raise rerr.RedemptionLocked(
            member=member_id,
            locked_until=row.locked_until.isoformat(),
            retry_after_seconds=int((row.locked_until - now).total_seconds()) + 1,
        )
    if "code" in consent:
        accepted = _spend_code(session, member_id, str(consent["code"]), now)
        method = "code"
    else:
        accepted = _pin_matches(session, row, str(consent.get("pin", "")), now)
        method = "pin"
    if accepted:
        if row.failed_attempts or row.locks_in_a_row:
            session.execute(
                _consents.update()
                .where(_consents.c.member_id == member_id)
                .values(failed_attempts=0, locks_in_a_row=0, updated_at=now)
            )
        return None
    failures = row.failed_attempts + 1
    locked_until = None
    if failures >= MAX_FAILED_ATTEMPTS:
        locked_until = now + min(LOCK_DURATION * 2**row.locks_in_a_row, MAX_LOCK_DURATION)
    session.execute(
        _consents.update()
        .where(_consents.c.member_id == member_id)
        .values(
            failed_attempts=0 if locked_until else failures,
            locked_until=locked_until if locked_until else row.locked_until,
            locks_in_a_row=row.locks_in_a_row + (1 if locked_until else 0),
            updated_at=now,
        )
    )
    numbers = {
        "member": member_id,
        "method": method,
        "attempts_remaining": 0 if locked_until else MAX_FAILED_ATTEMPTS - failures,
    }
    if locked_until:
        numbers["locked_until"] = locked_until.isoformat()
    return rerr.ConsentRefused(**numbers)


def consent_method(consent: dict) -> str:
    return "code" if "code" in consent else "pin"


@dataclass(frozen=True)
class IssuedCode:
    """A one-time code as handed to its member: shown this once, kept only as a hash."""

    member: str
    code: str
    expires_at: datetime


def hand_out_code(
    session: Session, member: Member, *, now: datetime, api_key_id: str | None = None
) -> IssuedCode:
    """``issue_code``, answered as the member sees it."""
    record, code = issue_code(session, member, now=now, api_key_id=api_key_id)
    return IssuedCode(member.id, code, record.expires_at)
