//! The commands that touch more than one stream, orchestrated: which streams
//! to load, in what order. The rules themselves live in `errand_aggregates`.

mod actors;
mod funds;
mod keys;
mod payouts;
mod people;
mod registration;
mod tasks;

pub use actors::{actor_stream, caller, register_actor, set_standing, StandingChange};
pub use funds::{complete_deposit, deposit_stream, grant_credit, request_deposit};
pub use keys::{issue_key, issue_ring_key, key_ring_stream, key_stream, revoke_key, NewKey};
pub use payouts::{
    complete_payout_onboarding, connect_payout_account, disable_payout_account,
    payout_account_stream, payout_stream, request_payout, settle_payout, NewPayout,
};
pub use people::{
    change_credentials, credentials_stream, email_claim_stream, register_person, update_profile,
    verify_email, NewPerson,
};
pub use registration::{register_with_key, NewRegistration};
pub use tasks::{on_task, task_stream};
