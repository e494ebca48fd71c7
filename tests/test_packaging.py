"""The wheel works anywhere: built from this tree, installed into a fresh virtualenv outside it,
`pointsbank demo` and `pointsbank serve` run from another folder and the service is ready.

The new virtualenv gets only the wheel; its dependencies come from the running environment's
site-packages through a path file (plain paths: the running environment's own editable-install
hooks are not run), so nothing is downloaded but the build backend, which pip caches.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_SECONDS = 180
COMMAND_TIMEOUT_SECONDS = 120
READY_TIMEOUT_SECONDS = 30
POLL_INTERVAL_SECONDS = 0.2
STOP_TIMEOUT_SECONDS = 20
# What a copy of the source for the build leaves out: local state and earlier build output.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "instance", "*.egg-info", "__pycache__", "*.db*"
)

LOCK_FILE = REPO / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)$")

only_once_per_ci_run = pytest.mark.skipif(
    os.environ.get("POINTSBANK_TEST_DATABASE", "sqlite") != "sqlite",
    reason="the installed copy runs on its own SQLite default; once per CI run is enough",
)


def _run(args, **kwargs):
    result = subprocess.run(
        args, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS, **kwargs
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    (wheel,) = dist.glob("pointsbank-*.whl")
    return wheel


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A virtualenv holding the wheel, with this environment's packages as its dependencies."""
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    dependencies = sysconfig.get_paths()["purelib"]
    Path(site.stdout.strip(), "dependencies.pth").write_text(dependencies + "\n")
    install = ["--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)]
    _run([sys.executable, "-m", "pip", *install])
    return venv


def _clean_env(tmp_path: Path) -> dict[str, str]:
    """No trace of this checkout or of the test database: the installed copy stands alone."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "DATABASE_URL"} and not name.startswith("POINTSBANK_")
    }
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("XDG_RUNTIME_DIR", None)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(url: str, server: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url, timeout=READY_TIMEOUT_SECONDS) as response:
                return json.load(response)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(POLL_INTERVAL_SECONDS)
    raise AssertionError(f"{url} not ready within {READY_TIMEOUT_SECONDS} s\n{log.read_text()}")


def _serve_and_read(venv: Path, env: dict, cwd: Path, port: int) -> dict:
    """`pointsbank serve` in the background until /readyz answers; its output goes to a log."""
    log = cwd.parent / "serve.log"
    command = [
        venv / "bin" / "pointsbank",
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
    ]
    with (
        open(log, "w") as output,
        subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        ) as server,
    ):
        try:
            return _wait_ready(f"http://127.0.0.1:{port}/readyz", server, log)
        finally:
            server.terminate()
            server.wait(timeout=STOP_TIMEOUT_SECONDS)


@only_once_per_ci_run
def test_an_installed_wheel_loads_the_demo_and_serves_from_anywhere(tmp_path):
    """Outside the checkout, the wheel's `pointsbank demo` and `serve` work and /readyz is ready."""
    wheel = _build_wheel(tmp_path)
    venv = _fresh_venv(tmp_path, wheel)
    env, elsewhere = _clean_env(tmp_path), tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        [venv / "bin" / "python", "-c", "import api; print(api.__file__)"], env=env, cwd=elsewhere
    )
    assert Path(where.stdout.strip()).is_relative_to(venv)
    version = _run([venv / "bin" / "pointsbank", "--version"], env=env, cwd=elsewhere)
    assert version.stdout == f"pointsbank, version {wheel.name.split('-')[1]}\n"
    port = _free_port()
    _run(
        [venv / "bin" / "pointsbank", "demo", "--url", f"http://127.0.0.1:{port}"],
        env=env,
        cwd=elsewhere,
    )
    instance = tmp_path / "data" / "pointsbank"
    assert (instance / "pointsbank.db").is_file() and (instance / "demo.env").is_file()
    ready = _serve_and_read(venv, env, elsewhere, port)
    assert ready["status"] == "ready"
    assert list(elsewhere.iterdir()) == []


def test_the_instance_folder_is_the_checkouts_unless_configured(monkeypatch, tmp_path):
    """From a checkout the instance folder is its instance/; POINTSBANK_INSTANCE_PATH overrides it."""
    from api.config import instance_path

    monkeypatch.delenv("POINTSBANK_INSTANCE_PATH", raising=False)
    assert instance_path() == str(REPO / "instance")
    monkeypatch.setenv("POINTSBANK_INSTANCE_PATH", str(tmp_path / "state"))
    assert instance_path() == str(tmp_path / "state")


def _pins(lines) -> dict[str, str]:
    """Exact pins by normalised name (extras dropped): ``Flask-Limiter[redis]==4.1.1``."""
    pins = {}
    for line in lines:
        match = PIN.match(line.strip())
        if match:
            pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


def test_the_lock_file_pins_what_pyproject_pins():
    """Every pin in pyproject.toml, test extra included, has the same version in requirements.lock."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    locked = _pins(LOCK_FILE.read_text(encoding="utf-8").splitlines())
    assert declared and {name: locked.get(name) for name in declared} == declared
