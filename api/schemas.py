"""marshmallow schemas: shape and range only. Business rules live in ``ledger/``.

Every field is strict: integers are JSON integers (not 1.0, "7" or true), text has bounded length
and no NUL bytes (PostgreSQL text cannot hold them), ids are bounded, unknown fields are refused.
"""

import numbers

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate

from ledger.core.ids import ID_MAX_LENGTH
from ledger.core.journal import MAX_AMOUNT
from ledger.core.models import (
    UNITS,
)
from ledger.core.paging import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT

METADATA_MAX_KEYS = 20


class StrictInteger(fields.Integer):
    """A JSON integer, and nothing that merely converts to one."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class Text(fields.String):
    """A string with a maximum length and no NUL byte."""

    def __init__(self, max_length: int, min_length: int = 0, **kwargs):
        super().__init__(validate=validate.Length(min=min_length, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL bytes.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValidationError("Must be valid Unicode text (no lone surrogates).") from exc
        return text


def Id(**kwargs):
    return Text(ID_MAX_LENGTH, min_length=1, **kwargs)


def Amount(**kwargs):
    return StrictInteger(validate=validate.Range(min=1, max=MAX_AMOUNT), **kwargs)


def Unit(**kwargs):
    return fields.String(validate=validate.OneOf(UNITS), **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class PageQuery(StrictSchema):
    limit = fields.Integer(
        load_default=DEFAULT_PAGE_LIMIT,
        validate=validate.Range(min=1, max=MAX_PAGE_LIMIT),
        metadata={"description": f"Page size, 1 to {MAX_PAGE_LIMIT}; larger values are refused."},
    )
    cursor = Text(500, metadata={"description": "The next_cursor of the previous page."})


class PageMeta(Schema):
    next_cursor = fields.String(allow_none=True)


class AttributesDict(fields.Dict):
    """Documented as a free-form object: these attributes of what the ledger returns, each under
    its own name."""

    def __init__(self, names: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.names = names

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else {name: getattr(value, name) for name in self.names}


class ProblemFieldError(Schema):
    location = fields.String(metadata={"description": "body, query or path"})
    field = fields.String(metadata={"description": "Dotted path of the field, empty for all"})
    message = fields.String()


class ProblemSchema(Schema):
    """RFC 9457 problem details: every error answer, as application/problem+json.

    Members beyond the standard ones are the numbers (and names) a rule refused with, such as
    ``balance`` and ``requested``; they are open-ended, hence additionalProperties.
    """

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"description": "/problems/<slug>"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String(metadata={"description": "The request path"})
    errors = fields.List(
        fields.Nested(ProblemFieldError), metadata={"description": "Each field refused (422)"}
    )
