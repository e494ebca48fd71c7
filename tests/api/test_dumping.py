"""Compiled dumps: the same answer as marshmallow's own dump, for every kind of field we use."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask_smorest import Api
from marshmallow import Schema, fields, post_dump

from api import smorest
from api.dumping import compile_dump, use_compiled_dump

AT = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


class CapLike(Schema):
    period = fields.String()
    max_points = fields.Integer(allow_none=True)


class EverythingSchema(Schema):
    id = fields.String()
    member = fields.String(attribute="member_id")
    shown_as = fields.String(data_key="shownAs")
    points = fields.Integer()
    spent = fields.Integer(as_string=True)
    ok = fields.Boolean()
    at = fields.AwareDateTime(allow_none=True)
    evidence = fields.Dict()
    raw = fields.Raw()
    cap = fields.Nested(CapLike, allow_none=True)
    caps = fields.List(fields.Nested(CapLike))
    tags = fields.List(fields.String())
    defaulted = fields.String(dump_default="none given")


class EverythingAndAFunction(EverythingSchema):
    computed = fields.Function(lambda obj: f"{obj.id}!")


@dataclass
class Cap:
    period: str
    max_points: int | None


@dataclass
class Thing:
    id: str = "thing_1"
    member_id: str = "mem_1"
    shown_as: str = "王某"
    points: int = 5
    spent: int = 3
    ok: bool = True
    at: datetime | None = AT
    evidence: dict = field(default_factory=lambda: {"photo": "清洁家园.jpg"})
    raw: object = (1, "two")
    cap: Cap | None = field(default_factory=lambda: Cap("day", 20))
    caps: list = field(default_factory=lambda: [Cap("day", 20), Cap("week", None)])
    tags: list = field(default_factory=lambda: ["星空夜话", 7])


class Wrapped:
    """Attributes served by __getattr__, as the ledger's read models do (no `defaulted`)."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)


SAMPLES = [
    Thing(),
    Thing(at=None, cap=None, caps=[], tags=[]),
    Wrapped(Thing(points=0)),
    {
        "id": "d",
        "member_id": "m",
        "points": 1,
        "spent": 2,
        "ok": False,
        "at": AT,
        "caps": [{"period": "day", "max_points": 1}],
        "tags": [],
    },
]


@pytest.mark.parametrize("sample", SAMPLES, ids=["object", "nones", "getattr", "dict"])
def test_a_compiled_dump_equals_marshmallows_own(sample):
    """Keys, values, order and left-out attributes are marshmallow's, whatever the object."""
    schema = EverythingSchema() if isinstance(sample, dict) else EverythingAndAFunction()
    compiled = compile_dump(schema)
    assert compiled is not None
    assert list(compiled(sample).items()) == list(schema.dump(sample).items())


def test_many_is_honoured_from_the_schema_and_the_call():
    """many=True dumps a list; a schema made with many=True dumps lists by default."""
    schema = CapLike(many=True)
    compiled = compile_dump(schema)
    caps = [Cap("day", 1), Cap("month", None)]
    assert compiled(caps) == schema.dump(caps)
    assert compiled(caps[0], many=False) == schema.dump(caps[0], many=False)


def test_a_schema_with_dump_hooks_keeps_marshmallows_dump():
    """Hooks run only in marshmallow's walk, so such a schema is not compiled."""

    class Hooked(CapLike):
        @post_dump
        def shout(self, data, **kwargs):
            return {k: str(v).upper() for k, v in data.items()}

    schema = Hooked()
    assert compile_dump(schema) is None
    assert use_compiled_dump(schema).dump(Cap("day", 2)) == {"period": "DAY", "max_points": "2"}


def test_a_dotted_attribute_is_read_by_the_fields_own_walk():
    """A value read through a path comes out as marshmallow reads it."""

    class Dotted(Schema):
        period = fields.String(attribute="cap.period")
        points = fields.Integer()

    schema, sample = Dotted(), Thing()
    assert compile_dump(schema)(sample) == schema.dump(sample) == {"period": "day", "points": 5}


def test_views_answer_through_the_compiled_dump(monkeypatch):
    """The blueprint's response decorator compiles its schema's dump, and the view answers it."""
    compiled_for = []

    def spy(schema):
        compiled_for.append(type(schema))
        return use_compiled_dump(schema)

    monkeypatch.setattr(smorest, "use_compiled_dump", spy)
    blueprint = smorest.Blueprint("dumping_probe", __name__)

    @blueprint.route("/cap")
    @blueprint.response(200, CapLike)
    def cap():
        return Cap("day", 3)

    app = Flask(__name__)
    app.config.update(API_TITLE="probe", API_VERSION="v1", OPENAPI_VERSION="3.1.0")
    Api(app).register_blueprint(blueprint)
    assert compiled_for == [CapLike]
    assert app.test_client().get("/cap").get_json() == {"period": "day", "max_points": 3}
