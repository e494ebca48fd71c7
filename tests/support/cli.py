"""The pointsbank command run in a subprocess against the test database."""

import os
import subprocess
import sys


def pointsbank(database_url, *args):
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
