"""The resident's pages over HTTP: card sign-in, her own page only, CSRF, expiry, language."""

import re

import pytest
from flask import session

from api.pages.sessions import RESIDENT_SESSION
from tests.support.earning import local, report, set_rule
from tests.support.pages import card_token

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def wang(make_community, make_member, grant):
    """王秀英 of 潜江社区, with 120 points and 90 minutes."""
    community = make_community()
    member = make_member("qianjiang", external_ref="R-wang", display_name="王秀英")
    grant(community, member["points_account"], 120)
    grant(community, member["minutes_account"], 90, unit="minutes")
    return member


def sign_in(app, client, member):
    response = client.get(f"/s/{card_token(app, member['id'])}")
    assert response.status_code == 302
    return response


def test_a_card_link_signs_in_once(app, client, wang):
    """The link opens her page; the same link again is refused with a page saying so."""
    token = card_token(app, wang["id"])
    first = client.get(f"/s/{token}", follow_redirects=True)
    assert first.status_code == 200 and "王秀英" in first.text
    again = app.test_client().get(f"/s/{token}")
    assert again.status_code == 410 and "已经用过" in again.text


def test_an_unknown_link_is_refused(client):
    """A token no card carried is 403."""
    assert client.get("/s/not-a-card").status_code == 403


def test_her_page_shows_the_balances_the_api_reports(app, client, wang, make_key):
    """The available points and minutes on the page are the API's figures for her accounts."""
    sign_in(app, client, wang)
    page = client.get("/me", follow_redirects=True).text
    key = make_key("member", community="qianjiang", member=wang["id"])
    for account in (wang["points_account"], wang["minutes_account"]):
        reported = client.get(f"/v1/accounts/{account}", headers=key).json
        figure = re.search(
            rf'data-unit="{reported["unit"]}">.*?data-figure="available">([^<]+)<', page, re.S
        )
        assert figure.group(1).replace(",", "") == str(reported["available"])


def test_another_members_page_is_not_found(app, client, wang, make_member):
    """Her session opens her page only: another member's id answers 404, as a missing one."""
    li = make_member("qianjiang", display_name="李建国")
    sign_in(app, client, wang)
    assert client.get(f"/members/{wang['id']}").status_code == 200
    assert client.get(f"/members/{li['id']}").status_code == 404
    assert client.get("/members/mem_NOPE").status_code == 404


def test_a_form_without_its_csrf_token_is_refused(app, client, wang):
    """Signing out without the form's token is 400; with it, the session ends."""
    sign_in(app, client, wang)
    assert client.post("/signout").status_code == 400
    token = CSRF_FIELD.search(client.get("/me", follow_redirects=True).text).group(1)
    assert client.post("/signout", data={"csrf_token": token}).status_code == 302
    assert client.get("/me").headers["Location"] == "/"


def test_an_expired_session_returns_to_sign_in(app, client, wang, clock):
    """After RESIDENT_SESSION her page sends her back to the sign-in page."""
    sign_in(app, client, wang)
    clock.advance(seconds=RESIDENT_SESSION.total_seconds() + 1)
    response = client.get(f"/members/{wang['id']}")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app, wang):
    """The cookie is HttpOnly and SameSite=Lax always, Secure when the request was HTTPS."""
    plain = app.test_client().get(f"/s/{card_token(app, wang['id'])}")
    assert (
        "HttpOnly" in plain.headers["Set-Cookie"] and "SameSite=Lax" in plain.headers["Set-Cookie"]
    )
    assert "Secure" not in plain.headers["Set-Cookie"]
    secure = app.test_client().get(
        f"/s/{card_token(app, wang['id'])}", base_url="https://pointsbank.example"
    )
    assert "Secure" in secure.headers["Set-Cookie"]


@pytest.mark.parametrize("path", ["/v1/accounts/x", "/healthz", "/metrics", "/openapi.json"])
def test_the_api_and_the_probes_open_no_page_session(app, path):
    """A request to the API or a probe gets the null session; a page gets the signed cookie."""
    interface = app.session_interface
    with app.test_request_context(path):
        assert interface.is_null_session(session)
    with app.test_request_context("/me"):
        assert not interface.is_null_session(session)


def test_an_api_call_neither_reads_nor_ends_her_page_session(app, client, wang, make_key):
    """Signed in, she calls the API with her key: no cookie is set, and her page still opens."""
    sign_in(app, client, wang)
    key = make_key("member", community="qianjiang", member=wang["id"])
    answer = client.get(f"/v1/accounts/{wang['points_account']}", headers=key)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert "我的余额" in client.get("/me", follow_redirects=True).text


def test_chinese_first_english_by_browser_or_link(app, client, wang):
    """Chinese by default; English for an English browser, or after the language link."""
    sign_in(app, client, wang)
    assert "我的余额" in client.get("/me", follow_redirects=True).text
    english = client.get("/me", headers={"Accept-Language": "en-GB,en"}, follow_redirects=True)
    assert "My balances" in english.text and 'lang="en"' in english.text
    client.get("/language/en")
    assert "My balances" in client.get("/me", follow_redirects=True).text


def test_the_json_api_is_not_asked_for_csrf_tokens(client, admin):
    """A JSON write of the API needs its key only, as before the pages."""
    response = client.post("/v1/communities", json={"slug": "xg", "name": "星光"}, headers=admin)
    assert response.status_code == 201


def test_the_stylesheet_is_served_with_the_pages(client):
    """The pages' CSS is served from the package, not from a CDN."""
    response = client.get("/pages/static/pages.css")
    assert response.status_code == 200 and "focus-visible" in response.text
    response.close()


def test_the_language_link_goes_back_only_to_our_own_pages(client):
    """After switching language the browser returns to the page it came from, never elsewhere."""
    ours = client.get("/language/en", headers={"Referer": "http://localhost/members/mem_X"})
    assert ours.headers["Location"] == "/members/mem_X"
    theirs = client.get("/language/en", headers={"Referer": "https://evil.example/phish"})
    assert theirs.headers["Location"] == "/me"


def test_her_statement_reads_in_plain_words_in_local_time(app, client, town):
    """An award reads "参加<its rule's title> +5" with the time in Shanghai, not UTC."""
    set_rule(client, town, "stargazing.talk", points=5, notice_days=0, title="星空夜话")
    response = report(client, town, "stargazing.talk", local(20, 19, 30), "talk-1")
    assert response.status_code == 201, response.json
    sign_in(app, client, town["resident"])
    page = client.get("/me", follow_redirects=True).text
    assert "参加星空夜话" in page and "+5" in page
    assert "2026/11/20 19:30" in page


def test_her_page_warns_of_points_about_to_expire(app, client, wang, make_key, clock):
    """With 1-month expiry, 20 days after her points came she reads when they expire."""
    staff = make_key("staff", community="qianjiang")
    assert (
        client.put(
            "/v1/communities/qianjiang/expiry", json={"months": 1}, headers=staff
        ).status_code
        == 200
    )
    clock.advance(seconds=20 * 24 * 3600)
    sign_in(app, client, wang)
    page = client.get("/me", follow_redirects=True).text
    warning = re.search(r'data-expiring="(\d+)">([^<]+)<', page)
    assert warning is not None and warning.group(1) == "120"
    assert "过期" in warning.group(2)
