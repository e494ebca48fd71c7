"""The pointsbank command at the top: the demo it loads."""

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
