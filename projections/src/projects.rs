//! InstaHuman's projects: `projects_view` (each project that is not deleted,
//! with its counts), `project_testers_view` (a project's testers and their
//! flags) and `project_jobs_view` (which project a job is in). Folds the
//! `project-<id>` streams; a deleted project's rows go with it.

use errand_aggregates::project::ProjectEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Projects;

/// One row of `projects_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRow {
    pub project_id: String,
    pub owner: String,
    pub mode: String,
    pub name: String,
    pub description: String,
    /// `active` or `archived`.
    pub status: String,
    pub tester_count: i64,
    pub job_count: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

impl Record for ProjectRow {
    const TABLE: &'static str = "projects_view";
    const COLUMNS: &'static [&'static str] = &[
        "project_id",
        "owner",
        "mode",
        "name",
        "description",
        "status",
        "tester_count",
        "job_count",
        "created_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.project_id.as_str())
            .bind(self.owner.as_str())
            .bind(self.mode.as_str())
            .bind(self.name.as_str())
            .bind(self.description.as_str())
            .bind(self.status.as_str())
            .bind(self.tester_count)
            .bind(self.job_count)
            .bind(self.created_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for ProjectRow {
    fn key(&self) -> &str {
        &self.project_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ProjectRow {
            project_id: row.try_get(0)?,
            owner: row.try_get(1)?,
            mode: row.try_get(2)?,
            name: row.try_get(3)?,
            description: row.try_get(4)?,
            status: row.try_get(5)?,
            tester_count: row.try_get(6)?,
            job_count: row.try_get(7)?,
            created_at_us: row.try_get(8)?,
            updated_at_us: row.try_get(9)?,
        })
    }
}

/// One row of `project_testers_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TesterRow {
    /// `<project id>:<tester's actor id>`.
    pub tester_key: String,
    pub project_id: String,
    pub tester: String,
    pub name: String,
    pub email: Option<String>,
    pub favorite: bool,
    pub trusted: bool,
    pub blocked: bool,
    /// Of its `TesterAdded`: orders a project's testers.
    pub position: i64,
    pub added_at_us: i64,
    pub updated_at_us: i64,
}

pub fn tester_key(project_id: &str, tester: &str) -> String {
    format!("{project_id}:{tester}")
}

impl Record for TesterRow {
    const TABLE: &'static str = "project_testers_view";
    const COLUMNS: &'static [&'static str] = &[
        "tester_key",
        "project_id",
        "tester",
        "name",
        "email",
        "favorite",
        "trusted",
        "blocked",
        "position",
        "added_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.tester_key.as_str())
            .bind(self.project_id.as_str())
            .bind(self.tester.as_str())
            .bind(self.name.as_str())
            .bind(self.email.as_deref())
            .bind(i64::from(self.favorite))
            .bind(i64::from(self.trusted))
            .bind(i64::from(self.blocked))
            .bind(self.position)
            .bind(self.added_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for TesterRow {
    fn key(&self) -> &str {
        &self.tester_key
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(TesterRow {
            tester_key: row.try_get(0)?,
            project_id: row.try_get(1)?,
            tester: row.try_get(2)?,
            name: row.try_get(3)?,
            email: row.try_get(4)?,
            favorite: row.try_get::<i64, _>(5)? != 0,
            trusted: row.try_get::<i64, _>(6)? != 0,
            blocked: row.try_get::<i64, _>(7)? != 0,
            position: row.try_get(8)?,
            added_at_us: row.try_get(9)?,
            updated_at_us: row.try_get(10)?,
        })
    }
}

/// One row of `project_jobs_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectJobRow {
    pub job_id: String,
    pub project_id: String,
    /// Of its `JobAssigned`: orders a project's jobs.
    pub position: i64,
    pub added_at_us: i64,
}

impl Record for ProjectJobRow {
    const TABLE: &'static str = "project_jobs_view";
    const COLUMNS: &'static [&'static str] = &["job_id", "project_id", "position", "added_at_us"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.job_id.as_str())
            .bind(self.project_id.as_str())
            .bind(self.position)
            .bind(self.added_at_us)
    }
}

