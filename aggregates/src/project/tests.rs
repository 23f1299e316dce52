//! Given/when/then tests of the project's rules and the job link's.

use super::job_link::project_actions;
use super::*;
use crate::actor::{Role, Standing};
use crate::aggregate::Aggregate;
use chrono::{TimeZone, Utc};
use cqrs_es::test::TestFramework;
use uuid::Uuid;

type ProjectTest = TestFramework<Project>;
type JobLinkTest = TestFramework<JobLink>;

const PROJECT: ProjectId = ProjectId(Uuid::from_u128(0x9e0));
const OTHER_PROJECT: ProjectId = ProjectId(Uuid::from_u128(0x9e1));
const OWNER: ActorId = ActorId(Uuid::from_u128(1));
const STRANGER: ActorId = ActorId(Uuid::from_u128(2));
const BEA: ActorId = ActorId(Uuid::from_u128(3));
const BOT: ActorId = ActorId(Uuid::from_u128(4));
const JOB: TaskId = TaskId(Uuid::from_u128(0x70b));

fn at() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

fn caller(actor: ActorId) -> Caller {
    Caller {
        actor,
        role: Role::Agent,
        standing: Standing::Active,
    }
}

fn by(actor: ActorId, action: ProjectAction) -> ProjectCommand {
    ProjectCommand {
        by: caller(actor),
        mode: Mode::Live,
        at: at(),
        action,
    }
}

fn owner(action: ProjectAction) -> ProjectCommand {
    by(OWNER, action)
}

fn create(name: &str) -> ProjectCommand {
    owner(ProjectAction::Create {
        project_id: PROJECT,
        name: ProjectName::parse(name).unwrap(),
        description: ProjectDescription::parse("Checkout flow tests").unwrap(),
    })
}

fn created() -> ProjectEvent {
    ProjectEvent::ProjectCreated {
        project_id: PROJECT,
        owner: OWNER,
        mode: Mode::Live,
        name: "Checkout".to_owned(),
        description: "Checkout flow tests".to_owned(),
        at: at(),
    }
}

fn archived() -> ProjectEvent {
    ProjectEvent::ProjectArchived { at: at() }
}

fn deleted() -> ProjectEvent {
    ProjectEvent::ProjectDeleted { at: at() }
}

fn bea(email: Option<&str>) -> Candidate {
    Candidate {
        actor: BEA,
        role: Role::Human,
        standing: Standing::Active,
        name: "Bea".to_owned(),
        email: email.map(|e| Email::parse(e).unwrap()),
    }
}

fn add_bea() -> ProjectCommand {
    owner(ProjectAction::AddTester {
        tester: Some(bea(Some("bea@example.com"))),
        flags: TesterFlags::default(),
    })
}

fn bea_added() -> ProjectEvent {
    ProjectEvent::TesterAdded {
        tester: BEA,
        name: "Bea".to_owned(),
        email: Some(Email::parse("bea@example.com").unwrap()),
        flags: TesterFlags::default(),
        at: at(),
    }
}

fn job(poster: ActorId) -> JobRef {
    JobRef {
        job: JOB,
        poster: Some(poster),
        mode: Mode::Live,
    }
}

fn job_assigned() -> ProjectEvent {
    ProjectEvent::JobAssigned { job: JOB, at: at() }
}

fn flags(favorite: bool, trusted: bool, blocked: bool) -> TesterFlags {
    TesterFlags {
        favorite,
        trusted,
        blocked,
    }
}

// Creating and changing

#[test]
fn an_owner_creates_a_project_with_a_trimmed_name() {
    ProjectTest::with(())
        .given_no_previous_events()
        .when(create("  Checkout \n"))
        .then_expect_events(vec![created()]);
}

#[test]
fn a_project_is_created_once() {
    ProjectTest::with(())
        .given(vec![created()])
        .when(create("Checkout"))
        .then_expect_error(DomainError::Conflict(
            "this project already exists".to_owned(),
        ));
}

#[test]
fn a_banned_owner_changes_nothing() {
    let mut command = owner(ProjectAction::Archive);
    command.by.standing = Standing::Banned;
    ProjectTest::with(())
        .given(vec![created()])
        .when(command)
        .then_expect_error(DomainError::Forbidden("actor is banned".to_owned()));
}

#[test]
fn a_frozen_owner_creates_no_project() {
    let mut command = create("Checkout");
    command.by.standing = Standing::Frozen;
    ProjectTest::with(())
        .given_no_previous_events()
        .when(command)
        .then_expect_error(DomainError::Rule {
            kind: crate::RuleKind::Forbidden,
            code: crate::actor::AGENT_FROZEN,
            message: "actor is frozen".to_owned(),
        });
}

