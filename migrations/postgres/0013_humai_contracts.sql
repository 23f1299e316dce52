-- PostgreSQL. Same tables as migrations/sqlite/0013_humai_contracts.sql.
-- Humai's transactions (`contract-<id>` streams), their milestones, and disputes
-- (`dispute-<id>` streams) with their evidence (projections/src/contracts.rs,
-- projections/src/disputes.rs). Written only by their projections and rebuilt by
-- `errand replay`.

-- One row per contract.
CREATE TABLE contracts_view (
    contract_id          TEXT   NOT NULL,
    mode                 TEXT   NOT NULL,
    buyer                TEXT   NOT NULL,
    -- human | agent
    buyer_kind           TEXT   NOT NULL,
    seller               TEXT   NOT NULL,
    seller_kind          TEXT   NOT NULL,
    listing_id           TEXT   NOT NULL,
    bid_id               TEXT   NULL,
    currency             TEXT   NOT NULL,
    price_cents          BIGINT NOT NULL,
    -- the platform's fee and the seller's payout if every part is accepted
    fee_cents            BIGINT NOT NULL,
    payout_cents         BIGINT NOT NULL,
    -- what the escrow hold still holds
    held_cents           BIGINT NOT NULL,
    -- captured for the seller (gross, fee included) and released to the buyer
    captured_cents       BIGINT NOT NULL,
    refunded_cents       BIGINT NOT NULL,
    -- pending_payment | assigned | delivered | completed | disputed | resolved
    status               TEXT   NOT NULL,
    depth                BIGINT NOT NULL,
    root_id              TEXT   NOT NULL,
    parent_id            TEXT   NULL,
    subcontracted_cents  BIGINT NOT NULL,
    sla_hours            BIGINT NOT NULL,
    milestone_count      BIGINT NOT NULL,
    sla_due_at_us        BIGINT NULL,
    review_due_at_us     BIGINT NULL,
    -- the last whole-contract delivery (JSON) and its storage path
    output_data          TEXT   NULL,
    storage_path         TEXT   NULL,
    -- the open dispute, or the last one
    dispute_id           TEXT   NULL,
    -- 1 when every part was delivered by its deadline; set at completion
    on_time              BIGINT NULL,
    -- the journal position of ContractOpened: orders lists, and is their cursor
    position             BIGINT NOT NULL,
    opened_at_us         BIGINT NOT NULL,
    assigned_at_us       BIGINT NULL,
    delivered_at_us      BIGINT NULL,
    -- completed or resolved
    closed_at_us         BIGINT NULL,
    updated_at_us        BIGINT NOT NULL,
    CONSTRAINT contracts_view_pkey PRIMARY KEY (contract_id)
);

CREATE INDEX contracts_view_buyer ON contracts_view (buyer, mode, position);
CREATE INDEX contracts_view_seller ON contracts_view (seller, mode, position);
-- A chain, root first, for `transactions-chain`.
CREATE INDEX contracts_view_root ON contracts_view (root_id, depth, position);
-- A listing's sales.
CREATE INDEX contracts_view_listing ON contracts_view (listing_id, status);

-- A contract's milestones, in order.
CREATE TABLE contract_milestones_view (
    -- <contract id>:<sequence>
    milestone_key     TEXT   NOT NULL,
    contract_id       TEXT   NOT NULL,
    sequence          BIGINT NOT NULL,
    title             TEXT   NOT NULL,
    pct_of_total      BIGINT NOT NULL,
    amount_cents      BIGINT NOT NULL,
    sla_hours         BIGINT NOT NULL,
    -- pending | in_progress | delivered | accepted | disputed | resolved
    status            TEXT   NOT NULL,
    due_at_us         BIGINT NULL,
    review_due_at_us  BIGINT NULL,
    output_data       TEXT   NULL,
    storage_path      TEXT   NULL,
    -- what its acceptance or its dispute's settlement paid the seller and the platform
    paid_cents        BIGINT NULL,
    fee_cents         BIGINT NULL,
    refunded_cents    BIGINT NULL,
    dispute_id        TEXT   NULL,
    delivered_at_us   BIGINT NULL,
    closed_at_us      BIGINT NULL,
    updated_at_us     BIGINT NOT NULL,
    CONSTRAINT contract_milestones_view_pkey PRIMARY KEY (milestone_key)
);

CREATE INDEX contract_milestones_view_contract ON contract_milestones_view (contract_id, sequence);

-- One row per dispute.
CREATE TABLE disputes_view (
    dispute_id           TEXT   NOT NULL,
    contract_id          TEXT   NOT NULL,
    -- the milestone disputed; NULL for a contract without milestones
    sequence             BIGINT NULL,
    buyer                TEXT   NOT NULL,
    seller               TEXT   NOT NULL,
    opened_by            TEXT   NOT NULL,
    reason               TEXT   NOT NULL,
    -- open | resolved
    status               TEXT   NOT NULL,
    -- refund_buyer | release_to_seller | split
    resolution           TEXT   NULL,
    seller_pct           BIGINT NULL,
    note                 TEXT   NULL,
    resolved_by          TEXT   NULL,
    -- the settlement in cents (the contract's DisputeSettled)
    stake_cents          BIGINT NULL,
    seller_gross_cents   BIGINT NULL,
    fee_cents            BIGINT NULL,
    seller_payout_cents  BIGINT NULL,
    refund_cents         BIGINT NULL,
    evidence_count       BIGINT NOT NULL,
    -- the journal position of DisputeOpened: orders the admins' queue
    position             BIGINT NOT NULL,
    opened_at_us         BIGINT NOT NULL,
    resolved_at_us       BIGINT NULL,
    CONSTRAINT disputes_view_pkey PRIMARY KEY (dispute_id)
);

CREATE INDEX disputes_view_contract ON disputes_view (contract_id, position);
CREATE INDEX disputes_view_status ON disputes_view (status, position);

-- A dispute's evidence, in the order submitted.
CREATE TABLE dispute_evidence_view (
    -- <dispute id>:<number>
    evidence_key     TEXT   NOT NULL,
    dispute_id       TEXT   NOT NULL,
    number           BIGINT NOT NULL,
    submitted_by     TEXT   NOT NULL,
    evidence_type    TEXT   NOT NULL,
    content          TEXT   NOT NULL,
    submitted_at_us  BIGINT NOT NULL,
    CONSTRAINT dispute_evidence_view_pkey PRIMARY KEY (evidence_key)
);

CREATE INDEX dispute_evidence_view_dispute ON dispute_evidence_view (dispute_id, number);
