//! The commands that touch more than one stream, orchestrated: which streams
//! to load, in what order. The rules themselves live in `errand_aggregates`.

mod actors;
mod autobids;
mod bids;
mod billing;
mod contracts;
mod credits;
mod disputes;
mod enforcement;
mod funds;
mod humai;
mod keys;
mod listings;
mod messages;
mod notifications;
mod payouts;
mod people;
mod projects;
mod referrals;
mod registration;
mod reviews;
mod tasks;

pub use actors::{actor_stream, caller, register_actor, set_standing, StandingChange};
pub use autobids::{autobid_stream, on_auto_bid_rules, place_auto_bid, skip_auto_bid};
pub use bids::{bid_stream, on_bid, place_bid, BidAnswer, BidOutcome, NewBid};
pub use billing::{billing_stream, on_billing};
pub use contracts::{
    buy_listing, contract_stream, on_contract, on_contract_in, open_contract, party_of, NewPurchase,
};
pub use credits::{
    credit_lots_stream, draw_lots, is_credit_wallet, open_lot, returned_withdrawal_entry,
    withdrawal_entry,
};
pub use disputes::{dispute_stream, on_dispute, on_dispute_in, open_dispute, NewDispute};
pub use enforcement::{pull_kill_switch, KillSwitch, Pulled, CASCADE_LISTINGS_PER_APPEND};
pub use funds::{
    complete_deposit, deposit_stream, fail_deposit, grant_credit, request_charge, request_deposit,
    NewCharge,
};
pub use humai::{
    apply_referral, credits_account, market_profile_stream, on_market_profile,
    register_humai_actor, FoundingClaim, HumaiRegistered, NewHumaiActor,
};
pub use keys::{issue_key, issue_ring_key, key_ring_stream, key_stream, revoke_key, NewKey};
pub use listings::{create_listing, listing_stream, on_listing};
pub use messages::{post_message, thread_stream};
pub use notifications::mark_notifications_read;
pub use payouts::{
    complete_payout_onboarding, connect_payout_account, disable_payout_account,
    payout_account_stream, payout_stream, request_payout, settle_payout, NewPayout,
};
pub use people::{
    change_credentials, credentials_stream, email_claim_stream, register_person,
    reissue_verification, update_profile, verify_email, NewPerson,
};
pub use projects::{
    add_project_tester, assign_job_to_project, job_link_stream, on_project, project_stream,
    ProjectActor, TesterName,
};
pub use referrals::{record_referral, referral_stream, NewReferral};
pub use registration::{register_with_key, NewRegistration};
pub use reviews::{leave_review, NewReview};
pub use tasks::{on_task, task_stream};
