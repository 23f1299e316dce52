-- PostgreSQL. Same tables as migrations/sqlite/0005_reputation.sql.
-- People's reputation (projections/src/reputation.rs), rebuilt by `errand replay` like every
-- read model. Level and badges are derived from these columns when read.

CREATE TABLE reputation_view (
    -- A human actor; a row from their registration on.
    actor_id       TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    -- 0 to 100; starts at 50 (see projections/src/reputation.rs for the rule).
    trust_score    BIGINT NOT NULL,
    approved       BIGINT NOT NULL,
    rejected       BIGINT NOT NULL,
    disputed       BIGINT NOT NULL,
    -- Live-mode payments received for work, in cents.
    earned_cents   BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    CONSTRAINT reputation_view_pkey PRIMARY KEY (actor_id)
);

-- The leaderboard's three orders; actor_id breaks ties.
CREATE INDEX reputation_view_trust ON reputation_view (trust_score, approved, actor_id);
CREATE INDEX reputation_view_approved ON reputation_view (approved, actor_id);
CREATE INDEX reputation_view_earned ON reputation_view (earned_cents, actor_id);

-- Whose submission is whose: rejections and disputes name only the submission.
CREATE TABLE reputation_submissions (
    submission_id  TEXT NOT NULL,
    worker         TEXT NOT NULL,
    CONSTRAINT reputation_submissions_pkey PRIMARY KEY (submission_id)
);
