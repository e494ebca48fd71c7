"""pointsbank keys create: a printed token that works, and refusals that name what is missing."""

from ledger.core.models import ApiKey
from tests.support.cli import pointsbank


def test_keys_create_prints_the_key_alone_on_its_last_line(
    database_url, client, make_community, session
):
    """The printed token authenticates, and only its hash is stored."""
    make_community("qianjiang")
    result = pointsbank(
        database_url, "keys", "create", "--role", "staff", "--community", "qianjiang"
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    response = client.get(
        "/v1/communities/qianjiang/members", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    stored = session.get(ApiKey, token.split(".")[0])
    assert stored.role == "staff"
    assert token.split(".")[1] not in stored.secret_sha256


def test_keys_create_refuses_a_staff_key_without_a_community(database_url):
    """A staff key must belong to a community."""
    result = pointsbank(database_url, "keys", "create", "--role", "staff")
    assert result.returncode != 0
    assert "community" in result.stderr
