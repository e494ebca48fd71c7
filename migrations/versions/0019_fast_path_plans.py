"""fast_path_plans: the award's standing planned once, by index; a sale locks only counted stock

Revision ID: 0019_fast_path_plans
Revises: 0018_report_indexes

Two changes to the server-side functions of the fast paths (PostgreSQL only):

- ``pointsbank_award_standing`` keeps one generic plan, made by index. plpgsql plans each
  statement with its parameters' values until it judges a generic plan no dearer, and for the
  function's one large SELECT it never did: every earn event planned it afresh, which was half
  of the function's time (0.72 ms a call, 0.34 ms with the generic plan, measured here with
  ``track_functions``). A generic plan is made at a connection's first call and kept until an
  ANALYZE of its tables: made while ``earning_events`` was empty (a new deployment, or a server
  without autovacuum) it scanned the whole table at every event for the connection's life
  (5.6 ms a call after 3,500 events). Every lookup of the function has its index (an id, a
  source id, a member's events of an activity in a window), so ``enable_seqscan = off`` makes
  the one plan the index plan whatever the statistics say.
- ``pointsbank_redeem_standing`` locks only the item rows whose stock is counted. It locked
  every item asked for, so concurrent sales of one unlimited item (``stock`` NULL) at a shop's
  tills queued on its row until each commit. An uncounted row is now read without a lock: a
  price change or deactivation committed meanwhile is ordered after the sale, which read the
  row before it. Counted rows are still locked FOR UPDATE in sku order, before any balance row,
  so stock never goes below zero. A row whose counting changed between the statement's snapshot
  and its lock is in neither set; the caller then finds the sku missing and takes the general
  path, which locks every row and answers exactly as before.
- ``pointsbank_record_redemption`` changes its balance rows one by one, by key. Joined to the
  JSON rows in one UPDATE, the planner (which guesses a hundred JSON rows) scanned every balance
  row of a ledger of a few thousand accounts: 3.5 ms of the function's 3.8 ms a sale here.

Both redemption functions are 0017's with one clause replaced, read from that migration rather
than copied (so they cannot drift apart unnoticed: each replacement asserts it found its clause).
"""

import importlib.util
from functools import cache
from pathlib import Path

from alembic import op

revision = "0019_fast_path_plans"
down_revision = "0018_report_indexes"
branch_labels = None
depends_on = None

AWARD_STANDING = (
    "pointsbank_award_standing(text, text, text, text, text, text, timestamptz[], timestamptz[])"
)
ONE_PLAN_BY_INDEX = ("plan_cache_mode = force_generic_plan", "enable_seqscan = off")

ITEMS_LOCKING_ALL = """        'items', (SELECT json_agg(json_build_object(
                'sku', i.sku, 'name', i.name, 'price_points', i.price_points,
                'stock', i.stock, 'active', i.active))
            FROM (SELECT * FROM shop_items
                   WHERE shop_id = p_shop AND sku = ANY(p_skus)
                   ORDER BY sku COLLATE "C" FOR UPDATE) i),"""

ITEMS_LOCKING_COUNTED = """        'items', (WITH counted AS (
                SELECT * FROM shop_items
                 WHERE shop_id = p_shop AND sku = ANY(p_skus) AND stock IS NOT NULL
                 ORDER BY sku COLLATE "C" FOR UPDATE),
            uncounted AS (
                SELECT * FROM shop_items
                 WHERE shop_id = p_shop AND sku = ANY(p_skus) AND stock IS NULL)
            SELECT json_agg(json_build_object(
                'sku', i.sku, 'name', i.name, 'price_points', i.price_points,
                'stock', i.stock, 'active', i.active))
            FROM (SELECT * FROM counted UNION ALL SELECT * FROM uncounted) i),"""


BALANCES_JOINED = """    UPDATE account_balances ab
       SET posted = ab.posted + x.posted, pending_in = ab.pending_in + x.pending_in,
           pending_out = ab.pending_out + x.pending_out
      FROM json_to_recordset(p_balances) AS x(
            account_id text, shard smallint, posted bigint, pending_in bigint, pending_out bigint)
     WHERE ab.account_id = x.account_id AND ab.shard = x.shard;"""

BALANCES_BY_KEY = """    FOR b IN
        SELECT * FROM json_to_recordset(p_balances) AS x(
            account_id text, shard smallint, posted bigint, pending_in bigint, pending_out bigint)
    LOOP
        UPDATE account_balances ab
           SET posted = ab.posted + b.posted, pending_in = ab.pending_in + b.pending_in,
               pending_out = ab.pending_out + b.pending_out
         WHERE ab.account_id = b.account_id AND ab.shard = b.shard;
    END LOOP;"""


@cache
def _migration_0017():
    path = Path(__file__).with_name("0017_redeem_fast.py")
    spec = importlib.util.spec_from_file_location("pointsbank_migration_0017", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _function_of_0017(name: str, old: str, new: str) -> str:
    """The function ``name`` (STANDING or RECORD) of migration 0017, with ``old`` made ``new``."""
    function = getattr(_migration_0017(), name)
    function = function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    assert old in function, f"0017's {name} no longer holds the clause 0019 replaces"
    return function.replace(old, new)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for setting in ONE_PLAN_BY_INDEX:
        op.execute(f"ALTER FUNCTION {AWARD_STANDING} SET {setting}")
    op.execute(_function_of_0017("STANDING", ITEMS_LOCKING_ALL, ITEMS_LOCKING_COUNTED))
    op.execute(_function_of_0017("RECORD", BALANCES_JOINED, BALANCES_BY_KEY))


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_function_of_0017("RECORD", BALANCES_JOINED, BALANCES_JOINED))
    op.execute(_function_of_0017("STANDING", ITEMS_LOCKING_ALL, ITEMS_LOCKING_ALL))
    op.execute(f"ALTER FUNCTION {AWARD_STANDING} RESET ALL")
