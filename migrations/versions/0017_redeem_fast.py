"""redeem_fast: a redemption by one-time code in two statements on PostgreSQL

Revision ID: 0017_redeem_fast
Revises: 0016_account_lines

Two server-side functions used by ``ledger/supermarket/fastpath.py``; SQLite keeps the general,
multi-statement path. They take the locks in the general path's order (member consent row ->
item rows sorted by sku -> balance rows sorted by account and shard) and write nothing the
general path would not.

- ``pointsbank_redeem_standing`` finds the member's points account in the shop's community,
  locks the member's consent row (creating it if missing, as ``lock_consent_row`` does), and
  only then reads: whether the member is locked, the code's unused and unexpired row (without
  spending it), whether the member has an expired hold, and the shop's item rows asked for,
  locked FOR UPDATE in sku order (``COLLATE "C"``: Python's order). When the member is unknown,
  locked, the code not accepted or an expired hold must be voided first, it answers
  ``usable: false`` having written nothing but the consent row, and the caller takes the
  general path, which answers exactly as before (and counts the wrong try).
- ``pointsbank_record_redemption`` writes what Python decided. It first locks every balance
  row in sorted order and tests the floor of each debit; if one would go below its floor it
  returns NULL with nothing written (the general path then raises the refusal). Otherwise it
  changes the balances, spends the code, resets the wrong-try counters if asked, takes the stock,
  inserts the entry, postings, redemption, lines and outbox row, and returns the member's
  available points. Every CHECK, foreign key and trigger applies as for any other write.
"""

from alembic import op

revision = "0017_redeem_fast"
down_revision = "0016_account_lines"
branch_labels = None
depends_on = None

STANDING = """
CREATE FUNCTION pointsbank_redeem_standing(
    p_member text, p_community text, p_shop text, p_shop_account text, p_digest text,
    p_skus text[], p_now timestamptz
) RETURNS json LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_account text;
    v_consent member_consents%ROWTYPE;
    v_code text;
BEGIN
    SELECT a.id INTO v_account FROM members m
      JOIN accounts a ON a.owner_id = m.id AND a.kind = 'member' AND a.unit = 'points'
     WHERE m.id = p_member AND m.community_id = p_community;
    IF v_account IS NULL THEN
        RETURN json_build_object('usable', false, 'why', 'member');
    END IF;
    SELECT * INTO v_consent FROM member_consents WHERE member_id = p_member FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO member_consents (member_id, failed_attempts, updated_at)
        VALUES (p_member, 0, p_now) ON CONFLICT (member_id) DO NOTHING;
        SELECT * INTO v_consent FROM member_consents WHERE member_id = p_member FOR UPDATE;
    END IF;
    IF v_consent.locked_until IS NOT NULL AND v_consent.locked_until > p_now THEN
        RETURN json_build_object('usable', false, 'why', 'locked');
    END IF;
    SELECT c.id INTO v_code FROM consent_codes c
     WHERE c.member_id = p_member AND c.code_sha256 = p_digest
       AND c.used_at IS NULL AND c.expires_at > p_now
     ORDER BY c.id LIMIT 1;
    IF v_code IS NULL THEN
        RETURN json_build_object('usable', false, 'why', 'code');
    END IF;
    IF EXISTS (SELECT 1 FROM redemptions r WHERE r.member_id = p_member
                  AND r.status = 'held' AND r.hold_expires_at <= p_now) THEN
        RETURN json_build_object('usable', false, 'why', 'expired holds');
    END IF;
    RETURN json_build_object(
        'usable', true,
        'account', v_account,
        'failed_attempts', v_consent.failed_attempts,
        'locks_in_a_row', v_consent.locks_in_a_row,
        'items', (SELECT json_agg(json_build_object(
                'sku', i.sku, 'name', i.name, 'price_points', i.price_points,
                'stock', i.stock, 'active', i.active))
            FROM (SELECT * FROM shop_items
                   WHERE shop_id = p_shop AND sku = ANY(p_skus)
                   ORDER BY sku COLLATE "C" FOR UPDATE) i),
        'accounts', (SELECT json_agg(json_build_object(
                'id', a.id, 'community_id', a.community_id, 'owner_id', a.owner_id,
                'kind', a.kind, 'unit', a.unit, 'floor', a.floor, 'status', a.status,
                'keeps_lots', a.keeps_lots))
            FROM accounts a WHERE a.id IN (v_account, p_shop_account)));
END
$$;
"""

