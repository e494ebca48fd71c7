"""submit_once: a page form writes once per token, and a resubmission is sent to the first result."""

from types import SimpleNamespace

import pytest
from flask import g
from werkzeug.exceptions import BadRequest

from api.extensions import db
from api.pages import submissions


@pytest.fixture
def submit(app):
    """submit(token, write, signer="m1") -> submit_once's answer in a POST of that form token."""

    def post(token, write, signer="m1"):
        with app.test_request_context("/members/x", method="POST", data={"form_token": token}):
            g.resident = SimpleNamespace(id=signer)
            try:
                return submissions.submit_once(write)
            finally:
                db.session.remove()

    return post


def test_a_form_writes_once_and_a_resubmission_is_sent_to_the_same_place(submit):
    """The second submission of a token runs no write and redirects where the first did."""
    writes = []

    def write():
        writes.append(1)
        return "/members/x/gifts/1"

    token = submissions.form_token()
    first, second = submit(token, write), submit(token, write)
    assert writes == [1]
    assert first.location == second.location == "/members/x/gifts/1"


def test_a_form_without_a_token_is_refused(submit):
    """No token (or a malformed one) is 400 and writes nothing."""
    with pytest.raises(BadRequest):
        submit("", lambda: pytest.fail("written without a token"))


def test_another_signers_token_is_refused(submit):
    """A token claimed by one resident's form is 400 for another's session."""
    token = submissions.form_token()
    submit(token, lambda: "/members/a")
    with pytest.raises(BadRequest):
        submit(token, lambda: pytest.fail("written twice"), signer="m2")


def test_a_failed_write_can_be_sent_again(submit):
    """A write that raises keeps no claim: the same form then writes."""
    token = submissions.form_token()

    def refused():
        raise ValueError("refused")

    with pytest.raises(ValueError):
        submit(token, refused)
    assert submit(token, lambda: "/members/x").location == "/members/x"
