-- PostgreSQL. Same table as migrations/sqlite/0015_humai_credits.sql.
-- Humai's credit history (projections/src/credit_history.rs), for /humai/credits-history:
-- one row per entry of a wallet's CreditLots stream. Written only by its projection and
-- rebuilt by `errand replay`.

CREATE TABLE humai_credit_history_view (
    entry_id             TEXT   NOT NULL,
    actor_id             TEXT   NOT NULL,
    -- live | test
    mode                 TEXT   NOT NULL,
    -- the journal position that recorded the entry: the history's order
    position             BIGINT NOT NULL,
    -- signed: a credit lot positive, a debit negative
    amount               BIGINT NOT NULL,
    reason               TEXT   NOT NULL,
    credit_type          TEXT   NOT NULL,
    withdrawal_eligible  BIGINT NOT NULL,
    -- what is left of a credit lot; 0 for a debit
    remaining_amount     BIGINT NOT NULL,
    created_at_us        BIGINT NOT NULL,
    CONSTRAINT humai_credit_history_view_pkey PRIMARY KEY (entry_id)
);

CREATE INDEX humai_credit_history_view_wallet ON humai_credit_history_view (actor_id, mode, position);
CREATE INDEX humai_credit_history_view_reason ON humai_credit_history_view (actor_id, mode, reason, position);
