"""Paper sign-in sheets: residents without phones are signed in on paper, then typed into CSV.

A sheet's columns (a header line first, in any order):
``member_ref, activity, occurred_at, quantity, row_id`` and, optionally, ``recorded_by`` and
``evidence``. ``member_ref`` is the resident's external reference; ``occurred_at`` is ISO 8601,
and a time written without a zone is the community's local time (as on the paper); ``quantity``
is minutes for a per-hour activity and blank otherwise; ``row_id`` is the id written on the
sheet's line (for example ``2026-11-18-A/07``: sheet and line).

Re-importing awards nothing twice: every sheet event belongs to the community's one paper
source (``paper:<community id>``) and is keyed by its row id, so the same line imported again,
from the same file or a corrected or renamed copy, is a replay. A row id therefore names one
line of one sheet within the community. Rows are judged like any other event, in chunks of
``MAX_BATCH_EVENTS``; a bad row is reported by its line number and the good rows still import.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ledger.core.clock import as_utc
from ledger.core.errors import Invalid, LedgerError
from ledger.core.models import NAME_MAX_LENGTH, Community

from .events import MAX_BATCH_EVENTS, EventDraft, paper_source, record_events
from .models import EVIDENCE_MAX_LENGTH, SOURCE_ID_MAX_LENGTH

REQUIRED_COLUMNS = ("member_ref", "activity", "occurred_at", "quantity", "row_id")
OPTIONAL_COLUMNS = ("recorded_by", "evidence")
DEFAULT_RECORDED_BY = "paper sign-in sheet"
MAX_SHEET_ROWS = 100_000
# ASCII digits only ("²".isdigit() is true), at most what a day of minutes can need.
QUANTITY_PATTERN = re.compile(r"[0-9]{1,6}")


class SheetHeaderInvalid(Invalid):
    slug = "sheet-header-invalid"
    title = "The sheet's header must name the required columns."


class SheetUnreadable(Invalid):
    slug = "sheet-unreadable"
    title = "The file is not a UTF-8 CSV sheet."


class SheetRowInvalid(Invalid):
    slug = "sheet-row-invalid"
    title = "This line of the sheet cannot be read."


@dataclass(frozen=True)
class SheetRow:
    """One line of a sheet: its line number, and the event it reports or why it cannot."""

    line: int
    draft: EventDraft | None
    error: SheetRowInvalid | None = None


def _text(row: dict, column: str, max_length: int, required: bool = True) -> str:
    value = (row.get(column) or "").strip()
    if "\x00" in value:
        raise SheetRowInvalid(f"{column} contains a NUL byte", column=column)
    if required and not value:
        raise SheetRowInvalid(f"{column} is empty", column=column)
    if len(value) > max_length:
        raise SheetRowInvalid(f"{column} is too long", column=column, max_length=max_length)
    return value


def _when(value: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise SheetRowInvalid(
            f"occurred_at {value!r} is not a date and time such as 2026-11-18 09:00",
            column="occurred_at",
            value=value,
        ) from exc
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    try:
        return as_utc(moment)
    except Invalid as exc:
        raise SheetRowInvalid(
            f"occurred_at {value!r} is out of range", column="occurred_at", value=value
        ) from exc


def _quantity(value: str) -> int | None:
    if not value:
        return None
    if not QUANTITY_PATTERN.fullmatch(value):
        raise SheetRowInvalid(
            f"quantity {value!r} is not a whole number of minutes", column="quantity", value=value
        )
    return int(value)


def read_sheet(
    lines: Iterable[str],
    *,
    community: str,
    timezone: str,
    recorded_by: str = DEFAULT_RECORDED_BY,
) -> list[SheetRow]:
    """Parse a sheet into event drafts, one per line; unreadable lines carry their error."""
    reader = csv.DictReader(lines)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise SheetHeaderInvalid(missing=missing, required=list(REQUIRED_COLUMNS))
    reader.fieldnames = header
    zone = ZoneInfo(timezone)
    rows: list[SheetRow] = []
    for record in reader:
        line = reader.line_num
        if len(rows) >= MAX_SHEET_ROWS:
            raise Invalid("the sheet has too many rows", max_rows=MAX_SHEET_ROWS)
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue  # a blank line between blocks of the sheet
        try:
            draft = EventDraft(
                community=community,
                activity=_text(record, "activity", NAME_MAX_LENGTH),
                member_ref=_text(record, "member_ref", NAME_MAX_LENGTH),
                occurred_at=_when(_text(record, "occurred_at", NAME_MAX_LENGTH), zone),
                quantity=_quantity(_text(record, "quantity", 12, required=False)),
                source_id=_text(record, "row_id", SOURCE_ID_MAX_LENGTH),
                recorded_by=_text(record, "recorded_by", NAME_MAX_LENGTH, required=False)
                or recorded_by,
                evidence=_text(record, "evidence", EVIDENCE_MAX_LENGTH, required=False),
            )
        except SheetRowInvalid as error:
            rows.append(SheetRow(line, None, error))
            continue
        rows.append(SheetRow(line, draft))
    return rows


@dataclass(frozen=True)
class ImportedLine:
    """What became of one line: awarded, pending (public notice), refused (caps), replayed
    (imported before) or bad (``problem`` says why), and the points it was awarded."""

    line: int
    outcome: str
    points: int = 0
    member_ref: str = ""
    activity: str = ""
    problem: Exception | None = None


def _imported(row: SheetRow, answer) -> ImportedLine:
    draft = row.draft
    assert draft is not None
    member_ref, activity = draft.member_ref or "", draft.activity
    if isinstance(answer, LedgerError):
        return ImportedLine(
            row.line, "bad", member_ref=member_ref, activity=activity, problem=answer
        )
    outcome = "replayed" if answer.replayed else answer.event.status
    points = int(answer.event.points_awarded)
    return ImportedLine(row.line, outcome, points, member_ref=member_ref, activity=activity)


def import_sheet(
    session: Session,
    community: Community,
    lines: Iterable[str],
    *,
    now: datetime,
    recorded_by: str = DEFAULT_RECORDED_BY,
) -> list[ImportedLine]:
    """Read a sheet and record its good lines as the community's paper events (never commits).

    Answers every line in order, the bad ones with their problem; importing the same sheet again
    answers "replayed" for the lines already imported and awards nothing twice.
    """
    rows = read_sheet(
        lines, community=community.slug, timezone=community.timezone, recorded_by=recorded_by
    )
    report = [ImportedLine(r.line, "bad", problem=r.error) for r in rows if r.error is not None]
    readable = [row for row in rows if row.error is None]
    source = paper_source(community.id)
    for start in range(0, len(readable), MAX_BATCH_EVENTS):
        chunk = readable[start : start + MAX_BATCH_EVENTS]
        answers = record_events(session, source, [row.draft for row in chunk], now=now)
        report += [_imported(row, answer) for row, answer in zip(chunk, answers, strict=True)]
    return sorted(report, key=lambda imported: imported.line)
