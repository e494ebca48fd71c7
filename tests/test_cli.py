"""The pointsbank command: keys, verify, demo."""

import os
import subprocess
import sys

import sqlalchemy as sa

from ledger.core.models import AccountBalance, ApiKey


def pointsbank(database_url, *args):
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_keys_create_prints_the_key_alone_on_its_last_line(
    database_url, client, make_community, session
):
    """The printed token authenticates, and only its hash is stored."""
    make_community("qianjiang")
    result = pointsbank(
        database_url, "keys", "create", "--role", "staff", "--community", "qianjiang"
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    response = client.get(
        "/v1/communities/qianjiang/members", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    stored = session.get(ApiKey, token.split(".")[0])
    assert stored.role == "staff"
    assert token.split(".")[1] not in stored.secret_sha256


def test_keys_create_refuses_a_staff_key_without_a_community(database_url):
    """A staff key must belong to a community."""
    result = pointsbank(database_url, "keys", "create", "--role", "staff")
    assert result.returncode != 0
    assert "community" in result.stderr


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
