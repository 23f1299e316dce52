-- PostgreSQL. Same tables as migrations/sqlite/0004_webhooks.sql.
-- The outbox (DESIGN.md §5): webhook endpoints and their deliveries, written only by the
-- `outbox` projection (projections/src/outbox/) and rebuilt by `errand replay` like every
-- read model. Delivery outcomes come from the journal's DeliverySucceeded /
-- DeliveryAttemptFailed / DeliveryFailed events, so a rebuild sends nothing twice.

CREATE TABLE webhook_endpoints_view (
    webhook_id        TEXT   NOT NULL,
    owner             TEXT   NOT NULL,
    owner_role        TEXT   NOT NULL,
    -- live | test: which mode's events it is sent
    mode              TEXT   NOT NULL,
    url               TEXT   NOT NULL,
    -- native | humanping
    format            TEXT   NOT NULL,
    -- JSON: {"kind":"all"} or {"kind":"only","types":[...]}
    events            TEXT   NOT NULL,
    -- active | deleted
    status            TEXT   NOT NULL,
    registered_at_us  BIGINT NOT NULL,
    CONSTRAINT webhook_endpoints_view_pkey PRIMARY KEY (webhook_id)
);

-- Every projector batch loads the active endpoints; owners list theirs.
CREATE INDEX webhook_endpoints_view_status ON webhook_endpoints_view (status);
CREATE INDEX webhook_endpoints_view_owner ON webhook_endpoints_view (owner, webhook_id);

CREATE TABLE webhook_deliveries (
    -- UUIDv5 of the event's position in the endpoint's namespace
    delivery_id    TEXT   NOT NULL,
    webhook_id     TEXT   NOT NULL,
    owner          TEXT   NOT NULL,
    position       BIGINT NOT NULL,
    event_type     TEXT   NOT NULL,
    -- pending | delivered | failed | cancelled
    status         TEXT   NOT NULL,
    attempts       BIGINT NOT NULL,
    due_at_us      BIGINT NOT NULL,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (delivery_id)
);

-- The dispatcher's query: pending rows by due time.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, due_at_us);
-- Listing: an owner's deliveries, newest event first; an endpoint's deletion.
CREATE INDEX webhook_deliveries_owner ON webhook_deliveries (owner, position);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, status);

CREATE TABLE webhook_delivery_attempts (
    delivery_id  TEXT   NOT NULL,
    attempt      BIGINT NOT NULL,
    -- delivered | retrying | failed
    outcome      TEXT   NOT NULL,
    status_code  BIGINT NULL,
    error        TEXT   NULL,
    duration_ms  BIGINT NOT NULL,
    at_us        BIGINT NOT NULL,
    retry_at_us  BIGINT NULL,
    CONSTRAINT webhook_delivery_attempts_pkey PRIMARY KEY (delivery_id, attempt)
);

-- Who takes part in a task or owns a deposit, so later events about it reach them:
-- poster:<task>, assignment:<id>, submission:<id>, deposit:<id>.
CREATE TABLE webhook_parties (
    party_id    TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    mode        TEXT NOT NULL,
    CONSTRAINT webhook_parties_pkey PRIMARY KEY (party_id)
);

CREATE INDEX webhook_parties_subject ON webhook_parties (subject_id);
