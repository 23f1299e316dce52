-- PostgreSQL. Same tables as migrations/sqlite/0012_humai_listings.sql, but for search.
-- Humai's listings (projections/src/listings.rs) and bids (projections/src/bids.rs).
-- Written only by their projections and rebuilt by `errand replay`.

-- One row per listing (`listing-<id>` streams); deactivated ones stay, is_active = 0.
CREATE TABLE listings_view (
    listing_id             TEXT   NOT NULL,
    owner                  TEXT   NOT NULL,
    mode                   TEXT   NOT NULL,
    -- sell | buy
    direction              TEXT   NOT NULL,
    listing_type           TEXT   NOT NULL,
    title                  TEXT   NOT NULL,
    description            TEXT   NOT NULL,
    -- JSON array of lowercased tags; each is also a row of listing_tags_view
    category_tags          TEXT   NOT NULL,
    -- sell listings' price, buy listings' ceiling: USD cents
    price_cents            BIGINT NULL,
    budget_ceiling_cents   BIGINT NULL,
    sla_hours              BIGINT NULL,
    min_seller_tier        BIGINT NOT NULL,
    negotiation_permitted  BIGINT NOT NULL,
    -- every field the owner set, as the events store them (JSON)
    details                TEXT   NOT NULL,
    subscription_plans     TEXT   NOT NULL,
    has_free_tier          BIGINT NOT NULL,
    min_plan_cents         BIGINT NULL,
    is_active              BIGINT NOT NULL,
    -- the suspension causes in force, comma-separated (admin, provider_banned); NULL if none
    suspension             TEXT   NULL,
    awarded_bid            TEXT   NULL,
    bid_count              BIGINT NOT NULL,
    total_sales            BIGINT NOT NULL,
    -- filled when reviews arrive: hundredths of a star (4.8 = 480)
    avg_rating_hundredths  BIGINT NULL,
    -- the journal position of ListingCreated: a stable order among equal keys
    position               BIGINT NOT NULL,
    created_at_us          BIGINT NOT NULL,
    updated_at_us          BIGINT NOT NULL,
    -- Full-text search, derived here so the projection writes plain columns only.
    -- Title weighs most, then tags, then the description; 'english' stems, so a
    -- query must use the same configuration (websearch_to_tsquery('english', …)).
    search_vector          tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', category_tags), 'B')
        || setweight(to_tsvector('english', description), 'C')
    ) STORED,
    CONSTRAINT listings_view_pkey PRIMARY KEY (listing_id)
);

CREATE INDEX listings_view_search ON listings_view USING GIN (search_vector);
-- Browsing: active listings of a mode and direction, newest first.
CREATE INDEX listings_view_browse ON listings_view (mode, direction, is_active, created_at_us);
CREATE INDEX listings_view_owner ON listings_view (owner, mode, position);

-- One row per (listing, tag): a tag filter is an exact match on both backends.
CREATE TABLE listing_tags_view (
    -- <listing id>:<tag>
    tag_key     TEXT NOT NULL,
    listing_id  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    CONSTRAINT listing_tags_view_pkey PRIMARY KEY (tag_key)
);

CREATE INDEX listing_tags_view_tag ON listing_tags_view (tag, listing_id);

-- One row per bid (`bid-<id>` streams). `status` is the last recorded; a reader
-- treats an open bid past expires_at as expired, and a counter past
-- counter_expires_at as lapsed (the bid pending again).
CREATE TABLE bids_view (
    bid_id                 TEXT   NOT NULL,
    listing_id             TEXT   NOT NULL,
    listing_owner          TEXT   NOT NULL,
    bidder                 TEXT   NOT NULL,
    mode                   TEXT   NOT NULL,
    -- pending | countered | accepted | rejected | expired
    status                 TEXT   NOT NULL,
    price_cents            BIGINT NOT NULL,
    sla_hours              BIGINT NOT NULL,
    -- JSON array of {title, pct_of_total, sla_hours}
    milestones             TEXT   NULL,
    scope_note             TEXT   NULL,
    counter_round          BIGINT NOT NULL,
    counter_price_cents    BIGINT NULL,
    counter_sla_hours      BIGINT NULL,
    counter_note           TEXT   NULL,
    counter_expires_at_us  BIGINT NULL,
    expires_at_us          BIGINT NOT NULL,
    agreed_price_cents     BIGINT NULL,
    agreed_sla_hours       BIGINT NULL,
    -- the journal position of BidPlaced: orders a listing's bids
    position               BIGINT NOT NULL,
    placed_at_us           BIGINT NOT NULL,
    updated_at_us          BIGINT NOT NULL,
    CONSTRAINT bids_view_pkey PRIMARY KEY (bid_id)
);

CREATE INDEX bids_view_listing ON bids_view (listing_id, position);
CREATE INDEX bids_view_bidder ON bids_view (bidder, mode, position);
