//! `JobLink` (`joblink-<task>`): which project a job is in, if any. A stream
//! per job, so of two assignments racing for one job one commits and the
//! other decides again on what the first did; the projects it leaves and
//! joins are appended to in the same append (see [`project_actions`]).

use super::command::{JobRef, ProjectAction};
use crate::actor::Caller;
use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::{ProjectId, TaskId};
use crate::mode::Mode;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub enum JobLinkCommand {
    /// Puts the job in `project`, or in none. Only the job's poster, acting
    /// in the job's mode, may: to anyone else the job is not found. Asking for where it already is changes
    /// nothing (an agent may repeat itself).
    Link {
        job: JobRef,
        by: Caller,
        mode: Mode,
        project: Option<ProjectId>,
        /// The project the link names was deleted since (the bus looked):
        /// the job is in no project, whatever the link still says.
        current_deleted: bool,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum JobLinkEvent {
    JobLinked {
        job: TaskId,
        project: ProjectId,
        at: Timestamp,
    },
    JobUnlinked {
        job: TaskId,
        project: ProjectId,
        at: Timestamp,
    },
}

impl DomainEvent for JobLinkEvent {
    fn event_type(&self) -> &'static str {
        match self {
            JobLinkEvent::JobLinked { .. } => "JobLinked",
            JobLinkEvent::JobUnlinked { .. } => "JobUnlinked",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobLink {
    pub job: Option<TaskId>,
    /// The project the job is in. It may have been deleted since: a deleted
    /// project lets go of its jobs without appending to each job's link.
    pub project: Option<ProjectId>,
}

impl Aggregate for JobLink {
    const STREAM_PREFIX: &'static str = "joblink";
    type Command = JobLinkCommand;
    type Event = JobLinkEvent;

    fn decide(&self, command: &JobLinkCommand) -> Decided<JobLinkEvent> {
        let JobLinkCommand::Link {
            job,
            by,
            mode,
            project,
            current_deleted,
            at,
        } = command;
        // Another poster's job is not found, as one that does not exist.
        if job.poster != Some(by.actor) || job.mode != *mode {
            return Err(DomainError::NotFound("job"));
        }
        by.ensure_not_banned()?;
        if self.project == *project && !current_deleted {
            return Ok(vec![]);
        }
        if self.project.is_none() && project.is_none() {
            return Ok(vec![]);
        }
        let job = job.job;
        let left = self.project.map(|project| JobLinkEvent::JobUnlinked {
            job,
            project,
            at: *at,
        });
        let joined = project.map(|project| JobLinkEvent::JobLinked {
            job,
            project,
            at: *at,
        });
        Ok(left.into_iter().chain(joined).collect())
    }

    fn apply(&mut self, event: &JobLinkEvent) {
        match event {
            JobLinkEvent::JobLinked { job, project, .. } => {
                self.job = Some(*job);
                self.project = Some(*project);
            }
            JobLinkEvent::JobUnlinked { job, .. } => {
                self.job = Some(*job);
                self.project = None;
            }
        }
    }
}

crate::cqrs_aggregate!(JobLink);

/// What a link's new events ask of the projects they name: the one left lets
/// the job go, the one joined takes it. Each project decides its part with
/// the project command's caller, mode and time.
pub fn project_actions(job: JobRef, events: &[JobLinkEvent]) -> Vec<(ProjectId, ProjectAction)> {
    events
        .iter()
        .map(|event| match event {
            JobLinkEvent::JobUnlinked { project, .. } => {
                (*project, ProjectAction::UnassignJob { job: job.job })
            }
            JobLinkEvent::JobLinked { project, .. } => (*project, ProjectAction::AssignJob { job }),
        })
        .collect()
}
