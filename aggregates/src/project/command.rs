//! What an owner asks of a project.

use super::{ProjectDescription, ProjectName, TesterFlags};
use crate::actor::{Caller, Email, Role, Standing};
use crate::ids::{ActorId, ProjectId, TaskId};
use crate::mode::Mode;
use crate::Timestamp;

/// Every project command: who acts, in which mode, when, and what they ask.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectCommand {
    pub by: Caller,
    /// The mode the caller acts in: a project lives in one.
    pub mode: Mode,
    pub at: Timestamp,
    pub action: ProjectAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProjectAction {
    Create {
        project_id: ProjectId,
        name: ProjectName,
        description: ProjectDescription,
    },
    /// Changes what is given; at least one of them.
    Update {
        name: Option<ProjectName>,
        description: Option<ProjectDescription>,
    },
    Archive,
    Unarchive,
    Delete,
    AddTester {
        /// The person the owner named, as found: `None` if no one.
        tester: Option<Candidate>,
        flags: TesterFlags,
    },
    UpdateTester {
        tester: ActorId,
        changes: FlagChanges,
    },
    RemoveTester {
        tester: ActorId,
    },
    AssignJob {
        job: JobRef,
    },
    UnassignJob {
        job: TaskId,
    },
}

/// A person an owner named as a tester, as the bus found them.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub actor: ActorId,
    pub role: Role,
    pub standing: Standing,
    pub name: String,
    /// The address the owner named them by, if they did.
    pub email: Option<Email>,
}

/// A job as loaded for grouping: `poster` is `None` if there is no such job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobRef {
    pub job: TaskId,
    pub poster: Option<ActorId>,
    pub mode: Mode,
}

/// A change of some of a tester's flags; the others stay as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlagChanges {
    pub favorite: Option<bool>,
    pub trusted: Option<bool>,
    pub blocked: Option<bool>,
}

impl FlagChanges {
    pub fn is_empty(&self) -> bool {
        self.favorite.is_none() && self.trusted.is_none() && self.blocked.is_none()
    }

    pub fn applied_to(&self, flags: TesterFlags) -> TesterFlags {
        TesterFlags {
            favorite: self.favorite.unwrap_or(flags.favorite),
            trusted: self.trusted.unwrap_or(flags.trusted),
            blocked: self.blocked.unwrap_or(flags.blocked),
        }
    }
}
