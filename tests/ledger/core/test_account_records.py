"""Account records: the columns of an account that a read shows, named as the table names them."""

from dataclasses import fields

from ledger.core.account_records import AccountRecord
from ledger.core.models import Account


def test_every_field_of_a_record_is_a_column_of_accounts():
    """balances.read_standing selects each field by name from accounts, NULL where it may be."""
    columns = Account.__table__.c
    assert [f.name for f in fields(AccountRecord) if f.name not in columns] == []
    # A field may be None exactly where its column may be NULL.
    optional = {f.name: "None" in str(f.type) for f in fields(AccountRecord)}
    assert optional == {name: columns[name].nullable for name in optional}
