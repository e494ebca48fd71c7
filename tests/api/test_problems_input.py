"""Bodies the service refuses before any view sees them: too deep, ambiguous or too large."""

import io

from api.app import MAX_BODY_BYTES
from api.config import MAX_JSON_DEPTH

PROBLEM = "application/problem+json"


def _post_json(client, headers, text):
    return client.post(
        "/v1/adjustments", data=text, headers=headers, content_type="application/json"
    )


def test_nesting_far_beyond_the_limit_is_400_not_a_crash(client, admin):
    """Three thousand nested arrays are refused as a client error, not a RecursionError."""
    response = _post_json(client, admin, "[" * 3000 + "]" * 3000)
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert str(MAX_JSON_DEPTH) in response.json["detail"]


def test_nesting_just_past_the_limit_is_refused_and_at_it_is_parsed(client, admin):
    """One level past MAX_JSON_DEPTH is 400; exactly at it reaches the schema (422)."""
    too_deep = _post_json(client, admin, "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    at_limit = _post_json(client, admin, "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)
    assert too_deep.status_code == 400 and too_deep.mimetype == PROBLEM
    assert at_limit.status_code == 422


def test_brackets_inside_strings_do_not_count_as_nesting(client, admin):
    """A reason full of brackets is text, not depth."""
    body = '{"postings": [], "reason": "' + "[{" * 200 + '"}'
    response = _post_json(client, admin, body)
    assert response.status_code == 422


def test_a_duplicate_key_is_refused_and_named(client, admin):
    """Two "reason" members in one object are ambiguous: 400 naming the key."""
    body = '{"postings": [], "reason": "one", "reason": "two"}'
    response = _post_json(client, admin, body)
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert response.json["duplicate_key"] == "reason"


def test_a_chunked_body_over_the_limit_is_413(client, admin):
    """A chunked body (no Content-Length) that runs past 64 KiB is 413, as a declared one is."""
    body = ('{"reason": "' + "x" * MAX_BODY_BYTES + '"}').encode()
    response = client.post(
        "/v1/adjustments",
        input_stream=io.BytesIO(body),
        headers={**admin, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        # What gunicorn sets for a chunked body it de-chunks itself.
        environ_base={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413 and response.mimetype == PROBLEM


def test_the_large_batch_endpoint_refuses_deep_nesting_too(client, admin):
    """The events batch, allowed a larger body, still refuses JSON nested past the limit."""
    response = client.post(
        "/v1/events/batch",
        data="[" * 3000 + "]" * 3000,
        headers=admin,
        content_type="application/json",
    )
    assert response.status_code == 400 and response.mimetype == PROBLEM
