"""API keys over /v1/keys: an admin lists, shows, creates, revokes and rotates; keys expire.

The ledger-level tests at the end call ``ledger.core.apikeys`` directly on the app's session
(tests/ledger/ with its plain Session is not in this tree yet).
"""

from datetime import UTC, datetime, timedelta

import pytest

from ledger.core import apikeys
from ledger.core.models import ApiKey

SHOWN_FIELDS = {
    "id",
    "role",
    "label",
    "communities",
    "member",
    "shop",
    "created_at",
    "last_used_at",
    "expires_at",
    "revoked_at",
    "state",
}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def issue(client, admin):
    """issue(**body) -> the 201 answer of POST /v1/keys (the key and its token)."""

    def make(**body):
        response = client.post("/v1/keys", json=body, headers=admin)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def till(issue, qianjiang):
    """A staff key of qianjiang labelled as the front desk's."""
    return issue(role="staff", communities=["qianjiang"], label="front desk")


def test_a_created_key_works_and_is_shown_without_its_secret(client, admin, till):
    """The token authenticates; the key's representation names everything but the secret."""
    key, token = till["key"], till["token"]
    assert token.startswith(key["id"] + ".")
    assert client.get("/v1/communities/qianjiang/members", headers=bearer(token)).status_code == 200
    shown = client.get(f"/v1/keys/{key['id']}", headers=admin).json
    assert set(shown) == SHOWN_FIELDS
    assert shown["role"] == "staff"
    assert shown["label"] == "front desk"
    assert shown["communities"] == ["qianjiang"]
    assert shown["state"] == "active"
    assert shown["expires_at"] is None and shown["revoked_at"] is None
    assert token.split(".")[1] not in str(shown)


def test_the_list_shows_every_key_newest_first_and_no_secret(client, admin, till):
    """The admin's own key and the new one are listed, in pages, with no token or hash."""
    first = client.get("/v1/keys?limit=1", headers=admin).json
    assert [k["id"] for k in first["items"]] == [till["key"]["id"]]
    rest = client.get(f"/v1/keys?limit=1&cursor={first['next_cursor']}", headers=admin).json
    assert [k["role"] for k in rest["items"]] == ["admin"]
    assert rest["next_cursor"] is None
    listed = str(first) + str(rest)
    assert till["token"].split(".")[1] not in listed
    assert "sha256" not in listed