#[test]
fn names_and_descriptions_are_bounded() {
    assert!(ProjectName::parse("  ").is_err());
    assert!(ProjectName::parse("a\0b").is_err());
    assert!(ProjectName::parse(&"é".repeat(NAME_MAX_CHARS)).is_ok());
    assert!(ProjectName::parse(&"x".repeat(NAME_MAX_CHARS + 1)).is_err());
    assert_eq!(ProjectDescription::parse(" ").unwrap().as_str(), "");
    assert!(ProjectDescription::parse(&"x".repeat(DESCRIPTION_MAX_CHARS + 1)).is_err());
    assert!(ProjectDescription::parse("\0").is_err());
}

#[test]
fn updating_changes_only_what_is_given() {
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::Update {
            name: Some(ProjectName::parse("Checkout v2").unwrap()),
            description: None,
        }))
        .then_expect_events(vec![ProjectEvent::ProjectUpdated {
            name: "Checkout v2".to_owned(),
            description: "Checkout flow tests".to_owned(),
            at: at(),
        }]);
}

#[test]
fn an_update_that_changes_nothing_appends_nothing_and_an_empty_one_is_refused() {
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::Update {
            name: Some(ProjectName::parse("Checkout").unwrap()),
            description: None,
        }))
        .then_expect_events(vec![]);
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::Update {
            name: None,
            description: None,
        }))
        .then_expect_error(DomainError::Invalid(
            "give a new name or description to update".to_owned(),
        ));
}

// Who may act

#[test]
fn only_the_owner_acts_on_a_project_and_to_others_it_is_not_found() {
    for action in [
        ProjectAction::Archive,
        ProjectAction::Delete,
        ProjectAction::RemoveTester { tester: BEA },
        ProjectAction::Update {
            name: Some(ProjectName::parse("Mine now").unwrap()),
            description: None,
        },
    ] {
        ProjectTest::with(())
            .given(vec![created(), bea_added()])
            .when(by(STRANGER, action))
            .then_expect_error(DomainError::NotFound("project"));
    }
}

#[test]
fn a_project_is_not_found_in_the_other_mode_or_before_it_exists() {
    let mut test_mode = owner(ProjectAction::Archive);
    test_mode.mode = Mode::Test;
    ProjectTest::with(())
        .given(vec![created()])
        .when(test_mode)
        .then_expect_error(DomainError::NotFound("project"));
    ProjectTest::with(())
        .given_no_previous_events()
        .when(owner(ProjectAction::Archive))
        .then_expect_error(DomainError::NotFound("project"));
}

#[test]
fn only_the_owner_reads_a_project() {
    let project = Project::fold(&[created()]);
    assert!(may_read(&project, OWNER, Mode::Live).is_ok());
    assert_eq!(
        may_read(&project, STRANGER, Mode::Live),
        Err(DomainError::NotFound("project"))
    );
    assert_eq!(
        may_read(&project, OWNER, Mode::Test),
        Err(DomainError::NotFound("project"))
    );
    let gone = Project::fold(&[created(), deleted()]);
    assert_eq!(
        may_read(&gone, OWNER, Mode::Live),
        Err(DomainError::NotFound("project"))
    );
}

// Archiving and deleting

#[test]
fn an_archived_project_refuses_changes() {
    let refused = DomainError::Conflict(ARCHIVED.to_owned());
    for action in [
        ProjectAction::Archive,
        ProjectAction::Update {
            name: Some(ProjectName::parse("Later").unwrap()),
            description: None,
        },
        ProjectAction::AddTester {
            tester: Some(bea(None)),
            flags: TesterFlags::default(),
        },
        ProjectAction::UpdateTester {
            tester: BEA,
            changes: FlagChanges {
                favorite: Some(true),
                ..FlagChanges::default()
            },
        },
        ProjectAction::RemoveTester { tester: BEA },
        ProjectAction::AssignJob { job: job(OWNER) },
        ProjectAction::UnassignJob { job: JOB },
    ] {
        ProjectTest::with(())
            .given(vec![created(), bea_added(), job_assigned(), archived()])
            .when(owner(action))
            .then_expect_error(refused.clone());
    }
}

#[test]
fn an_archived_project_is_unarchived_and_changes_again() {
    ProjectTest::with(())
        .given(vec![created(), archived()])
        .when(owner(ProjectAction::Unarchive))
        .then_expect_events(vec![ProjectEvent::ProjectUnarchived { at: at() }]);
    let unarchived = Project::fold(&[
        created(),
        archived(),
        ProjectEvent::ProjectUnarchived { at: at() },
    ]);
    assert_eq!(unarchived.status, ProjectStatus::Active);
    assert!(unarchived.decide(&add_bea()).is_ok());
}

