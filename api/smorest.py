"""flask-smorest's Blueprint, with an arguments parser that builds each schema once and answers
dumped by compiled functions (``api.dumping``).

webargs instantiates an argument schema given as a class on every request (a deep copy of its
declared fields: a third of a millisecond for an event). Schemas hold no per-request state (a
``load`` takes its data as an argument), so one instance per class serves every request.

The JSON body is parsed once a request: app.py's check for duplicate keys parses it already
(``g.json_body``), and the parser takes that value instead of parsing the body again (a
batch of a hundred events is about 25 KB of JSON).
"""

from typing import Any

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.utils import resolve_schema_instance
from webargs.flaskparser import FlaskParser

from api.dumping import use_compiled_dump

# Where app.py's check leaves the body it parsed.
PARSED_JSON = "json_body"


class OnceBuiltSchemaParser(FlaskParser):
    """A FlaskParser that instantiates a schema class the first time it is used, then reuses it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built: dict[type, ma.Schema] = {}

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            built = self._built.get(argmap)
            if built is None:
                built = self._built[argmap] = argmap()
            return built
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req):
        # webargs' hook for the body's JSON (load_json keeps its handling of malformed JSON,
        # which app.py leaves to it and so never stores).
        if PARSED_JSON in g:
            return g.get(PARSED_JSON)
        return super()._raw_load_json(req)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = OnceBuiltSchemaParser()

    def response(self, status_code, schema=None, *args, **kwargs):
        """flask-smorest's ``response``, whose answer is dumped by a compiled function
        (``api.dumping``); the documented schema is the same."""
        if schema is not None:
            schema = use_compiled_dump(resolve_schema_instance(schema))
        return super().response(status_code, schema, *args, **kwargs)
