"""A resident's consent: one-time codes, the PIN, and the lock after wrong tries."""

from datetime import UTC, datetime

import sqlalchemy as sa

from ledger.supermarket.consent import CONSENT_CODE_TTL, LOCK_DURATION, MAX_FAILED_ATTEMPTS
from ledger.supermarket.models import ConsentCode, MemberConsent


def test_a_code_is_single_use(supermarket, resident, redeem, fresh_code):
    """Auntie Wang's code buys seeds once; shown again it is refused."""
    wang = resident(100)
    code = fresh_code(wang)
    assert redeem(wang, lines=[("seeds", 1)], consent={"code": code}).status_code == 201
    again = redeem(wang, lines=[("seeds", 1)], consent={"code": code})
    assert again.status_code == 422
    assert again.json["type"] == "/problems/consent-refused"
    assert again.json["attempts_remaining"] == MAX_FAILED_ATTEMPTS - 1


def test_an_expired_code_is_refused(supermarket, resident, redeem, fresh_code, clock, balance):
    """A code read out six minutes late is no longer good."""
    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    wang = resident(100)
    code = fresh_code(wang)
    clock.advance(seconds=CONSENT_CODE_TTL.total_seconds() + 60)
    late = redeem(wang, lines=[("seeds", 1)], consent={"code": code})
    assert late.json["type"] == "/problems/consent-refused"
    assert balance(wang["points_account"])["available"] == 100


def test_a_code_is_bound_to_its_member(supermarket, resident, redeem, fresh_code):
    """Li's code does not spend Wang's points."""
    wang, li = resident(100), resident(100, display_name="李叔")
    refused = redeem(wang, lines=[("seeds", 1)], consent={"code": fresh_code(li)})
    assert refused.json["type"] == "/problems/consent-refused"


def test_only_a_hash_of_the_code_is_stored(session, supermarket, resident, fresh_code):
    """The database holds a digest, never the six digits."""
    wang = resident(100)
    code = fresh_code(wang)
    stored = session.scalars(sa.select(ConsentCode)).one()
    assert code not in stored.code_sha256 and len(stored.code_sha256) == 64


def test_five_wrong_codes_lock_the_member_until_the_lock_passes(
    supermarket, resident, redeem, fresh_code, clock, balance
):
    """Five guesses lock Wang for 15 minutes; her real code is refused until then, and works after."""
    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    wang = resident(100)
    for attempt in range(1, MAX_FAILED_ATTEMPTS + 1):
        wrong = redeem(wang, lines=[("seeds", 1)], consent={"code": "000000x"})
        assert wrong.status_code == 422
        assert wrong.json["attempts_remaining"] == MAX_FAILED_ATTEMPTS - attempt
    assert "locked_until" in wrong.json
    code = fresh_code(wang)
    locked = redeem(wang, lines=[("seeds", 1)], consent={"code": code})
    assert locked.status_code == 422
    assert locked.json["type"] == "/problems/redemption-locked"
    clock.advance(seconds=LOCK_DURATION.total_seconds() - 60)
    still = redeem(wang, lines=[("seeds", 1)], consent={"code": fresh_code(wang)})
    assert still.json["type"] == "/problems/redemption-locked"
    clock.advance(seconds=61)
    fine = redeem(wang, lines=[("seeds", 1)], consent={"code": fresh_code(wang)})
    assert fine.status_code == 201, fine.json
    assert balance(wang["points_account"])["available"] == 80


def test_a_refused_code_is_not_used_up_while_locked(
    supermarket, resident, redeem, fresh_code, clock
):
    """The code refused during the lock is still good afterwards, while it lives."""
    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    wang = resident(100)
    for _ in range(MAX_FAILED_ATTEMPTS):
        redeem(wang, lines=[("seeds", 1)], consent={"pin": "9999"})
    clock.advance(seconds=LOCK_DURATION.total_seconds() - 120)
    code = fresh_code(wang)
    assert redeem(wang, lines=[("seeds", 1)], consent={"code": code}).status_code == 422
    clock.advance(seconds=121)
    assert redeem(wang, lines=[("seeds", 1)], consent={"code": code}).status_code == 201


def test_a_right_answer_clears_the_count(supermarket, resident, redeem, fresh_code):
    """Four slips then the right code: the count starts again from zero."""
    wang = resident(200)
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        redeem(wang, lines=[("seeds", 1)], consent={"code": "123"})
    assert redeem(wang, lines=[("seeds", 1)]).status_code == 201
    again = redeem(wang, lines=[("seeds", 1)], consent={"code": "123"})
    assert again.json["attempts_remaining"] == MAX_FAILED_ATTEMPTS - 1


