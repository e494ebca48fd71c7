"""A resident's page: her standings as the API reports them, and lines in plain words."""

from datetime import timedelta

from ledger import residents
from ledger.core.balances import standings
from ledger.earning.rules import RuleDraft, set_rule
from ledger.expiry.lots import add_months
from ledger.expiry.settings import set_expiry
from ledger.supermarket.consent import issue_code
from ledger.supermarket.redemptions import redeem


def test_lines_name_the_activity_and_the_items_newest_first(
    session, community, wang, shop, award, points_of, grant, now
):
    """An award reads as its activity, a purchase as its items, with the newest line first."""
    grant(community, points_of(wang), 100)
    award(wang, activity="stargazing.talk", points=5, title="星空夜话")
    _, code = issue_code(session, wang, now=now)
    later = now + timedelta(minutes=1)
    outcome = redeem(
        session,
        shop,
        member_id=wang.id,
        consent={"code": code},
        lines=[{"sku": "rice", "quantity": 2}, {"sku": "soap", "quantity": 1}],
        now=later,
    )
    assert outcome.refusal is None
    page = residents.resident_page(session, wang, now=later)
    described = [(line.reason, line.name, line.amount) for line in page.lines]
    assert described[:2] == [("purchase", "大米 ×2、肥皂", -72), ("activity", "星空夜话", 5)]
    assert page.lines[0].occurred_at.utcoffset() == timedelta(hours=8)


def test_an_award_reads_as_its_rules_latest_title_else_its_code(
    session, community, wang, award, now
):
    """A title set after an award names it too; an activity without a title reads as its code."""
    award(wang, activity="stargazing.talk", points=5)
    award(wang, activity="cleanup.join", points=10)
    untitled = residents.resident_page(session, wang, now=now)
    assert {line.name for line in untitled.lines} == {"stargazing.talk", "cleanup.join"}
    later = now + timedelta(minutes=1)
    set_rule(
        session, community.id, "stargazing.talk", RuleDraft(points=5, title="星空夜话"), now=later
    )
    titled = residents.resident_page(session, wang, now=later)
    assert {line.name for line in titled.lines} == {"星空夜话", "cleanup.join"}


def test_standings_are_the_ledgers_own(session, community, wang, points_of, grant, now):
    """The page's balances are exactly what ``balances.standings`` reports for her accounts."""
    grant(community, points_of(wang), 40)
    page = residents.resident_page(session, wang, now=now)
    expected = standings(session, wang.accounts, now=now)
    assert [(s.unit, s.posted, s.available) for s in page.standings] == [
        (s.unit, s.posted, s.available) for s in expected
    ]
    assert ("points", 40, 40) in [(s.unit, s.posted, s.available) for s in page.standings]


def test_the_page_says_what_points_expire_soon(session, community, wang, points_of, grant, now):
    """With one-month expiry, 40 points show as expiring once within 30 days of their date."""
    set_expiry(session, community, months=1, now=now)
    grant(community, points_of(wang), 40)
    assert residents.resident_page(session, wang, now=now - timedelta(days=1)).expiring == []
    soon = residents.resident_page(session, wang, now=now + timedelta(days=5)).expiring
    assert [(e.points, e.expires_at) for e in soon] == [
        (40, add_months(now, 1, community.timezone))
    ]
