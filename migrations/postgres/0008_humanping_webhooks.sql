-- PostgreSQL. Same tables as migrations/sqlite/0008_humanping_webhooks.sql.
-- HumanPing's webhooks (projections/src/outbox/humanping.rs): its destinations are implicit
-- rows of webhook_endpoints_view (format 'humanping'), one per agent with a webhook_url and one
-- per task with a callback_url; the outbox remembers which tasks are HumanPing's here. Written
-- only by the outbox projection and rebuilt by `errand replay`.

CREATE TABLE humanping_tasks (
    task_id               TEXT   NOT NULL,
    -- The posting agent: its webhook_url is the fallback destination, its secret signs.
    poster                TEXT   NOT NULL,
    -- The `at` of the last dispute sent: a dispute disputes every proof awaiting review at
    -- once, and HumanPing sends one task.disputed for it.
    last_disputed_at_us   BIGINT NULL,
    CONSTRAINT humanping_tasks_pkey PRIMARY KEY (task_id)
);

-- Every projector batch loads the active endpoints registered through the API (not
-- HumanPing's implicit ones, which are looked up by id): by status and format.
CREATE INDEX webhook_endpoints_view_fan_out ON webhook_endpoints_view (status, format);
