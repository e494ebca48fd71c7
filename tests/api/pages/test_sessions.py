"""Page sessions: a device signs in once with its key, and its key's state ends the session."""

import re

import pytest
from flask import g
from werkzeug.exceptions import Forbidden

from api.core.cli import keys
from api.pages import sessions

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in_device(client, headers):
    form = client.get("/device").text
    token = headers["Authorization"].removeprefix("Bearer ")
    return client.post(
        "/device", data={"key": token, "csrf_token": CSRF_FIELD.search(form).group(1)}
    )


@pytest.fixture
def till(supermarket):
    """The headers of the supermarket's shop key."""
    return supermarket.shop_key


def test_a_tills_key_signs_the_device_in_and_sends_it_to_the_till(client, till):
    """The shop's key starts a device session and lands on /till."""
    answer = sign_in_device(client, till)
    assert answer.status_code == 302 and answer.location == "/till"
    assert 'data-device-role="shop"' in client.get("/device").text


def test_a_staff_key_lands_on_the_desk(client, supermarket):
    """A staff key lands on /desk."""
    answer = sign_in_device(client, supermarket.staff)
    assert answer.location == "/desk"


def test_a_members_key_cannot_sign_a_device_in(client, supermarket, make_member, make_key):
    """A member signs in with her card, not a key: 403 and the form again."""
    member = make_member("qianjiang")
    answer = sign_in_device(client, make_key("member", community="qianjiang", member=member["id"]))
    assert answer.status_code == 403 and "这个密钥无效" in answer.text


def test_a_wrong_secret_is_refused(client, till):
    """A real key id with a wrong secret signs nothing in."""
    key_id = till["Authorization"].removeprefix("Bearer ").partition(".")[0]
    answer = sign_in_device(client, {"Authorization": f"Bearer {key_id}.wrong"})
    assert answer.status_code == 403
    assert "data-device-role" not in client.get("/device").text


def test_revoking_the_key_ends_the_device_session(app, client, till):
    """The next page after the key is revoked finds no device."""
    sign_in_device(client, till)
    key_id = till["Authorization"].removeprefix("Bearer ").partition(".")[0]
    assert app.test_cli_runner().invoke(keys, ["revoke", key_id]).exit_code == 0
    assert "data-device-role" not in client.get("/device").text


def test_a_device_session_expires(client, till, clock):
    """After DEVICE_SESSION the device must sign in again."""
    sign_in_device(client, till)
    clock.advance(seconds=sessions.DEVICE_SESSION.total_seconds() + 1)
    assert "data-device-role" not in client.get("/device").text


def test_device_required_lets_its_roles_in_and_refuses_others(client, till):
    """A till's session runs a till view with g.device and is refused a staff view with 403."""
    sign_in_device(client, till)
    with client:
        client.get("/device")
        assert sessions.device_required("shop")(lambda: g.device.role)() == "shop"
        with pytest.raises(Forbidden):
            sessions.device_required("staff")(lambda: "desk")()


def test_device_required_sends_a_signed_out_browser_to_sign_in(client):
    """Without a device session the view is not run: the browser goes to /device."""
    with client:
        client.get("/device")
        answer = sessions.device_required("shop")(lambda: "till")()
    assert answer.status_code == 302 and answer.location == "/device"


def test_a_signed_in_device_is_not_a_resident(client, till):
    """A device session opens no resident page: /me sends it to the card sign-in."""
    sign_in_device(client, till)
    assert client.get("/me").location == "/"
