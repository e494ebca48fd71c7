"""Balances: the cached figures, the balance at an instant and the running statement."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ledger.capabilities import reverse_entry
from ledger.core import balances, errors
from ledger.core.account_records import AccountRecord
from ledger.core.communities import member_account, system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending, void_pending
from ledger.core.models import Entry
from tests.support.plans import logged_plans


def transfer(session, community, source, target, amount, at, pending=False):
    draft = EntryDraft(
        community.id, "transfer", [PostingDraft(source, target, "points", amount)], pending=pending
    )
    return post_entry(session, draft, now=at)


def member_points(session, member):
    return member_account(session, member.id, "points").id


def test_issuance_balance_is_the_sum_over_its_shards(session, community, make_member, grant):
    """Awards to many residents spread over issuance shards; the balance adds them all up."""
    members = [make_member(community) for _ in range(6)]
    for member in members:
        grant(community, member_points(session, member), 25)
    issuance = system_account(session, community.id, "issuance", "points").id
    figures = balances.current_balance(session, issuance)
    assert figures.posted == -150
    assert balances.current_balances(session, [issuance])[issuance] == figures


def test_balance_as_of_counts_only_entries_posted_by_then(
    session, community, wang, li, points_of, grant, now
):
    """Yesterday's balance ignores today's gift; a hold never counts until captured."""
    grant(community, points_of(wang), 100)
    transfer(session, community, points_of(wang), points_of(li), 30, now + timedelta(days=1))
    transfer(session, community, points_of(wang), points_of(li), 5, now, pending=True)
    assert balances.balance_as_of(session, points_of(wang), now) == 100
    assert balances.balance_as_of(session, points_of(wang), now + timedelta(days=1)) == 70
    assert balances.balance_as_of(session, points_of(li), now - timedelta(seconds=1)) == 0


def test_a_statement_runs_the_balance_across_pages(
    session, community, wang, li, points_of, grant, now
):
    """Three lines two per page: the second page opens with the balance the first ended on."""
    grant(community, points_of(wang), 100)
    transfer(session, community, points_of(wang), points_of(li), 30, now + timedelta(hours=1))
    transfer(session, community, points_of(li), points_of(wang), 10, now + timedelta(hours=2))
    first = balances.statement(session, points_of(wang), limit=2)
    assert [(line.amount, line.balance) for line in first.items] == [(100, 100), (-30, 70)]
    second = balances.statement(session, points_of(wang), limit=2, cursor=first.next_cursor)
    assert [(line.amount, line.balance) for line in second.items] == [(10, 80)]
    assert second.next_cursor is None


def test_a_statement_window_is_inclusive_from_and_exclusive_to(
    session, community, wang, li, points_of, grant, now
):
    """Only the gift posted inside [from, to) is listed."""
    grant(community, points_of(wang), 100)
    later = now + timedelta(hours=1)
    transfer(session, community, points_of(wang), points_of(li), 30, later)
    page = balances.statement(session, points_of(wang), from_=later, to=later + timedelta(hours=1))
    assert [(line.amount, line.balance) for line in page.items] == [(-30, 70)]
    assert balances.statement(session, points_of(wang), from_=now, to=now).items == []
    with pytest.raises(errors.Invalid):
        balances.statement(session, points_of(wang), limit=0)


def reference_statement(session, account_id):
    """The statement recomputed from the postings: (entry, kind, memo, occurred, posted, net)."""
    nets = {}
    for entry in session.scalars(sa.select(Entry).where(Entry.status == "posted")):
        for p in entry.postings:
            if account_id in (p.from_account_id, p.to_account_id):
                sign = 1 if p.to_account_id == account_id else -1
                key = (entry.posted_at, entry.id, entry.kind, entry.memo, entry.occurred_at)
                nets[key] = nets.get(key, 0) + sign * p.amount
    running, found = 0, []
    for (posted_at, entry_id, kind, memo, occurred_at), net in sorted(nets.items()):
        running += net
        found.append((entry_id, kind, memo, occurred_at, posted_at, net, running))
    return found


def all_pages(session, account_id, limit, **window):
    """Every line of the statement, page after page, as tuples."""
    found, cursor = [], None
    while True:
        page = balances.statement(session, account_id, limit=limit, cursor=cursor, **window)
        found += [
            (x.entry_id, x.kind, x.memo, x.occurred_at, x.posted_at, x.amount, x.balance)
            for x in page.items
        ]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def mixed_history(session, community, wang, li, points_of, grant, now):
    """Grants, a three-posting entry, an entry netting to zero, two holds (one captured, one
    voided), a reversal and two entries posted at the same instant."""
    wang_, li_ = points_of(wang), points_of(li)
    grant(community, wang_, 200)
    hour = lambda n: now + timedelta(hours=n)  # noqa: E731
    post_entry(
        session,
        EntryDraft(
            community.id,
            "transfer",
            [PostingDraft(wang_, li_, "points", n) for n in (10, 5)]
            + [PostingDraft(li_, wang_, "points", 2)],
            memo="three postings",
        ),
        now=hour(1),
    )
    transfer(session, community, wang_, li_, 4, hour(1))  # same instant as the one above
    post_entry(
        session,
        EntryDraft(
            community.id,
            "transfer",
            [PostingDraft(wang_, li_, "points", 6), PostingDraft(li_, wang_, "points", 6)],
        ),
        now=hour(2),
    )
    captured = transfer(session, community, wang_, li_, 20, hour(3), pending=True)
    voided = transfer(session, community, wang_, li_, 9, hour(3), pending=True)
    gift = transfer(session, community, li_, wang_, 3, hour(4))
    post_pending(session, captured.id, now=hour(5))
    void_pending(session, voided.id, now=hour(5))
    reverse_entry(session, gift.id, reason="sent by mistake", now=hour(6))
    grant(community, li_, 1)


def test_statement_pages_match_a_reference_computed_from_the_postings(
    session, community, wang, li, points_of, grant, now
):
    """Every page size, whole or windowed, lists what the postings say, with the same balances."""
    mixed_history(session, community, wang, li, points_of, grant, now)
    for account_id in (points_of(wang), points_of(li)):
        expected = reference_statement(session, account_id)
        assert len(expected) >= 7
        for limit in (1, 2, 3, 50):
            assert all_pages(session, account_id, limit) == expected
        start, end = now + timedelta(hours=1), now + timedelta(hours=5)
        window = [line for line in expected if start <= line[4] < end]
        assert all_pages(session, account_id, 2, from_=start, to=end) == window
        by_end = [line for line in expected if line[4] <= end]  # as of is inclusive
        assert balances.balance_as_of(session, account_id, end) == by_end[-1][6]


def test_a_hold_past_its_expiry_stops_counting_on_both_sides_given_now(
    session, community, wang, li, points_of, grant, now
):
    """Before its expiry a hold is pending out for the giver and in for the receiver; after, neither."""
    grant(community, points_of(wang), 100)
    draft = EntryDraft(
        community.id,
        "transfer",
        [PostingDraft(points_of(wang), points_of(li), "points", 40)],
        pending=True,
        expires_at=now + timedelta(minutes=5),
    )
    post_entry(session, draft, now=now)
    accounts = [points_of(wang), points_of(li)]
    before = balances.current_balances(session, accounts, now=now)
    assert before[points_of(wang)] == balances.Balance(100, 0, 40)
    assert before[points_of(li)] == balances.Balance(0, 40, 0)
    after = balances.current_balances(session, accounts, now=now + timedelta(minutes=5))
    assert after[points_of(wang)] == balances.Balance(100, 0, 0)
    assert after[points_of(li)] == balances.Balance(0, 0, 0)
    # Without ``now`` the cached figures are given as they are, expired hold and all.
    assert balances.current_balances(session, accounts)[points_of(wang)].pending_out == 40


def test_current_balances_answers_every_account_asked_for(
    session, community, wang, points_of, grant, now
):
    """An account without balance rows reads as zero; asking for none reads nothing."""
    grant(community, points_of(wang), 7)
    found = balances.current_balances(session, [points_of(wang), "acc_none"], now=now)
    assert found == {points_of(wang): balances.Balance(7, 0, 0), "acc_none": balances.ZERO}
    assert balances.current_balances(session, [], now=now) == {}


def test_read_standing_is_the_accounts_record_with_its_balance_in_one_statement(
    session, community, wang, li, points_of, grant, now
):
    """The record says what the account says; the balance is current_balance's, expiry and all."""
    grant(community, points_of(wang), 100)
    hold = [PostingDraft(points_of(wang), points_of(li), "points", 40)]
    draft = EntryDraft(
        community.id, "transfer", hold, pending=True, expires_at=now + timedelta(days=1)
    )
    post_entry(session, draft, now=now)
    session.flush()
    statements = []

    def note(_connection, _cursor, statement, *_):
        statements.append(statement)

    engine, account_id = session.get_bind(), points_of(wang)
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        found = balances.read_standing(session, account_id, now=now)
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert len(statements) == 1
    assert found.account == AccountRecord(
        id=points_of(wang),
        community_id=community.id,
        owner_id=wang.id,
        kind="member",
        unit="points",
        floor=0,
        status="open",
        keeps_lots=False,
    )
    assert found.balance == balances.Balance(100, 0, 40)
    past_expiry = balances.read_standing(session, points_of(wang), now=now + timedelta(days=2))
    assert (
        past_expiry.balance
        == balances.current_balance(session, points_of(wang), now=now + timedelta(days=2))
        == balances.Balance(100, 0, 0)
    )


