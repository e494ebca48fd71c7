"""fast_path: the award of one earn event in two statements on PostgreSQL

Revision ID: 0015_fast_path
Revises: 0011_approvals_districts

Two server-side functions used by ``ledger/earning/fastpath.py``; SQLite keeps the general,
multi-statement path. One partial index of pending entries by expiry, so that a balance read
finds an account's expired holds without scanning all of the account's postings.

- ``pointsbank_award_standing`` takes the member's row lock (FOR NO KEY UPDATE, as
  ``lock_members`` does) and only then reads what the judgement needs: the member, their points
  account, the two accounts of the award, an event already recorded under the same source id,
  the rule's latest version (to validate a cached rule list) and the usage of each cap window.
  A VOLATILE plpgsql function takes a fresh snapshot for each statement under READ COMMITTED,
  so the usage is read after the lock is held and sees every award committed before it, exactly
  like the separate statements of the general path.
- ``pointsbank_record_award`` writes what Python decided: the event (ON CONFLICT DO NOTHING on
  its source id, returning false so that the caller answers a replay), then, for an award, the
  balance rows in sorted (account, shard) order, the entry and its postings, and the outbox
  row. Every CHECK, foreign key and trigger of those tables applies as for any other insert.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_fast_path"
down_revision = "0011_approvals_districts"
branch_labels = None
depends_on = None

STANDING = """
CREATE FUNCTION pointsbank_award_standing(
    p_member text, p_source text, p_source_id text, p_activity text, p_community text,
    p_issuance text, p_starts timestamptz[], p_ends timestamptz[]
) RETURNS json LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    result json;
BEGIN
    PERFORM 1 FROM members WHERE id = p_member FOR NO KEY UPDATE;
    SELECT json_build_object(
        'member', (SELECT json_build_object(
                'id', m.id, 'community_id', m.community_id, 'external_ref', m.external_ref)
            FROM members m WHERE m.id = p_member),
        'replay', (SELECT e.id FROM earning_events e
            WHERE e.source = p_source AND e.source_id = p_source_id),
        'rule_version', (SELECT max(r.version) FROM earning_rules r
            WHERE r.community_id = p_community AND r.activity = p_activity),
        'accounts', (SELECT json_agg(json_build_object(
                'id', a.id, 'community_id', a.community_id, 'owner_id', a.owner_id,
                'kind', a.kind, 'unit', a.unit, 'floor', a.floor, 'status', a.status,
                'keeps_lots', a.keeps_lots))
            FROM accounts a
            WHERE a.id = p_issuance
               OR (a.owner_id = p_member AND a.kind = 'member' AND a.unit = 'points')),
        'usage', (SELECT json_agg(json_build_array(
                (SELECT coalesce(sum(e.points_awarded), 0) FROM earning_events e
                 WHERE e.member_id = p_member AND e.activity = p_activity
                   AND e.status IN ('awarded', 'pending')
                   AND e.occurred_at >= w.starts AND e.occurred_at < w.ends),
                (SELECT count(*) FROM earning_events e
                 WHERE e.member_id = p_member AND e.activity = p_activity
                   AND e.status IN ('awarded', 'pending')
                   AND e.occurred_at >= w.starts AND e.occurred_at < w.ends)) ORDER BY w.n)
            FROM unnest(p_starts, p_ends) WITH ORDINALITY AS w(starts, ends, n))
    ) INTO result;
    RETURN result;
END
$$;
"""

RECORD = """
CREATE FUNCTION pointsbank_record_award(
    p_event json, p_entry json, p_postings json, p_balances json, p_outbox json
) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    b record;
BEGIN
    INSERT INTO earning_events (
        id, community_id, activity, member_id, rule_id, occurred_at, quantity, source,
        source_id, api_key_id, recorded_by, evidence, status, points_due, points_awarded,
        decision, vests_at, resolved_at, objection_reason, created_at)
    SELECT id, community_id, activity, member_id, rule_id, occurred_at, quantity, source,
        source_id, api_key_id, recorded_by, evidence, status, points_due, points_awarded,
        decision, vests_at, resolved_at, objection_reason, created_at
    FROM json_populate_record(NULL::earning_events, p_event)
    ON CONFLICT (source, source_id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF p_entry IS NOT NULL THEN
        FOR b IN
            SELECT * FROM json_to_recordset(p_balances) AS x(
                account_id text, shard smallint, posted bigint, pending_in bigint,
                pending_out bigint)
            ORDER BY account_id, shard
        LOOP
            UPDATE account_balances
               SET posted = posted + b.posted, pending_in = pending_in + b.pending_in,
                   pending_out = pending_out + b.pending_out
             WHERE account_id = b.account_id AND shard = b.shard;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'balance row %/% is missing', b.account_id, b.shard;
            END IF;
        END LOOP;
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
    END IF;
    IF p_outbox IS NOT NULL THEN
        INSERT INTO webhook_events (
            id, type, community_id, resource_type, resource_id, occurred_at, xid, api_key_id)
        SELECT id, type, community_id, resource_type, resource_id, occurred_at,
            CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT), api_key_id
        FROM json_populate_record(NULL::webhook_events, p_outbox);
    END IF;
    RETURN true;
END
$$;
"""


def upgrade():
    pending = sa.text("status = 'pending'")
    op.create_index(
        op.f("ix_entries_pending_expires_at"),
        "entries",
        ["expires_at"],
        unique=False,
        postgresql_where=pending,
        sqlite_where=pending,
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(STANDING)
    op.execute(RECORD)


def downgrade():
    op.drop_index(op.f("ix_entries_pending_expires_at"), table_name="entries")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS pointsbank_record_award(json, json, json, json, json)")
    op.execute(
        "DROP FUNCTION IF EXISTS pointsbank_award_standing("
        "text, text, text, text, text, text, timestamptz[], timestamptz[])"
    )
