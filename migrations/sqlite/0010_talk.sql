-- SQLite. Same tables as migrations/postgres/0009_talk.sql.
-- Task messages, notifications and referrals (projections/src/messages.rs, notifications/,
-- referrals.rs). Written only by their projections and rebuilt by `errand replay`.

-- Each task's conversation (`thread-<task>` streams), oldest first by journal position.
CREATE TABLE messages_view (
    message_id     TEXT   NOT NULL,
    task_id        TEXT   NOT NULL,
    sender         TEXT   NOT NULL,
    -- poster | worker | applicant: how the sender took part when posting
    participation  TEXT   NOT NULL,
    body           TEXT   NOT NULL,
    -- the journal position of MessagePosted: orders a thread, and is its cursor
    position       BIGINT NOT NULL,
    sent_at_us     BIGINT NOT NULL,
    CONSTRAINT messages_view_pkey PRIMARY KEY (message_id)
) WITHOUT ROWID;

CREATE INDEX messages_view_task ON messages_view (task_id, position);

-- One row per event and the actor it concerns; id = UUIDv5(position, recipient).
CREATE TABLE notifications_view (
    notification_id  TEXT   NOT NULL,
    recipient        TEXT   NOT NULL,
    -- live | test: the mode of the task or account it is about
    mode             TEXT   NOT NULL,
    -- application_received | assigned | work_submitted | submission_approved |
    -- submission_rejected | submission_disputed | task_expired | message_received |
    -- payment_received | referral_bonus
    kind             TEXT   NOT NULL,
    task_id          TEXT   NULL,
    text             TEXT   NOT NULL,
    position         BIGINT NOT NULL,
    created_at_us    BIGINT NOT NULL,
    -- 1 once marked by id; "mark all" is notification_readers' watermark instead
    is_read          BIGINT NOT NULL,
    CONSTRAINT notifications_view_pkey PRIMARY KEY (notification_id)
) WITHOUT ROWID;

CREATE INDEX notifications_view_recipient ON notifications_view (recipient, mode, position);

-- What notifications say of a task: its poster, mode and title (later task events name none).
CREATE TABLE notification_tasks (
    task_id  TEXT NOT NULL,
    poster   TEXT NOT NULL,
    mode     TEXT NOT NULL,
    title    TEXT NOT NULL,
    CONSTRAINT notification_tasks_pkey PRIMARY KEY (task_id)
) WITHOUT ROWID;

-- Whose submission is whose: rejections name only the submission.
CREATE TABLE notification_submissions (
    submission_id  TEXT NOT NULL,
    task_id        TEXT NOT NULL,
    worker         TEXT NOT NULL,
    CONSTRAINT notification_submissions_pkey PRIMARY KEY (submission_id)
) WITHOUT ROWID;

-- "Mark all as read" per reader and mode: every notification at or before this position is read.
CREATE TABLE notification_readers (
    -- <actor>-<mode>
    reader_id             TEXT   NOT NULL,
    read_up_to_position   BIGINT NOT NULL,
    CONSTRAINT notification_readers_pkey PRIMARY KEY (reader_id)
) WITHOUT ROWID;

-- Who registered with whose referral code, and the bonus the referrer was credited.
CREATE TABLE referrals_view (
    referee         TEXT   NOT NULL,
    referrer        TEXT   NOT NULL,
    referee_name    TEXT   NOT NULL,
    -- agent | human | admin
    referee_role    TEXT   NOT NULL,
    mode            TEXT   NOT NULL,
    bonus_cents     BIGINT NOT NULL,
    currency        TEXT   NOT NULL,
    position        BIGINT NOT NULL,
    referred_at_us  BIGINT NOT NULL,
    CONSTRAINT referrals_view_pkey PRIMARY KEY (referee)
) WITHOUT ROWID;

CREATE INDEX referrals_view_referrer ON referrals_view (referrer, mode, position);
