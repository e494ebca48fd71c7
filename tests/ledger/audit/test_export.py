"""The beancount export: a ledger bean-check accepts, whose balances are the API's."""

from beancount import loader

from ledger.audit.export import account_name, export_beancount
from ledger.core.communities import member_account, system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry


def test_the_export_loads_cleanly_and_asserts_each_posted_balance(
    session, community, wang, li, points_of, grant, now
):
    """An opening grant and a gift, exported: beancount loads it without error, balances hold."""
    grant(community, points_of(wang), 100)
    post_entry(
        session,
        EntryDraft(
            community.id,
            "transfer",
            [PostingDraft(points_of(wang), points_of(li), "points", 30)],
            memo='说 "谢谢"',
        ),
        now=now,
    )
    post_entry(
        session,
        EntryDraft(
            community.id,
            "transfer",
            [PostingDraft(points_of(wang), points_of(li), "points", 5)],
            pending=True,
        ),
        now=now,
    )
    text = "\n".join(export_beancount(session, community, now=now))
    entries, problems, _ = loader.load_string(text)
    assert problems == []
    wang_name = account_name(member_account(session, wang.id, "points"), community.id)
    assert f"balance {wang_name}  70 POINTS" in text
    assert sum(1 for e in entries if type(e).__name__ == "Transaction") == 2


def test_accounts_are_named_by_kind_owner_and_unit(session, community, wang, shop):
    """Issuance is Equity, the love bank and members Assets, ids without their prefix."""
    issuance = system_account(session, community.id, "issuance", "points")
    love_bank = system_account(session, community.id, "love_bank", "minutes")
    minutes = member_account(session, wang.id, "minutes")
    assert account_name(issuance, community.id) == "Equity:Issuance:Points"
    assert account_name(love_bank, community.id) == "Assets:LoveBank:Minutes"
    assert account_name(minutes, community.id) == f"Assets:Members:{wang.id[4:]}:Minutes"
    shop_account = session.get(type(minutes), shop.account_id)
    assert account_name(shop_account, community.id) == f"Assets:Shops:{shop.id[5:]}:Points"


def test_an_exchange_and_an_expiry_export_cleanly(session, community, wang, expired_month):
    """An exchange (two units in one entry) and an expiry load without error, balances hold."""
    later = expired_month
    text = "\n".join(export_beancount(session, community, now=later))
    _, problems, _ = loader.load_string(text)
    assert problems == []
    love_bank = account_name(
        system_account(session, community.id, "love_bank", "points"), community.id
    )
    assert f"balance {love_bank}  20 POINTS" in text
    minutes = account_name(member_account(session, wang.id, "minutes"), community.id)
    assert f"balance {minutes}  60 MINUTES" in text
