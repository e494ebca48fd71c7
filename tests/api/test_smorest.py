"""The blueprint's arguments parser builds each schema class once."""

from api.core.schemas import ReversalRequest
from api.smorest import Blueprint


def test_a_schema_class_is_built_once_for_every_request():
    """The parser hands out the same instance of a schema class each time."""
    parser = Blueprint.ARGUMENTS_PARSER
    first = parser._get_schema(ReversalRequest, None)
    assert isinstance(first, ReversalRequest)
    assert parser._get_schema(ReversalRequest, None) is first
