"""Every foundation endpoint against every role, on its own resource, another party's, and none.

Targets: "own" is the caller's community A / member m1; "neighbour" is another member of A; "other"
is community B and its member. Another party's resource answers 404, exactly as a missing one.
"""

from datetime import UTC, datetime

import pytest

from ledger.core.communities import open_account

ROLES = ("admin", "staff", "integrator", "shop", "member", "anonymous")


@pytest.fixture
def cast(app, make_community, make_member, make_key, admin, grant, session):
    """Two communities, three members, a shop in A, and a key per role (bound to A / m1)."""
    a, b = make_community("aaa"), make_community("bbb")
    m1, m3 = make_member("aaa"), make_member("aaa")
    m2 = make_member("bbb")
    shop_account = open_account(
        session,
        community_id=a["id"],
        owner_id="shop_TESTSHOP",
        kind="shop",
        unit="points",
        floor=0,
        now=datetime.now(UTC),
    )
    session.commit()
    entries = {
        "own": grant(a, m1["points_account"], 50),
        "neighbour": grant(a, m3["points_account"], 50),
        "other": grant(b, m2["points_account"], 50),
    }
    keys = {
        "admin": admin,
        "staff": make_key("staff", "aaa"),
        "integrator": make_key("integrator", "aaa"),
        "shop": make_key("shop", shop="shop_TESTSHOP"),
        "member": make_key("member", member=m1["id"]),
        "anonymous": {},
    }
    targets = {
        "own": {"slug": "aaa", "member": m1, "entry": entries["own"], "community": a},
        "neighbour": {"slug": "aaa", "member": m3, "entry": entries["neighbour"], "community": a},
        "other": {"slug": "bbb", "member": m2, "entry": entries["other"], "community": b},
    }
    return keys, targets, shop_account.id


def _adjustment(target):
    return {
        "postings": [
            {
                "from": target["community"]["account"][("issuance", "points")],
                "to": target["member"]["points_account"],
                "unit": "points",
                "amount": 1,
            }
        ],
        "reason": "permission check",
    }


# (name, method, path(target), body(target), {target: {role: status}})
A, S, I, SH, M = "admin", "staff", "integrator", "shop", "member"  # noqa: E741 - table keys


def row(own, neighbour=None, other=None):
    return {"own": own, "neighbour": neighbour or own, "other": other or own}


def statuses(admin, staff, integrator, shop, member):
    return {A: admin, S: staff, I: integrator, SH: shop, M: member, "anonymous": 401}


ENDPOINTS = [
    (
        "list communities",
        "GET",
        lambda t: "/v1/communities",
        None,
        row(statuses(200, 200, 200, 200, 200)),
    ),
    (
        "show community",
        "GET",
        lambda t: f"/v1/communities/{t['slug']}",
        None,
        row(statuses(200, 200, 200, 200, 200), other=statuses(200, 404, 404, 404, 404)),
    ),
    (
        "create community",
        "POST",
        lambda t: "/v1/communities",
        lambda t: {"slug": f"new-{t['slug']}", "name": "新社区"},
        row(statuses(201, 403, 403, 403, 403)),
    ),
    (
        "create member",
        "POST",
        lambda t: f"/v1/communities/{t['slug']}/members",
        lambda t: {"external_ref": f"new-{t['member']['id']}", "display_name": "新居民"},
        row(statuses(201, 201, 403, 403, 403), other=statuses(201, 404, 403, 403, 403)),
    ),
    (
        "list members",
        "GET",
        lambda t: f"/v1/communities/{t['slug']}/members",
        None,
        row(statuses(200, 200, 403, 403, 403), other=statuses(200, 404, 403, 403, 403)),
    ),
    (
        "show member",
        "GET",
        lambda t: f"/v1/members/{t['member']['id']}",
        None,
        row(
            statuses(200, 200, 404, 404, 200),
            neighbour=statuses(200, 200, 404, 404, 404),
            other=statuses(200, 404, 404, 404, 404),
        ),
    ),
    (
        "show account",
        "GET",
        lambda t: f"/v1/accounts/{t['member']['points_account']}",
        None,
        row(
            statuses(200, 200, 404, 404, 200),
            neighbour=statuses(200, 200, 404, 404, 404),
            other=statuses(200, 404, 404, 404, 404),
        ),
    ),
    (
        "statement",
        "GET",
        lambda t: f"/v1/accounts/{t['member']['points_account']}/statement",
        None,
        row(
            statuses(200, 200, 404, 404, 200),
            neighbour=statuses(200, 200, 404, 404, 404),
            other=statuses(200, 404, 404, 404, 404),
        ),
    ),
    (
        "balance as of",
        "GET",
        lambda t: (
            f"/v1/accounts/{t['member']['points_account']}/balance?as_of=2030-01-01T00:00:00Z"
        ),
        None,
        row(
            statuses(200, 200, 404, 404, 200),
            neighbour=statuses(200, 200, 404, 404, 404),
            other=statuses(200, 404, 404, 404, 404),
        ),
    ),
    (
        "show entry",
        "GET",
        lambda t: f"/v1/entries/{t['entry']['id']}",
        None,
        row(
            statuses(200, 200, 404, 404, 200),
            neighbour=statuses(200, 200, 404, 404, 404),
            other=statuses(200, 404, 404, 404, 404),
        ),
    ),
    (
        "reverse entry",
        "POST",
        lambda t: f"/v1/entries/{t['entry']['id']}/reversal",
        lambda t: {"reason": "permission check"},
        row(statuses(201, 201, 403, 403, 403), other=statuses(201, 404, 403, 403, 403)),
    ),
    (
        "adjustment",
        "POST",
        lambda t: "/v1/adjustments",
        _adjustment,
        row(statuses(201, 201, 403, 403, 403), other=statuses(201, 404, 403, 403, 403)),
    ),
]

CASES = [
    pytest.param(
        name, method, path, body, target, role, expected[target][role], id=f"{name}-{target}-{role}"
    )
    for name, method, path, body, expected in ENDPOINTS
    for target in ("own", "neighbour", "other")
    for role in ROLES
]


@pytest.mark.parametrize("name,method,path,body,target,role,expected", CASES)
def test_role_matrix(client, cast, name, method, path, body, target, role, expected):
    """Each role gets exactly the status the table gives for this endpoint and target."""
    keys, targets, _ = cast
    the_target = targets[target]
    response = client.open(
        path(the_target), method=method, headers=keys[role], json=body(the_target) if body else None
    )
    assert response.status_code == expected, response.json
    if expected >= 400:
        assert response.mimetype == "application/problem+json"


def test_shop_key_reads_its_own_account_and_nothing_of_members(client, cast):
    """A shop sees its own points account, and a member's account is 404 to it."""
    keys, targets, shop_account = cast
    assert client.get(f"/v1/accounts/{shop_account}", headers=keys["shop"]).status_code == 200
    member_account = targets["own"]["member"]["points_account"]
    assert client.get(f"/v1/accounts/{member_account}", headers=keys["shop"]).status_code == 404


def test_non_admin_community_list_shows_only_their_communities(client, cast):
    """Staff of A see A in the list, not B."""
    keys, _, _ = cast
    slugs = [c["slug"] for c in client.get("/v1/communities", headers=keys["staff"]).json["items"]]
    assert slugs == ["aaa"]
