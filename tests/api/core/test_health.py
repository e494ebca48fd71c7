"""Health probes: public, and ready once the schema is at head."""

import pytest


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json"])
def test_probes_need_no_key(client, path):
    """Probes and the spec are public."""
    assert client.get(path).status_code == 200


def test_readyz_reports_the_schema_at_head(client):
    """/readyz answers 200 once the schema is migrated, and /healthz always does."""
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ready"
