"""The audit commands: export to beancount (bean-check agrees), seal, the sweep's sealer, verify."""

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.cli import main as cli
from api.extensions import db
from ledger import capabilities as demo
from ledger import capabilities as sweep
from ledger.audit import chain
from ledger.audit.export import account_name
from ledger.core.models import Account, AccountBalance
from tests.support.cli import pointsbank

# The bean-check installed beside this interpreter (the test extra), else one on PATH.
_BESIDE = Path(sys.executable).with_name("bean-check")
BEAN_CHECK = str(_BESIDE) if _BESIDE.exists() else shutil.which("bean-check")


@pytest.fixture
def demo_community(app):
    """The demo community, loaded as `pointsbank demo` loads it, every capability's part included."""
    with app.app_context():
        keys = demo.load_demo(db.session, datetime.now(UTC))
        db.session.commit()
        db.session.remove()
    return keys


def export_to(app, tmp_path, slug="demo") -> Path:
    path = tmp_path / f"{slug}.beancount"
    result = app.test_cli_runner().invoke(
        cli, ["export", "--community", slug, "--format", "beancount", "--output", str(path)]
    )
    assert result.exit_code == 0, result.output
    return path


def closing_balances(path: Path) -> dict[str, Decimal]:
    """{account id: balance} as beancount computes it from the exported transactions."""
    from beancount import loader
    from beancount.core import data, realization

    entries, load_errors, _ = loader.load_file(str(path))
    assert load_errors == []
    ids = {e.account: e.meta["account"] for e in entries if isinstance(e, data.Open)}
    root = realization.realize(entries)
    found = {}
    for name, account_id in ids.items():
        inventory = realization.get(root, name).balance
        positions = list(inventory)
        found[account_id] = positions[0].units.number if positions else Decimal(0)
    return found


def test_the_demo_export_passes_bean_check_with_the_apis_balances(
    app, client, demo_community, tmp_path, make_key
):
    """bean-check accepts the demo's ledger, and every account's balance equals the API's."""
    path = export_to(app, tmp_path)
    checked = subprocess.run(
        [BEAN_CHECK, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = path.read_text(encoding="utf-8")
    assert "commodity POINTS" in text and " balance " in text and " * " in text

    admin = make_key("admin")
    exported = closing_balances(path)
    community = client.get("/v1/communities/demo", headers=admin).json
    with app.app_context():
        accounts = db.session.scalars(
            sa.select(Account).where(Account.community_id == community["id"])
        ).all()
        names = {a.id: account_name(a, community["id"]) for a in accounts}
        db.session.remove()
    assert set(exported) == set(names)
    for account_id, name in names.items():
        shown = client.get(f"/v1/accounts/{account_id}", headers=admin).json
        assert exported[account_id] == shown["posted"], name
        assert f"balance {name}  {shown['posted']} " in text
    assert any(balance != 0 for balance in exported.values())


def test_account_names_follow_the_kinds(app, make_community, make_member, grant, tmp_path):
    """Issuance is Equity, members and shops are Assets under their ids, units are commodities."""
    community = make_community("taohua", '桃花社区 "东" 区')
    wang = make_member("taohua", display_name="王\\秀英")
    grant(community, wang["points_account"], 30)
    text = export_to(app, tmp_path, "taohua").read_text(encoding="utf-8")
    member_part = wang["id"].split("_", 1)[1]
    assert f"open Assets:Members:{member_part}:Points POINTS" in text
    assert "open Equity:Issuance:Points POINTS" in text
    assert "open Assets:LoveBank:Minutes MINUTES" in text
    assert f"Assets:Members:{member_part}:Points  30 POINTS" in text
    assert "Equity:Issuance:Points  -30 POINTS" in text
    checked = subprocess.run(
        [BEAN_CHECK, str(tmp_path / "taohua.beancount")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_name_with_a_line_break_cannot_break_the_ledger(app, make_community, tmp_path):
    """A community name with a newline stays inside its quoted title; bean-check accepts the file."""
    make_community("nl", "潜江\n社区\r\n2026-01-01 open Assets:Forged")
    path = export_to(app, tmp_path, "nl")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert not any(line.endswith("open Assets:Forged") for line in lines)
    checked = subprocess.run(
        [BEAN_CHECK, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_exporting_an_unknown_community_fails(app):
    """An unknown slug is an error, not an empty ledger."""
    result = app.test_cli_runner().invoke(cli, ["export", "--community", "nowhere"])
    assert result.exit_code != 0


def test_sweep_seals_the_journal(app, session, community):
    """`pointsbank sweep` runs the sealer among its jobs."""
    assert "seal_journal" in dict(sweep.JOBS)
    result = app.test_cli_runner().invoke(cli, ["sweep"])
    assert result.exit_code == 0, result.output
    assert "seal_journal: 2" in result.output
    assert chain.head(session, community["community"]["id"]).seq == 2


def test_seal_command_names_the_new_head(app, community):
    """`pointsbank seal --community` seals one community and prints its head."""
    result = app.test_cli_runner().invoke(cli, ["seal", "--community", "qianjiang"])
    assert result.exit_code == 0, result.output
    assert "head seq 2" in result.output and "sealed 2 record(s)" in result.output
    missing = app.test_cli_runner().invoke(cli, ["seal", "--community", "nowhere"])
    assert missing.exit_code != 0


def test_verify_passes_a_sound_book_and_fails_a_tampered_one(
    database_url, make_community, make_member, grant, session
):
    """A cached balance edited behind the ledger's back is reported and exits 1."""
    community = make_community()
    member = make_member("qianjiang")
    grant(community, member["points_account"], 100)
    sound = pointsbank(database_url, "verify")
    assert sound.returncode == 0, sound.stdout + sound.stderr

    session.execute(
        sa.update(AccountBalance)
        .where(AccountBalance.account_id == member["points_account"])
        .values(posted=1000)
    )
    session.commit()
    broken = pointsbank(database_url, "verify")
    assert broken.returncode == 1
    assert "cached-balance" in broken.stdout and member["points_account"] in broken.stdout
