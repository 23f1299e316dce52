//! `Task` (`task-<id>`): the unit of paid work for every dialect. A task has
//! `slots` places for workers, each paid `reward` on approval; its escrow hold
//! always equals what the open and in-flight slots may still cost (see
//! `escrow.rs`), and everything else goes back to the poster at once.

mod command;
pub mod consensus;
mod decide;
mod escrow;
mod event;
mod proof;
mod settlement;
mod state;
#[cfg(test)]
mod tests;

pub use command::{AssignmentMode, NewTask, TaskCommand};
pub use escrow::account_commands;
pub use event::TaskEvent;
pub use proof::{Attachment, Proof};
pub use settlement::{Earning, Settlement};
pub use state::{
    Application, ApplicationStatus, Assignment, AssignmentStatus, ConsensusResult, Submission,
    SubmissionStatus, Task, TaskStatus,
};

/// Bounds from the product: a consensus task of up to 500 workers.
pub const SLOTS_MAX: u32 = 500;
pub const TITLE_MAX_CHARS: usize = 200;
/// HumanPing's limit; the tightest of the dialects that share this field.
pub const DESCRIPTION_MAX_CHARS: usize = 5_000;
pub const KIND_MAX_CHARS: usize = 64;
/// Dialect details are small metadata, not documents.
pub const DETAILS_MAX_BYTES: usize = 16 * 1024;
pub const REASON_MAX_CHARS: usize = 2_000;
pub const NOTE_MAX_CHARS: usize = 2_000;
/// Keeps a task's state (and its fold) small; a popular task closes applications here.
pub const APPLICATIONS_MAX: usize = 1_000;
/// A week-scale upper bound on any assignment time limit or review window: 90 days.
pub const DURATION_MAX_S: u32 = 90 * 24 * 3600;

impl crate::aggregate::Aggregate for Task {
    const STREAM_PREFIX: &'static str = "task";
    type Command = TaskCommand;
    type Event = TaskEvent;

    fn decide(&self, command: &TaskCommand) -> crate::error::Decided<TaskEvent> {
        decide::decide(self, command)
    }

    fn apply(&mut self, event: &TaskEvent) {
        self.apply_event(event)
    }
}

crate::cqrs_aggregate!(Task);
