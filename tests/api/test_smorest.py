"""The blueprint's arguments parser builds each schema class once and parses a body once."""

import webargs.core

from api.core.schemas import ReversalRequest
from api.smorest import Blueprint


def test_a_schema_class_is_built_once_for_every_request():
    """The parser hands out the same instance of a schema class each time."""
    parser = Blueprint.ARGUMENTS_PARSER
    first = parser._get_schema(ReversalRequest, None)
    assert isinstance(first, ReversalRequest)
    assert parser._get_schema(ReversalRequest, None) is first


def test_a_json_body_is_parsed_once(client, admin, monkeypatch):
    """The parser takes the body the duplicate-key check parsed, and webargs parses nothing."""
    parses = []
    monkeypatch.setattr(webargs.core, "parse_json", lambda *args, **kw: parses.append(args))
    answer = client.post("/v1/communities", json={"slug": "yuyuan", "name": "渔园"}, headers=admin)
    assert answer.status_code == 201
    assert answer.json["slug"] == "yuyuan"
    assert parses == []


def test_malformed_json_is_still_answered_by_the_parser(client, admin):
    """A body that does not parse is left to webargs, which answers it as before."""
    answer = client.post(
        "/v1/communities", data='{"slug": "yuyuan",', content_type="application/json", headers=admin
    )
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
