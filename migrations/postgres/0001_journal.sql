-- The event journal (DESIGN.md §4): the only source of truth. Every other table can be
-- rebuilt from it. Never edit this file once applied; change the schema in a new migration.
--
-- Same columns as migrations/sqlite/0001_journal.sql. Types are limited to TEXT, BIGINT and
-- INTEGER because those are what sqlx's Any driver maps on both backends. Payload and metadata
-- are JSON kept as TEXT, not JSONB: the hash chain covers their exact bytes, which JSONB
-- would re-format. Constraint names are spelled out because src/journal/constraint.rs maps
-- unique violations by name.

CREATE TABLE events (
    -- Gap-free and in commit order because positions are assigned while the append
    -- transaction holds journal_head's row lock (SELECT ... FOR UPDATE).
    position        BIGINT  NOT NULL CHECK (position >= 1),
    stream_id       TEXT    NOT NULL,
    stream_version  BIGINT  NOT NULL CHECK (stream_version >= 1),
    event_id        TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    event_version   INTEGER NOT NULL,
    payload         TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    -- Microseconds since the Unix epoch, UTC.
    recorded_at_us  BIGINT  NOT NULL,
    -- Hex SHA-256 of (previous hash ‖ canonical event bytes); see src/journal/chain.rs.
    hash            TEXT    NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (position),
    -- This unique constraint is also the index that reads a stream in version order.
    CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version),
    CONSTRAINT events_event_id_unique UNIQUE (event_id)
);

-- The current version of each stream, so an append checks its expected versions with one
-- primary-key lookup per stream instead of a MAX over the events.
CREATE TABLE streams (
    stream_id  TEXT   NOT NULL,
    version    BIGINT NOT NULL CHECK (version >= 1),
    CONSTRAINT streams_pkey PRIMARY KEY (stream_id)
);

-- One row: the last committed position and its hash, where the next append chains from.
-- Its row lock is the one lock every appender, in every process, takes. Seeded at position 0
-- with the genesis hash (32 zero bytes).
CREATE TABLE journal_head (
    id        INTEGER NOT NULL CHECK (id = 1),
    position  BIGINT  NOT NULL,
    hash      TEXT    NOT NULL,
    CONSTRAINT journal_head_pkey PRIMARY KEY (id)
);

INSERT INTO journal_head (id, position, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The response of each idempotent request, written in the same transaction as its events,
-- so a replay finds either both or neither.
CREATE TABLE idempotency (
    principal       TEXT    NOT NULL,
    key             TEXT    NOT NULL,
    fingerprint     TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    body            TEXT    NOT NULL,
    first_position  BIGINT  NOT NULL,
    last_position   BIGINT  NOT NULL,
    created_at_us   BIGINT  NOT NULL,
    CONSTRAINT idempotency_pkey PRIMARY KEY (principal, key)
);
