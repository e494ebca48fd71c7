"""Community reports (staff) and statements as CSV, for publishing results (结果公示).

``GET /v1/communities/{slug}/report`` answers JSON, or CSV with ``Accept: text/csv``; both carry
the same figures (``ledger.reports.CommunityReport.rows``). ``GET /v1/accounts/{id}/statement.csv``
is an account's whole statement for a window, for whoever may read the account. Either takes
``for=people`` for the CSV a person opens in a spreadsheet (``ledger.spreadsheets``); the machine
CSV stays the default, unchanged.
"""

from flask import request
from marshmallow import Schema, fields, validate

from api import access, csvs
from api.auth import roles
from api.clock import now
from api.csvs import CSV_CONTENT, CSV_MEDIA_TYPE, csv_response
from api.extensions import db
from api.schemas import StrictSchema
from api.smorest import Blueprint
from ledger.audit import reports

blp = Blueprint("reports", __name__, url_prefix="/v1", description="Reports and CSV statements")


class WindowQuery(StrictSchema):
    from_ = fields.AwareDateTime(
        data_key="from", metadata={"description": "Inclusive, on posted_at."}
    )
    to = fields.AwareDateTime(metadata={"description": "Exclusive, on posted_at."})


# Who a CSV is for: programs (ids, UTC times) or people (see ledger.spreadsheets).
CSV_AUDIENCES = ("machine", "people")


class CsvWindowQuery(WindowQuery):
    audience = fields.String(
        data_key="for",
        load_default="machine",
        validate=validate.OneOf(CSV_AUDIENCES),
        metadata={
            "description": "`people`: a CSV for spreadsheets (UTF-8 with BOM, Chinese headers, "
            "local times, names instead of ids); `machine` (default): the CSV for programs."
        },
    )


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
    expired_points = fields.Integer(
        metadata={"description": "Points that expired into the love bank in the window."}
    )
    donated = _counts(metadata={"description": "Donated to the love bank in the window, by unit."})
    exchanged_for_time = _counts(
        metadata={"description": "Points exchanged for time credits and the minutes they bought."}
    )
    clearing = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Minutes owed to other communities of the district, by account."},
    )


def wants_csv() -> bool:
    return (
        request.accept_mimetypes.best_match(["application/json", CSV_MEDIA_TYPE]) == CSV_MEDIA_TYPE
    )


@blp.route("/communities/<slug>/report")
@roles("staff")
@blp.arguments(CsvWindowQuery, location="query", as_kwargs=True)
@blp.response(
    200,
    ReportSchema,
    description="JSON, or CSV rows (section,item,unit,value) with Accept: text/csv.",
)
@blp.doc(responses={200: {"content": {CSV_MEDIA_TYPE: CSV_CONTENT}}})
def show_report(slug, audience, from_=None, to=None):
    """Points issued, redeemed, settled, outstanding and pending; participation; minutes (staff).

    ``for=people`` answers the CSV for people whatever the Accept header says."""
    community = access.staff_community(slug)
    report = reports.community_report(db.session, community, now=now(), from_=from_, to=to)
    if audience == "people":
        return csvs.people_report(report, community)
    if not wants_csv():
        return report
    rows = reports.report_csv_rows(report)
    return csv_response(reports.REPORT_CSV_HEADER, rows, f"report-{report.slug}.csv")


@blp.route("/accounts/<account_id>/statement.csv")
@blp.arguments(CsvWindowQuery, location="query", as_kwargs=True)
@blp.response(
    200,
    content_type=CSV_MEDIA_TYPE,
    description="CSV: entry,kind,posted_at,occurred_at,memo,amount,balance,unit; with "
    "for=people: 时间,事项,变动,余额,单位 (local time, names), UTF-8 with BOM.",
)
@blp.doc(responses={200: {"content": {CSV_MEDIA_TYPE: CSV_CONTENT}}})
def statement_csv(account_id, audience, from_=None, to=None):
    """An account's posted entries in the window, oldest first, with running balance, as CSV."""
    account = access.account(account_id)
    if audience == "people":
        return csvs.people_statement(db.session, account, from_=from_, to=to)
    rows = reports.statement_csv_rows(db.session, account, from_=from_, to=to)
    return csv_response(reports.STATEMENT_CSV_HEADER, rows, f"statement-{account.id}.csv")
