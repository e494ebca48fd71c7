"""CSV answers: the machine CSV as programs read it, and the CSV for people.

Both are RFC 4180 rows with CRLF line ends. The CSV for people starts with a UTF-8 byte-order
mark: without it a spreadsheet on Chinese Windows reads the file as GBK and shows mojibake. Free
text that a spreadsheet would run as a formula gets a leading quote in both.
"""

import csv
import io

from flask import Response

from ledger import spreadsheets

CSV_MEDIA_TYPE = "text/csv"
CSV_CONTENT = {"schema": {"type": "string"}}
BYTE_ORDER_MARK = "\ufeff"
# Spreadsheets run cells that start with these as formulas; free text gets a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_STARTS) else text


def csv_response(header, rows, filename: str, *, for_people: bool = False) -> Response:
    out = io.StringIO()
    if for_people:
        out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return Response(
        out.getvalue(),
        mimetype=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def people_statement(session, account, **window) -> Response:
    """An account's statement for the window as the CSV for people."""
    rows = spreadsheets.statement_rows(session, account, **window)
    return csv_response(
        spreadsheets.STATEMENT_HEADER, rows, f"statement-{account.id}-people.csv", for_people=True
    )


def people_report(report, community) -> Response:
    """A community report as the CSV for people."""
    rows = spreadsheets.report_rows(report, community)
    return csv_response(
        spreadsheets.REPORT_HEADER, rows, f"report-{community.slug}-people.csv", for_people=True
    )
