"""README.md's walk-through, run as written against a demo server, as a newcomer would run it.

The server is the app under Werkzeug in a thread on a free port of 127.0.0.1, on an SQLite
instance folder of its own, after `pointsbank demo --url` has loaded it and written
`instance/demo.env`. Every shell block from "Calling the API" on runs in order in one bash, with
`set -euo pipefail`; `.venv/bin/pointsbank` is a wrapper that runs this tree's command on the
same database. A block that exits non-zero, or a curl that meets a 4xx/5xx, fails the test.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
WALK_THROUGH_START = "## Calling the API"
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
BLOCK_MARK = "@@ README block"
WALK_THROUGH_TIMEOUT_SECONDS = 120
SECRET_KEY = "readme-walk-through"
CURL_CALL = re.compile(r"(?:^|[|(;]\s*|\$\()curl\b")

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("curl") is None, reason="needs bash and curl"
)


def walk_through_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return SHELL_BLOCK.findall(text[text.index(WALK_THROUGH_START) :])


def _pointsbank_wrapper(folder: Path, database_url: str) -> None:
    """`.venv/bin/pointsbank` as the README calls it: this tree's command, this database."""
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    wrapper = bin_dir / "pointsbank"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"export DATABASE_URL='{database_url}' POINTSBANK_SECRET_KEY='{SECRET_KEY}'\n"
        f"export PYTHONPATH='{REPO}'\n"
        f'exec \'{sys.executable}\' -c "from api.cli import main; main()" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)


def assert_report_csv_counts_shops_alike(path: Path) -> None:
    """Per shop and in total, redeemed is gross and net_redeemed is redeemed less refunded."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    value = {(r["section"], r["item"]): r["value"] for r in rows}
    shops = [r["item"] for r in rows if r["section"] == "shop"]
    assert [value[("shop", shop)] for shop in shops] == ["星光积分超市"]
    for item in (*shops, "total"):
        redeemed, refunded = int(value[("redeemed", item)]), int(value[("refunded", item)])
        assert int(value[("net_redeemed", item)]) == redeemed - refunded
    assert int(value[("refunded", "total")]) > 0


@pytest.fixture
def demo_server(tmp_path):
    """A served demo in ``tmp_path``: its URL; the folder holds instance/ and .venv/bin/."""
    from werkzeug.serving import make_server

    from api.app import create_app
    from api.cli import main

    database_url = f"sqlite:///{tmp_path}/instance/pointsbank.db"
    (tmp_path / "instance").mkdir()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    loaded = app.test_cli_runner().invoke(main, ["demo", "--url", url])
    assert loaded.exit_code == 0, loaded.output
    _pointsbank_wrapper(tmp_path, database_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join()
    with app.app_context():
        from api.extensions import db

        db.engine.dispose()


def test_every_walk_through_curl_fails_loudly_on_an_error_answer():
    """Each curl of the walk-through uses --fail-with-body, or prints the status it got."""
    for block in walk_through_blocks():
        for command in re.split(r"(?<!\\)\n", block):
            if CURL_CALL.search(command):
                assert "--fail-with-body" in command or "%{http_code}" in command, command


def test_the_readme_walk_through_runs_against_the_demo(demo_server, tmp_path):
    """Sourcing instance/demo.env, every block of the walk-through succeeds in order."""
    blocks = walk_through_blocks()
    assert len(blocks) >= 5
    script = "set -euo pipefail\n" + "".join(
        f"echo '{BLOCK_MARK} {number}' >&2\n{block}\n" for number, block in enumerate(blocks, 1)
    )
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PB": "", "TZ": "UTC"},
        capture_output=True,
        text=True,
        timeout=WALK_THROUGH_TIMEOUT_SECONDS,
    )
    marks = [line for line in result.stderr.splitlines() if line.startswith(BLOCK_MARK)]
    failed_at = marks[-1] if marks else "before the first block"
    assert result.returncode == 0, (
        f"{failed_at} failed\n--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr}"
    )
    assert len(marks) == len(blocks)
    assert "400 application/problem+json" in result.stdout
    assert "ok: the journal at seq" in result.stdout
    assert (tmp_path / "demo.beancount").stat().st_size > 0
    assert_report_csv_counts_shops_alike(tmp_path / "report.csv")
