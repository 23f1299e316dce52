-- The key every instance derives its signing keys from (JWTs, webhook signatures). Not
-- domain state and not rebuilt by replay: it is configuration that instances sharing one
-- database must agree on, written once by whichever starts first.
CREATE TABLE server_secret (
    id          INTEGER NOT NULL,
    -- 32 random bytes, hex
    secret_hex  TEXT    NOT NULL,
    CONSTRAINT server_secret_pkey PRIMARY KEY (id),
    CONSTRAINT server_secret_one_row CHECK (id = 1)
);
