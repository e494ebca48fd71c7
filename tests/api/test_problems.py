"""Every error the HTTP edge can give is a problem+json, and none leaks a trace."""

import json

from api.app import MAX_BODY_BYTES, create_app

PROBLEM = "application/problem+json"


def test_missing_and_bad_keys_are_401_with_a_challenge(client):
    """No key, a malformed key and a wrong secret all get 401 and WWW-Authenticate."""
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Bearer key_ABC.wrongsecret"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ):
        response = client.get("/v1/communities", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_path_is_a_404_problem(client, admin):
    """An unknown route answers like an unknown resource."""
    response = client.get("/v1/nowhere", headers=admin)
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_wrong_method_is_405_and_keeps_allow(client, admin):
    """405 keeps its Allow header."""
    response = client.delete("/v1/communities", headers=admin)
    assert response.status_code == 405 and response.mimetype == PROBLEM
    assert "POST" in response.headers["Allow"]


def test_body_over_the_limit_is_413(client, admin):
    """A body above 64 KiB is refused before it is parsed."""
    body = '{"slug": "big", "name": "' + "x" * MAX_BODY_BYTES + '"}'
    response = client.post(
        "/v1/communities", data=body, headers=admin, content_type="application/json"
    )
    assert response.status_code == 413 and response.mimetype == PROBLEM


def test_non_json_content_type_is_415(client, admin):
    """Form posts and plain text are refused."""
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = client.post(
            "/v1/communities", data="slug=x", headers=admin, content_type=content_type
        )
        assert response.status_code == 415 and response.mimetype == PROBLEM


def test_malformed_json_is_a_4xx_problem(client, admin):
    """A truncated JSON body is a client error."""
    response = client.post(
        "/v1/communities", data='{"slug": ', headers=admin, content_type="application/json"
    )
    assert 400 <= response.status_code < 500 and response.mimetype == PROBLEM


def test_rate_limit_answers_429_problem(database_url, test_clock):
    """Past the configured rate, requests get 429 with Retry-After."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_DEFAULT": "3 per minute",
            "CLOCK": test_clock,
        }
    )
    client = app.test_client()
    statuses = [client.get("/v1/communities").status_code for _ in range(5)]
    assert statuses[:3] == [401, 401, 401]
    response = client.get("/v1/communities")
    assert response.status_code == 429 and response.mimetype == PROBLEM
    assert "Retry-After" in response.headers


def test_unexpected_failure_is_a_500_problem_without_a_trace(app, client, admin, monkeypatch):
    """An unhandled error answers 500 problem+json with no Python internals."""
    from ledger.core import communities

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(communities, "get_community", explode)
    monkeypatch.setattr("api.access.get_community", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/v1/communities/anything", headers=admin)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500 and response.mimetype == PROBLEM
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_problem_bodies_are_json_with_the_standard_members(client, admin):
    """type, title, status, instance are always present."""
    response = client.get("/v1/entries/ent_nothing", headers=admin)
    body = json.loads(response.data)
    assert response.status_code == 404
    assert {"type", "title", "status", "instance"} <= set(body)
