-- One award as the database alone would do it (pgbench -M prepared, see bench/compare.py):
-- one entry row, two posting rows, two balance-row updates. The issuance account (id 0) always
-- sorts before the member's, so the rows are locked in id order and writers never deadlock.
\set member random(1, :members)
\set shard random(0, :shards - 1)
BEGIN;
UPDATE balances SET posted = posted - 1 WHERE account_id = 0 AND shard = :shard;
UPDATE balances SET posted = posted + 1 WHERE account_id = :member AND shard = 0;
INSERT INTO entries (kind, status, occurred_at, posted_at) VALUES ('award', 'posted', now(), now());
INSERT INTO postings (entry_id, account_id, unit, amount)
    VALUES (currval('entries_id_seq'), 0, 'points', -1), (currval('entries_id_seq'), :member, 'points', 1);
END;
