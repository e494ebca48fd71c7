"""The pointsbank command at the top: the demo it loads."""

import click
from click.testing import CliRunner
from flask.cli import ScriptInfo

from api.cli import main, version
from tests.support.cli import pointsbank


def test_demo_loads_a_community_and_prints_a_working_key_per_role(database_url, client):
    """The demo community is there, with keys that work, and running it again is harmless."""
    first = pointsbank(database_url, "demo")
    assert first.returncode == 0, first.stderr
    keys = dict(line.split() for line in first.stdout.splitlines() if " key_" in line)
    assert {"ADMIN", "STAFF", "INTEGRATOR", "MEMBER_KEY", "TILL"} <= set(keys)
    staff = {"Authorization": f"Bearer {keys['STAFF']}"}
    members = client.get("/v1/communities/demo/members", headers=staff)
    assert members.status_code == 200 and len(members.json["items"]) >= 4
    again = pointsbank(database_url, "demo")
    assert again.returncode == 0, again.stderr
    assert pointsbank(database_url, "verify").returncode == 0


# Options of `keys create` that api/core/cli.py gives help to in its own change; remove each name
# here once it has help, so that the walk below covers it too.
FLASK_ONLY_OPTIONS = ("--env-file", "-e", "--app", "-A", "--debug")
EXTENSION_GROUPS = ("limiter", "openapi")


def _commands(command, ctx, path=""):
    """Every command under ``command`` (itself included), with its path below `pointsbank`."""
    yield path, command
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            sub_ctx = click.Context(sub, parent=ctx, info_name=name)
            yield from _commands(sub, sub_ctx, f"{path} {name}".strip())


def test_every_option_of_every_command_has_help(app):
    """Walking the whole command tree finds no visible option without help text."""
    info = ScriptInfo(create_app=lambda: app)
    with click.Context(main, info_name="pointsbank", obj=info) as ctx:
        commands = list(_commands(main, ctx))
    assert {"serve", "demo", "sweep", "db upgrade", "keys create"} <= {p for p, _ in commands}
    missing = {
        (path, param.opts[0])
        for path, command in commands
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden and not param.help
    }
    assert missing == set()


def test_help_leaves_out_what_only_flask_uses(database_url):
    """`pointsbank --help` shows neither Flask's app options nor the extensions' groups."""
    result = pointsbank(database_url, "--help")
    assert result.returncode == 0, result.stderr
    words = set(result.stdout.split())
    assert "--version" in words and "serve" in words
    assert words.isdisjoint(FLASK_ONLY_OPTIONS + EXTENSION_GROUPS)


def test_version_is_the_installed_distributions():
    """`pointsbank --version` prints the version pip recorded."""
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"pointsbank, version {version()}\n"
