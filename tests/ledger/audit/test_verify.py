"""Someone with database access edits history: `verify` finds it and names the first bad seq.

One small community is built and sealed once; each of 100 random tamperings is applied with raw
SQL inside a transaction (on PostgreSQL bypassing the append-only triggers as a superuser can,
with session_replication_role = replica), verified, and rolled back.
"""

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ledger.audit import chain
from ledger.audit.verify import verify
from ledger.core.communities import member_account, system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.membership import districts

from .tampering import START, Tamperer, build_community, bypass_guards, seals_by_entry

TAMPERINGS = 100


def test_every_single_tampering_is_found_and_its_first_bad_seq_named(session):
    """100 random edits of entries, postings or seals: verify names the first bad seq each time."""
    community = build_community(session)
    assert verify(session) == []
    seals = seals_by_entry(session)
    session.rollback()
    seen = set()
    for number in range(TAMPERINGS):
        rng = random.Random(6000 + number)
        bypass_guards(session)
        tamperer = Tamperer(session, rng, seals, community.id)
        how = Tamperer.TAMPERINGS[number % len(Tamperer.TAMPERINGS)]
        expected = getattr(tamperer, how)()
        breaches = [b for b in verify(session) if b.check == "journal-chain"]
        session.rollback()
        assert breaches, f"tampering {number} ({how}) went unnoticed"
        first = min(b.seq for b in breaches if b.seq is not None)
        assert first == expected, f"tampering {number} ({how}): named {first}, expected {expected}"
        assert f"first bad sequence number {expected}" in " ".join(b.detail for b in breaches)
        seen.add(how)
    assert seen == set(Tamperer.TAMPERINGS)
    assert verify(session) == []  # every tampering was rolled back


def test_a_committed_tampering_is_reported_by_community_and_seq(session):
    """A tampering that was committed is reported as `pointsbank verify` prints it: slug, seq."""
    community = build_community(session)
    seals = seals_by_entry(session)
    bypass_guards(session)
    expected = Tamperer(session, random.Random(1), seals, community.id).change_amount()
    session.commit()
    breaches = [b for b in verify(session) if b.check == "journal-chain"]
    assert breaches
    reported = [f"{b.subject}: {b.detail}" for b in breaches]
    assert f"xingguang seq {expected}: first bad sequence number {expected}" in " ".join(reported)


@pytest.mark.parametrize("rounds", [2])
def test_an_untouched_journal_verifies_after_more_sealing(session, rounds):
    """Entries written and sealed in several rounds keep the chain sound."""
    community = build_community(session)
    account = member_account(
        session,
        session.execute(sa.text("SELECT id FROM members ORDER BY external_ref LIMIT 1")).scalar(),
        "points",
    ).id
    issuance = system_account(session, community.id, "issuance", "points").id
    for round_ in range(rounds):
        post_entry(
            session,
            EntryDraft(
                community_id=community.id,
                kind="award",
                postings=[PostingDraft(issuance, account, "points", 5)],
                details={"activity": "deliberation.attend"},
            ),
            now=START + timedelta(days=10 + round_),
        )
        session.commit()
        chain.seal_community(session, community.id, now=START + timedelta(days=10 + round_))
        session.commit()
    assert verify(session) == []


def test_a_cached_balance_that_drifts_from_its_postings_is_a_breach(
    session, community, wang, points_of, grant
):
    """A balance row edited by hand to 90 of 100 granted is named with both figures."""
    grant(community, points_of(wang), 100)
    session.commit()
    session.execute(
        sa.text("UPDATE account_balances SET posted = 90 WHERE account_id = :a"),
        {"a": points_of(wang)},
    )
    breaches = verify(session)
    session.rollback()
    assert [(b.check, b.subject) for b in breaches] == [("cached-balance", points_of(wang))]
    assert "[90, 0, 0] != postings [100, 0, 0]" in breaches[0].detail


def test_clearing_accounts_that_do_not_cancel_are_a_breach(session, community, make_community, now):
    """Minutes posted into one side of a pair's clearing only are named with the pair's sum."""
    district = districts.create_district(session, slug="meiyuan", name="梅园街道", now=now).district
    other = make_community("taohua", "桃花社区")
    for member in (community, other):
        districts.add_community(session, district, member, now=now)
    due_to = districts.clearing_account(session, community.id, other.id).account_id
    issuance = system_account(session, community.id, "issuance", "minutes").id
    post_entry(
        session,
        EntryDraft(community.id, "adjustment", [PostingDraft(issuance, due_to, "minutes", 45)]),
        now=now,
    )
    session.commit()
    breaches = verify(session)
    assert [b.check for b in breaches] == ["clearing-pair"]
    assert "sum to 45" in breaches[0].detail


def test_a_statement_line_that_disagrees_with_the_postings_is_a_breach(
    session, community, wang, points_of, grant
):
    """A line edited by hand to 90 of 100 granted is named with both sums."""
    grant(community, points_of(wang), 100)
    session.commit()
    bypass_guards(session)
    session.execute(
        sa.text("UPDATE account_lines SET amount = 90 WHERE account_id = :a"),
        {"a": points_of(wang)},
    )
    breaches = verify(session)
    session.rollback()
    assert [(b.check, b.subject) for b in breaches] == [("account-lines", points_of(wang))]
    assert "lines sum to 90, posted postings to 100" in breaches[0].detail
