"""Rate limits: counted per verified key, wrong secrets throttled by address, IETF headers."""

import pytest

from api.app import create_app
from tests.support.contract import ContractClient

PROBLEM = "application/problem+json"
WRONG_ATTEMPTS = 200


@pytest.fixture
def limited(database_url, test_clock):
    """An app that counts 50 requests a minute per caller and 20 refused keys per address."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "pointsbank-tests",
            "CLOCK": test_clock,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_DEFAULT": "50 per minute",
            "RATELIMIT_AUTH_FAILURES": "20 per minute",
        }
    )
    app.test_client_class = ContractClient  # 429s and RateLimit fields are checked as documented
    yield app.test_client()
    from api.extensions import db

    with app.app_context():
        db.engine.dispose()


def test_wrong_secrets_naming_a_real_key_do_not_lock_that_key_out(limited, admin):
    """200 requests with a real key's id and a wrong secret leave the real key unthrottled."""
    key_id = admin["Authorization"].split()[1].partition(".")[0]
    wrong = {"Authorization": f"Bearer {key_id}.x"}
    statuses = [limited.get("/v1/communities", headers=wrong).status_code for _ in range(200)]
    assert set(statuses) == {401, 429}
    assert limited.get("/v1/communities", headers=admin).status_code == 200


def test_repeated_wrong_secrets_are_throttled_by_address(limited, admin):
    """Past the refused-key limit an address gets 429 problem+json with Retry-After."""
    key_id = admin["Authorization"].split()[1].partition(".")[0]
    wrong = {"Authorization": f"Bearer {key_id}.x"}
    statuses = [limited.get("/v1/communities", headers=wrong).status_code for _ in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    throttled = limited.get("/v1/communities", headers=wrong)
    assert throttled.status_code == 429 and throttled.mimetype == PROBLEM
    assert int(throttled.headers["Retry-After"]) > 0
    from_elsewhere = limited.get(
        "/v1/communities", headers=wrong, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert from_elsewhere.status_code == 401


def test_successes_carry_ratelimit_fields_and_no_retry_after(limited, admin):
    """200 and 201 tell the quota in RateLimit/RateLimit-Policy, never Retry-After."""
    read = limited.get("/v1/communities", headers=admin)
    made = limited.post("/v1/communities", json={"slug": "hl", "name": "花楼"}, headers=admin)
    for response in (read, made):
        assert response.status_code in (200, 201)
        assert "Retry-After" not in response.headers
        assert not any(name.startswith("X-RateLimit") for name, _ in response.headers.items())
        assert response.headers["RateLimit-Policy"] == '"default";q=50;w=60'
        assert response.headers["RateLimit"].startswith('"default";r=')
    assert read.headers["RateLimit"].split(";")[1] == "r=49"


def test_past_the_quota_the_answer_is_429_with_retry_after(limited, admin):
    """The 51st request of a minute is 429 problem+json with Retry-After and r=0."""
    for _ in range(50):
        assert limited.get("/v1/communities", headers=admin).status_code == 200
    response = limited.get("/v1/communities", headers=admin)
    assert response.status_code == 429 and response.mimetype == PROBLEM
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["RateLimit"].split(";")[1] == "r=0"
