"""The till's page tests: a browser-less till signed in with the shop's key, and its forms."""

import re

import pytest

HIDDEN = re.compile(r'name="(csrf_token|form_token)" value="([^"]+)"')


def tokens(html: str, nth: int = 0) -> dict:
    """The CSRF and one-time tokens of the page's ``nth`` write form."""
    found = HIDDEN.findall(html)
    csrf = csrf_of(html)
    forms = [value for name, value in found if name == "form_token"]
    return {"csrf_token": csrf, "form_token": forms[nth]}


def sign_in(client, headers) -> None:
    page = client.get("/device").text
    key = headers["Authorization"].removeprefix("Bearer ")
    answer = client.post("/device", data={"key": key, "csrf_token": csrf_of(page)})
    assert answer.status_code == 302, answer.text


def csrf_of(html: str) -> str:
    return next(value for name, value in HIDDEN.findall(html) if name == "csrf_token")


@pytest.fixture
def till(app, supermarket):
    """A test client signed in as the supermarket's till (its own cookies)."""
    client = app.test_client()
    sign_in(client, supermarket.shop_key)
    return client


@pytest.fixture
def customer(resident):
    """王阿姨 of the supermarket's community, with 100 points."""
    return resident(points=100)
