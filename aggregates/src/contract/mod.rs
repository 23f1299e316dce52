//! `Contract` (`contract-<id>`): Humai's transaction. A buyer pays a seller a
//! price for work from a listing (bought outright or through an accepted
//! bid); the price is held in escrow on the buyer's account from the moment
//! the contract opens, and captured — the seller paid, the platform's fee
//! kept — when the buyer accepts the delivery (or the review window runs out).
//!
//! Status follows the seed's words: `pending_payment` → `assigned` →
//! `delivered` → `completed`, or `disputed` → `resolved`. Errand holds the
//! escrow in the opening append (there is no card step to wait for), so
//! `pending_payment` means "opened, money held, not yet assigned", never
//! "unpaid".
//!
//! - [`chain`]: subcontracting — a contract opened by a contract's seller
//!   for part of its work; depth, cycles, self-dealing and budget.
//! - [`milestone`]: sequential parts of the work, each paid on acceptance.
//! - [`escrow`]: the hold and the settlements a contract's events imply.
//! - [`party`]: who buys and sells, and who owns them.

pub mod chain;
mod command;
mod decide;
pub mod escrow;
mod event;
pub mod milestone;
pub mod party;
mod state;
#[cfg(test)]
mod tests;

pub use chain::{ensure_parent_named, ParentLink, MAX_CHAIN_DEPTH};
pub use command::{ContractCommand, Deliverable, OpenContract, ReviewWindow};
pub use escrow::{account_commands, hold_id, parent_command};
pub use event::{ContractEvent, DisputeOutcome};
pub use milestone::{Milestone, MilestoneSpec, MilestoneStatus};
pub use party::{Owner, Party, PartyKind};
pub use state::{Contract, ContractStatus};

/// The most a deliverable's `output_data` may weigh, as JSON: a report's
/// summary and links, not the report (files go to storage and are named by
/// `output_storage_path`). Keeps every fold of the contract small.
pub const OUTPUT_DATA_MAX_BYTES: usize = 64 * 1024;
/// A storage path is a key in the deliverables bucket, like an S3 key (1,024).
pub const STORAGE_PATH_MAX_CHARS: usize = 1_024;
/// The longest SLA a contract or milestone may promise: a year.
pub const SLA_HOURS_MAX: u32 = 24 * 366;
/// The seed's review window: the buyer has 48 hours before the delivery is
/// accepted for them.
pub const DEFAULT_REVIEW_WINDOW_HOURS: i64 = 48;
