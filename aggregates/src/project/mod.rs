//! `Project` (`project-<id>`): an owner's project (InstaHuman), which groups
//! jobs and keeps the testers the owner works with. Only its owner acts on
//! it; an archived project refuses every change but unarchiving (and
//! deletion); a deleted project is gone: it refuses everything.
//!
//! A tester is a person on Errand (a human actor), named by the owner by
//! email (what an owner knows of the people they invite) or by actor id
//! (people who already worked on their jobs), so the tester who takes a job
//! through any API is the same person. The bus resolves either to the
//! person's actor and hands the project a [`Candidate`] to decide on.
//!
//! Which project a job is in is the job's own `JobLink` (`joblink-<task>`):
//! one stream per job, so a job is in at most one project even when two
//! assignments race, and moving it appends to both projects at once.

mod command;
mod decide;
mod event;
pub mod job_link;
#[cfg(test)]
mod tests;

pub use command::{Candidate, FlagChanges, JobRef, ProjectAction, ProjectCommand};
pub use event::ProjectEvent;
pub use job_link::{JobLink, JobLinkCommand, JobLinkEvent};

use crate::actor::{Caller, Email};
use crate::error::DomainError;
use crate::ids::{ActorId, ProjectId, TaskId};
use crate::mode::Mode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A project's name is a label in a list, as a task's title is.
pub const NAME_MAX_CHARS: usize = crate::task::TITLE_MAX_CHARS;
/// As long as a task's description: a brief, not a document.
pub const DESCRIPTION_MAX_CHARS: usize = crate::task::DESCRIPTION_MAX_CHARS;
/// Testers an owner keeps per project: a panel, not a crowd (the crowd finds
/// jobs by itself). Bounds the project's state and its testers list.
pub const TESTERS_MAX: usize = 500;
/// Jobs grouped under one project: a daily test round for three years.
/// Bounds the project's state, which every command on it folds.
pub const JOBS_MAX: usize = 1_000;

pub const ARCHIVED: &str = "the project is archived; unarchive it first";

/// A project's name: trimmed, 1 to `NAME_MAX_CHARS` characters, no NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName(String);

impl ProjectName {
    pub fn parse(text: &str) -> Result<ProjectName, DomainError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > NAME_MAX_CHARS {
            return Err(DomainError::invalid(format!(
                "a project's name is 1 to {NAME_MAX_CHARS} characters"
            )));
        }
        if text.contains('\0') {
            return Err(DomainError::invalid("a project's name cannot contain NUL"));
        }
        Ok(ProjectName(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A project's description: trimmed, at most `DESCRIPTION_MAX_CHARS`
/// characters (empty is allowed), no NUL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectDescription(String);

impl ProjectDescription {
    pub fn parse(text: &str) -> Result<ProjectDescription, DomainError> {
        let text = text.trim();
        if text.chars().count() > DESCRIPTION_MAX_CHARS {
            return Err(DomainError::invalid(format!(
                "a project's description is at most {DESCRIPTION_MAX_CHARS} characters"
            )));
        }
        if text.contains('\0') {
            return Err(DomainError::invalid(
                "a project's description cannot contain NUL",
            ));
        }
        Ok(ProjectDescription(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the owner marks a tester as. A blocked tester is neither trusted nor
/// a favourite: the flags say how the owner ranks people, and "never again"
/// cannot also be "first in line".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TesterFlags {
    /// Invited first to the owner's jobs.
    pub favorite: bool,
    /// The owner vouches for their work.
    pub trusted: bool,
    /// The owner does not want them on this project's jobs.
    pub blocked: bool,
}

impl TesterFlags {
    pub(crate) fn ensure_consistent(self) -> Result<(), DomainError> {
        if self.blocked && (self.favorite || self.trusted) {
            return Err(DomainError::invalid(
                "a blocked tester cannot also be trusted or a favorite",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    #[default]
    Active,
    Archived,
    /// Gone: refuses everything, shown to no one.
    Deleted,
}

impl ProjectStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Active => "active",
            ProjectStatus::Archived => "archived",
            ProjectStatus::Deleted => "deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tester {
    pub actor: ActorId,
    /// The person's name when they were added.
    pub name: String,
    /// The address the owner named them by; none if named by id (so adding
    /// someone never shows the owner an address they did not know).
    pub email: Option<Email>,
    pub flags: TesterFlags,
    pub added_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: Option<ProjectId>,
    pub owner: Option<ActorId>,
    pub mode: Mode,
    pub name: String,
    pub description: String,
    pub status: ProjectStatus,
    pub testers: BTreeMap<ActorId, Tester>,
    pub jobs: BTreeSet<TaskId>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}

impl Project {
    /// Created and not deleted.
    pub fn exists(&self) -> bool {
        self.id.is_some() && self.status != ProjectStatus::Deleted
    }
}

/// Whether `reader`, acting in `mode`, may see (and so act on) `project`:
/// only its owner. Another owner's project, one of the other mode (a test
/// key sees no live objects) and one that does not exist are all not
/// found, so project ids reveal nothing.
pub fn may_read(project: &Project, reader: ActorId, mode: Mode) -> Result<(), DomainError> {
    let owns = project.owner == Some(reader) && project.mode == mode;
    if !project.exists() || !owns {
        return Err(DomainError::NotFound("project"));
    }
    Ok(())
}

/// Whether `by` may act on `project`: its owner, not banned.
pub(crate) fn may_act(project: &Project, by: &Caller, mode: Mode) -> Result<(), DomainError> {
    may_read(project, by.actor, mode)?;
    by.ensure_not_banned()
}
