"""The deployment files in deploy/ and api/gunicorn_conf.py are valid and agree with the code.

What this machine can check, it checks: systemd-analyze verifies the units, nginx -t the site
(each only where installed); the agreements between files are read from the files themselves.
"""

import configparser
import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from gunicorn.config import Config

from api import gunicorn_conf
from api.config import MAX_BODY_BYTES

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
UNITS = ("pointsbank.service", "pointsbank-sweep.service", "pointsbank-sweep.timer")
INSTALLED_VENV = "/opt/pointsbank/venv"
CERTIFICATES = {
    "/etc/letsencrypt/live/points.example.org/fullchain.pem": "cert.pem",
    "/etc/letsencrypt/live/points.example.org/privkey.pem": "key.pem",
}
TOOL_TIMEOUT_SECONDS = 60
KIB = 1024
NGINX_SIZE = re.compile(r"^(\d+)([kKmM]?)$")
NGINX_WRAPPER = """pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""


def _unit(name: str) -> configparser.ConfigParser:
    """A unit file as sections of keys (case kept; repeated keys allowed, as systemd allows)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def _nginx_directive(name: str) -> str:
    text = (DEPLOY / "nginx" / "pointsbank.conf").read_text(encoding="utf-8")
    (value,) = re.findall(rf"^\s*{name}\s+([^;{{}}\n]+);", text, re.MULTILINE)
    return value.strip()


def _nginx_bytes(value: str) -> int:
    number, unit = NGINX_SIZE.match(value).groups()
    return int(number) * {"": 1, "k": KIB, "m": KIB * KIB}[unit.lower()]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify finds nothing to say about the service, the sweep and its timer."""
    # The units name the virtualenv of a real install; here, this environment's stands in for it.
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALLED_VENV, sys.prefix), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_the_units_run_the_gunicorn_config_and_the_sweep_alike():
    """The service runs gunicorn on api.gunicorn_conf, the timer starts the sweep every minute,
    and both services share their user, environment and instance folder."""
    api, sweep, timer = (_unit(name) for name in UNITS)
    assert api["Service"]["ExecStart"].endswith("--config python:api.gunicorn_conf wsgi:app")
    assert sweep["Service"]["ExecStart"] == f"{INSTALLED_VENV}/bin/pointsbank sweep"
    assert (timer["Timer"]["Unit"], timer["Timer"]["OnCalendar"]) == (UNITS[1], "minutely")
    shared = ("User", "EnvironmentFile", "Environment", "StateDirectory")
    assert {key: api["Service"][key] for key in shared} == {
        key: sweep["Service"][key] for key in shared
    }


@pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None,
    reason="needs nginx and openssl",
)
def test_nginx_accepts_the_site(tmp_path):
    """nginx -t accepts the example site, with a throwaway certificate in place of the real one."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")]
        + ["-subj", "/CN=points.example.org"],
        check=True,
        capture_output=True,
        timeout=TOOL_TIMEOUT_SECONDS,
    )
    site = (DEPLOY / "nginx" / "pointsbank.conf").read_text(encoding="utf-8")
    for real, throwaway in CERTIFICATES.items():
        site = site.replace(real, str(tmp_path / throwaway))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(NGINX_WRAPPER.format(folder=tmp_path), encoding="utf-8")
    folder, config = str(tmp_path), str(tmp_path / "nginx.conf")
    result = subprocess.run(
        ["nginx", "-t", "-p", folder, "-e", f"{folder}/error.log", "-c", config],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stderr


def test_the_nginx_site_fits_gunicorn_and_the_body_limit():
    """nginx proxies to gunicorn's bind, passes bodies up to the API's limit, and waits longer
    than gunicorn's worker timeout."""
    assert _nginx_directive("server") == gunicorn_conf.DEFAULT_BIND
    assert _nginx_bytes(_nginx_directive("client_max_body_size")) > MAX_BODY_BYTES
    read_timeout = int(_nginx_directive("proxy_read_timeout").removesuffix("s"))
    assert read_timeout > gunicorn_conf.DEFAULT_TIMEOUT_SECONDS


def test_gunicorn_accepts_every_setting_of_the_config():
    """Each lowercase name in api/gunicorn_conf.py is a gunicorn setting with a valid value."""
    config = Config()
    settings = [
        name
        for name, value in vars(gunicorn_conf).items()
        if name.islower() and not name.startswith("_") and not isinstance(value, ModuleType)
    ]
    assert set(settings) <= set(config.settings)
    for name in settings:
        config.set(name, getattr(gunicorn_conf, name))
    assert config.worker_class_str == "sync" and config.control_socket_disable


def test_gunicorn_takes_its_workers_and_bind_from_the_environment(monkeypatch):
    """POINTSBANK_WORKERS and POINTSBANK_BIND change the config without editing it."""
    monkeypatch.setenv("POINTSBANK_WORKERS", "5")
    monkeypatch.setenv("POINTSBANK_BIND", "0.0.0.0:9000")
    try:
        reloaded = importlib.reload(gunicorn_conf)
        assert (reloaded.workers, reloaded.bind) == (5, "0.0.0.0:9000")
    finally:
        monkeypatch.undo()
        importlib.reload(gunicorn_conf)


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(tmp_path, monkeypatch):
    """With POINTSBANK_PROXY_COUNT=1 a request sees X-Forwarded-For's address; without, the peer's."""
    from flask import request

    from api.app import create_app

    # Importing wsgi makes its module-level app: keep that one's files in tmp_path.
    monkeypatch.setenv("POINTSBANK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/wsgi.db")
    from wsgi import behind_proxies

    seen = []
    for count in (1, 0):
        config = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/proxy-{count}.db",
            "SECRET_KEY": "x",
            "PROXY_COUNT": count,
        }
        app = behind_proxies(create_app(config))
        app.before_request(lambda: seen.append(request.remote_addr))
        app.test_client().get(
            "/healthz",
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
    assert seen == ["203.0.113.7", "127.0.0.1"]
