//! End-to-end tests: a real server over real HTTP on a real database, each
//! test once on SQLite and once on PostgreSQL (when ERRAND_TEST_DATABASE_URL
//! names a server to make throwaway databases on).

mod helpers;

mod accounts;
mod actors;
mod bad_input;
mod humai;
mod humanping;
mod humans2ai;
mod idempotency;
mod instahuman;
mod journal;
mod kill_switch;
mod mcp;
mod messages;
mod notifications;
mod payouts;
mod people;
mod races;
mod rate_limits;
mod referrals;
mod task_lifecycle;
mod timers;
mod webhooks;
