"""What staff read at the desk: every rule version, shops to settle, the dispatch board."""

from datetime import timedelta

from ledger import desk
from ledger.approvals import requests as approvals
from ledger.approvals.rules import set_thresholds
from ledger.core.apikeys import create_key
from ledger.core.communities import system_account
from ledger.core.journal import PostingDraft
from ledger.earning.rules import CapDraft, RuleDraft, set_rule
from ledger.supermarket.consent import issue_code
from ledger.supermarket.redemptions import redeem
from ledger.supermarket.settlement import settle_shop
from ledger.timebank import services


def test_residents_come_with_their_balances(session, community, wang, li, points_of, grant, now):
    """Each resident on the page carries her points and minutes accounts and their balances."""
    grant(community, points_of(wang), 40)
    page = desk.residents(session, community, now=now)
    shown = {r.display_name: {a.unit: a.available for a in r.accounts} for r in page.items}
    assert shown == {"王秀英": {"points": 40, "minutes": 0}, "李建国": {"points": 0, "minutes": 0}}
    assert page.next_cursor is None


def test_the_rule_book_has_every_version_newest_first(session, community, now):
    """A rule changed once shows two versions, the current first, with its caps."""
    set_rule(session, community.id, "cleanup.join", RuleDraft(points=10), now=now)
    later = now + timedelta(days=1)
    draft = RuleDraft(points=12, caps=(CapDraft("week", max_count=2),))
    set_rule(session, community.id, "cleanup.join", draft, now=later)
    set_rule(
        session, community.id, "proposal.adopted", RuleDraft(points=20, notice_days=3), now=now
    )
    book = desk.rule_book(session, community)
    assert [rule.activity for rule in book] == ["cleanup.join", "proposal.adopted"]
    assert [(v.version, v.points) for v in book[0].versions] == [(2, 12), (1, 10)]
    assert book[0].current.caps[0].max_count == 2


def test_a_shop_line_shows_what_it_is_owed_and_its_settlements(
    session, community, shop, wang, points_of, grant, now
):
    """A sale of rice leaves the shop owed 30; once settled it owes nothing and lists it."""
    grant(community, points_of(wang), 100)
    _, code = issue_code(session, wang, now=now)
    redeem(
        session,
        shop,
        member_id=wang.id,
        consent={"code": code},
        lines=[{"sku": "rice", "quantity": 1}],
        now=now,
    )
    (line,) = desk.shop_ledger(session, community, now=now)
    assert (line.shop.id, line.owed, line.settlements) == (shop.id, 30, [])
    made = settle_shop(session, shop.id, now=now)
    (line,) = desk.shop_ledger(session, community, now=now)
    assert (line.owed, [s.id for s in line.settlements]) == (0, [made.id])
    sheet = desk.settlement_sheet(session, made)
    assert sheet.shop.name == "星光积分超市" and sheet.statement.points == 30
    assert sheet.settled_at.utcoffset() == timedelta(hours=8)
    assert [points for _, points, _ in sheet.redemptions] == [30]


def test_the_dispatch_board_names_requester_and_volunteer(session, community, wang, li, now):
    """An open request waits with its requester's name; dispatched, it is under way with both."""
    service = services.request_service(
        session,
        community_id=community.id,
        requester_id=wang.id,
        title="陪同就医",
        category="care",
        minutes_estimate=60,
        funded_by="requester",
        now=now,
    )
    board = desk.dispatch_board(session, community)
    assert [(line.service.id, line.requester) for line in board.lines["open"]] == [
        (service.id, "王秀英")
    ]
    assert {m.display_name for m in board.volunteers} == {"王秀英", "李建国"}
    services.assign(session, service.id, volunteer_id=li.id, now=now)
    board = desk.dispatch_board(session, community)
    assert board.lines["open"] == []
    assert [(line.requester, line.volunteer) for line in board.lines["assigned"]] == [
        ("王秀英", "李建国")
    ]


def test_the_approvals_board_names_whom_a_held_write_moves_between(
    session, community, wang, points_of, now
):
    """A held adjustment reads from the community's issuance to 王秀英, with its amount."""
    key, _ = create_key(
        session, role="staff", community_slugs=[community.slug], label="李敏", now=now
    )
    set_thresholds(session, community.id, {"points": 10}, now=now)
    issuance = system_account(session, community.id, "issuance", "points").id
    approvals.adjust_or_hold(
        session,
        community_id=community.id,
        postings=[PostingDraft(issuance, points_of(wang), "points", 50)],
        reason="补录",
        now=now,
        api_key_id=key.id,
    )
    [line] = desk.approvals_board(session, community)
    assert line.postings == [desk.HeldPosting("issuance", "王秀英", "points", 50)]
    assert line.requested_by == "李敏"
