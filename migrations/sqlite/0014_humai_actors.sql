-- SQLite. Same tables as migrations/postgres/0014_humai_actors.sql.
-- Humai's actors and their capability tags (projections/src/humai_actors.rs), for
-- /humai/capabilities-search and /humai/feed-public-stats. Written only by their projection
-- and rebuilt by `errand replay`.

-- One row per market profile (`marketprofile-<actor>` streams).
CREATE TABLE humai_actors_view (
    actor_id         TEXT   NOT NULL,
    -- human | delegated_agent
    kind             TEXT   NOT NULL,
    -- the founding slot's halvening tier, 0 without one
    tier             BIGINT NOT NULL,
    is_founding      BIGINT NOT NULL,
    -- JSON array of the tags, in the actor's order
    capability_tags  TEXT   NOT NULL,
    opened_at_us     BIGINT NOT NULL,
    updated_at_us    BIGINT NOT NULL,
    CONSTRAINT humai_actors_view_pkey PRIMARY KEY (actor_id)
) WITHOUT ROWID;

CREATE INDEX humai_actors_view_kind ON humai_actors_view (kind, tier);

-- One row per (actor, tag): a search by tags reads the tags' rows.
CREATE TABLE humai_capability_tags_view (
    -- <actor id>:<tag>
    tag_key   TEXT NOT NULL,
    actor_id  TEXT NOT NULL,
    tag       TEXT NOT NULL,
    CONSTRAINT humai_capability_tags_view_pkey PRIMARY KEY (tag_key)
) WITHOUT ROWID;

CREATE INDEX humai_capability_tags_view_tag ON humai_capability_tags_view (tag, actor_id);
CREATE INDEX humai_capability_tags_view_actor ON humai_capability_tags_view (actor_id);