#[test]
fn unarchiving_an_active_project_is_a_conflict() {
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::Unarchive))
        .then_expect_error(DomainError::Conflict(
            "the project is not archived".to_owned(),
        ));
}

#[test]
fn an_archived_project_may_still_be_deleted() {
    ProjectTest::with(())
        .given(vec![created(), archived()])
        .when(owner(ProjectAction::Delete))
        .then_expect_events(vec![deleted()]);
}

#[test]
fn a_deleted_project_refuses_everything() {
    for action in [
        ProjectAction::Delete,
        ProjectAction::Unarchive,
        ProjectAction::Archive,
        ProjectAction::AddTester {
            tester: Some(bea(None)),
            flags: TesterFlags::default(),
        },
        ProjectAction::AssignJob { job: job(OWNER) },
    ] {
        ProjectTest::with(())
            .given(vec![created(), deleted()])
            .when(owner(action))
            .then_expect_error(DomainError::NotFound("project"));
    }
    ProjectTest::with(())
        .given(vec![created(), deleted()])
        .when(create("Checkout"))
        .then_expect_error(DomainError::Conflict(
            "this project already exists".to_owned(),
        ));
}

#[test]
fn a_deleted_project_has_let_go_of_its_jobs() {
    ProjectTest::with(())
        .given(vec![created(), job_assigned(), deleted()])
        .when(owner(ProjectAction::UnassignJob { job: JOB }))
        .then_expect_events(vec![]);
    assert!(Project::fold(&[created(), job_assigned(), deleted()])
        .jobs
        .is_empty());
}

// Testers

#[test]
fn an_owner_adds_a_person_as_a_tester() {
    ProjectTest::with(())
        .given(vec![created()])
        .when(add_bea())
        .then_expect_events(vec![bea_added()]);
    let project = Project::fold(&[created(), bea_added()]);
    assert_eq!(project.testers[&BEA].name, "Bea");
}

#[test]
fn a_tester_named_by_id_is_recorded_without_an_address() {
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::AddTester {
            tester: Some(bea(None)),
            flags: flags(true, false, false),
        }))
        .then_expect_events(vec![ProjectEvent::TesterAdded {
            tester: BEA,
            name: "Bea".to_owned(),
            email: None,
            flags: flags(true, false, false),
            at: at(),
        }]);
}

#[test]
fn a_person_is_a_tester_of_a_project_once() {
    ProjectTest::with(())
        .given(vec![created(), bea_added()])
        .when(add_bea())
        .then_expect_error(DomainError::Conflict(
            "this person is already a tester of the project".to_owned(),
        ));
}

#[test]
fn no_one_found_agents_the_owner_and_banned_people_are_not_testers() {
    let add = |tester: Option<Candidate>| {
        owner(ProjectAction::AddTester {
            tester,
            flags: TesterFlags::default(),
        })
    };
    ProjectTest::with(())
        .given(vec![created()])
        .when(add(None))
        .then_expect_error(DomainError::NotFound("tester"));
    let agent = Candidate {
        actor: BOT,
        role: Role::Agent,
        ..bea(None)
    };
    ProjectTest::with(())
        .given(vec![created()])
        .when(add(Some(agent)))
        .then_expect_error(DomainError::Invalid(
            "a tester is a person, not an agent".to_owned(),
        ));
    let myself = Candidate {
        actor: OWNER,
        ..bea(None)
    };
    ProjectTest::with(())
        .given(vec![created()])
        .when(add(Some(myself)))
        .then_expect_error(DomainError::Invalid(
            "the project's owner cannot be one of its testers".to_owned(),
        ));
    let banned = Candidate {
        standing: Standing::Banned,
        ..bea(None)
    };
    ProjectTest::with(())
        .given(vec![created()])
        .when(add(Some(banned)))
        .then_expect_error(DomainError::Conflict(
            "a banned person cannot be a tester".to_owned(),
        ));
}

#[test]
fn a_project_has_at_most_its_bound_of_testers() {
    let mut full = Project::fold(&[created()]);
    for n in 0..TESTERS_MAX {
        let actor = ActorId(Uuid::from_u128(1_000 + n as u128));
        full.apply(&ProjectEvent::TesterAdded {
            tester: actor,
            name: format!("Tester {n}"),
            email: None,
            flags: TesterFlags::default(),
            at: at(),
        });
    }
    assert!(matches!(
        full.decide(&add_bea()),
        Err(DomainError::LimitExceeded(_))
    ));
}

