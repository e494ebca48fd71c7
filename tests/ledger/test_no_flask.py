"""The ledger's tests, fixtures included, run with no web framework loaded."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

LEDGER_TESTS = Path(__file__).resolve().parent
REPO = LEDGER_TESTS.parents[1]
FORBIDDEN = ("flask", "flask_sqlalchemy", "marshmallow", "api")
FLASK_FREE_OK = "flask-free: ok"
# After every ledger test ran, none of the web edge's modules may have been imported.
PLUGIN = textwrap.dedent(
    f"""
    import sys

    def pytest_sessionfinish(session, exitstatus):
        loaded = [name for name in {FORBIDDEN!r} if name in sys.modules]
        print("\\nloaded: " + ",".join(loaded) if loaded else "\\n{FLASK_FREE_OK}")
        if loaded:
            session.exitstatus = 3
    """
)


def test_the_ledger_tests_pass_without_importing_flask_marshmallow_or_api(tmp_path):
    """Running tests/ledger in a fresh interpreter passes and leaves Flask and api unimported."""
    (tmp_path / "flask_free.py").write_text(PLUGIN, encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "flask_free",
            "-x",
            "-q",
            f"--ignore={Path(__file__).resolve()}",
            str(LEDGER_TESTS),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert FLASK_FREE_OK in result.stdout
