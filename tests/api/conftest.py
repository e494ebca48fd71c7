"""Every HTTP test's answers are checked against /openapi.json (tests.support.contract)."""

import pytest

from tests.support.contract import ContractClient


@pytest.fixture(autouse=True)
def answers_match_the_document(app):
    """While an HTTP test runs, the app's test clients check each answer against the document."""
    before = app.test_client_class
    app.test_client_class = ContractClient
    yield
    app.test_client_class = before