def test_a_revoked_key_is_refused_on_its_next_request(client, admin, till):
    """Revocation answers the revoked key and the key's very next request is 401."""
    key_id, headers = till["key"]["id"], bearer(till["token"])
    assert client.get("/v1/communities/qianjiang", headers=headers).status_code == 200
    revoked = client.post(f"/v1/keys/{key_id}/revocation", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json["state"] == "revoked"
    response = client.get("/v1/communities/qianjiang", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoking_again_keeps_the_first_time(client, admin, till, clock):
    """A second revocation changes nothing."""
    key_id = till["key"]["id"]
    first = client.post(f"/v1/keys/{key_id}/revocation", headers=admin).json
    clock.set(datetime.now(UTC) + timedelta(hours=1))
    again = client.post(f"/v1/keys/{key_id}/revocation", headers=admin).json
    assert again["revoked_at"] == first["revoked_at"]


def test_an_expired_key_is_refused(client, admin, issue, qianjiang, clock):
    """A key past its expires_at is 401, and listed as expired."""
    start = datetime.now(UTC)
    clock.set(start)
    issued = issue(
        role="staff", communities=["qianjiang"], expires_at=(start + timedelta(hours=1)).isoformat()
    )
    headers = bearer(issued["token"])
    assert client.get("/v1/communities/qianjiang", headers=headers).status_code == 200
    clock.advance(hours=1)
    assert client.get("/v1/communities/qianjiang", headers=headers).status_code == 401
    shown = client.get(f"/v1/keys/{issued['key']['id']}", headers=admin).json
    assert shown["state"] == "expired"


def test_an_expiry_in_the_past_is_refused(client, admin, qianjiang):
    """A key cannot be made already expired."""
    response = client.post(
        "/v1/keys",
        json={"role": "staff", "communities": ["qianjiang"], "expires_at": "2020-01-01T00:00:00Z"},
        headers=admin,
    )
    assert response.status_code == 422
    assert response.json["type"].endswith("/expiry-not-in-future")


def test_rotation_keeps_the_key_id_and_retires_the_old_token(client, admin, till):
    """The new token works, the old one is 401 at once, and the key is the same key."""
    key_id, old = till["key"]["id"], bearer(till["token"])
    rotated = client.post(f"/v1/keys/{key_id}/rotation", json={}, headers=admin)
    assert rotated.status_code == 200
    assert rotated.json["key"]["id"] == key_id
    assert rotated.json["key"]["label"] == "front desk"
    new = bearer(rotated.json["token"])
    assert client.get("/v1/communities/qianjiang", headers=old).status_code == 401
    assert client.get("/v1/communities/qianjiang", headers=new).status_code == 200


def test_rotation_can_renew_an_expired_key(client, admin, issue, qianjiang, clock):
    """An expired key rotates only with a new expiry, and then works again."""
    start = datetime.now(UTC)
    clock.set(start)
    issued = issue(
        role="staff", communities=["qianjiang"], expires_at=(start + timedelta(days=1)).isoformat()
    )
    key_id = issued["key"]["id"]
    clock.advance(days=2)
    refused = client.post(f"/v1/keys/{key_id}/rotation", json={}, headers=admin)
    assert refused.status_code == 409
    assert refused.json["type"].endswith("/api-key-expired")
    renewed_until = (clock.now() + timedelta(days=90)).isoformat()
    renewed = client.post(
        f"/v1/keys/{key_id}/rotation", json={"expires_at": renewed_until}, headers=admin
    )
    assert renewed.status_code == 200
    assert renewed.json["key"]["state"] == "active"
    headers = bearer(renewed.json["token"])
    assert client.get("/v1/communities/qianjiang", headers=headers).status_code == 200


def test_a_revoked_key_cannot_be_rotated(client, admin, till):
    """Rotation does not bring a revoked key back."""
    key_id = till["key"]["id"]
    client.post(f"/v1/keys/{key_id}/revocation", headers=admin)
    response = client.post(f"/v1/keys/{key_id}/rotation", json={}, headers=admin)
    assert response.status_code == 409
    assert response.json["type"].endswith("/api-key-revoked")


def test_only_admins_manage_keys(client, admin, till, make_key):
    """Staff, even of the key's own community, get 403 on every keys endpoint."""
    staff = make_key("staff", community="qianjiang")
    key_id = till["key"]["id"]
    assert client.get("/v1/keys", headers=staff).status_code == 403
    assert client.get(f"/v1/keys/{key_id}", headers=staff).status_code == 403
    body = {"role": "admin"}
    assert client.post("/v1/keys", json=body, headers=staff).status_code == 403
    assert client.post(f"/v1/keys/{key_id}/revocation", headers=staff).status_code == 403
    assert client.post(f"/v1/keys/{key_id}/rotation", json={}, headers=staff).status_code == 403
    assert client.get(f"/v1/keys/{key_id}", headers=admin).json["state"] == "active"


def test_an_unknown_key_is_404(client, admin):
    """Showing, revoking or rotating a key that does not exist is 404."""
    for response in (
        client.get("/v1/keys/key_nope", headers=admin),
        client.post("/v1/keys/key_nope/revocation", headers=admin),
        client.post("/v1/keys/key_nope/rotation", json={}, headers=admin),
    ):
        assert response.status_code == 404
        assert response.json["type"].endswith("/api-key-not-found")


@pytest.mark.parametrize("role", ["shop", "member"])
def test_a_shop_or_member_key_must_name_its_party(client, admin, role):
    """A shop key without a shop, or a member key without a member, is refused with the reason."""
    response = client.post("/v1/keys", json={"role": role}, headers=admin)
    assert response.status_code == 422
    assert response.json["type"].endswith("/api-key-reach-missing")
    assert f"{role}_id" in response.json["detail"]


def test_the_create_body_is_strict(client, admin, qianjiang):
    """Unknown fields, unknown roles and non-string labels are 422 before the ledger is asked."""
    for body in (
        {"role": "staff", "communities": ["qianjiang"], "secret": "mine"},
        {"role": "root"},
        {"role": "admin", "label": 7},
    ):
        assert client.post("/v1/keys", json=body, headers=admin).status_code == 422


def test_a_member_key_is_made_for_its_member(client, issue, qianjiang, make_member):
    """A member key names the member and reaches the member's community."""
    member = make_member("qianjiang")
    issued = issue(role="member", member=member["id"], label="王阿姨's phone")
    assert issued["key"]["member"] == member["id"]
    assert issued["key"]["communities"] == ["qianjiang"]
    headers = bearer(issued["token"])
    assert client.get(f"/v1/members/{member['id']}", headers=headers).status_code == 200


def test_creating_with_an_idempotency_key_replays_the_same_key(client, admin, qianjiang, session):
    """A retried create answers the first key and its token, and makes one key only."""
    headers = {**admin, "Idempotency-Key": "new-till-2026-12-01"}
    body = {"role": "staff", "communities": ["qianjiang"], "label": "till 2"}
    first = client.post("/v1/keys", json=body, headers=headers)
    again = client.post("/v1/keys", json=body, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert session.query(ApiKey).filter_by(label="till 2").count() == 1


def test_last_use_is_stamped_at_most_once_a_minute(client, admin, till, clock):
    """last_used_at moves on the first request and again only after LAST_USED_RESOLUTION."""
    key_id, headers = till["key"]["id"], bearer(till["token"])
    start = datetime.now(UTC)
    clock.set(start)

    def last_used():
        return client.get(f"/v1/keys/{key_id}", headers=admin).json["last_used_at"]

    assert last_used() is None
    client.get("/v1/communities/qianjiang", headers=headers)
    assert datetime.fromisoformat(last_used()) == start
    clock.advance(seconds=apikeys.LAST_USED_RESOLUTION.total_seconds() - 1)
    client.get("/v1/communities/qianjiang", headers=headers)
    assert datetime.fromisoformat(last_used()) == start
    moved = clock.advance(seconds=1)
    client.get("/v1/communities/qianjiang", headers=headers)
    assert datetime.fromisoformat(last_used()) == moved


# The ledger's key functions, called directly -----------------------------------------------------
def test_record_use_writes_once_per_interval(session, qianjiang):
    """The conditional UPDATE matches once, then not again until the interval has passed."""
    now = datetime.now(UTC)
    key, _ = apikeys.create_key(session, role="staff", community_slugs=["qianjiang"], now=now)
    assert apikeys.record_use(session, key.id, now) is True
    assert apikeys.record_use(session, key.id, now + timedelta(seconds=59)) is False
    assert apikeys.record_use(session, key.id, now + apikeys.LAST_USED_RESOLUTION) is True


def test_authenticate_refuses_expired_revoked_and_wrong_tokens(session, qianjiang):
    """Only the right secret of a live key authenticates."""
    now = datetime.now(UTC)
    key, token = apikeys.create_key(
        session, role="admin", now=now, expires_at=now + timedelta(minutes=5)
    )
    assert apikeys.authenticate(session, token, now=now) is key
    assert apikeys.authenticate(session, f"{key.id}.wrong", now=now) is None
    assert apikeys.authenticate(session, token, now=now + timedelta(minutes=5)) is None
    apikeys.revoke(session, key.id, now)
    assert apikeys.authenticate(session, token, now=now) is None


def test_a_summary_carries_no_secret(session):
    """KeySummary has no field for the secret or its hash."""
    now = datetime.now(UTC)
    key, token = apikeys.create_key(session, role="admin", now=now, label="ops laptop")
    summary = apikeys.describe(key, now)
    assert summary.label == "ops laptop"
    assert key.secret_sha256 not in repr(summary)
    assert token.split(".")[1] not in repr(summary)
