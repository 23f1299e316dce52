-- SQLite. Same tables as migrations/postgres/0011_instahuman_projects.sql.
-- InstaHuman's projects, their testers and jobs (projections/src/projects.rs), and every
-- deposit with how it was paid (projections/src/deposits.rs). Written only by their
-- projections and rebuilt by `errand replay`.

-- One row per project that is not deleted (`project-<id>` streams).
CREATE TABLE projects_view (
    project_id     TEXT   NOT NULL,
    owner          TEXT   NOT NULL,
    mode           TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    description    TEXT   NOT NULL,
    -- active | archived
    status         TEXT   NOT NULL,
    tester_count   BIGINT NOT NULL,
    job_count      BIGINT NOT NULL,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    CONSTRAINT projects_view_pkey PRIMARY KEY (project_id)
) WITHOUT ROWID;

-- An owner's projects, newest first: project ids are UUIDv7, so they sort by creation.
CREATE INDEX projects_view_owner ON projects_view (owner, mode, project_id);

-- A project's testers, in the order they were added.
CREATE TABLE project_testers_view (
    -- <project id>:<tester's actor id>
    tester_key     TEXT   NOT NULL,
    project_id     TEXT   NOT NULL,
    tester         TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    -- the address the owner named them by, if they did
    email          TEXT   NULL,
    favorite       BIGINT NOT NULL,
    trusted        BIGINT NOT NULL,
    blocked        BIGINT NOT NULL,
    -- the journal position of TesterAdded: orders the list, and is its cursor
    position       BIGINT NOT NULL,
    added_at_us    BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    CONSTRAINT project_testers_view_pkey PRIMARY KEY (tester_key)
) WITHOUT ROWID;

CREATE INDEX project_testers_view_project ON project_testers_view (project_id, position);

-- Which project each grouped job is in (a job is in one at most).
CREATE TABLE project_jobs_view (
    job_id       TEXT   NOT NULL,
    project_id   TEXT   NOT NULL,
    -- the journal position of JobAssigned: orders a project's jobs
    position     BIGINT NOT NULL,
    added_at_us  BIGINT NOT NULL,
    CONSTRAINT project_jobs_view_pkey PRIMARY KEY (job_id)
) WITHOUT ROWID;

CREATE INDEX project_jobs_view_project ON project_jobs_view (project_id, position);

-- Every deposit (`deposit-<id>` streams): checkouts, charges of saved methods, auto-reloads.
CREATE TABLE deposits_view (
    funding_id       TEXT   NOT NULL,
    owner            TEXT   NOT NULL,
    mode             TEXT   NOT NULL,
    currency         TEXT   NOT NULL,
    amount_cents     BIGINT NOT NULL,
    provider         TEXT   NOT NULL,
    -- checkout | saved_method | auto_reload
    source           TEXT   NOT NULL,
    payment_method   TEXT   NULL,
    -- pending | completed | failed
    status           TEXT   NOT NULL,
    failure_reason   TEXT   NULL,
    -- the journal position of DepositRequested: orders an owner's deposits
    position         BIGINT NOT NULL,
    requested_at_us  BIGINT NOT NULL,
    settled_at_us    BIGINT NULL,
    CONSTRAINT deposits_view_pkey PRIMARY KEY (funding_id)
) WITHOUT ROWID;

CREATE INDEX deposits_view_owner ON deposits_view (owner, mode, position);
