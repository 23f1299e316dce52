//! Projects (InstaHuman): the project decides; these load what it decides
//! on — the person named as a tester (by email through their address's
//! claim, or by actor id), the job being grouped — and, for a job, decide
//! its `JobLink` first, then the projects it leaves and joins, in one append.

use super::actors::actor_stream;
use super::people::email_claim_stream;
use super::tasks::task_stream;
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::actor::{Actor, Caller, Email};
use errand_aggregates::email_claim::EmailClaim;
use errand_aggregates::ids::{ActorId, ProjectId, TaskId};
use errand_aggregates::mode::Mode;
use errand_aggregates::project::job_link::project_actions;
use errand_aggregates::project::{
    Candidate, JobLink, JobLinkCommand, JobRef, Project, ProjectAction, ProjectCommand, TesterFlags,
};
use errand_aggregates::task::Task;
use errand_aggregates::Timestamp;

pub fn project_stream(project_id: ProjectId) -> String {
    format!("project-{project_id}")
}

pub fn job_link_stream(job: TaskId) -> String {
    format!("joblink-{job}")
}

/// Who acts on projects, in which mode, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectActor {
    pub by: Caller,
    pub mode: Mode,
    pub at: Timestamp,
}

impl ProjectActor {
    fn command(&self, action: ProjectAction) -> ProjectCommand {
        ProjectCommand {
            by: self.by,
            mode: self.mode,
            at: self.at,
            action,
        }
    }
}

/// Any project command but the ones below that need more loaded; returns
/// the project as it is after.
pub async fn on_project(
    unit: &mut UnitOfWork<'_>,
    acting: ProjectActor,
    project_id: ProjectId,
    action: ProjectAction,
) -> Result<Project, BusError> {
    let stream = project_stream(project_id);
    if matches!(action, ProjectAction::Create { .. }) {
        unit.start_new::<Project>(&stream);
    }
    unit.decide::<Project>(&stream, &acting.command(action))
        .await?;
    unit.load::<Project>(&stream).await
}

/// How an owner names a tester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TesterName {
    Email(Email),
    Actor(ActorId),
}

/// Adds the person `tester` names to the project's testers.
pub async fn add_project_tester(
    unit: &mut UnitOfWork<'_>,
    acting: ProjectActor,
    project_id: ProjectId,
    tester: TesterName,
    flags: TesterFlags,
) -> Result<Project, BusError> {
    let candidate = find_person(unit, tester).await?;
    on_project(
        unit,
        acting,
        project_id,
        ProjectAction::AddTester {
            tester: candidate,
            flags,
        },
    )
    .await
}

/// The person an email address or an actor id names, if anyone.
async fn find_person(
    unit: &mut UnitOfWork<'_>,
    name: TesterName,
) -> Result<Option<Candidate>, BusError> {
    let (actor_id, email) = match name {
        TesterName::Actor(actor_id) => (Some(actor_id), None),
        TesterName::Email(email) => {
            let claim = unit.load::<EmailClaim>(&email_claim_stream(&email)).await?;
            (claim.actor_id, Some(email))
        }
    };
    let Some(actor_id) = actor_id else {
        return Ok(None);
    };
    let actor = unit.load::<Actor>(&actor_stream(actor_id)).await?;
    let (Some(role), true) = (actor.role, actor.exists()) else {
        return Ok(None);
    };
    Ok(Some(Candidate {
        actor: actor_id,
        role,
        standing: actor.standing,
        name: actor.name,
        email,
    }))
}

/// Puts `job` in `project` (or, with `None`, in no project): the job's
/// poster only. The job's link decides first; the project it leaves lets it
/// go and the one it joins takes it, in the same append. Returns the link.
/// The job may have been posted earlier in this unit (a job created with a
/// project).
pub async fn assign_job_to_project(
    unit: &mut UnitOfWork<'_>,
    acting: ProjectActor,
    job: TaskId,
    project: Option<ProjectId>,
) -> Result<JobLink, BusError> {
    let task = unit.load::<Task>(&task_stream(job)).await?;
    let job_ref = JobRef {
        job,
        poster: task.poster.filter(|_| task.exists()),
        mode: task.mode,
    };
    let link_stream = job_link_stream(job);
    let link = unit.load::<JobLink>(&link_stream).await?;
    let current_deleted = match link.project {
        Some(current) => {
            let current = unit.load::<Project>(&project_stream(current)).await?;
            !current.exists()
        }
        None => false,
    };
    let command = JobLinkCommand::Link {
        job: job_ref,
        by: acting.by,
        mode: acting.mode,
        project,
        current_deleted,
        at: acting.at,
    };
    let (_, events) = unit.decide::<JobLink>(&link_stream, &command).await?;
    for (project_id, action) in project_actions(job_ref, &events) {
        unit.decide::<Project>(&project_stream(project_id), &acting.command(action))
            .await?;
    }
    unit.load::<JobLink>(&link_stream).await
}
