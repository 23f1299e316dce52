-- SQLite. Same table as migrations/postgres/0019_admin_actions.sql.
-- The audit trail of admin actions (projections/src/admin_actions.rs): one row per event
-- recording an admin's action (freezes, bans, listing suspensions and their lifts, from the
-- kill switch or the native routes), with who, what, when and why. The events themselves are the record; this is their index,
-- written only by its projection and rebuilt by `errand replay`.

CREATE TABLE admin_actions_view (
    -- the event's journal position, as text (the row's key; rows are never changed)
    entry_id       TEXT   NOT NULL,
    -- freeze_agent | unfreeze_agent | ban_provider | unban_provider | suspend_tool | reinstate_tool
    action         TEXT   NOT NULL,
    -- actor | listing
    resource_type  TEXT   NOT NULL,
    resource_id    TEXT   NOT NULL,
    -- the admin who acted
    admin_id       TEXT   NOT NULL,
    -- NULL only for a lift the native API made without one
    reason         TEXT   NULL,
    -- a listing's suspension cause: admin | provider_banned; NULL for actors
    cause          TEXT   NULL,
    position       BIGINT NOT NULL,
    at_us          BIGINT NOT NULL,
    CONSTRAINT admin_actions_view_pkey PRIMARY KEY (entry_id)
) WITHOUT ROWID;

-- Newest first, optionally of one kind of resource or one action.
CREATE INDEX admin_actions_view_position ON admin_actions_view (position);
CREATE INDEX admin_actions_view_resource ON admin_actions_view (resource_type, position);
CREATE INDEX admin_actions_view_action ON admin_actions_view (action, position);
