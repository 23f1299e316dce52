//! The project's rules: who may act, in which state, within which bounds.

use super::command::{Candidate, FlagChanges, JobRef, ProjectAction, ProjectCommand};
use super::event::ProjectEvent;
use super::{
    may_act, Project, ProjectDescription, ProjectName, ProjectStatus, Tester, TesterFlags,
    ARCHIVED, JOBS_MAX, TESTERS_MAX,
};
use crate::actor::{Caller, Role, Standing};
use crate::aggregate::Aggregate;
use crate::error::{Decided, DomainError};
use crate::ids::ActorId;
use crate::mode::Mode;
use crate::Timestamp;

impl Aggregate for Project {
    const STREAM_PREFIX: &'static str = "project";
    type Command = ProjectCommand;
    type Event = ProjectEvent;

    fn decide(&self, command: &ProjectCommand) -> Decided<ProjectEvent> {
        let ProjectCommand {
            by,
            mode,
            at,
            action,
        } = command;
        let at = *at;
        match action {
            ProjectAction::Create {
                project_id,
                name,
                description,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::conflict("this project already exists"));
                }
                by.ensure_active()?;
                Ok(vec![ProjectEvent::ProjectCreated {
                    project_id: *project_id,
                    owner: by.actor,
                    mode: *mode,
                    name: name.as_str().to_owned(),
                    description: description.as_str().to_owned(),
                    at,
                }])
            }
            ProjectAction::Unarchive => {
                may_act(self, by, *mode)?;
                if self.status != ProjectStatus::Archived {
                    return Err(DomainError::conflict("the project is not archived"));
                }
                Ok(vec![ProjectEvent::ProjectUnarchived { at }])
            }
            // Deleting is how an archived project is finally cleared away,
            // so it is allowed in either state.
            ProjectAction::Delete => {
                may_act(self, by, *mode)?;
                Ok(vec![ProjectEvent::ProjectDeleted { at }])
            }
            ProjectAction::UnassignJob { job } => {
                // A deleted project let go of its jobs when it was deleted.
                if self.id.is_some() && self.status == ProjectStatus::Deleted {
                    return Ok(vec![]);
                }
                self.ensure_changeable(by, *mode)?;
                if !self.jobs.contains(job) {
                    return Err(DomainError::conflict("the job is not in this project"));
                }
                Ok(vec![ProjectEvent::JobUnassigned { job: *job, at }])
            }
            ProjectAction::Update { name, description } => {
                self.ensure_changeable(by, *mode)?;
                self.update(name.as_ref(), description.as_ref(), at)
            }
            ProjectAction::Archive => {
                self.ensure_changeable(by, *mode)?;
                Ok(vec![ProjectEvent::ProjectArchived { at }])
            }
            ProjectAction::AddTester { tester, flags } => {
                self.ensure_changeable(by, *mode)?;
                self.add_tester(tester.as_ref(), *flags, at)
            }
            ProjectAction::UpdateTester { tester, changes } => {
                self.ensure_changeable(by, *mode)?;
                self.update_tester(*tester, changes, at)
            }
            ProjectAction::RemoveTester { tester } => {
                self.ensure_changeable(by, *mode)?;
                if !self.testers.contains_key(tester) {
                    return Err(DomainError::NotFound("tester"));
                }
                Ok(vec![ProjectEvent::TesterRemoved {
                    tester: *tester,
                    at,
                }])
            }
            ProjectAction::AssignJob { job } => {
                self.ensure_changeable(by, *mode)?;
                self.assign_job(*job, at)
            }
        }
    }

    fn apply(&mut self, event: &ProjectEvent) {
        match event {
            ProjectEvent::ProjectCreated {
                project_id,
                owner,
                mode,
                name,
                description,
                at,
            } => {
                self.id = Some(*project_id);
                self.owner = Some(*owner);
                self.mode = *mode;
                self.name = name.clone();
                self.description = description.clone();
                self.status = ProjectStatus::Active;
                self.created_at = Some(*at);
                self.updated_at = Some(*at);
            }
            ProjectEvent::ProjectUpdated {
                name,
                description,
                at,
            } => {
                self.name = name.clone();
                self.description = description.clone();
                self.updated_at = Some(*at);
            }
            ProjectEvent::ProjectArchived { at } => {
                self.status = ProjectStatus::Archived;
                self.updated_at = Some(*at);
            }
            ProjectEvent::ProjectUnarchived { at } => {
                self.status = ProjectStatus::Active;
                self.updated_at = Some(*at);
            }
            ProjectEvent::ProjectDeleted { at } => {
                self.status = ProjectStatus::Deleted;
                self.jobs.clear();
                self.testers.clear();
                self.updated_at = Some(*at);
            }
            ProjectEvent::TesterAdded {
                tester,
                name,
                email,
                flags,
                at,
            } => {
                self.testers.insert(
                    *tester,
                    Tester {
                        actor: *tester,
                        name: name.clone(),
                        email: email.clone(),
                        flags: *flags,
                        added_at: *at,
                    },
                );
                self.updated_at = Some(*at);
            }
            ProjectEvent::TesterFlagsChanged { tester, flags, at } => {
                if let Some(entry) = self.testers.get_mut(tester) {
                    entry.flags = *flags;
                }
                self.updated_at = Some(*at);
            }
            ProjectEvent::TesterRemoved { tester, at } => {
                self.testers.remove(tester);
                self.updated_at = Some(*at);
            }
            ProjectEvent::JobAssigned { job, at } => {
                self.jobs.insert(*job);
                self.updated_at = Some(*at);
            }
            ProjectEvent::JobUnassigned { job, at } => {
                self.jobs.remove(job);
                self.updated_at = Some(*at);
            }
        }
    }
}