impl ViewRow for ProjectJobRow {
    fn key(&self) -> &str {
        &self.job_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ProjectJobRow {
            job_id: row.try_get(0)?,
            project_id: row.try_get(1)?,
            position: row.try_get(2)?,
            added_at_us: row.try_get(3)?,
        })
    }
}

/// The rows one batch touches.
#[derive(Default)]
struct Batch {
    projects: Rows<ProjectRow>,
    testers: Rows<TesterRow>,
    jobs: Rows<ProjectJobRow>,
}

impl Projection for Projects {
    fn name(&self) -> &'static str {
        "projects"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["projects_view", "project_testers_view", "project_jobs_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut batch = Batch::default();
        // A deletion takes the project's testers and jobs with it: load them first.
        let deleted = events.iter().filter_map(|e| match &e.event {
            Event::Project(ProjectEvent::ProjectDeleted { .. }) => {
                Some(stream_suffix(&e.stream_id).to_owned())
            }
            _ => None,
        });
        let deleted: Vec<String> = deleted.collect();
        batch
            .testers
            .prefetch_where(conn, "project_id", deleted.iter().cloned())
            .await?;
        batch
            .jobs
            .prefetch_where(conn, "project_id", deleted)
            .await?;
        for projected in events {
            let Event::Project(event) = &projected.event else {
                continue;
            };
            apply(&mut batch, conn, projected, event).await?;
        }
        batch.projects.flush(conn).await?;
        batch.testers.flush(conn).await?;
        batch.jobs.flush(conn).await?;
        Ok(())
    }
}

