-- SQLite. Same tables as migrations/postgres/0009_humans2ai_applications.sql.
-- Applications to apply-select tasks, written only by the `applications` projection
-- (projections/src/applications.rs) and rebuilt by `errand replay` like every read model:
-- what a person lists as their applications (Humans2AI's GET /my/applications).

CREATE TABLE task_applications_view (
    application_id  TEXT   NOT NULL,
    task_id         TEXT   NOT NULL,
    applicant       TEXT   NOT NULL,
    note            TEXT   NULL,
    -- pending | selected
    status          TEXT   NOT NULL,
    applied_at_us   BIGINT NOT NULL,
    updated_at_us   BIGINT NOT NULL,
    CONSTRAINT task_applications_view_pkey PRIMARY KEY (application_id)
) WITHOUT ROWID;

-- A person's applications, newest first.
CREATE INDEX task_applications_view_applicant ON task_applications_view (applicant, applied_at_us);
