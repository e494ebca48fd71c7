"""The fast path of a redemption by code: what may take it, what it costs, and that it writes
what the general path writes."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ledger.core import errors
from ledger.core.balances import current_balance
from ledger.core.models import Entry, Posting
from ledger.supermarket import errors as shop_errors
from ledger.supermarket import fastpath
from ledger.supermarket.catalogue import get_item
from ledger.supermarket.consent import MAX_FAILED_ATTEMPTS, issue_code
from ledger.supermarket.models import ConsentCode, MemberConsent, Redemption
from ledger.supermarket.redemptions import HOLD_TTL, _redeem_general, redeem
from ledger.webhooks.models import WebhookEvent

postgres = pytest.mark.postgres
# The two functions of migration 0017_redeem_fast; BEGIN and COMMIT make four round trips.
FAST_STATEMENTS = 2


@contextmanager
def counted(session):
    """Counts the statements the session sends inside the block."""
    sent = []
    engine = session.get_bind().engine

    def count(conn, cursor, statement, params, context, executemany):
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _by_code(session, shop, member, now, how=redeem, code=None, **asked):
    code = code or issue_code(session, member, now=now)[1]
    asked.setdefault("lines", [{"sku": "rice", "quantity": 1}, {"sku": "soap", "quantity": 2}])
    return how(
        session,
        shop,
        member_id=member.id,
        consent={"code": code},
        **{"points": None, "memo": "", "capture": True, "now": now, "api_key_id": None} | asked,
    )


def test_only_redemptions_by_code_on_postgresql_are_eligible(session):
    """A PIN, or SQLite, takes the general path."""
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    assert fastpath.eligible(session, {"code": "123456"}) is on_postgresql
    assert fastpath.eligible(session, {"pin": "1357"}) is False


@pytest.fixture
def shoppers(session, community, wang, li, points_of, grant):
    """王秀英 and 李建国 with 100 points each."""
    for member in (wang, li):
        grant(community, points_of(member), 100)
    session.flush()
    return wang, li


@postgres
def test_a_redemption_by_code_sends_two_statements(session, shop, shoppers, points_of, now):
    """Consent, stock, balance and every row in two statements, with the right answer."""
    wang, _ = shoppers
    _, code = issue_code(session, wang, now=now)
    with counted(session) as sent:
        outcome = _by_code(session, shop, wang, now, code=code)
    assert len(sent) == FAST_STATEMENTS, sent
    assert (outcome.redemption.points, outcome.member_available) == (54, 46)
    assert session.get(Redemption, outcome.redemption.id) is outcome.redemption
    assert current_balance(session, points_of(wang)).posted == 46
    assert get_item(session, shop.id, "rice").stock == 4


def _rows(session, redemption_id):
    """What a redemption wrote, without its ids and times."""
    red = session.scalars(
        sa.select(Redemption)
        .where(Redemption.id == redemption_id)
        .execution_options(populate_existing=True)
    ).one()
    entry = session.get(Entry, red.entry_id)
    postings = session.scalars(sa.select(Posting).filter_by(entry_id=entry.id)).all()
    told = session.scalars(sa.select(WebhookEvent.type).filter_by(resource_id=red.id)).all()
    return (
        (red.status, red.points, red.refunded_points, red.memo, red.consent_method),
        (red.hold_expires_at, red.captured_at, red.voided_at, red.settlement_id),
        [(li.line_no, li.sku, li.name, li.unit_price_points, li.quantity) for li in red.lines],
        (entry.kind, entry.status, entry.memo, entry.expires_at, entry.posted_at),
        sorted(entry.details),
        [(p.unit, p.amount, p.to_account_id) for p in postings],
        told,
    )


@postgres
@pytest.mark.parametrize("capture", [True, False])
def test_both_paths_write_the_same_rows(session, shop, shoppers, points_of, now, capture):
    """A sale (or hold) for each resident, one by each path: same rows, balances, stock, code use."""
    found = {}
    for member, how in zip(shoppers, (redeem, _redeem_general), strict=True):
        code_row, code = issue_code(session, member, now=now)
        with counted(session) as sent:
            outcome = _by_code(session, shop, member, now, how=how, code=code, capture=capture)
        balance = current_balance(session, points_of(member))
        session.refresh(code_row)
        found[how] = (
            _rows(session, outcome.redemption.id),
            outcome.member_available,
            (balance.posted, balance.pending_out),
            code_row.used_at,
        )
        counts = len(sent)
    assert found[redeem] == found[_redeem_general]
    assert counts > FAST_STATEMENTS  # the general path really was the other one
    assert get_item(session, shop.id, "rice").stock == 3


@postgres
def test_an_accepted_code_forgets_the_wrong_tries(session, shop, shoppers, now):
    """Two wrong codes, then the right one by the fast path: the counter is back to zero."""
    wang, _ = shoppers
    for _ in range(2):
        refused = _by_code(session, shop, wang, now, code="000000").refusal
    assert refused.numbers["attempts_remaining"] == MAX_FAILED_ATTEMPTS - 2
    _, code = issue_code(session, wang, now=now)
    with counted(session) as sent:
        assert _by_code(session, shop, wang, now, code=code).refusal is None
    assert len(sent) == FAST_STATEMENTS
    consent = session.scalars(
        sa.select(MemberConsent)
        .execution_options(populate_existing=True)
        .filter_by(member_id=wang.id)
    ).one()
    assert (consent.failed_attempts, consent.locks_in_a_row) == (0, 0)


@postgres
def test_an_expired_hold_is_voided_first_by_the_general_path(session, shop, shoppers, now):
    """A hold past its expiry: the next sale (90 of the 100 points, which the hold would have
    blocked) takes the general path, which voids the hold first."""
    wang, _ = shoppers
    held = _by_code(session, shop, wang, now, capture=False).redemption
    later = now + HOLD_TTL + timedelta(seconds=1)
    with counted(session) as sent:
        sale = _by_code(session, shop, wang, later, lines=[{"sku": "rice", "quantity": 3}])
    assert len(sent) > FAST_STATEMENTS
    assert sale.redemption.status == "captured"
    status = session.scalar(sa.select(Redemption.status).where(Redemption.id == held.id))
    assert status == "voided"
    assert get_item(session, shop.id, "rice").stock == 2  # the hold's bag is back on the shelf


@postgres
def test_a_spent_or_expired_code_is_refused_and_counted(session, shop, shoppers, now):
    """A code used once, or past its life, is a wrong try; a spent code stays spent once."""
    wang, _ = shoppers
    row, code = issue_code(session, wang, now=now)
    assert _by_code(session, shop, wang, now, code=code).refusal is None
    again = _by_code(session, shop, wang, now, code=code).refusal
    assert again.numbers["attempts_remaining"] == MAX_FAILED_ATTEMPTS - 1
    _, late = issue_code(session, wang, now=now - timedelta(hours=1))
    assert _by_code(session, shop, wang, now, code=late).refusal is not None
    spent = session.scalars(sa.select(ConsentCode).filter_by(member_id=wang.id)).all()
    assert sum(c.used_at is not None for c in spent) == 1


@postgres
def test_stock_and_floor_refusals_answer_as_the_general_path(session, shop, shoppers, now):
    """Too much rice is out of stock; more than the member holds is refused by the floor."""
    wang, _ = shoppers
    with pytest.raises(shop_errors.OutOfStock), session.begin_nested():
        _by_code(session, shop, wang, now, lines=[{"sku": "rice", "quantity": 6}])
    with pytest.raises(errors.InsufficientBalance), session.begin_nested():
        _by_code(session, shop, wang, now, lines=[{"sku": "soap", "quantity": 9}])


@postgres
def test_two_live_codes_with_the_same_digits_are_spent_together(session, shop, shoppers, now):
    """As on the general path, a sale spends every live code of the member with its digits."""
    wang, _ = shoppers
    first, code = issue_code(session, wang, now=now)
    twin, _ = issue_code(session, wang, now=now)
    twin.code_sha256 = first.code_sha256
    session.flush()
    with counted(session) as sent:
        assert _by_code(session, shop, wang, now, code=code).refusal is None
    assert len(sent) == FAST_STATEMENTS
    for row in (first, twin):
        session.refresh(row)
    assert first.used_at is not None and twin.used_at is not None