def test_read_standing_of_a_missing_account_is_not_found(session, now):
    """An id no account has raises AccountNotFound."""
    with pytest.raises(errors.AccountNotFound):
        balances.read_standing(session, "acc_none", now=now)


@pytest.fixture
def long_history(session, community, wang, li, grant, now):
    """王 and 李 trade a point back and forth 120 times: most of the table's lines are theirs."""
    wangs, lis = member_points(session, wang), member_points(session, li)
    grant(community, wangs, 10)
    for n in range(120):
        source, target = (wangs, lis) if n % 2 == 0 else (lis, wangs)
        transfer(session, community, source, target, 1, now + timedelta(minutes=n + 1))
    session.execute(sa.text("ANALYZE account_lines, entries"))
    return wangs


PAGES = (
    {},
    {"from_": timedelta(minutes=30)},
    {"to": timedelta(minutes=50)},
    {"from_": timedelta(minutes=10), "to": timedelta(minutes=90)},
)


@pytest.mark.postgres
@pytest.mark.parametrize("window", PAGES)
def test_the_planned_page_reads_what_the_query_reads(session, long_history, now, window):
    """Page after page, with and without a window, the function and the query agree."""
    bounds = {name: now + delta for name, delta in window.items()}
    after, pages = (None, None), 0
    while True:
        bounds_pair = (bounds.get("from_"), bounds.get("to"))
        planned = balances._planned_page(session, long_history, after, bounds_pair, 11)
        assert [tuple(row) for row in planned] == [
            tuple(row) for row in balances._page(session, long_history, after, bounds_pair, 11)
        ]
        pages += 1
        if len(planned) < 11:
            break
        after = (planned[9].posted_at, planned[9].entry_id)
    assert pages > 1


@pytest.mark.postgres
def test_a_long_accounts_page_keeps_one_plan_by_its_key(session, long_history):
    """Three pages of an account holding most lines run one cached plan: its key range, then
    each entry by key (no scan, no hash)."""
    with logged_plans(session) as plans:
        for _ in range(3):
            balances.statement(session, long_history, limit=20)
    pages = [plan for plan in plans if "account_lines" in plan and "pointsbank" not in plan]
    assert len(pages) == 3 and len(set(pages)) == 1, plans
    assert "Index Only Scan using pk_account_lines" in pages[0]
    assert "$1" in pages[0] and "Seq Scan" not in pages[0] and "Hash" not in pages[0]