impl Project {
    /// The owner may change it, and it is not archived.
    fn ensure_changeable(&self, by: &Caller, mode: Mode) -> Result<(), DomainError> {
        may_act(self, by, mode)?;
        if self.status == ProjectStatus::Archived {
            return Err(DomainError::conflict(ARCHIVED));
        }
        Ok(())
    }

    fn update(
        &self,
        name: Option<&ProjectName>,
        description: Option<&ProjectDescription>,
        at: Timestamp,
    ) -> Decided<ProjectEvent> {
        if name.is_none() && description.is_none() {
            return Err(DomainError::invalid(
                "give a new name or description to update",
            ));
        }
        let name = name.map_or(self.name.as_str(), ProjectName::as_str);
        let description = description.map_or(self.description.as_str(), ProjectDescription::as_str);
        if name == self.name && description == self.description {
            return Ok(vec![]);
        }
        Ok(vec![ProjectEvent::ProjectUpdated {
            name: name.to_owned(),
            description: description.to_owned(),
            at,
        }])
    }

    fn update_tester(
        &self,
        tester: ActorId,
        changes: &FlagChanges,
        at: Timestamp,
    ) -> Decided<ProjectEvent> {
        let current = self
            .testers
            .get(&tester)
            .ok_or(DomainError::NotFound("tester"))?;
        if changes.is_empty() {
            return Err(DomainError::invalid("give at least one flag to change"));
        }
        let flags = changes.applied_to(current.flags);
        flags.ensure_consistent()?;
        if flags == current.flags {
            return Ok(vec![]);
        }
        Ok(vec![ProjectEvent::TesterFlagsChanged { tester, flags, at }])
    }

    fn add_tester(
        &self,
        tester: Option<&Candidate>,
        flags: TesterFlags,
        at: Timestamp,
    ) -> Decided<ProjectEvent> {
        let tester = tester.ok_or(DomainError::NotFound("tester"))?;
        if tester.role != Role::Human {
            return Err(DomainError::invalid("a tester is a person, not an agent"));
        }
        if Some(tester.actor) == self.owner {
            return Err(DomainError::invalid(
                "the project's owner cannot be one of its testers",
            ));
        }
        if tester.standing == Standing::Banned {
            return Err(DomainError::conflict("a banned person cannot be a tester"));
        }
        if self.testers.contains_key(&tester.actor) {
            return Err(DomainError::conflict(
                "this person is already a tester of the project",
            ));
        }
        if self.testers.len() >= TESTERS_MAX {
            return Err(DomainError::limit_exceeded(format!(
                "a project has at most {TESTERS_MAX} testers"
            )));
        }
        flags.ensure_consistent()?;
        Ok(vec![ProjectEvent::TesterAdded {
            tester: tester.actor,
            name: tester.name.clone(),
            email: tester.email.clone(),
            flags,
            at,
        }])
    }

    fn assign_job(&self, job: JobRef, at: Timestamp) -> Decided<ProjectEvent> {
        let poster = job.poster.ok_or(DomainError::NotFound("job"))?;
        if Some(poster) != self.owner {
            return Err(DomainError::forbidden(
                "only a job's poster may put it in their project",
            ));
        }
        if job.mode != self.mode {
            return Err(DomainError::invalid(format!(
                "a {} job cannot join a {} project",
                job.mode.as_str(),
                self.mode.as_str()
            )));
        }
        if self.jobs.contains(&job.job) {
            return Err(DomainError::conflict("the job is already in this project"));
        }
        if self.jobs.len() >= JOBS_MAX {
            return Err(DomainError::limit_exceeded(format!(
                "a project holds at most {JOBS_MAX} jobs"
            )));
        }
        Ok(vec![ProjectEvent::JobAssigned { job: job.job, at }])
    }
}

crate::cqrs_aggregate!(Project);
