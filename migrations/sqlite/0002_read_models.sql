-- SQLite. Same tables as migrations/postgres/0002_read_models.sql.
-- Read models (DESIGN.md §5), written only by the projections in projections/src/. None is a
-- source of truth: `errand replay` empties them and rebuilds them from the journal. Never
-- edit this file once applied; change the schema in a new migration.
--
-- Types are limited to TEXT and BIGINT/INTEGER, which sqlx's Any driver maps on both
-- backends. This file and its PostgreSQL twin differ only in their first line and in SQLite's
-- WITHOUT ROWID on tables of small rows: the table is then stored in its primary key's order,
-- with no second b-tree to keep for the key (a replay writes every row once).
-- Times are BIGINT microseconds since the Unix epoch, UTC; JSON is TEXT; flags are INTEGER
-- 0/1; money is BIGINT minor units (cents).

-- How far each projection has applied the journal, written in the same transaction as its
-- rows, so an event affects each read model exactly once.
CREATE TABLE projection_checkpoints (
    name      TEXT   NOT NULL,
    position  BIGINT NOT NULL CHECK (position >= 0),
    CONSTRAINT projection_checkpoints_pkey PRIMARY KEY (name)
) WITHOUT ROWID;

CREATE TABLE actors_view (
    actor_id          TEXT   NOT NULL,
    role              TEXT   NOT NULL,
    name              TEXT   NOT NULL,
    email             TEXT   NULL,
    standing          TEXT   NOT NULL,
    registered_at_us  BIGINT NOT NULL,
    updated_at_us     BIGINT NOT NULL,
    CONSTRAINT actors_view_pkey PRIMARY KEY (actor_id)
) WITHOUT ROWID;

-- Dialects that log people in or register them look actors up by email.
CREATE INDEX actors_view_email ON actors_view (email);

CREATE TABLE api_keys_view (
    key_id        TEXT    NOT NULL,
    actor_id      TEXT    NOT NULL,
    prefix        TEXT    NOT NULL,
    -- Hex SHA-256 of the secret: every authenticated request looks its key up by this.
    secret_hash   TEXT    NOT NULL,
    -- JSON array of scope names; [] means everything the actor may do.
    scopes        TEXT    NOT NULL,
    mode          TEXT    NOT NULL,
    revoked       INTEGER NOT NULL,
    issued_at_us  BIGINT  NOT NULL,
    CONSTRAINT api_keys_view_pkey PRIMARY KEY (key_id),
    CONSTRAINT api_keys_view_secret_hash_unique UNIQUE (secret_hash)
) WITHOUT ROWID;

CREATE INDEX api_keys_view_actor ON api_keys_view (actor_id, issued_at_us);

CREATE TABLE tasks_view (
    task_id                  TEXT   NOT NULL,
    poster                   TEXT   NOT NULL,
    mode                     TEXT   NOT NULL,
    title                    TEXT   NOT NULL,
    description              TEXT   NOT NULL,
    kind                     TEXT   NOT NULL,
    details                  TEXT   NOT NULL,
    -- open | paused | stopped | cancelled | expired | completed
    status                   TEXT   NOT NULL,
    -- first_accept | apply_select
    assignment_mode          TEXT   NOT NULL,
    reward_cents             BIGINT NOT NULL,
    currency                 TEXT   NOT NULL,
    -- The platform's share as a decimal fraction ("0.18"): exact, unlike a float.
    fee_rate                 TEXT   NOT NULL,
    -- Open slots = slots - working - awaiting_review - approved - disputed, as the aggregate
    -- counts them; computed in queries.
    slots                    BIGINT NOT NULL,
    working                  BIGINT NOT NULL,
    awaiting_review          BIGINT NOT NULL,
    approved                 BIGINT NOT NULL,
    disputed                 BIGINT NOT NULL,
    escrow_cents             BIGINT NOT NULL,
    paid_cents               BIGINT NOT NULL,
    released_cents           BIGINT NOT NULL,
    deadline_us              BIGINT NULL,
    assignment_time_limit_s  BIGINT NULL,
    review_window_s          BIGINT NULL,
    posted_at_us             BIGINT NOT NULL,
    updated_at_us            BIGINT NOT NULL,
    -- The journal position of the last event applied to this task.
    last_position            BIGINT NOT NULL,
    CONSTRAINT tasks_view_pkey PRIMARY KEY (task_id)
);