def test_the_wrong_try_is_counted_though_the_redemption_is_refused(
    session, supermarket, resident, redeem
):
    """The refused request commits its count, and nothing else."""
    wang = resident(100)
    redeem(wang, lines=[("seeds", 1)], consent={"code": "111111"})
    row = session.get(MemberConsent, wang["id"])
    assert row.failed_attempts == 1


def test_pin_set_by_the_member_and_used_at_the_till(
    client, make_key, supermarket, resident, redeem, session
):
    """Wang sets PIN 2580 with her own key; the till takes it; a wrong PIN is refused."""
    wang = resident(100)
    own = make_key("member", member=wang["id"])
    put = client.put(f"/v1/members/{wang['id']}/pin", json={"pin": "2580"}, headers=own)
    assert put.status_code == 204, put.json
    stored = session.get(MemberConsent, wang["id"]).pin_hash
    assert stored.startswith("$argon2id$") and "2580" not in stored
    assert redeem(wang, lines=[("seeds", 1)], consent={"pin": "2580"}).status_code == 201
    wrong = redeem(wang, lines=[("seeds", 1)], consent={"pin": "2581"})
    assert wrong.json["type"] == "/problems/consent-refused"


def test_staff_set_a_pin_for_a_member_and_trivial_pins_are_refused(client, supermarket, resident):
    """Staff may set the PIN at the counter; 1234 and 0000 are too easy; letters are malformed."""
    wang = resident(0)
    url = f"/v1/members/{wang['id']}/pin"
    assert (
        client.put(url, json={"pin": "1234"}, headers=supermarket.staff).json["type"]
        == "/problems/pin-not-allowed"
    )
    assert client.put(url, json={"pin": "0000"}, headers=supermarket.staff).status_code == 422
    assert client.put(url, json={"pin": "12ab"}, headers=supermarket.staff).status_code == 422
    assert client.put(url, json={"pin": "7391"}, headers=supermarket.staff).status_code == 204


def test_no_pin_set_means_a_pin_is_refused(supermarket, resident, redeem):
    """Without a PIN on file, any PIN is a wrong try."""
    wang = resident(100)
    assert (
        redeem(wang, lines=[("seeds", 1)], consent={"pin": "7391"}).json["type"]
        == "/problems/consent-refused"
    )


def test_who_may_issue_codes(client, make_key, supermarket, resident):
    """The member and staff may; another member, a shop and another community's staff may not."""
    wang, li = resident(0), resident(0, display_name="李叔")
    url = f"/v1/members/{wang['id']}/consent-codes"
    assert client.post(url, headers=make_key("member", member=wang["id"])).status_code == 201
    assert client.post(url, headers=make_key("member", member=li["id"])).status_code == 404
    assert client.post(url, headers=supermarket.shop_key).status_code == 403
    client.post(
        "/v1/communities", json={"slug": "other", "name": "别的社区"}, headers=make_key("admin")
    )
    assert client.post(url, headers=make_key("staff", community="other")).status_code == 404


def test_codes_and_pins_refuse_an_idempotency_key(client, supermarket, resident):
    """A stored response would keep the code in clear, so the key is refused."""
    wang = resident(0)
    response = client.post(
        f"/v1/members/{wang['id']}/consent-codes",
        headers={**supermarket.staff, "Idempotency-Key": "k1"},
    )
    assert response.status_code == 400


def test_each_lock_in_a_row_lasts_twice_as_long_until_a_right_try(
    supermarket, resident, redeem, fresh_code, clock
):
    """A till guessing a PIN meets 15, 30, then 60 minutes of lock; the right code resets it."""
    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    wang = resident(100)

    def five_wrong():
        for _ in range(MAX_FAILED_ATTEMPTS):
            wrong = redeem(wang, lines=[("seeds", 1)], consent={"pin": "0000"})
        return datetime.fromisoformat(wrong.json["locked_until"]) - clock.now()

    for expected in (LOCK_DURATION, 2 * LOCK_DURATION, 4 * LOCK_DURATION):
        assert five_wrong() == expected
        clock.advance(seconds=expected.total_seconds() + 1)
    assert redeem(wang, lines=[("seeds", 1)], consent={"code": fresh_code(wang)}).status_code == 201
    assert five_wrong() == LOCK_DURATION