#[test]
fn a_testers_flags_change_one_at_a_time() {
    ProjectTest::with(())
        .given(vec![created(), bea_added()])
        .when(owner(ProjectAction::UpdateTester {
            tester: BEA,
            changes: FlagChanges {
                trusted: Some(true),
                ..FlagChanges::default()
            },
        }))
        .then_expect_events(vec![ProjectEvent::TesterFlagsChanged {
            tester: BEA,
            flags: flags(false, true, false),
            at: at(),
        }]);
}

#[test]
fn a_blocked_tester_is_neither_trusted_nor_a_favorite() {
    let trusted = ProjectEvent::TesterFlagsChanged {
        tester: BEA,
        flags: flags(false, true, false),
        at: at(),
    };
    let contradiction =
        DomainError::Invalid("a blocked tester cannot also be trusted or a favorite".to_owned());
    ProjectTest::with(())
        .given(vec![created(), bea_added(), trusted.clone()])
        .when(owner(ProjectAction::UpdateTester {
            tester: BEA,
            changes: FlagChanges {
                blocked: Some(true),
                ..FlagChanges::default()
            },
        }))
        .then_expect_error(contradiction.clone());
    ProjectTest::with(())
        .given(vec![created(), bea_added(), trusted])
        .when(owner(ProjectAction::UpdateTester {
            tester: BEA,
            changes: FlagChanges {
                blocked: Some(true),
                trusted: Some(false),
                favorite: None,
            },
        }))
        .then_expect_events(vec![ProjectEvent::TesterFlagsChanged {
            tester: BEA,
            flags: flags(false, false, true),
            at: at(),
        }]);
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::AddTester {
            tester: Some(bea(None)),
            flags: flags(true, false, true),
        }))
        .then_expect_error(contradiction);
}

#[test]
fn flags_of_an_unknown_tester_or_no_flags_at_all_are_refused() {
    let changes = FlagChanges {
        favorite: Some(true),
        ..FlagChanges::default()
    };
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::UpdateTester {
            tester: BEA,
            changes,
        }))
        .then_expect_error(DomainError::NotFound("tester"));
    ProjectTest::with(())
        .given(vec![created(), bea_added()])
        .when(owner(ProjectAction::UpdateTester {
            tester: BEA,
            changes: FlagChanges::default(),
        }))
        .then_expect_error(DomainError::Invalid(
            "give at least one flag to change".to_owned(),
        ));
    ProjectTest::with(())
        .given(vec![created(), bea_added()])
        .when(owner(ProjectAction::UpdateTester {
            tester: BEA,
            changes: FlagChanges {
                favorite: Some(false),
                ..FlagChanges::default()
            },
        }))
        .then_expect_events(vec![]);
}

#[test]
fn a_tester_is_removed_once() {
    let removed = ProjectEvent::TesterRemoved {
        tester: BEA,
        at: at(),
    };
    ProjectTest::with(())
        .given(vec![created(), bea_added()])
        .when(owner(ProjectAction::RemoveTester { tester: BEA }))
        .then_expect_events(vec![removed.clone()]);
    ProjectTest::with(())
        .given(vec![created(), bea_added(), removed])
        .when(owner(ProjectAction::RemoveTester { tester: BEA }))
        .then_expect_error(DomainError::NotFound("tester"));
}

// Jobs

#[test]
fn an_owner_puts_their_own_job_in_their_project() {
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::AssignJob { job: job(OWNER) }))
        .then_expect_events(vec![job_assigned()]);
}

#[test]
fn another_posters_job_a_missing_job_and_a_job_of_the_other_mode_are_refused() {
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::AssignJob { job: job(STRANGER) }))
        .then_expect_error(DomainError::Forbidden(
            "only a job's poster may put it in their project".to_owned(),
        ));
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::AssignJob {
            job: JobRef {
                poster: None,
                ..job(OWNER)
            },
        }))
        .then_expect_error(DomainError::NotFound("job"));
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::AssignJob {
            job: JobRef {
                mode: Mode::Test,
                ..job(OWNER)
            },
        }))
        .then_expect_error(DomainError::Invalid(
            "a test job cannot join a live project".to_owned(),
        ));
}

#[test]
fn a_job_is_in_a_project_once_and_leaves_it_once() {
    ProjectTest::with(())
        .given(vec![created(), job_assigned()])
        .when(owner(ProjectAction::AssignJob { job: job(OWNER) }))
        .then_expect_error(DomainError::Conflict(
            "the job is already in this project".to_owned(),
        ));
    ProjectTest::with(())
        .given(vec![created(), job_assigned()])
        .when(owner(ProjectAction::UnassignJob { job: JOB }))
        .then_expect_events(vec![ProjectEvent::JobUnassigned { job: JOB, at: at() }]);
    ProjectTest::with(())
        .given(vec![created()])
        .when(owner(ProjectAction::UnassignJob { job: JOB }))
        .then_expect_error(DomainError::Conflict(
            "the job is not in this project".to_owned(),
        ));
}