RECORD = """
CREATE FUNCTION pointsbank_record_redemption(
    p_member_account text, p_digest text, p_reset_consent boolean, p_now timestamptz,
    p_stock json, p_entry json, p_postings json, p_balances json, p_redemption json,
    p_lines json, p_outbox json
) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    b record;
    v_available bigint;
    v_floor bigint;
BEGIN
    -- Lock and test every row before changing any: a refusal leaves nothing to undo.
    FOR b IN
        SELECT * FROM json_to_recordset(p_balances) AS x(
            account_id text, shard smallint, posted bigint, pending_in bigint,
            pending_out bigint, debit bigint)
        ORDER BY account_id COLLATE "C", shard
    LOOP
        SELECT ab.posted - ab.pending_out, ab.floor INTO v_available, v_floor
          FROM account_balances ab
         WHERE ab.account_id = b.account_id AND ab.shard = b.shard
           FOR NO KEY UPDATE;  -- the lock the UPDATE below (and the general path's) takes
        IF NOT FOUND THEN
            RAISE EXCEPTION 'balance row %/% is missing', b.account_id, b.shard;
        END IF;
        IF b.debit > 0 AND v_floor IS NOT NULL AND v_available - b.debit < v_floor THEN
            RETURN NULL;
        END IF;
    END LOOP;
    UPDATE account_balances ab
       SET posted = ab.posted + x.posted, pending_in = ab.pending_in + x.pending_in,
           pending_out = ab.pending_out + x.pending_out
      FROM json_to_recordset(p_balances) AS x(
            account_id text, shard smallint, posted bigint, pending_in bigint, pending_out bigint)
     WHERE ab.account_id = x.account_id AND ab.shard = x.shard;
    -- Every live code with these digits is spent, as the general path's UPDATE does.
    UPDATE consent_codes SET used_at = p_now
     WHERE member_id = p_redemption->>'member_id' AND code_sha256 = p_digest
       AND used_at IS NULL AND expires_at > p_now;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the consent code of % is no longer usable', p_redemption->>'member_id';
    END IF;
    IF p_reset_consent THEN
        UPDATE member_consents SET failed_attempts = 0, locks_in_a_row = 0, updated_at = p_now
         WHERE member_id = p_redemption->>'member_id';
    END IF;
    UPDATE shop_items i SET stock = i.stock - s.quantity
      FROM json_to_recordset(p_stock) AS s(shop_id text, sku text, quantity bigint)
     WHERE i.shop_id = s.shop_id AND i.sku = s.sku AND i.stock IS NOT NULL;
    INSERT INTO entries (
        id, community_id, kind, status, occurred_at, posted_at, created_at, expires_at,
        memo, metadata, reverses_id, cause_id, api_key_id)
    SELECT id, community_id, kind, status, occurred_at, posted_at, created_at, expires_at,
        memo, metadata, reverses_id, cause_id, api_key_id
    FROM json_populate_record(NULL::entries, p_entry);
    INSERT INTO postings (entry_id, from_account_id, to_account_id, unit, amount)
    SELECT entry_id, from_account_id, to_account_id, unit, amount
    FROM json_to_recordset(p_postings) AS x(
        entry_id text, from_account_id text, to_account_id text, unit text, amount bigint);
    INSERT INTO redemptions (
        id, community_id, shop_id, member_id, entry_id, status, points, refunded_points, memo,
        consent_method, hold_expires_at, created_at, captured_at, voided_at, settlement_id,
        api_key_id)
    SELECT id, community_id, shop_id, member_id, entry_id, status, points, refunded_points,
        memo, consent_method, hold_expires_at, created_at, captured_at, voided_at,
        settlement_id, api_key_id
    FROM json_populate_record(NULL::redemptions, p_redemption);
    INSERT INTO redemption_lines (
        redemption_id, line_no, sku, name, unit_price_points, quantity, refunded_quantity)
    SELECT redemption_id, line_no, sku, name, unit_price_points, quantity, refunded_quantity
    FROM json_populate_recordset(NULL::redemption_lines, p_lines);
    IF p_outbox IS NOT NULL THEN
        INSERT INTO webhook_events (
            id, type, community_id, resource_type, resource_id, occurred_at, xid, api_key_id)
        SELECT id, type, community_id, resource_type, resource_id, occurred_at,
            CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT), api_key_id
        FROM json_populate_record(NULL::webhook_events, p_outbox);
    END IF;
    SELECT sum(ab.posted) - sum(ab.pending_out) INTO v_available
      FROM account_balances ab WHERE ab.account_id = p_member_account;
    RETURN v_available;
END
$$;
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(STANDING)
    op.execute(RECORD)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "DROP FUNCTION IF EXISTS pointsbank_record_redemption("
        "text, text, boolean, timestamptz, json, json, json, json, json, json, json)"
    )
    op.execute(
        "DROP FUNCTION IF EXISTS pointsbank_redeem_standing("
        "text, text, text, text, text, text[], timestamptz)"
    )