-- Listing: open work, newest first, and one poster's tasks. task_id breaks ties for cursors.
CREATE INDEX tasks_view_status_posted ON tasks_view (status, posted_at_us, task_id);
CREATE INDEX tasks_view_poster_posted ON tasks_view (poster, posted_at_us, task_id);

CREATE TABLE task_assignments_view (
    assignment_id   TEXT   NOT NULL,
    task_id         TEXT   NOT NULL,
    worker          TEXT   NOT NULL,
    -- active | submitted | approved | rejected | disputed | abandoned | ended
    status          TEXT   NOT NULL,
    assigned_at_us  BIGINT NOT NULL,
    expires_at_us   BIGINT NULL,
    updated_at_us   BIGINT NOT NULL,
    CONSTRAINT task_assignments_view_pkey PRIMARY KEY (assignment_id)
) WITHOUT ROWID;

CREATE INDEX task_assignments_view_worker ON task_assignments_view (worker, assigned_at_us);
CREATE INDEX task_assignments_view_task ON task_assignments_view (task_id);

CREATE TABLE task_submissions_view (
    submission_id     TEXT    NOT NULL,
    task_id           TEXT    NOT NULL,
    assignment_id     TEXT    NOT NULL,
    worker            TEXT    NOT NULL,
    -- pending | approved | rejected | disputed
    status            TEXT    NOT NULL,
    -- JSON: {"text": …, "attachments": [{"url": …, "media_type": …}]}
    proof             TEXT    NOT NULL,
    reason            TEXT    NULL,
    payout_cents      BIGINT  NULL,
    fee_cents         BIGINT  NULL,
    submitted_at_us   BIGINT  NOT NULL,
    review_due_at_us  BIGINT  NULL,
    reviewed_at_us    BIGINT  NULL,
    auto_approved     INTEGER NOT NULL,
    CONSTRAINT task_submissions_view_pkey PRIMARY KEY (submission_id)
);

CREATE INDEX task_submissions_view_worker ON task_submissions_view (worker, submitted_at_us);
CREATE INDEX task_submissions_view_task ON task_submissions_view (task_id, submitted_at_us);

-- account_id is the account's stream id: account-<owner>-<mode>-<currency>.
CREATE TABLE accounts_view (
    account_id       TEXT   NOT NULL,
    owner            TEXT   NOT NULL,
    mode             TEXT   NOT NULL,
    currency         TEXT   NOT NULL,
    available_cents  BIGINT NOT NULL,
    held_cents       BIGINT NOT NULL,
    deposited_cents  BIGINT NOT NULL,
    granted_cents    BIGINT NOT NULL,
    earned_cents     BIGINT NOT NULL,
    spent_cents      BIGINT NOT NULL,
    fees_paid_cents  BIGINT NOT NULL,
    paid_out_cents   BIGINT NOT NULL,
    updated_at_us    BIGINT NOT NULL,
    CONSTRAINT accounts_view_pkey PRIMARY KEY (account_id)
) WITHOUT ROWID;

CREATE INDEX accounts_view_owner ON accounts_view (owner);

-- The double-entry ledger: every account event's postings, which sum to zero.
CREATE TABLE postings (
    position        BIGINT NOT NULL,
    seq             BIGINT NOT NULL,
    ledger_account  TEXT   NOT NULL,
    -- Signed: positive credits the ledger account, negative debits it.
    amount_cents    BIGINT NOT NULL,
    currency        TEXT   NOT NULL,
    event_type      TEXT   NOT NULL,
    stream_id       TEXT   NOT NULL,
    recorded_at_us  BIGINT NOT NULL,
    CONSTRAINT postings_pkey PRIMARY KEY (position, seq)
) WITHOUT ROWID;

-- A ledger account's history and balance.
CREATE INDEX postings_ledger_account ON postings (ledger_account, position);

-- Deadlines the runtime fires as commands. A row is deleted by the projection when the event
-- that resolves it is seen, never by the runtime.
CREATE TABLE timers (
    -- <kind>:<target_id>
    timer_id    TEXT   NOT NULL,
    task_id     TEXT   NOT NULL,
    -- expire_task | abandon_assignment | auto_approve
    kind        TEXT   NOT NULL,
    target_id   TEXT   NOT NULL,
    due_at_us   BIGINT NOT NULL,
    CONSTRAINT timers_pkey PRIMARY KEY (timer_id)
) WITHOUT ROWID;

CREATE INDEX timers_due ON timers (due_at_us);
-- A task's end deletes its timers.
CREATE INDEX timers_task ON timers (task_id);
