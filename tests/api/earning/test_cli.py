"""The earning commands: paper sign-in sheets through ``pointsbank import-events``, and the sweep's vesting."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from ledger.capabilities import JOBS
from ledger.earning.models import EarningEvent
from ledger.earning.notice import vest_due_awards
from ledger.earning.sheets import read_sheet
from tests.support.cli import pointsbank

SHANGHAI = ZoneInfo("Asia/Shanghai")
RESIDENTS = 100
ROWS = 500
BAD_ROW = 41  # the 42nd row of the sheet: line 43, after the header


@pytest.fixture
def sheet(tmp_path, client, make_community, make_key, session):
    """A 500-line sheet from last week's clean-ups and volunteering, one line with a bad date."""
    from ledger.core.communities import create_member, get_community

    make_community("qianjiang")
    community = get_community(session, "qianjiang")
    for n in range(RESIDENTS):
        create_member(
            session,
            community,
            external_ref=f"R-{n:03d}",
            display_name=f"居民{n}",
            now=datetime.now(UTC),
        )
    session.commit()
    staff = make_key("staff", community="qianjiang")
    for activity, body in (
        ("cleanup.join", {"points": 10}),
        ("volunteer.hour", {"points": 8, "per": "hour"}),
    ):
        assert (
            client.put(
                f"/v1/communities/qianjiang/rules/{activity}", json=body, headers=staff
            ).status_code
            == 201
        )
    day = (datetime.now(UTC) - timedelta(days=3)).astimezone(SHANGHAI).date()
    lines = ["member_ref,activity,occurred_at,quantity,row_id"]
    for n in range(ROWS):
        when = f"{day} {8 + n % 10:02d}:{n % 60:02d}" if n != BAD_ROW else "2026-13-45 09:00"
        if n % 2:
            lines.append(f"R-{n % RESIDENTS:03d},volunteer.hour,{when},90,S{day}-B/{n}")
        else:
            lines.append(f"R-{n % RESIDENTS:03d},cleanup.join,{when},,S{day}-A/{n}")
    path = tmp_path / "sheet.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def points_issued(session):
    total = session.scalar(sa.select(sa.func.sum(EarningEvent.points_awarded))) or 0
    session.rollback()  # end the read: on SQLite an open transaction holds the write lock
    return total


def test_importing_a_sheet_twice_awards_once(database_url, sheet, session):
    """499 good lines earn once; the bad date is reported by its line number, both times."""
    first = pointsbank(database_url, "import-events", str(sheet), "--community", "qianjiang")
    assert first.returncode == 1, first.stderr
    assert f"line {BAD_ROW + 2}: sheet-row-invalid" in first.stderr
    assert "2026-13-45" in first.stderr
    assert "499 awarded" in first.stdout
    issued = points_issued(session)
    assert issued == 250 * 10 + 249 * 12  # clean-ups at 10, 90 minutes at 8 an hour
    again = pointsbank(database_url, "import-events", str(sheet), "--community", "qianjiang")
    assert "0 awarded" in again.stdout and "499 already imported" in again.stdout
    assert f"line {BAD_ROW + 2}:" in again.stderr
    assert points_issued(session) == issued


def test_a_corrected_line_imports_on_the_next_run(database_url, sheet, session):
    """Fixing the bad date and importing again adds just that line."""
    pointsbank(database_url, "import-events", str(sheet), "--community", "qianjiang")
    issued = points_issued(session)
    day = (datetime.now(UTC) - timedelta(days=3)).astimezone(SHANGHAI).date()
    sheet.write_text(sheet.read_text().replace("2026-13-45 09:00", f"{day} 09:00"))
    fixed = pointsbank(database_url, "import-events", str(sheet), "--community", "qianjiang")
    assert fixed.returncode == 0, fixed.stderr
    assert "1 awarded" in fixed.stdout and "499 already imported" in fixed.stdout
    assert points_issued(session) == issued + 12


def test_rows_that_break_rules_are_reported_and_the_rest_import(database_url, sheet):
    """An unknown resident, an unknown activity, zero minutes, a quantity that is not a number
    and a date out of range are each reported by line."""
    sheet.write_text(
        "member_ref,activity,occurred_at,quantity,row_id\n"
        f"R-404,cleanup.join,{datetime.now(UTC).isoformat()},,X/1\n"
        f"R-001,karaoke.sing,{datetime.now(UTC).isoformat()},,X/2\n"
        f"R-001,cleanup.join,{datetime.now(UTC).isoformat()},,X/3\n"
        f"R-002,volunteer.hour,{datetime.now(UTC).isoformat()},0,X/4\n"
        f"R-002,volunteer.hour,{datetime.now(UTC).isoformat()},²,X/5\n"
        "R-002,volunteer.hour,0001-01-01 00:00,60,X/6\n"
    )
    result = pointsbank(database_url, "import-events", str(sheet), "--community", "qianjiang")
    assert result.returncode == 1
    assert "line 2: member-not-found" in result.stderr
    assert "line 3: rule-not-found" in result.stderr
    assert "line 5: quantity-not-positive" in result.stderr
    assert "line 6: sheet-row-invalid" in result.stderr  # a superscript two is no number
    assert "line 7: sheet-row-invalid" in result.stderr  # year 1 has no UTC form in Shanghai
    assert "1 awarded" in result.stdout


def test_a_sheet_without_the_columns_is_refused_whole(database_url, sheet):
    """A header missing row_id is refused before anything is read."""
    sheet.write_text("member_ref,activity,occurred_at\nR-001,cleanup.join,2026-11-18 09:00\n")
    result = pointsbank(database_url, "import-events", str(sheet), "--community", "qianjiang")
    assert result.returncode != 0 and "row_id" in result.stderr


def test_a_time_without_a_zone_is_the_communitys_local_time():
    """'2026-11-18 09:00' on a Shanghai sheet is 01:00 UTC."""
    rows = read_sheet(
        [
            "member_ref,activity,occurred_at,quantity,row_id\n",
            "R-001,cleanup.join,2026-11-18 09:00,,A/1\n",
        ],
        community="qianjiang",
        timezone="Asia/Shanghai",
    )
    assert rows[0].draft.occurred_at.astimezone(UTC) == datetime(2026, 11, 18, 1, tzinfo=UTC)
    assert rows[0].line == 2 and rows[0].draft.quantity is None


def test_the_sweep_command_runs_the_vesting_job():
    """``pointsbank sweep`` knows the vesting job."""
    assert ("vest_notice_awards", vest_due_awards) in JOBS


def test_pointsbank_sweep_vests_what_is_due_and_is_safe_to_rerun(
    database_url, client, clock, notice, balance
):
    """The scheduled command vests an award whose notice ended, then finds nothing more."""
    import os
    import subprocess
    import sys

    clock.set(datetime.now(UTC) - timedelta(days=4))
    response = client.post(
        "/v1/events",
        headers=notice["app"],
        json={
            "community": "qianjiang",
            "activity": "proposal.adopted",
            "member": notice["resident"]["id"],
            "occurred_at": clock.now().isoformat(),
            "source_id": "proposal-cli",
            "recorded_by": "居委会议事会",
        },
    )
    assert response.json["status"] == "pending"

    def sweep_command():
        return subprocess.run(
            [sys.executable, "-c", "from api.cli import main; main()", "sweep"],
            env={**os.environ, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout

    assert "vest_notice_awards: 1" in sweep_command()
    assert "vest_notice_awards: 0" in sweep_command()
    assert balance(notice["resident"]["points_account"])["available"] == 20
