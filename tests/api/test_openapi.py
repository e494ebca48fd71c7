"""The OpenAPI document: served as 3.1, every endpoint listed, and generated requests never get a 5xx."""

import schemathesis
from hypothesis import HealthCheck, given, settings

FUZZ_EXAMPLES_PER_OPERATION = 12


def test_generated_requests_get_no_server_error(app, admin, make_community):
    """Whatever shape a body, path or query takes, the answer is a 2xx or a 4xx problem."""
    make_community()
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    server_errors, calls = [], []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=FUZZ_EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def probe(case):
            response = case.call(headers=admin)
            calls.append(response.status_code)
            if response.status_code >= 500:
                server_errors.append((case.method, case.formatted_path, response.text[:300]))
            elif response.status_code >= 400:
                assert "application/problem+json" in str(response.headers.get("content-type"))

        probe()
    assert server_errors == []
    assert any(200 <= status < 300 for status in calls)


def test_the_earning_endpoints_are_documented(client):
    """/openapi.json lists rules, events, batches and objections with their bodies."""
    spec = client.get("/openapi.json").json
    paths = spec["paths"]
    for path in (
        "/v1/communities/{slug}/rules/{activity}",
        "/v1/communities/{slug}/rules",
        "/v1/events",
        "/v1/events/batch",
        "/v1/events/{event_id}",
        "/v1/events/{event_id}/objection",
        "/v1/communities/{slug}/events",
    ):
        assert path in paths, path
    assert {"EventRequest", "Event", "RulePut", "Batch"} <= set(spec["components"]["schemas"])


def test_openapi_document_is_served_as_3_1(client):
    """/openapi.json describes the API."""
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    assert "/v1/adjustments" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
