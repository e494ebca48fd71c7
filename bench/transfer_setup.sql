-- The raw ceiling's schema (bench/compare.py runs it with psql on a scratch database):
-- the shape of pointsbank's journal reduced to what one award touches, with its constraints.
-- Variables: :members (member accounts 1..members) and :shards (balance rows of the issuance
-- account 0, which has no floor, so awards spread over its shards as pointsbank's do).
CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    unit text NOT NULL CHECK (unit IN ('points', 'minutes')),
    UNIQUE (id, unit)
);
CREATE TABLE balances (
    account_id bigint NOT NULL REFERENCES accounts (id),
    shard smallint NOT NULL,
    floor bigint,
    posted bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, shard),
    CHECK (floor IS NULL OR posted >= floor)
);
CREATE TABLE entries (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('award', 'redemption')),
    status text NOT NULL CHECK (status IN ('posted', 'pending', 'voided')),
    occurred_at timestamptz NOT NULL,
    posted_at timestamptz NOT NULL,
    memo text NOT NULL DEFAULT ''
);
CREATE INDEX ix_entries_posted_at ON entries (posted_at);
-- One row per leg of the transfer: the debit and the credit.
CREATE TABLE postings (
    id bigserial PRIMARY KEY,
    entry_id bigint NOT NULL REFERENCES entries (id),
    account_id bigint NOT NULL,
    unit text NOT NULL,
    amount bigint NOT NULL CHECK (amount <> 0),
    FOREIGN KEY (account_id, unit) REFERENCES accounts (id, unit)
);
CREATE INDEX ix_postings_entry ON postings (entry_id);
CREATE INDEX ix_postings_account ON postings (account_id, id);

INSERT INTO accounts (id, unit) SELECT n, 'points' FROM generate_series(0, :members) AS n;
INSERT INTO balances (account_id, shard, floor) SELECT 0, s, NULL FROM generate_series(0, :shards - 1) AS s;
INSERT INTO balances (account_id, shard, floor) SELECT n, 0, 0 FROM generate_series(1, :members) AS n;
ANALYZE;
