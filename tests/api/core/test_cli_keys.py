"""pointsbank keys create|list|revoke|rotate against the test database, checked over the API."""

import pytest

from ledger.core import apikeys
from ledger.core.models import ApiKey
from tests.support.cli import pointsbank


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def created_token(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def front_desk(database_url, make_community):
    """A staff key of qianjiang made by the CLI, labelled and expiring in 90 days."""
    make_community("qianjiang")
    return created_token(
        pointsbank(
            database_url,
            "keys",
            "create",
            "--role",
            "staff",
            "--community",
            "qianjiang",
            "--label",
            "front-desk",
            "--expires-in",
            "90d",
        )
    )


def test_keys_list_shows_each_key_and_never_its_secret(database_url, client, front_desk, session):
    """The listed row names label, role, reach, created, last used, expiry and state."""
    client.get("/v1/communities/qianjiang", headers=bearer(front_desk))
    result = pointsbank(database_url, "keys", "list")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.strip().splitlines()
    for column in ("LABEL", "ROLE", "REACH", "CREATED", "LAST USED", "EXPIRES", "STATE"):
        assert column in header
    key_id, secret = front_desk.split(".")
    (row,) = [line for line in rows if line.startswith(key_id)]
    cells = row.split()
    assert cells[1:4] == ["front-desk", "staff", "qianjiang"]
    assert cells[-1] == "active"
    assert "-" not in cells[4:-1]  # created, last used and expiry all have a time
    assert secret not in result.stdout
    assert session.get(ApiKey, key_id).secret_sha256 not in result.stdout


def test_keys_revoke_refuses_the_key_within_the_cache_bound(
    database_url, client, front_desk, clock
):
    """After `keys revoke` (another process) the key is 401 once KEY_CACHE_SECONDS have passed,
    and listed as revoked."""
    key_id = front_desk.split(".")[0]
    assert client.get("/v1/communities/qianjiang", headers=bearer(front_desk)).status_code == 200
    result = pointsbank(database_url, "keys", "revoke", key_id)
    assert result.returncode == 0, result.stderr
    clock.advance(seconds=apikeys.KEY_CACHE_SECONDS)
    assert client.get("/v1/communities/qianjiang", headers=bearer(front_desk)).status_code == 401
    listed = pointsbank(database_url, "keys", "list").stdout
    assert "revoked" in next(line for line in listed.splitlines() if line.startswith(key_id))


def test_keys_rotate_prints_a_new_token_for_the_same_key(database_url, client, front_desk):
    """The rotated token keeps the key id; the old token is 401."""
    key_id = front_desk.split(".")[0]
    token = created_token(pointsbank(database_url, "keys", "rotate", key_id))
    assert token.split(".")[0] == key_id
    assert client.get("/v1/communities/qianjiang", headers=bearer(front_desk)).status_code == 401
    assert client.get("/v1/communities/qianjiang", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize(("role", "option"), [("shop", "--shop"), ("member", "--member")])
def test_keys_create_explains_a_missing_party(database_url, role, option):
    """A shop key without --shop, or a member key without --member, is a usage error naming it."""
    result = pointsbank(database_url, "keys", "create", "--role", role)
    assert result.returncode == 2
    assert option in result.stderr


def test_keys_create_refuses_a_duration_it_cannot_read(database_url):
    """--expires-in takes a count and one of m, h, d, w."""
    result = pointsbank(database_url, "keys", "create", "--role", "admin", "--expires-in", "soon")
    assert result.returncode == 2
    assert "90d" in result.stderr


def test_keys_revoke_of_an_unknown_key_fails(database_url):
    """Revoking a key that does not exist exits 1 and says so."""
    result = pointsbank(database_url, "keys", "revoke", "key_nope")
    assert result.returncode == 1
    assert "key_nope" in result.stderr
