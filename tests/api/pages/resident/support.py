"""Filling the resident's forms as a browser would: the form at an action, its hidden fields."""

import re
from html import unescape

from tests.support.pages import card_token

FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def sign_in(app, client, member) -> None:
    """Her card's link, followed in ``client`` (a browser of her own)."""
    assert client.get(f"/s/{card_token(app, member['id'])}").status_code == 302


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields (CSRF and form token, ...) of the page's form posting to ``action``."""
    for found, body in FORM.findall(html):
        if unescape(found) == action:
            return {name: unescape(value) for name, value in HIDDEN.findall(body)}
    raise AssertionError(f"no form posting to {action}")


def submit(client, page_url: str, action: str, **fields):
    """Open ``page_url``, fill its form posting to ``action`` with ``fields`` and send it."""
    html = client.get(page_url).text
    return client.post(action, data={**hidden_fields(html, action), **fields})
