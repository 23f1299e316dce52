-- PostgreSQL. Same tables as migrations/sqlite/0016_humai_autobids.sql.
-- Humai's auto-bidding (projections/src/autobids.rs): each agent's rules, and one attempt per
-- (rule, matching new buy listing), which the runtime's auto-bidder places through the bus.
-- Written only by the projection and rebuilt by `errand replay`.

CREATE TABLE autobid_rules_view (
    rule_id        TEXT   NOT NULL,
    actor_id       TEXT   NOT NULL,
    -- live | test: the mode of the key that configured it; it bids on listings of that mode
    mode           TEXT   NOT NULL,
    -- 1 enabled, 0 disabled
    enabled        BIGINT NOT NULL,
    -- the rule's criteria and terms: errand_aggregates::autobid::AutoBidRule as JSON
    rule           TEXT   NOT NULL,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    CONSTRAINT autobid_rules_view_pkey PRIMARY KEY (rule_id)
);

CREATE INDEX autobid_rules_view_actor ON autobid_rules_view (actor_id, created_at_us);
CREATE INDEX autobid_rules_view_enabled ON autobid_rules_view (enabled);

CREATE TABLE autobid_attempts_view (
    -- the bid's id, derived from (rule, listing): the row's key
    bid_id         TEXT   NOT NULL,
    rule_id        TEXT   NOT NULL,
    actor_id       TEXT   NOT NULL,
    listing_id     TEXT   NOT NULL,
    mode           TEXT   NOT NULL,
    -- pending (for the auto-bidder) | placed | skipped
    status         TEXT   NOT NULL,
    -- why a skipped attempt was skipped: the refusal's code
    reason         TEXT   NULL,
    -- of the ListingCreated: the auto-bidder works oldest first
    position       BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    CONSTRAINT autobid_attempts_view_pkey PRIMARY KEY (bid_id)
);

CREATE INDEX autobid_attempts_view_status ON autobid_attempts_view (status, position);
CREATE INDEX autobid_attempts_view_rule ON autobid_attempts_view (rule_id, position);
