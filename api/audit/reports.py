"""Community reports (staff) and statements as CSV, for publishing results (结果公示).

``GET /v1/communities/{slug}/report`` answers JSON, or CSV with ``Accept: text/csv``; both carry
the same figures (``ledger.reports.CommunityReport.rows``). ``GET /v1/accounts/{id}/statement.csv``
is an account's whole statement for a window, for whoever may read the account.
"""

import csv
import io

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api import access
from api.auth import roles
from api.clock import now
from api.extensions import db
from api.schemas import StrictSchema
from ledger.audit import reports

blp = Blueprint("reports", __name__, url_prefix="/v1", description="Reports and CSV statements")

CSV_MEDIA_TYPE = "text/csv"
CSV_CONTENT = {"schema": {"type": "string"}}
# Spreadsheets run cells that start with these as formulas; free text gets a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class WindowQuery(StrictSchema):
    from_ = fields.AwareDateTime(
        data_key="from", metadata={"description": "Inclusive, on posted_at."}
    )
    to = fields.AwareDateTime(metadata={"description": "Exclusive, on posted_at."})


class ShopFiguresSchema(Schema):
    shop = fields.String(attribute="shop_id")
    name = fields.String(allow_none=True)
    account = fields.String(attribute="account_id")
    redeemed = fields.Integer()
    refunded = fields.Integer()
    net_redeemed = fields.Integer()
    settled = fields.Integer()
    owed = fields.Integer(metadata={"description": "The shop's posted balance at `to`."})


class PendingSchema(Schema):
    kind = fields.String()
    unit = fields.String()
    amount = fields.Integer()


def _counts(**kwargs):
    return fields.Dict(keys=fields.String(), values=fields.Integer(), **kwargs)


class PointsFiguresSchema(Schema):
    issued = fields.Integer()
    issued_by_activity = _counts()
    returned = fields.Integer()
    returned_by_kind = _counts()
    redeemed = fields.Integer(metadata={"description": "Net of refunds, all shops."})
    settled = fields.Integer()
    outstanding_at_start = fields.Integer()
    outstanding_at_end = fields.Integer(
        metadata={"description": "Minus the issuance account's posted balance at `to`."}
    )
    shops = fields.List(fields.Nested(ShopFiguresSchema))


class ReportSchema(Schema):
    community = fields.String(attribute="slug")
    from_ = fields.AwareDateTime(data_key="from", allow_none=True)
    to = fields.AwareDateTime(allow_none=True)
    generated_at = fields.AwareDateTime()
    points = fields.Nested(PointsFiguresSchema)
    pending = fields.List(
        fields.Nested(PendingSchema),
        attribute="pending_held",
        metadata={"description": "Held right now by pending entries."},
    )
    members_taking_part = fields.Integer(attribute="participants")
    members = fields.Integer()
    minutes_exchanged = fields.Integer()
    minutes_by_category = _counts()
    love_bank = _counts()
    clearing = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Minutes owed to other communities of the district, by account."},
    )


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_STARTS) else text


def csv_response(header, rows, filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return Response(
        out.getvalue(),
        mimetype=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def wants_csv() -> bool:
    return (
        request.accept_mimetypes.best_match(["application/json", CSV_MEDIA_TYPE]) == CSV_MEDIA_TYPE
    )


@blp.route("/communities/<slug>/report")
@roles("staff")
@blp.arguments(WindowQuery, location="query", as_kwargs=True)
@blp.response(
    200,
    ReportSchema,
    description="JSON, or CSV rows (section,item,unit,value) with Accept: text/csv.",
)
@blp.doc(responses={200: {"content": {CSV_MEDIA_TYPE: CSV_CONTENT}}})
def show_report(slug, from_=None, to=None):
    """Points issued, redeemed, settled, outstanding and pending; participation; minutes (staff)."""
    community = access.staff_community(slug)
    report = reports.community_report(db.session, community, now=now(), from_=from_, to=to)
    if not wants_csv():
        return report
    rows = reports.report_csv_rows(report)
    return csv_response(reports.REPORT_CSV_HEADER, rows, f"report-{report.slug}.csv")


@blp.route("/accounts/<account_id>/statement.csv")
@blp.arguments(WindowQuery, location="query", as_kwargs=True)
@blp.response(
    200,
    content_type=CSV_MEDIA_TYPE,
    description="CSV: entry,kind,posted_at,occurred_at,memo,amount,balance,unit.",
)
@blp.doc(responses={200: {"content": {CSV_MEDIA_TYPE: CSV_CONTENT}}})
def statement_csv(account_id, from_=None, to=None):
    """An account's posted entries in the window, oldest first, with running balance, as CSV."""
    account = access.account(account_id)
    rows = reports.statement_csv_rows(db.session, account, from_=from_, to=to)
    return csv_response(reports.STATEMENT_CSV_HEADER, rows, f"statement-{account.id}.csv")