async fn apply(
    batch: &mut Batch,
    conn: &mut AnyConnection,
    projected: &ProjectedEvent,
    event: &ProjectEvent,
) -> Result<(), ProjectionError> {
    let project_id = stream_suffix(&projected.stream_id);
    if let ProjectEvent::ProjectCreated {
        owner,
        mode,
        name,
        description,
        at,
        ..
    } = event
    {
        batch.projects.put(ProjectRow {
            project_id: project_id.to_owned(),
            owner: owner.to_string(),
            mode: mode.as_str().to_owned(),
            name: name.clone(),
            description: description.clone(),
            status: "active".to_owned(),
            tester_count: 0,
            job_count: 0,
            created_at_us: micros(*at),
            updated_at_us: micros(*at),
        });
        return Ok(());
    }
    let project = batch
        .projects
        .get_mut(conn, project_id)
        .await?
        .ok_or_else(|| ProjectionError::inconsistent(projected, "unknown project"))?;
    match event {
        ProjectEvent::ProjectCreated { .. } => {}
        ProjectEvent::ProjectUpdated {
            name,
            description,
            at,
        } => {
            project.name = name.clone();
            project.description = description.clone();
            project.updated_at_us = micros(*at);
        }
        ProjectEvent::ProjectArchived { at } => {
            project.status = "archived".to_owned();
            project.updated_at_us = micros(*at);
        }
        ProjectEvent::ProjectUnarchived { at } => {
            project.status = "active".to_owned();
            project.updated_at_us = micros(*at);
        }
        ProjectEvent::ProjectDeleted { .. } => {
            batch.projects.remove(project_id);
            batch
                .testers
                .remove_cached(|row| row.project_id == project_id);
            batch.jobs.remove_cached(|row| row.project_id == project_id);
        }
        ProjectEvent::TesterAdded {
            tester,
            name,
            email,
            flags,
            at,
        } => {
            project.tester_count += 1;
            project.updated_at_us = micros(*at);
            let tester = tester.to_string();
            batch.testers.put(TesterRow {
                tester_key: tester_key(project_id, &tester),
                project_id: project_id.to_owned(),
                tester,
                name: name.clone(),
                email: email.as_ref().map(|e| e.as_str().to_owned()),
                favorite: flags.favorite,
                trusted: flags.trusted,
                blocked: flags.blocked,
                position: projected.position,
                added_at_us: micros(*at),
                updated_at_us: micros(*at),
            });
        }
        ProjectEvent::TesterFlagsChanged { tester, flags, at } => {
            project.updated_at_us = micros(*at);
            let key = tester_key(project_id, &tester.to_string());
            let row = batch
                .testers
                .get_mut(conn, &key)
                .await?
                .ok_or_else(|| ProjectionError::inconsistent(projected, "unknown tester"))?;
            row.favorite = flags.favorite;
            row.trusted = flags.trusted;
            row.blocked = flags.blocked;
            row.updated_at_us = micros(*at);
        }
        ProjectEvent::TesterRemoved { tester, at } => {
            project.tester_count -= 1;
            project.updated_at_us = micros(*at);
            batch
                .testers
                .remove(&tester_key(project_id, &tester.to_string()));
        }
        ProjectEvent::JobAssigned { job, at } => {
            project.job_count += 1;
            project.updated_at_us = micros(*at);
            batch.jobs.put(ProjectJobRow {
                job_id: job.to_string(),
                project_id: project_id.to_owned(),
                position: projected.position,
                added_at_us: micros(*at),
            });
        }
        ProjectEvent::JobUnassigned { job, at } => {
            project.job_count -= 1;
            project.updated_at_us = micros(*at);
            // The job may have joined another project in the same append.
            let job = job.to_string();
            let here = batch
                .jobs
                .get_mut(conn, &job)
                .await?
                .is_some_and(|row| row.project_id == project_id);
            if here {
                batch.jobs.remove(&job);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::actor::{Caller, Email, Role, Standing};
    use errand_aggregates::ids::{ActorId, ProjectId, TaskId};
    use errand_aggregates::mode::Mode;
    use errand_aggregates::project::{
        Candidate, FlagChanges, JobLinkCommand, JobRef, ProjectAction, ProjectCommand,
        ProjectDescription, ProjectName, TesterFlags,
    };

    struct Story {
        owner: ActorId,
        checkout: ProjectId,
        onboarding: ProjectId,
        bea: ActorId,
        cy: ActorId,
        job: TaskId,
    }

    fn agent(actor: ActorId) -> Caller {
        Caller {
            actor,
            role: Role::Agent,
            standing: Standing::Active,
        }
    }

    fn person(actor: ActorId, name: &str, email: Option<&str>) -> Candidate {
        Candidate {
            actor,
            role: Role::Human,
            standing: Standing::Active,
            name: name.to_owned(),
            email: email.map(|e| Email::parse(e).unwrap()),
        }
    }

    /// Two projects; testers added, flagged and removed; a job grouped in one, then moved.
    fn story(journal: &mut TestJournal) -> Story {
        let owner = ActorId(new_id());
        let story = Story {
            owner,
            checkout: ProjectId(new_id()),
            onboarding: ProjectId(new_id()),
            bea: ActorId(new_id()),
            cy: ActorId(new_id()),
            job: TaskId(new_id()),
        };
        let command = |seconds, action| ProjectCommand {
            by: agent(owner),
            mode: Mode::Live,
            at: at(seconds),
            action,
        };
        for (project, name) in [
            (story.checkout, "Checkout"),
            (story.onboarding, "Onboarding"),
        ] {
            let create = ProjectAction::Create {
                project_id: project,
                name: ProjectName::parse(name).unwrap(),
                description: ProjectDescription::parse("").unwrap(),
            };
            journal.project(project, command(1, create));
        }
        let add = |candidate| ProjectAction::AddTester {
            tester: Some(candidate),
            flags: TesterFlags::default(),
        };
        journal.project(
            story.checkout,
            command(2, add(person(story.bea, "Bea", Some("bea@example.com")))),
        );
        journal.project(
            story.checkout,
            command(3, add(person(story.cy, "Cy", None))),
        );
        let trust = ProjectAction::UpdateTester {
            tester: story.bea,
            changes: FlagChanges {
                trusted: Some(true),
                ..FlagChanges::default()
            },
        };
        journal.project(story.checkout, command(4, trust));
        let remove = ProjectAction::RemoveTester { tester: story.cy };
        journal.project(story.checkout, command(5, remove));
        let update = ProjectAction::Update {
            name: Some(ProjectName::parse("Checkout v2").unwrap()),
            description: None,
        };
        journal.project(story.checkout, command(6, update));
        journal.deposit(owner, 1_000);
        journal.task(story.job, post_task(story.job, owner));
        for project in [story.checkout, story.onboarding] {
            let link = JobLinkCommand::Link {
                job: JobRef {
                    job: story.job,
                    poster: Some(owner),
                    mode: Mode::Live,
                },
                by: agent(owner),
                mode: Mode::Live,
                project: Some(project),
                current_deleted: false,
                at: at(7),
            };
            journal.link_job(link, (agent(owner), Mode::Live));
        }
        journal.project(story.onboarding, command(8, ProjectAction::Archive));
        story
    }

    async fn apply_in_batches(events: &[ProjectedEvent], size: usize) -> TestDb {
        let mut db = TestDb::new().await;
        for batch in events.chunks(size) {
            db.apply(&Projects, batch).await;
        }
        db
    }

    #[tokio::test]
    async fn projects_list_their_testers_flags_and_the_jobs_they_hold() {
        let mut journal = TestJournal::default();
        let story = story(&mut journal);
        let events = journal.take();
        for size in [1, 3, events.len()] {
            let mut db = apply_in_batches(&events, size).await;
            let projects: Vec<ProjectRow> = all_rows(&mut db.conn).await;
            let checkout = projects
                .iter()
                .find(|p| p.project_id == story.checkout.to_string())
                .unwrap();
            assert_eq!(checkout.name, "Checkout v2");
            assert_eq!(checkout.owner, story.owner.to_string());
            assert_eq!(
                (checkout.status.as_str(), checkout.tester_count),
                ("active", 1)
            );
            assert_eq!(checkout.job_count, 0, "the job moved on (batch {size})");
            let onboarding = projects
                .iter()
                .find(|p| p.project_id == story.onboarding.to_string())
                .unwrap();
            assert_eq!(
                (onboarding.status.as_str(), onboarding.job_count),
                ("archived", 1)
            );
            let testers: Vec<TesterRow> = all_rows(&mut db.conn).await;
            assert_eq!(testers.len(), 1);
            assert_eq!(testers[0].tester, story.bea.to_string());
            assert_eq!(testers[0].email.as_deref(), Some("bea@example.com"));
            assert!(testers[0].trusted && !testers[0].favorite && !testers[0].blocked);
            let jobs: Vec<ProjectJobRow> = all_rows(&mut db.conn).await;
            assert_eq!(jobs.len(), 1);
            assert_eq!(jobs[0].project_id, story.onboarding.to_string());
        }
    }

    #[tokio::test]
    async fn a_deleted_project_takes_its_rows_with_it() {
        let mut journal = TestJournal::default();
        let story = story(&mut journal);
        let delete = || ProjectCommand {
            by: agent(story.owner),
            mode: Mode::Live,
            at: at(9),
            action: ProjectAction::Delete,
        };
        journal.project(story.checkout, delete());
        journal.project(story.onboarding, delete());
        let events = journal.take();
        for size in [1, events.len()] {
            let mut db = apply_in_batches(&events, size).await;
            assert!(all_rows::<ProjectRow>(&mut db.conn).await.is_empty());
            assert!(all_rows::<TesterRow>(&mut db.conn).await.is_empty());
            assert!(all_rows::<ProjectJobRow>(&mut db.conn).await.is_empty());
        }
    }
}
