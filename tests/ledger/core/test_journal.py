"""post_entry and pending resolution, called directly on a session."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.audit import verify as audit
from ledger.core import balances, errors, journal
from ledger.core.communities import create_community, create_member, member_account, system_account
from ledger.core.ids import new_id
from ledger.core.journal import (
    MAX_POSTINGS_PER_ENTRY,
    EntryDraft,
    PostingDraft,
    post_entries,
    post_entry,
    post_pending,
    shard_for,
    void_pending,
)
from ledger.core.models import Account
from ledger.expiry.lots import keep_lots

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def book(session):
    """A community with two residents, one holding 100 points."""
    community = create_community(
        session, slug="book", name="账本", now=NOW, time_floor_minutes=-600
    )
    alice = create_member(session, community, external_ref="a", display_name="A", now=NOW)
    bob = create_member(session, community, external_ref="b", display_name="B", now=NOW)
    issuance = system_account(session, community.id, "issuance", "points").id
    a_points = member_account(session, alice.id, "points").id
    b_points = member_account(session, bob.id, "points").id
    post_entry(
        session,
        EntryDraft(community.id, "award", [PostingDraft(issuance, a_points, "points", 100)]),
        now=NOW,
    )
    session.commit()
    return community.id, issuance, a_points, b_points


def test_a_hold_reserves_available_but_not_posted(session, book):
    """Pending out lowers available at once; posted moves only on capture."""
    community, _, alice, bob = book
    hold = post_entry(
        session,
        EntryDraft(community, "redemption", [PostingDraft(alice, bob, "points", 30)], pending=True),
        now=NOW,
    )
    figures = balances.current_balance(session, alice)
    assert (figures.posted, figures.pending_out, figures.available) == (100, 30, 70)
    assert balances.current_balance(session, bob).pending_in == 30
    post_pending(session, hold.id, now=NOW + timedelta(minutes=1))
    figures = balances.current_balance(session, alice)
    assert (figures.posted, figures.pending_out, figures.available) == (70, 0, 70)
    assert balances.current_balance(session, bob).posted == 30
    assert audit.verify(session) == []


def test_a_voided_hold_releases_and_cannot_be_resolved_twice(session, book):
    """Void returns the held amount; a later capture of the same hold is refused."""
    community, _, alice, bob = book
    hold = post_entry(
        session,
        EntryDraft(
            community, "redemption", [PostingDraft(alice, bob, "points", 100)], pending=True
        ),
        now=NOW,
    )
    with pytest.raises(errors.InsufficientBalance):
        post_entry(
            session,
            EntryDraft(community, "transfer", [PostingDraft(alice, bob, "points", 1)]),
            now=NOW,
        )
    void_pending(session, hold.id, now=NOW)
    assert balances.current_balance(session, alice).available == 100
    with pytest.raises(errors.EntryNotPending):
        post_pending(session, hold.id, now=NOW)
    assert audit.verify(session) == []


def test_entry_rules_are_checked_before_anything_is_written(session, book):
    """Empty, oversized, cross-unit and cross-community entries are refused in Python."""
    community, issuance, alice, bob = book
    other = create_community(session, slug="other", name="别处", now=NOW)
    stranger = member_account(
        session,
        create_member(session, other, external_ref="s", display_name="S", now=NOW).id,
        "points",
    ).id
    cases = [
        (EntryDraft(community, "award", []), errors.EntryHasNoPostings),
        (
            EntryDraft(
                community,
                "award",
                [PostingDraft(issuance, alice, "points", 1)] * (MAX_POSTINGS_PER_ENTRY + 1),
            ),
            errors.TooManyPostings,
        ),
        (
            EntryDraft(community, "award", [PostingDraft(issuance, stranger, "points", 1)]),
            errors.CrossCommunityPosting,
        ),
        (
            EntryDraft(community, "award", [PostingDraft(issuance, alice, "minutes", 1)]),
            errors.UnitMismatch,
        ),
        (
            EntryDraft(community, "award", [PostingDraft(issuance, alice, "points", 0)]),
            errors.AmountMustBePositive,
        ),
        (
            EntryDraft(community, "gift", [PostingDraft(issuance, alice, "points", 1)]),
            errors.Invalid,
        ),
    ]
    for draft, error in cases:
        with pytest.raises(error):
            post_entry(session, draft, now=NOW)


def test_a_batch_of_awards_is_written_with_one_update_per_balance_row(session, book):
    """Forty awards to two residents: every entry written, few statements, the book sound."""
    from sqlalchemy import event

    community, issuance, alice, bob = book
    drafts = [
        EntryDraft(community, "award", [PostingDraft(issuance, (alice, bob)[n % 2], "points", 5)])
        for n in range(40)
    ]
    statements = []
    engine = session.get_bind()

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        records = post_entries(session, drafts, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(records) == 40 and len({r.id for r in records}) == 40
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) <= 2 + 16  # each resident's row, at most every issuance shard
    assert balances.current_balance(session, alice).posted == 200
    assert balances.current_balance(session, bob).posted == 100
    assert audit.verify(session) == []


def test_a_batch_that_overdraws_any_account_writes_nothing(session, book):
    """Alice holds 100: two 60-point gifts together are refused whole, not half written."""
    community, _, alice, bob = book
    gift = EntryDraft(community, "transfer", [PostingDraft(alice, bob, "points", 60)])
    with pytest.raises(errors.InsufficientBalance) as refused:
        post_entries(session, [gift, gift], now=NOW)
    assert refused.value.numbers["requested"] == 120
    assert balances.current_balance(session, alice).posted == 100
    assert balances.current_balance(session, bob).posted == 0
    assert audit.verify(session) == []


def test_statement_of_an_unknown_account_is_not_found(session):
    """Statements name only existing accounts."""
    with pytest.raises(errors.AccountNotFound):
        balances.statement(session, "acc_NOPE")


transfers = st.lists(
    st.tuples(
        st.sampled_from(["alice", "bob", "issuance"]),
        st.sampled_from(["alice", "bob", "issuance"]),
        st.integers(min_value=1, max_value=150),
        st.booleans(),
        st.sampled_from(["post", "void", "keep"]),
    ),
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves=transfers)
def test_any_sequence_of_transfers_and_holds_keeps_the_invariants(session, book, moves):
    """Whatever is tried, floors hold, caches match postings and the book sums to zero."""
    community, issuance, alice, bob = book
    accounts = {"alice": alice, "bob": bob, "issuance": issuance}
    savepoint = session.begin_nested()
    for source, target, amount, pending, outcome in moves:
        if source == target:
            continue
        try:
            with session.begin_nested():
                entry = post_entry(
                    session,
                    EntryDraft(
                        community,
                        "transfer",
                        [PostingDraft(accounts[source], accounts[target], "points", amount)],
                        pending=pending,
                    ),
                    now=NOW,
                )
                if pending and outcome == "post":
                    post_pending(session, entry.id, now=NOW)
                elif pending and outcome == "void":
                    void_pending(session, entry.id, now=NOW)
        except errors.InsufficientBalance:
            pass
    assert audit.verify(session) == []
    for name in ("alice", "bob"):
        assert balances.current_balance(session, accounts[name]).available >= 0
    total = sum(balances.current_balance(session, a).posted for a in accounts.values())
    assert total == 0
    savepoint.rollback()


def test_a_residents_minutes_may_go_down_to_the_time_floor_and_no_further(
    session, community, wang, li
):
    """With a ten-hour floor, 600 minutes of help on credit pass and the 601st is refused."""
    wang_minutes = member_account(session, wang.id, "minutes").id
    li_minutes = member_account(session, li.id, "minutes").id
    owe = EntryDraft(
        community.id, "service", [PostingDraft(wang_minutes, li_minutes, "minutes", 600)]
    )
    post_entry(session, owe, now=NOW)
    with pytest.raises(errors.InsufficientBalance) as refused:
        post_entry(
            session,
            EntryDraft(
                community.id, "service", [PostingDraft(wang_minutes, li_minutes, "minutes", 1)]
            ),
            now=NOW,
        )
    assert refused.value.numbers == {
        "account": wang_minutes,
        "balance": -600,
        "floor": -600,
        "requested": 1,
    }
    assert balances.current_balance(session, wang_minutes).posted == -600


def test_balance_rows_are_locked_in_sorted_account_order(session, community, make_member):
    """Postings listed newest account first still update balance rows in ascending id order."""
    from sqlalchemy import event

    people = [make_member(community) for _ in range(3)]
    accounts = [member_account(session, p.id, "minutes").id for p in people]
    touched = []

    def record(conn, cursor, statement, parameters, *args):
        if statement.lstrip().upper().startswith("UPDATE ACCOUNT_BALANCES"):
            values = parameters.values() if isinstance(parameters, dict) else parameters
            touched.extend(v for v in values if isinstance(v, str) and v.startswith("acc_"))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        post_entry(
            session,
            EntryDraft(
                community.id,
                "service",
                [
                    PostingDraft(accounts[2], accounts[1], "minutes", 5),
                    PostingDraft(accounts[1], accounts[0], "minutes", 5),
                ],
            ),
            now=NOW,
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert touched == sorted(accounts)


def test_a_captured_hold_cannot_be_voided_afterwards(session, book):
    """Capture settles a hold for good: voiding it later is refused as not pending."""
    community, _, alice, bob = book
    hold = post_entry(
        session,
        EntryDraft(community, "redemption", [PostingDraft(alice, bob, "points", 10)], pending=True),
        now=NOW,
    )
    post_pending(session, hold.id, now=NOW)
    with pytest.raises(errors.EntryNotPending):
        void_pending(session, hold.id, now=NOW)
    assert balances.current_balance(session, bob).posted == 10


def test_the_journal_has_one_lot_keeper():
    """Installing the expiry keeper again is harmless; installing another is refused."""
    journal.install_lot_keeper(keep_lots)
    with pytest.raises(RuntimeError, match="already installed"):
        journal.install_lot_keeper(lambda session, changes, now: None)


def test_a_batch_posted_on_one_shard_holds_one_issuance_row(session, community, wang, li, now):
    """With one_shard, every award of a batch lands on the same issuance shard, so concurrent
    batches do not each lock all of them; the shard still follows from each entry's id."""
    issuance = system_account(session, community.id, "issuance", "points").id
    drafts = [
        EntryDraft(
            community.id,
            "award",
            [PostingDraft(issuance, member_account(session, m.id, "points").id, "points", 1)],
        )
        for m in (wang, li) * 20
    ]
    posted = post_entries(session, drafts, now=now, one_shard=True)
    shards = {shard_for(record.id, issuance, None) for record in posted}
    assert len(shards) == 1


def test_an_entry_id_can_be_drawn_for_every_shard_of_an_account(session, community, wang):
    """Asked for any of the shards, the id drawn lands on it, and looks like any other id."""
    issuance = system_account(session, community.id, "issuance", "points").id
    mine = member_account(session, wang.id, "points").id
    draft = EntryDraft(community.id, "award", [PostingDraft(issuance, mine, "points", 1)])
    accounts = {a.id: a for a in (session.get(Account, issuance), session.get(Account, mine))}
    for shard in range(journal.UNFLOORED_SHARDS):
        entry_id = journal._entry_id(draft, accounts, shard)
        assert shard_for(entry_id, issuance, None) == shard
        assert entry_id.startswith("ent_") and len(entry_id) == len(new_id("ent"))
