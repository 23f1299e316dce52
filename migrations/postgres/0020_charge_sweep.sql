-- PostgreSQL. Same index as migrations/sqlite/0020_charge_sweep.sql.
-- The runtime's charge sweep (src/runtime/charges.rs) reads the deposits still pending,
-- oldest request first (src/queries/deposits.rs, pending_charges_requested_before).
CREATE INDEX deposits_view_status ON deposits_view (status, requested_at_us);
