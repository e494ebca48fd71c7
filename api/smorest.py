"""flask-smorest's Blueprint, with an arguments parser that builds each schema once.

webargs instantiates an argument schema given as a class on every request (a deep copy of its
declared fields: a third of a millisecond for an event). Schemas hold no per-request state (a
``load`` takes its data as an argument), so one instance per class serves every request.
"""

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser


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


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = OnceBuiltSchemaParser()
