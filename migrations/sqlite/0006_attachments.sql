-- SQLite. Same table as migrations/postgres/0006_attachments.sql.
-- Files handed in as proof (photos, video, audio), by the SHA-256 of their bytes. The journal
-- names them (`attachment:<attachment_id>` in a proof) but never holds the bytes. This is no
-- read model: `errand replay` leaves it alone (no projection owns it), and a backup needs it
-- beside the journal. Kept in the database rather than on disk so every instance sharing one
-- PostgreSQL reads what any of them stored.

CREATE TABLE attachments (
    -- Hex SHA-256 of content: the same bytes are stored once.
    attachment_id  TEXT   NOT NULL,
    -- As declared by the uploader and checked against the proof's kind (image/*, video/*, audio/*).
    media_type     TEXT   NOT NULL,
    size_bytes     BIGINT NOT NULL,
    content        BLOB   NOT NULL,
    stored_at_us   BIGINT NOT NULL,
    CONSTRAINT attachments_pkey PRIMARY KEY (attachment_id)
);