#[test]
fn a_project_holds_at_most_its_bound_of_jobs() {
    let mut full = Project::fold(&[created()]);
    for n in 0..JOBS_MAX {
        full.apply(&ProjectEvent::JobAssigned {
            job: TaskId(Uuid::from_u128(10_000 + n as u128)),
            at: at(),
        });
    }
    assert!(matches!(
        full.decide(&owner(ProjectAction::AssignJob { job: job(OWNER) })),
        Err(DomainError::LimitExceeded(_))
    ));
}

// The job's link

fn link(to: Option<ProjectId>) -> JobLinkCommand {
    JobLinkCommand::Link {
        job: job(OWNER),
        by: caller(OWNER),
        mode: Mode::Live,
        project: to,
        current_deleted: false,
        at: at(),
    }
}

fn linked(project: ProjectId) -> JobLinkEvent {
    JobLinkEvent::JobLinked {
        job: JOB,
        project,
        at: at(),
    }
}

fn unlinked(project: ProjectId) -> JobLinkEvent {
    JobLinkEvent::JobUnlinked {
        job: JOB,
        project,
        at: at(),
    }
}

#[test]
fn a_job_moves_from_one_project_to_another_in_one_decision() {
    JobLinkTest::with(())
        .given_no_previous_events()
        .when(link(Some(PROJECT)))
        .then_expect_events(vec![linked(PROJECT)]);
    JobLinkTest::with(())
        .given(vec![linked(PROJECT)])
        .when(link(Some(OTHER_PROJECT)))
        .then_expect_events(vec![unlinked(PROJECT), linked(OTHER_PROJECT)]);
    JobLinkTest::with(())
        .given(vec![linked(PROJECT)])
        .when(link(None))
        .then_expect_events(vec![unlinked(PROJECT)]);
}

#[test]
fn linking_a_job_where_it_already_is_changes_nothing() {
    JobLinkTest::with(())
        .given(vec![linked(PROJECT)])
        .when(link(Some(PROJECT)))
        .then_expect_events(vec![]);
    JobLinkTest::with(())
        .given_no_previous_events()
        .when(link(None))
        .then_expect_events(vec![]);
}

#[test]
fn a_job_whose_project_was_deleted_is_in_none_and_may_join_it_again_only_if_it_exists() {
    let relink = |to| JobLinkCommand::Link {
        job: job(OWNER),
        by: caller(OWNER),
        mode: Mode::Live,
        project: to,
        current_deleted: true,
        at: at(),
    };
    JobLinkTest::with(())
        .given(vec![linked(PROJECT)])
        .when(relink(Some(PROJECT)))
        .then_expect_events(vec![unlinked(PROJECT), linked(PROJECT)]);
    JobLinkTest::with(())
        .given(vec![linked(PROJECT)])
        .when(relink(None))
        .then_expect_events(vec![unlinked(PROJECT)]);
}

#[test]
fn only_the_jobs_poster_links_it_and_to_others_it_is_not_found() {
    JobLinkTest::with(())
        .given_no_previous_events()
        .when(JobLinkCommand::Link {
            job: job(OWNER),
            by: caller(STRANGER),
            mode: Mode::Live,
            project: None,
            current_deleted: false,
            at: at(),
        })
        .then_expect_error(DomainError::NotFound("job"));
    for missing in [
        JobRef {
            poster: None,
            ..job(OWNER)
        },
        JobRef {
            mode: Mode::Test,
            ..job(OWNER)
        },
    ] {
        JobLinkTest::with(())
            .given_no_previous_events()
            .when(JobLinkCommand::Link {
                job: missing,
                by: caller(OWNER),
                mode: Mode::Live,
                project: Some(PROJECT),
                current_deleted: false,
                at: at(),
            })
            .then_expect_error(DomainError::NotFound("job"));
    }
}

#[test]
fn a_move_asks_the_project_left_to_let_go_and_the_one_joined_to_take_the_job() {
    let actions = project_actions(job(OWNER), &[unlinked(PROJECT), linked(OTHER_PROJECT)]);
    assert_eq!(
        actions,
        vec![
            (PROJECT, ProjectAction::UnassignJob { job: JOB }),
            (OTHER_PROJECT, ProjectAction::AssignJob { job: job(OWNER) }),
        ]
    );
}
