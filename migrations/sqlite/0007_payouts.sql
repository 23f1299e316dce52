-- SQLite. Same tables as migrations/postgres/0007_payouts.sql.
-- Payouts (money out to people's connected accounts at the payout provider), written only by
-- the `payouts` projection (projections/src/payouts.rs) and rebuilt by `errand replay` like
-- every read model. The payout's money moves in its account's stream; this lists payouts.

CREATE TABLE payouts_view (
    payout_id           TEXT   NOT NULL,
    owner               TEXT   NOT NULL,
    -- live | test
    mode                TEXT   NOT NULL,
    currency            TEXT   NOT NULL,
    amount_cents        BIGINT NOT NULL,
    -- the provider's connected account (acct_…)
    destination         TEXT   NOT NULL,
    provider            TEXT   NOT NULL,
    -- withdrawal | task_earnings
    purpose             TEXT   NOT NULL,
    task_id             TEXT   NULL,
    -- pending | paid | failed
    status              TEXT   NOT NULL,
    provider_reference  TEXT   NULL,
    failure_reason      TEXT   NULL,
    -- the journal position of PayoutRequested: orders an owner's payouts
    position            BIGINT NOT NULL,
    requested_at_us     BIGINT NOT NULL,
    settled_at_us       BIGINT NULL,
    CONSTRAINT payouts_view_pkey PRIMARY KEY (payout_id)
) WITHOUT ROWID;

-- An owner's payouts, newest first; pending payouts by age, for whoever sends them again.
CREATE INDEX payouts_view_owner ON payouts_view (owner, mode, position);
CREATE INDEX payouts_view_status ON payouts_view (status, requested_at_us);
