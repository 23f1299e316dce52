//! What happened to a project, in the past tense. The project's id is its
//! stream's (`project-<id>`); only the first event names it again.

use super::TesterFlags;
use crate::actor::Email;
use crate::aggregate::DomainEvent;
use crate::ids::{ActorId, ProjectId, TaskId};
use crate::mode::Mode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ProjectEvent {
    ProjectCreated {
        project_id: ProjectId,
        owner: ActorId,
        mode: Mode,
        name: String,
        description: String,
        at: Timestamp,
    },
    /// The name and description as they are now.
    ProjectUpdated {
        name: String,
        description: String,
        at: Timestamp,
    },
    ProjectArchived {
        at: Timestamp,
    },
    ProjectUnarchived {
        at: Timestamp,
    },
    /// The project is gone; its jobs are in no project any more.
    ProjectDeleted {
        at: Timestamp,
    },
    TesterAdded {
        tester: ActorId,
        name: String,
        email: Option<Email>,
        flags: TesterFlags,
        at: Timestamp,
    },
    /// The tester's flags as they are now.
    TesterFlagsChanged {
        tester: ActorId,
        flags: TesterFlags,
        at: Timestamp,
    },
    TesterRemoved {
        tester: ActorId,
        at: Timestamp,
    },
    JobAssigned {
        job: TaskId,
        at: Timestamp,
    },
    JobUnassigned {
        job: TaskId,
        at: Timestamp,
    },
}

impl DomainEvent for ProjectEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ProjectEvent::ProjectCreated { .. } => "ProjectCreated",
            ProjectEvent::ProjectUpdated { .. } => "ProjectUpdated",
            ProjectEvent::ProjectArchived { .. } => "ProjectArchived",
            ProjectEvent::ProjectUnarchived { .. } => "ProjectUnarchived",
            ProjectEvent::ProjectDeleted { .. } => "ProjectDeleted",
            ProjectEvent::TesterAdded { .. } => "TesterAdded",
            ProjectEvent::TesterFlagsChanged { .. } => "TesterFlagsChanged",
            ProjectEvent::TesterRemoved { .. } => "TesterRemoved",
            ProjectEvent::JobAssigned { .. } => "JobAssigned",
            ProjectEvent::JobUnassigned { .. } => "JobUnassigned",
        }
    }
}
