"""Answers dumped by a function compiled once per schema, not by marshmallow's per-field walk.

marshmallow's ``Schema.dump`` reaches every value through four calls (``Field.serialize``,
``Field.get_value``, ``Schema.get_attribute``, ``utils.get_value``) and dispatches on the field at
every value: for a batch answer of 100 events that is a quarter of the request. ``compile_dump``
does the same walk with the decisions taken once: each field's key, attribute, default and
converter are worked out when the view is decorated. Strings and integers are converted inline;
every other field keeps its own ``_serialize``, and a field that reads its value its own way (a
``Function``, a dotted attribute) its own ``serialize``, so the output is marshmallow's own. A
schema with dump hooks or its own ``get_attribute`` is dumped by marshmallow unchanged.
"""

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import fields
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type

Converter = Callable[[Any, Any], Any]  # (value, the object it came from) -> dumped value
_LOOKUP_ERRORS = (KeyError, IndexError, TypeError, AttributeError)


def _string(value, obj):
    return None if value is None else ensure_text_type(value)


def _integer(value, obj):
    return None if value is None else int(value)


def _converter(field: fields.Field, name: str) -> Converter:
    """What ``field._serialize(value, name, obj)`` computes, as a function of (value, obj)."""
    kind = type(field)
    if kind is fields.String:
        return _string
    if kind is fields.Integer and not field.as_string:  # type: ignore[attr-defined]
        return _integer
    if kind is fields.Nested:
        nested = field.schema  # type: ignore[attr-defined]
        many = bool(nested.many or field.many)  # type: ignore[attr-defined]
        dump = compile_dump(nested) or nested.dump
        return lambda value, obj: None if value is None else dump(value, many=many)
    if kind is fields.List:
        inner = _converter(field.inner, name)  # type: ignore[attr-defined]
        return lambda value, obj: None if value is None else [inner(v, obj) for v in value]
    serialize = field._serialize
    return lambda value, obj: serialize(value, name, obj)


def _reads_plainly(field: fields.Field, name: str) -> bool:
    """The field takes its value the default way: one attribute or key, no dots."""
    return (
        field._CHECK_ATTRIBUTE
        and type(field).serialize is fields.Field.serialize
        and type(field).get_value is fields.Field.get_value
        and "." not in (field.attribute or name)
    )


def _own_walk(field: fields.Field, name: str, accessor) -> Converter:
    """The field's own serialize, for a field that reads its value its own way."""
    return lambda obj, _keyed: field.serialize(name, obj, accessor=accessor)


def _plain_walk(field: fields.Field, name: str) -> Converter:
    """The value of one attribute or key, its dump default when missing, then converted."""
    attribute, default = field.attribute or name, field.dump_default
    convert = _converter(field, name)

    def walk(obj, keyed):
        value = _value_of(obj, attribute, keyed)
        if value is ma.missing:
            value = default() if callable(default) else default
            if value is ma.missing:
                return value
        return convert(value, obj)

    return walk


def compile_dump(schema: ma.Schema) -> Callable[..., Any] | None:
    """A function equal to ``schema.dump`` (``obj, *, many=None``); None when the schema does
    something only marshmallow's own walk knows (dump hooks, its own ``get_attribute``)."""
    if schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]:
        return None
    if type(schema).get_attribute is not ma.Schema.get_attribute:
        return None
    steps = [
        (
            field.data_key if field.data_key is not None else name,
            _plain_walk(field, name)
            if _reads_plainly(field, name)
            else _own_walk(field, name, schema.get_attribute),
        )
        for name, field in schema.dump_fields.items()
    ]
    dict_class, schema_many = schema.dict_class, schema.many

    def dump_one(obj):
        keyed = hasattr(obj, "__getitem__")
        result = dict_class()
        for key, walk in steps:
            value = walk(obj, keyed)
            if value is not ma.missing:
                result[key] = value
        return result

    def dump(obj, *, many=None):
        if (schema_many if many is None else bool(many)) and obj is not None:
            return [dump_one(each) for each in obj]
        return dump_one(obj)

    return dump


def _value_of(obj, attribute: str, keyed: bool):
    """``marshmallow.utils.get_value`` for a plain attribute: a key first, then an attribute."""
    if not keyed:
        return getattr(obj, attribute, ma.missing)
    try:
        return obj[attribute]
    except _LOOKUP_ERRORS:
        return getattr(obj, attribute, ma.missing)


def use_compiled_dump(schema: ma.Schema) -> ma.Schema:
    """``schema`` with its ``dump`` replaced by the compiled one, where it can be."""
    compiled = compile_dump(schema)
    if compiled is not None:
        schema.dump = compiled  # type: ignore[method-assign]
    return schema
