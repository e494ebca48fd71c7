"""The OpenAPI document: served as 3.1, every endpoint listed, and generated requests get no 5xx
and only answers the document describes."""

import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.core.failures import FailureGroup

FUZZ_EXAMPLES_PER_OPERATION = 12
# What the document promises about each answer, checked on every generated request.
CONFORMANCE_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def test_generated_requests_get_documented_answers(app, admin, make_community):
    """Whatever shape a body, path or query takes, the answer is no 5xx and is as documented."""
    make_community()
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    failures, calls = [], []
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
            try:
                case.validate_response(response, checks=CONFORMANCE_CHECKS)
            except (AssertionError, FailureGroup) as failure:
                failures.append((case.method, case.formatted_path, str(failure)[:500]))

        probe()
    assert failures == []
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


def _operations(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield path, method, operation


def test_every_error_answer_is_documented_as_a_problem(client):
    """Each documented 4xx/5xx is the one Problem schema as application/problem+json."""
    spec = client.get("/openapi.json").json
    responses = spec["components"]["responses"]
    for path, method, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                name = response["$ref"].rsplit("/", 1)[-1]
                content = responses[name]["content"]
                assert list(content) == ["application/problem+json"], (path, method, status)
                assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    assert responses["TOO_MANY_REQUESTS"]["headers"]["Retry-After"]["required"] is True


def test_v1_operations_list_the_answers_every_request_can_get(client):
    """Every /v1 operation lists 401, 429 and 503 and the RateLimit fields; writes list 409 and 413."""
    spec = client.get("/openapi.json").json
    for path, method, operation in _operations(spec):
        if not path.startswith("/v1/"):
            continue
        assert {"401", "429", "503"} <= set(operation["responses"]), (path, method)
        success = [s for s in operation["responses"] if s.startswith("2")]
        for status in success:
            assert "RateLimit" in operation["responses"][status]["headers"], (path, method)
        if "requestBody" in operation:
            assert {"409", "413", "415"} <= set(operation["responses"]), (path, method)


def test_writes_document_the_idempotency_key_except_where_it_is_refused(client):
    """Idempotent writes take Idempotency-Key; the consent code and PIN (which refuse it) do not."""
    paths = client.get("/openapi.json").json["paths"]

    def headers(path, method):
        return {p["name"] for p in paths[path][method].get("parameters", []) if p["in"] == "header"}

    assert "Idempotency-Key" in headers("/v1/adjustments", "post")
    assert "Idempotency-Key" not in headers("/v1/members/{member_id}/pin", "put")
    assert "Idempotency-Key" not in headers("/v1/members/{member_id}/consent-codes", "post")


def test_probes_need_no_key_and_csv_is_documented(client):
    """/healthz and /readyz have no security; the report and the statement list text/csv."""
    paths = client.get("/openapi.json").json["paths"]
    for probe in ("/healthz", "/readyz"):
        assert paths[probe]["get"]["security"] == []
    assert set(paths["/readyz"]["get"]["responses"]) == {"200", "503"}
    report = paths["/v1/communities/{slug}/report"]["get"]["responses"]["200"]["content"]
    assert set(report) == {"application/json", "text/csv"}
    statement = paths["/v1/accounts/{account_id}/statement.csv"]["get"]["responses"]["200"]
    assert list(statement["content"]) == ["text/csv"]


ASSET_REFERENCE = re.compile(r'(?:src|href)="([^"]+)"')


def test_docs_are_served_from_the_app_itself(client):
    """/docs loads Swagger UI from the app's own files, naming no outside address."""
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = ASSET_REFERENCE.findall(html)
    assert len(assets) >= 3
    assert "://" not in html
    for asset in assets:
        with client.get(asset) as response:
            assert response.status_code == 200, asset
            assert response.get_data()
    assert client.get("/docs/assets/../../pyproject.toml").status_code == 404
