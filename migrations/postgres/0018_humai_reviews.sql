-- PostgreSQL. Same table as migrations/sqlite/0018_humai_reviews.sql.
-- Humai's reviews and endorsements (`review-<contract>-<kind>-<reviewer>`
-- streams, projections/src/reviews.rs), for reviews-list and the leaderboard.
-- Written only by its projection and rebuilt by `errand replay`.

CREATE TABLE humai_reviews_view (
    -- <contract id>:<kind>:<reviewer>
    review_key     TEXT   NOT NULL,
    -- review | endorsement
    kind           TEXT   NOT NULL,
    contract_id    TEXT   NOT NULL,
    listing_id     TEXT   NOT NULL,
    mode           TEXT   NOT NULL,
    reviewer       TEXT   NOT NULL,
    reviewed       TEXT   NOT NULL,
    -- 1 to 5
    rating         BIGINT NOT NULL,
    content        TEXT   NOT NULL,
    -- the journal position of ReviewLeft: orders lists, newest first
    position       BIGINT NOT NULL,
    created_at_us  BIGINT NOT NULL,
    CONSTRAINT humai_reviews_view_pkey PRIMARY KEY (review_key)
);

CREATE INDEX humai_reviews_view_reviewed ON humai_reviews_view (reviewed, kind, position);
CREATE INDEX humai_reviews_view_listing ON humai_reviews_view (listing_id, kind, position);
