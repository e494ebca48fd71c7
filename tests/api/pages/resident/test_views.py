"""The resident's help board and gifts over HTTP: the API's calls and reach, each form once."""

import re

import pytest

from ledger.resident_help import RESIDENT_STEPS
from tests.api.pages.resident.support import hidden_fields, sign_in, submit


def help_url(member):
    return f"/members/{member['id']}/help"


def gifts_url(member):
    return f"/members/{member['id']}/gifts"


def step_url(member, service_id, step):
    return f"{help_url(member)}/{service_id}/{step}"


def available(client, key, account):
    response = client.get(f"/v1/accounts/{account}", headers=key)
    assert response.status_code == 200
    return response.json["available"]


def shown_figure(html, unit):
    figure = re.search(rf'data-unit="{unit}">.*?data-figure="available">([^<]+)<', html, re.S)
    return int(figure.group(1).replace(",", "").replace("\u2212", "-"))


def check_gift(client, member, **fields):
    """Fill her gifts form with ``fields`` and send it to the confirm step."""
    return submit(client, gifts_url(member), f"{gifts_url(member)}/check", **fields)


@pytest.fixture
def browsers(app, wang, li):
    """A signed-in test client for each neighbour."""
    clients = {"wang": app.test_client(), "li": app.test_client()}
    sign_in(app, clients["wang"], wang)
    sign_in(app, clients["li"], li)
    return clients


def ask(client, member, title="陪我去医院", minutes="60", status=302):
    response = submit(
        client,
        help_url(member),
        help_url(member),
        title=title,
        category="elder_care",
        minutes=minutes,
    )
    assert response.status_code == status, response.text
    return response


def open_request_id(client, member, title):
    html = client.get(help_url(member)).text
    found = re.search(rf'data-service="([^"]+)">\s*<h3 class="service-title">{title}<', html)
    assert found, html
    return found.group(1)


def test_a_request_is_taken_done_confirmed_and_rated_with_the_apis_minutes(
    browsers, wang, li, make_key, client
):
    """Li asks, Wang takes and completes 75 minutes, Li confirms and rates: both pages show the
    minutes the API reports, and the service reads rated with her stars."""
    ask(browsers["li"], li)
    service_id = open_request_id(browsers["wang"], wang, "陪我去医院")
    steps = [
        ("wang", wang, "accept", {}),
        ("wang", wang, "complete", {"minutes": "75"}),
        ("li", li, "confirm", {}),
        ("li", li, "rate", {"stars": "4", "comment": "很耐心"}),
    ]
    for who, member, step, fields in steps:
        url = step_url(member, service_id, step)
        answer = submit(browsers[who], help_url(member), url, **fields)
        assert answer.status_code == 302 and "done=" in answer.location, (step, answer.text)
    for name, member in (("wang", wang), ("li", li)):
        key = make_key("member", community="qianjiang", member=member["id"])
        page = browsers[name].get(help_url(member)).text
        assert shown_figure(page, "minutes") == available(client, key, member["minutes_account"])
    li_key = make_key("member", community="qianjiang", member=li["id"])
    service = client.get(f"/v1/services/{service_id}", headers=li_key).json
    assert (service["state"], service["minutes_actual"]) == ("rated", 75)
    assert service["rating"]["stars"] == 4


def test_a_double_tap_takes_a_request_once(browsers, wang, li, make_key, client):
    """The same take form sent twice holds the estimate once and lands on the same page."""
    ask(browsers["li"], li, minutes="45")
    service_id = open_request_id(browsers["wang"], wang, "陪我去医院")
    url = step_url(wang, service_id, "accept")
    fields = hidden_fields(browsers["wang"].get(help_url(wang)).text, url)
    first = browsers["wang"].post(url, data=fields)
    again = browsers["wang"].post(url, data=fields)
    assert first.location == again.location
    key = make_key("member", community="qianjiang", member=li["id"])
    assert available(client, key, li["minutes_account"]) == 200 - 45


def test_the_board_offers_only_the_steps_the_ledger_allows(browsers, wang, li):
    """Her own request is not on her board to take; the volunteer gets no confirm button."""
    ask(browsers["li"], li)
    service_id = open_request_id(browsers["wang"], wang, "陪我去医院")
    own = browsers["li"].get(help_url(li)).text
    assert step_url(li, service_id, "accept") not in own
    assert step_url(li, service_id, "cancel") in own
    submit(browsers["wang"], help_url(wang), step_url(wang, service_id, "accept"))
    submit(browsers["wang"], help_url(wang), step_url(wang, service_id, "complete"), minutes="60")
    volunteers = browsers["wang"].get(help_url(wang)).text
    assert step_url(wang, service_id, "confirm") not in volunteers
    assert step_url(li, service_id, "confirm") in browsers["li"].get(help_url(li)).text


