"""`pointsbank demo`, `serve` and `check-proof` as a newcomer meets them in the README."""

import json
import shlex

import sqlalchemy as sa

from api import gunicorn_conf
from api.cli import main as cli
from ledger.audit.models import JournalSeal
from ledger.core.models import ApiKey

WALK_THROUGH_VARIABLES = {
    "PB",
    "ADMIN",
    "STAFF",
    "INTEGRATOR",
    "TILL",
    "MEMBER_KEY",
    "ELDER_KEY",
    "VOLUNTEER_KEY",
    "ISSUANCE",
    "MEMBER",
    "MEMBER_ID",
    "MEMBER_REF",
    "SHOP",
    "SALE",
    "SVC",
    "EVENT",
    "ELDER",
    "MOTHER",
}
STORY_TOPICS = (
    "community 'demo'",
    "members:",
    "earning rules:",
    "at most 64 points a day",
    "under public notice",
    "clean-up",
    "points supermarket",
    "sales:",
    "time bank:",
    "love bank:",
)


def run_demo(app, env_file, *args):
    result = app.test_cli_runner().invoke(cli, ["demo", "--env-file", str(env_file), *args])
    assert result.exit_code == 0, result.output
    return result


def read_env(env_file) -> dict[str, str]:
    """The exported variables, as `source` would set them."""
    env = {}
    for line in env_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
    return env


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def live_keys(session) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None))
    )


def test_the_demo_tells_what_it_loaded(app, tmp_path):
    """The output names the community, rules with caps, notice, shop, time bank and love bank."""
    output = run_demo(app, tmp_path / "demo.env").output
    for topic in STORY_TOPICS:
        assert topic in output, topic


def test_the_env_file_holds_every_variable_the_walk_through_uses(app, client, tmp_path):
    """Each walk-through variable is set, the URL is the one given, and the keys work."""
    env_file = tmp_path / "demo.env"
    run_demo(app, env_file, "--url", "http://127.0.0.1:9999")
    env = read_env(env_file)
    assert set(env) >= WALK_THROUGH_VARIABLES
    assert env["PB"] == "http://127.0.0.1:9999" and env["MEMBER_REF"] == "R-001"
    assert env_file.stat().st_mode & 0o077 == 0
    member = client.get(f"/v1/accounts/{env['MEMBER']}", headers=bearer(env["MEMBER_KEY"]))
    assert member.status_code == 200
    event = client.get(f"/v1/events/{env['EVENT']}", headers=bearer(env["STAFF"]))
    assert event.json["status"] == "pending"
    sale = client.get(f"/v1/redemptions/{env['SALE']}", headers=bearer(env["TILL"]))
    assert sale.json["status"] == "captured"
    service = client.get(f"/v1/services/{env['SVC']}", headers=bearer(env["VOLUNTEER_KEY"]))
    assert service.json["state"] == "open"


def test_running_the_demo_twice_leaves_the_same_number_of_valid_keys(
    app, client, session, tmp_path
):
    """The second run revokes the first run's keys: those answer 401, the new ones work."""
    env_file = tmp_path / "demo.env"
    run_demo(app, env_file)
    first, count = read_env(env_file), live_keys(session)
    session.rollback()
    again = run_demo(app, env_file)
    second = read_env(env_file)
    assert live_keys(session) == count
    assert f"revoked the {count} keys" in again.output
    community = "/v1/communities/demo"
    assert client.get(community, headers=bearer(first["STAFF"])).status_code == 401
    assert client.get(community, headers=bearer(second["STAFF"])).status_code == 200
    assert second["MEMBER_ID"] == first["MEMBER_ID"] and second["SALE"] == first["SALE"]


def test_serve_says_where_it_is_and_how_to_stop(app, monkeypatch, tmp_path):
    """Before handing over to gunicorn, serve names its URL, database, workers and env file."""
    started = []
    monkeypatch.setattr("api.cli.os.execvp", lambda program, argv: started.append(argv))
    result = app.test_cli_runner().invoke(cli, ["serve", "--bind", "127.0.0.1:8123"])
    assert result.exit_code == 0, result.output
    for said in (
        "http://127.0.0.1:8123",
        "database",
        f"{gunicorn_conf.workers} workers",
        "demo.env",
        "Ctrl-C",
    ):
        assert said in result.output, said
    assert "wsgi:app" in started[0]


def _sealed_head(app, client, staff):
    app.test_cli_runner().invoke(cli, ["seal", "--community", "demo"])
    return client.get("/v1/communities/demo/journal/head", headers=staff).json


def test_check_proof_accepts_a_head_saved_before_new_entries_and_refuses_a_rewrite(
    app, client, session, tmp_path
):
    """As the README does it: save the head, write and seal more, then check from the saved seq."""
    env_file = tmp_path / "demo.env"
    run_demo(app, env_file)
    env = read_env(env_file)
    staff = bearer(env["STAFF"])
    saved = tmp_path / "saved-head.json"
    saved.write_text(json.dumps(_sealed_head(app, client, staff)))
    adjustment = client.post(
        "/v1/adjustments",
        headers=staff,
        json={
            "postings": [
                {"from": env["ISSUANCE"], "to": env["MEMBER"], "unit": "points", "amount": 20}
            ],
            "reason": "attendance recorded on paper",
        },
    )
    assert adjustment.status_code == 201, adjustment.json
    newer = _sealed_head(app, client, staff)
    saved_seq = json.loads(saved.read_text())["seq"]
    assert newer["seq"] > saved_seq
    proof = tmp_path / "proof.json"
    check = ["check-proof", "--head", str(saved), str(proof)]

    proof.write_text(
        client.get(
            f"/v1/communities/demo/journal/proof?from_seq={saved_seq}", headers=staff
        ).get_data(as_text=True)
    )
    result = app.test_cli_runner().invoke(cli, check)
    assert result.exit_code == 0 and result.output.startswith("ok:"), result.output

    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    session.execute(
        sa.update(JournalSeal).where(JournalSeal.seq == saved_seq).values(hash="0" * 64)
    )
    session.commit()
    proof.write_text(
        client.get(
            f"/v1/communities/demo/journal/proof?from_seq={saved_seq}", headers=staff
        ).get_data(as_text=True)
    )
    result = app.test_cli_runner().invoke(cli, check)
    assert result.exit_code == 1 and "history was rewritten" in result.output


def test_a_body_that_is_not_json_is_a_problem_that_says_so(app, client, tmp_path):
    """The batch example pasted with its "..." placeholder answers 400 problem+json."""
    env_file = tmp_path / "demo.env"
    run_demo(app, env_file)
    response = client.post(
        "/v1/events/batch",
        headers={**bearer(read_env(env_file)["INTEGRATOR"]), "Content-Type": "application/json"},
        data='{"events": [ ... ]}',
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "not valid JSON" in response.json["detail"]
