"""Subscriptions: per key, the secret shown once, paused, resumed, deleted; URLs kept public."""

import pytest

from ledger.webhooks import errors, signing
from ledger.webhooks.subscriptions import check_url

PATH = "/v1/webhooks/subscriptions"
PUBLIC_URL = "https://93.184.215.14/hooks"  # a literal public address: no DNS lookup needed


def test_a_subscription_shows_its_secret_once(client, town, subscribe):
    """The create answer holds the secret; reading or listing it never does."""
    created = subscribe(town["app"], PUBLIC_URL, "award.vested", "award.voided")
    assert created["secret"].startswith(signing.SECRET_PREFIX)
    assert created["state"] == "active" and created["event_types"] == [
        "award.vested",
        "award.voided",
    ]
    shown = client.get(f"{PATH}/{created['id']}", headers=town["app"]).json
    listed = client.get(PATH, headers=town["app"]).json["items"]
    assert "secret" not in shown and [s["id"] for s in listed] == [created["id"]]
    assert all("secret" not in s for s in listed)


def test_the_secret_is_stored_sealed_and_unseals_with_the_server_key(app, town, subscribe):
    """The stored form is not the secret; the server's key turns it back for signing."""
    from api.extensions import db
    from ledger.webhooks.models import WebhookSubscription

    created = subscribe(town["app"], PUBLIC_URL, "award.vested")
    with app.app_context():
        row = db.session.get(WebhookSubscription, created["id"])
        assert created["secret"] not in row.secret_sealed
        key = app.config["SECRET_KEY"]
        assert signing.unseal(key, row.id, row.secret_sealed) == created["secret"]


def test_pause_resume_and_delete(client, town, subscribe):
    """Its owner pauses, resumes and deletes it; then it is gone."""
    created = subscribe(town["app"], PUBLIC_URL, "award.vested")
    paused = client.post(f"{PATH}/{created['id']}/pause", headers=town["app"]).json
    assert (paused["state"], paused["paused_reason"]) == ("paused", "paused by its owner")
    resumed = client.post(f"{PATH}/{created['id']}/resume", headers=town["app"]).json
    assert (resumed["state"], resumed["paused_reason"]) == ("active", None)
    assert client.delete(f"{PATH}/{created['id']}", headers=town["app"]).status_code == 204
    assert client.get(f"{PATH}/{created['id']}", headers=town["app"]).status_code == 404


def test_another_key_cannot_see_or_change_a_subscription(client, town, subscribe, make_key):
    """A second integrator gets 404 for the first one's subscription; staff may not subscribe."""
    created = subscribe(town["app"], PUBLIC_URL, "award.vested")
    other = make_key("integrator", community="qianjiang")
    assert client.get(f"{PATH}/{created['id']}", headers=other).status_code == 404
    assert client.delete(f"{PATH}/{created['id']}", headers=other).status_code == 404
    assert client.get(PATH, headers=other).json["items"] == []
    body = {"url": PUBLIC_URL, "event_types": ["award.vested"]}
    assert client.post(PATH, json=body, headers=town["staff"]).status_code == 403


def test_an_unknown_event_type_is_refused(client, town):
    """Only the event types pointsbank emits may be named."""
    body = {"url": PUBLIC_URL, "event_types": ["award.granted"]}
    assert client.post(PATH, json=body, headers=town["app"]).status_code == 422


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:8080/hooks",
        "http://127.0.0.1/hooks",
        "http://[::1]/hooks",
        "http://192.168.1.10/hooks",
        "ftp://93.184.215.14/hooks",
        "file:///etc/passwd",
    ],
)
def test_a_private_or_non_http_url_is_refused_at_creation(client, town, url):
    """Loopback, link-local, private and non-http(s) URLs answer 422 (validation only)."""
    body = {"url": url, "event_types": ["award.vested"]}
    response = client.post(PATH, json=body, headers=town["app"])
    assert response.status_code == 422, response.json
    assert response.json["type"] == "/problems/webhook-url-not-allowed"


def test_the_admin_setting_allows_private_addresses(client, town, allow_private):
    """POINTSBANK_WEBHOOKS_ALLOW_PRIVATE=true lets a subscription point at 10.0.0.0/8."""
    body = {"url": "http://10.1.2.3/hooks", "event_types": ["award.vested"]}
    assert client.post(PATH, json=body, headers=town["app"]).status_code == 201


def test_only_http_schemes_pass_even_with_the_setting():
    """The setting opens private addresses, never other schemes."""
    with pytest.raises(errors.UrlNotAllowed):
        check_url("gopher://10.0.0.1/", allow_private=True)