def test_a_refused_step_says_why_and_writes_nothing(browsers, wang, li, make_key, client):
    """Taking a request already taken is 409 with a page saying so; asking for more minutes
    than she can pay for is 422; neither moves a minute."""
    ask(browsers["li"], li)
    service_id = open_request_id(browsers["wang"], wang, "陪我去医院")
    url = step_url(wang, service_id, "accept")
    fields = hidden_fields(browsers["wang"].get(help_url(wang)).text, url)
    submit(browsers["wang"], help_url(wang), url)
    late = browsers["wang"].post(url, data=fields | {"form_token": "another-token-of-the-form"})
    assert late.status_code == 409 and 'data-reason="service-state-conflict"' in late.text
    too_much = ask(browsers["wang"], wang, title="搬家", minutes="1440", status=422)
    assert 'data-reason="funder-cannot-cover"' in too_much.text
    key = make_key("member", community="qianjiang", member=wang["id"])
    assert available(client, key, wang["minutes_account"]) == 120


def test_a_gift_to_family_is_confirmed_then_given_once(browsers, wang, li, make_key, client):
    """By Li's resident number: the confirm step names her; confirming twice gives once."""
    check = check_gift(
        browsers["wang"],
        wang,
        target="family",
        resident_number="R-li",
        unit="minutes",
        amount="30",
        memo="给李奶奶",
    )
    assert check.status_code == 200 and "李奶奶" in check.text
    fields = hidden_fields(check.text, gifts_url(wang))
    first = browsers["wang"].post(gifts_url(wang), data=fields)
    again = browsers["wang"].post(gifts_url(wang), data=fields)
    assert first.status_code == again.status_code == 302 and first.location == again.location
    key = make_key("member", community="qianjiang", member=li["id"])
    assert available(client, key, li["minutes_account"]) == 200 + 30
    shown = browsers["wang"].get(first.location).text
    assert "已转出" in shown and shown_figure(shown, "minutes") == 120 - 30


def test_a_donation_goes_to_the_love_bank(browsers, wang, make_key, client):
    """Points donated on the page are in the love bank the API reports."""
    check = check_gift(
        browsers["wang"],
        wang,
        target="love_bank",
        unit="points",
        amount="50",
    )
    assert "爱心银行" in check.text
    browsers["wang"].post(gifts_url(wang), data=hidden_fields(check.text, gifts_url(wang)))
    staff = make_key("staff", community="qianjiang")
    bank = client.get("/v1/communities/qianjiang/love-bank", headers=staff).json
    assert {a["unit"]: a["available"] for a in bank["accounts"]}["points"] == 50


@pytest.mark.parametrize(
    ("fields", "reason", "status"),
    [
        ({"target": "family", "resident_number": "R-nobody"}, "recipient-not-found", 404),
        ({"target": "family", "resident_number": "R-wang"}, "cannot-give-to-self", 422),
        ({"target": "family", "resident_number": "R-li", "amount": "many"}, "invalid", 422),
    ],
)
def test_a_gift_to_no_neighbour_is_refused_at_the_check(browsers, wang, li, fields, reason, status):
    """A resident number not of her community, her own, or an amount not a number: refused."""
    form = {"unit": "minutes", "amount": "10", **fields}
    answer = check_gift(browsers["wang"], wang, **form)
    assert answer.status_code == status and f'data-reason="{reason}"' in answer.text


def test_a_gift_beyond_what_she_has_is_refused(browsers, wang, li, make_key, client):
    """More minutes than she has: a page saying so (422), nothing given."""
    check = check_gift(
        browsers["wang"],
        wang,
        target="family",
        resident_number="R-li",
        unit="minutes",
        amount="121",
    )
    refused = browsers["wang"].post(
        gifts_url(wang), data=hidden_fields(check.text, gifts_url(wang))
    )
    assert refused.status_code == 422 and "insufficient-balance" in refused.text
    key = make_key("member", community="qianjiang", member=li["id"])
    assert available(client, key, li["minutes_account"]) == 200


def test_another_members_pages_are_not_found(browsers, wang, li):
    """Her session opening any of Li's pages, or sending any of their forms, gets 404."""
    ask(browsers["li"], li)
    service_id = open_request_id(browsers["wang"], wang, "陪我去医院")
    own = hidden_fields(browsers["wang"].get(help_url(wang)).text, help_url(wang))
    for url in (help_url(li), gifts_url(li)):
        assert browsers["wang"].get(url).status_code == 404
    posts = [help_url(li), f"{gifts_url(li)}/check", gifts_url(li)]
    posts += [step_url(li, service_id, step) for step in RESIDENT_STEPS]
    for url in posts:
        assert browsers["wang"].post(url, data=own).status_code == 404, url


def test_an_unknown_step_is_not_found(browsers, wang, li):
    """Only the time bank's steps have forms: any other name is 404."""
    ask(browsers["li"], li)
    service_id = open_request_id(browsers["wang"], wang, "陪我去医院")
    fields = hidden_fields(browsers["wang"].get(help_url(wang)).text, help_url(wang))
    assert (
        browsers["wang"].post(step_url(wang, service_id, "assign"), data=fields).status_code == 404
    )


def test_signed_out_the_pages_send_her_to_sign_in(client, wang):
    """Without a session her help page redirects to the card sign-in."""
    answer = client.get(help_url(wang))
    assert answer.status_code == 302 and answer.location.endswith("/")
