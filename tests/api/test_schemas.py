"""Bad input gets a 4xx problem+json and writes nothing."""

import pytest

from ledger.core.journal import MAX_AMOUNT
from ledger.core.paging import MAX_PAGE_LIMIT


@pytest.fixture
def world(make_community, make_member, grant):
    community = make_community()
    member = make_member("qianjiang")
    grant(community, member["points_account"], 100)
    return community, member


def entry_count(session):
    from ledger.core.models import Entry, Posting

    return session.query(Entry).count(), session.query(Posting).count()


BAD_AMOUNTS = [0, -1, 1.5, "7", True, None, MAX_AMOUNT + 1, [], {}]


@pytest.mark.parametrize("amount", BAD_AMOUNTS, ids=repr)
def test_bad_amounts_are_refused_without_writing(client, admin, world, session, amount):
    """Zero, negative, fractional, string, boolean and oversized amounts are 422."""
    community, member = world
    before = entry_count(session)
    response = client.post(
        "/v1/adjustments",
        headers=admin,
        json={
            "postings": [
                {
                    "from": community["account"][("issuance", "points")],
                    "to": member["points_account"],
                    "unit": "points",
                    "amount": amount,
                }
            ],
            "reason": "test",
        },
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["field"] == "postings.0.amount"
    assert entry_count(session) == before


@pytest.mark.parametrize(
    "raw_amount", ["1e309", "NaN", "Infinity", "1e2", "99999999999999999999999"]
)
def test_numbers_json_would_turn_into_floats_or_huge_ints_are_refused(
    client, admin, world, raw_amount, session
):
    """1e309 (infinity), NaN and 10^23 never reach the database."""
    community, member = world
    before = entry_count(session)
    source, target = community["account"][("issuance", "points")], member["points_account"]
    body = (
        f'{{"postings": [{{"from": "{source}", "to": "{target}", "unit": "points", '
        f'"amount": {raw_amount}}}], "reason": "x"}}'
    )
    response = client.post(
        "/v1/adjustments", data=body, headers=admin, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
    assert entry_count(session) == before


def _posting(community, member, **override):
    posting = {
        "from": community["account"][("issuance", "points")],
        "to": member["points_account"],
        "unit": "points",
        "amount": 5,
    }
    posting.update(override)
    return posting


@pytest.mark.parametrize(
    "case,expected_status,expected_type",
    [
        ("unknown_unit", 422, "validation-failed"),
        ("same_account", 422, "same-account-posting"),
        ("unknown_account", 404, "account-not-found"),
        ("unit_mismatch", 422, "unit-mismatch"),
        ("nul_in_reason", 422, "validation-failed"),
        ("unknown_field", 422, "validation-failed"),
        ("unknown_posting_field", 422, "validation-failed"),
        ("empty_postings", 422, "validation-failed"),
        ("missing_reason", 422, "validation-failed"),
        ("blank_reason", 422, "reason-required"),
        ("not_an_object", 422, "validation-failed"),
    ],
)
def test_malformed_entries_are_refused_without_writing(
    client, admin, world, session, case, expected_status, expected_type
):
    """Each bad body names its problem and leaves the journal as it was."""
    community, member = world
    body = {"postings": [_posting(community, member)], "reason": "a reason"}
    if case == "unknown_unit":
        body["postings"][0]["unit"] = "hours"
    elif case == "same_account":
        body["postings"][0]["to"] = body["postings"][0]["from"]
    elif case == "unknown_account":
        body["postings"][0]["to"] = "acc_DOESNOTEXIST"
    elif case == "unit_mismatch":
        body["postings"][0]["to"] = member["minutes_account"]
    elif case == "nul_in_reason":
        body["reason"] = "bad\x00reason"
    elif case == "unknown_field":
        body["surprise"] = 1
    elif case == "unknown_posting_field":
        body["postings"][0]["note"] = "x"
    elif case == "empty_postings":
        body["postings"] = []
    elif case == "missing_reason":
        del body["reason"]
    elif case == "blank_reason":
        body["reason"] = "   "
    elif case == "not_an_object":
        body = [1, 2, 3]
    before = entry_count(session)
    response = client.post("/v1/adjustments", headers=admin, json=body)
    assert response.status_code == expected_status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == f"/problems/{expected_type}"
    assert entry_count(session) == before


def test_validation_errors_list_each_bad_field(client, admin, world):
    """Several bad fields are all reported, each with its path."""
    community, member = world
    response = client.post(
        "/v1/adjustments",
        headers=admin,
        json={"postings": [_posting(community, member, amount=0, unit="kg")]},
    )
    fields = {e["field"] for e in response.json["errors"]}
    assert {"postings.0.amount", "postings.0.unit", "reason"} <= fields


def test_a_failed_posting_in_a_multi_posting_entry_writes_none_of_it(
    client, admin, world, make_member, balance
):
    """The second posting overdraws, so the first is not applied either."""
    community, member = world
    other = make_member("qianjiang")
    response = client.post(
        "/v1/adjustments",
        headers=admin,
        json={
            "postings": [
                _posting(community, other, amount=5),
                {
                    "from": member["points_account"],
                    "to": other["points_account"],
                    "unit": "points",
                    "amount": 101,
                },
            ],
            "reason": "x",
        },
    )
    assert response.status_code == 422
    assert response.json["type"] == "/problems/insufficient-balance"
    assert balance(other["points_account"])["posted"] == 0
    assert balance(member["points_account"])["posted"] == 100


@pytest.mark.parametrize(
    "body",
    [
        {"slug": "Bad Slug", "name": "x"},
        {"slug": "ok-slug", "name": ""},
        {"slug": "ok-slug", "name": "x", "timezone": "Mars/Olympus"},
        {"slug": "ok-slug", "name": "x", "timezone": "America"},
        {"slug": "ok-slug", "name": "x", "time_floor_minutes": 10},
        {"slug": "ok-slug", "name": "x", "time_floor_minutes": -(10**7)},
        {"slug": "ok-slug", "name": "x\x00"},
    ],
)
def test_bad_communities_are_refused(client, admin, body):
    """Slugs, names, time zones and time floors are checked."""
    response = client.post("/v1/communities", headers=admin, json=body)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"


def test_bad_query_values_are_refused(client, admin, world):
    """A bad cursor, a bad time and a page limit above the maximum are 422."""
    _, member = world
    url = f"/v1/accounts/{member['points_account']}"
    assert (
        client.get(
            url + "/statement", query_string={"cursor": "garbage!"}, headers=admin
        ).status_code
        == 422
    )
    assert (
        client.get(url + "/statement", query_string={"limit": 10_000}, headers=admin).status_code
        == 422
    )
    assert (
        client.get(url + "/balance", query_string={"as_of": "yesterday"}, headers=admin).status_code
        == 422
    )
    assert (
        client.get(
            url + "/balance", query_string={"as_of": "2026-01-01T00:00:00"}, headers=admin
        ).status_code
        == 422
    )  # a time without a zone is ambiguous


@pytest.mark.parametrize(
    "path",
    ["/v1/entries/%00", "/v1/accounts/acc_%00/statement", "/v1/communities/%00", "/v1/members/%00"],
)
def test_a_nul_byte_in_a_path_is_a_404(client, admin, path):
    """No stored id can hold a NUL byte, so such a path names nothing."""
    response = client.get(path, headers=admin)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_forged_cursor_with_unstorable_text_is_refused(client, admin):
    """A cursor decoding to a NUL byte or a lone surrogate is a 422, not a database error."""
    import base64

    for key in ('["\\u0000"]', '["\\ud800"]'):
        cursor = base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")
        response = client.get("/v1/communities", query_string={"cursor": cursor}, headers=admin)
        assert response.status_code == 422, key


def test_a_lone_surrogate_in_text_is_refused(client, admin):
    """Text that is not valid Unicode cannot be stored, so it is a validation error."""
    response = client.post(
        "/v1/communities",
        data='{"slug": "odd", "name": "\\ud800"}',
        headers=admin,
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "name"


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_an_instant_with_no_utc_form_is_refused(client, admin, world, instant):
    """Year 1 east of Greenwich and year 9999 west of it do not exist in UTC: 422."""
    _, member = world
    response = client.get(
        f"/v1/accounts/{member['points_account']}/balance",
        query_string={"as_of": instant},
        headers=admin,
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_page_limit_above_the_maximum_is_refused_with_the_maximum_stated(client, admin):
    """limit is bounded; the problem names the field."""
    response = client.get(
        "/v1/communities", query_string={"limit": MAX_PAGE_LIMIT + 1}, headers=admin
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "limit"
