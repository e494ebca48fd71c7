"""The desk's tests: a desk signed in with the town's staff key, and awards under notice."""

import re

import pytest

from tests.support.earning import local, report, set_rule
from tests.support.supermarket import redeem

__all__ = ["redeem"]

HIDDEN = re.compile(r'name="(csrf_token|form_token)" value="([^"]+)"')


def form_fields(html: str, action: str) -> dict:
    """The hidden fields (CSRF and one-time token) of the form posting to ``action``."""
    start = html.index(f'action="{action}"')
    end = html.index("</form>", start)
    return dict(HIDDEN.findall(html[start:end]))


def sign_in(client, headers) -> None:
    """Sign the test client in as a device with the key of ``headers``."""
    page = client.get("/device").text
    token = headers["Authorization"].removeprefix("Bearer ")
    answer = client.post("/device", data={"key": token, "csrf_token": HIDDEN.search(page)[2]})
    assert answer.status_code == 302, answer.text


@pytest.fixture
def desk(client, town):
    """The test client signed in as the town's staff desk."""
    sign_in(client, town["staff"])
    return client


@pytest.fixture
def under_notice(client, town):
    """under_notice(n) -> n adopted proposals by 王秀英, each 20 points under 3 days' notice."""
    set_rule(client, town, "proposal.adopted", points=20, notice_days=3)

    def make(count=1):
        events = []
        for n in range(count):
            answer = report(client, town, "proposal.adopted", local(20, 9), f"proposal-{n}")
            assert answer.status_code == 201 and answer.json["status"] == "pending", answer.json
            events.append(answer.json)
        return events

    return make
