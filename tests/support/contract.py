"""Every answer a test receives, checked against /openapi.json: the document must be true.

``ContractClient`` is a Flask test client that, after each request to a documented operation,
checks that the status is listed for it, that the media type is one listed for that status,
that a JSON body matches the listed schema and that the listed required headers are sent.
Requests to no documented operation (an unknown path, a method a path does not take) are left
alone: the document makes no promise about them.
"""

import json
import re

import jsonschema_rs
import pytest
from flask.testing import FlaskClient

PATH_PARAMETER = re.compile(r"\{[^}/]+\}")
JSON_MEDIA_TYPES = ("application/json", "application/problem+json")


class ContractBroken(AssertionError):
    """An answer the document does not describe."""


def _path_pattern(template: str) -> re.Pattern:
    parts = PATH_PARAMETER.split(template)
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")


class Contract:
    def __init__(self, document: dict):
        self.document = document
        # Literal paths first: /v1/events/batch is not /v1/events/{event_id}.
        templates = sorted(document["paths"], key=lambda t: (t.count("{"), t))
        self.paths = [(_path_pattern(t), t) for t in templates]
        self.validators = {}

    def operation(self, method: str, path: str) -> dict | None:
        for pattern, template in self.paths:
            if pattern.match(path):
                return self.document["paths"][template].get(method.lower())
        return None

    def resolve(self, item: dict) -> dict:
        while "$ref" in item:
            _, section, name = item["$ref"].lstrip("#/").split("/")
            item = self.document["components"][section][name]
        return item

    def validator(self, schema: dict):
        key = json.dumps(schema, sort_keys=True)
        if key not in self.validators:
            # The document's components travel with the schema, so its $refs resolve.
            whole = {**schema, "components": self.document["components"]}
            self.validators[key] = jsonschema_rs.Draft202012Validator(whole)
        return self.validators[key]

    def check(self, method: str, path: str, response) -> None:
        operation = self.operation(method, path)
        if operation is None:
            return
        where = f"{method} {path} -> {response.status_code}"
        documented = operation["responses"].get(str(response.status_code))
        if documented is None:
            raise ContractBroken(f"{where}: status not documented")
        documented = self.resolve(documented)
        self._check_headers(where, documented, response)
        content = documented.get("content")
        if not content:
            if response.get_data():
                raise ContractBroken(f"{where}: a body where none is documented")
            return
        media_type = response.mimetype
        if media_type not in content:
            raise ContractBroken(f"{where}: {media_type} not among {sorted(content)}")
        schema = content[media_type].get("schema")
        if schema is not None and media_type in JSON_MEDIA_TYPES:
            errors = list(self.validator(schema).iter_errors(response.get_json()))
            if errors:
                raise ContractBroken(f"{where}: body does not match: {errors[0]}")

    def _check_headers(self, where: str, documented: dict, response) -> None:
        for name, header in documented.get("headers", {}).items():
            if self.resolve(header).get("required") and name not in response.headers:
                raise ContractBroken(f"{where}: required header {name} missing")


class ContractClient(FlaskClient):
    """A test client that checks each answer against the app's own /openapi.json."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if request.path != "/openapi.json":
            contract_of(self.application).check(request.method, request.path, response)
        return response


def contract_of(app) -> Contract:
    contract = app.extensions.get("tests.contract")
    if contract is None:
        document = FlaskClient(app).get("/openapi.json").get_json()
        contract = app.extensions["tests.contract"] = Contract(document)
    return contract


@pytest.fixture(autouse=True)
def answers_match_the_document(app):
    """While an HTTP test runs, the app's test clients check each answer against the document."""
    before = app.test_client_class
    app.test_client_class = ContractClient
    yield
    app.test_client_class = before
