"""Paper sign-in sheets: columns in any order, local times, and bad lines named by number."""

from datetime import UTC, datetime

import pytest

from ledger.earning.sheets import DEFAULT_RECORDED_BY, SheetHeaderInvalid, read_sheet


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
