"""Paper sign-in sheets: columns in any order, local times, and bad lines named by number."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ledger.earning.rules import RuleDraft, set_rule
from ledger.earning.sheets import DEFAULT_RECORDED_BY, SheetHeaderInvalid, import_sheet, read_sheet


def test_a_sheet_reads_local_times_and_skips_blank_lines():
    """A time without a zone is Shanghai time; a blank line between blocks is skipped."""
    sheet = [
        "row_id,member_ref,activity,occurred_at,quantity\n",
        "2026-11-18-A/01,R-wang,cleanup.join,2026-11-18 09:00,\n",
        ",,,,\n",
        "2026-11-18-A/02,R-li,volunteer.hour,2026-11-18T10:00+00:00,90\n",
    ]
    rows = read_sheet(sheet, community="qianjiang", timezone="Asia/Shanghai")
    assert [row.line for row in rows] == [2, 4]
    first, second = (row.draft for row in rows)
    assert first.occurred_at == datetime(2026, 11, 18, 1, 0, tzinfo=UTC)
    assert (first.member_ref, first.quantity, first.recorded_by) == (
        "R-wang",
        None,
        DEFAULT_RECORDED_BY,
    )
    assert (second.source_id, second.quantity) == ("2026-11-18-A/02", 90)


def test_a_bad_line_carries_its_error_and_the_good_lines_still_read():
    """An unreadable time and a fractional quantity are reported; the sound line reads."""
    sheet = [
        "member_ref,activity,occurred_at,quantity,row_id\n",
        "R-wang,cleanup.join,yesterday,,A/1\n",
        "R-li,volunteer.hour,2026-11-18 09:00,1.5,A/2\n",
        "R-zhang,cleanup.join,2026-11-18 09:00,,A/3\n",
    ]
    rows = read_sheet(sheet, community="qianjiang", timezone="Asia/Shanghai")
    assert [row.error.numbers["column"] for row in rows[:2]] == ["occurred_at", "quantity"]
    assert rows[2].error is None and rows[2].draft.member_ref == "R-zhang"


def test_a_sheet_without_the_required_columns_is_refused_whole():
    """Missing row_id and quantity: the header is refused, naming them."""
    with pytest.raises(SheetHeaderInvalid) as refused:
        read_sheet(["member_ref,activity,occurred_at\n"], community="q", timezone="UTC")
    assert refused.value.numbers["missing"] == ["quantity", "row_id"]


def test_importing_a_sheet_reports_each_line_and_awards_nothing_twice(
    session, community, wang, now
):
    """A good line is awarded, a bad one reported by number; the same sheet again replays."""
    set_rule(session, community.id, "cleanup.join", RuleDraft(points=10), now=now)
    local = now.astimezone(ZoneInfo(community.timezone)).strftime("%Y-%m-%d %H:%M")
    sheet = [
        "member_ref,activity,occurred_at,quantity,row_id\n",
        f"R-wang,cleanup.join,{local},,A/1\n",
        "R-wang,cleanup.join,yesterday,,A/2\n",
        f"R-nobody,cleanup.join,{local},,A/3\n",
    ]
    first = import_sheet(session, community, sheet, now=now)
    assert [(line.line, line.outcome, line.points) for line in first] == [
        (2, "awarded", 10),
        (3, "bad", 0),
        (4, "bad", 0),
    ]
    assert first[2].member_ref == "R-nobody" and first[2].problem is not None
    again = import_sheet(session, community, sheet, now=now)
    assert [line.outcome for line in again] == ["replayed", "bad", "bad"]
