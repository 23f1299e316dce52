//! Invariant 4 for the read models whose rules are too rich to fold again by hand (the outbox:
//! who may see what, HumanPing's routes, each delivery's attempts; reputation: trust scores;
//! payouts: each payout's state; messages; notifications and their read marks; referrals;
//! projects, their testers and jobs; deposits; Humai's actors, listings, bids, contracts and
//! disputes; the admin actions' audit trail — every read model `compared_tables` names tables for):
//! their own projections replay the journal, up to the checkpoint the snapshot read, into a
//! scratch SQLite database in memory, and every table is compared row by row with the stored one.
//! A row edited, added or removed after the fact differs from the rebuild.
//!
//! The rebuild checks that the stored rows are what the projection makes of the journal, not
//! that the projection's rules are right: its own tests do that.

use std::fmt::Write as _;

use errand_projections::{ProjectedEvent, Projection, ReadModel};
use futures::TryStreamExt;
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, Connection, Executor, Transaction};

use super::findings::Findings;
use super::read_models::{compare_table, decode, Kind, Table, Taken};
use super::AuditError;
use crate::journal::limits::READ_ALL_LIMIT_MAX;
use crate::journal::Journal;

/// The scratch database's schema: SQLite's, whichever backend the journal is on. The compared
/// columns are TEXT and BIGINT on both, and read back as the same values.
static SCRATCH_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Events per rebuild batch, as the projection runner batches them.
const REBUILD_BATCH_EVENTS: u32 = READ_ALL_LIMIT_MAX;

const WEBHOOK_ENDPOINTS: Table = Table {
    name: "webhook_endpoints_view",
    rows_are: "endpoints",
    sql: "SELECT webhook_id, owner, owner_role, mode, url, format, events, status, \
          registered_at_us FROM webhook_endpoints_view",
    key_columns: 1,
    columns: &[
        ("owner", Kind::Text),
        ("owner_role", Kind::Text),
        ("mode", Kind::Text),
        ("url", Kind::Text),
        ("format", Kind::Text),
        ("events", Kind::Text),
        ("status", Kind::Text),
        ("registered_at_us", Kind::Int),
    ],
};

const WEBHOOK_DELIVERIES: Table = Table {
    name: "webhook_deliveries",
    rows_are: "deliveries",
    sql: "SELECT delivery_id, webhook_id, owner, position, event_type, status, attempts, \
          due_at_us, created_at_us, updated_at_us FROM webhook_deliveries",
    key_columns: 1,
    columns: &[
        ("webhook_id", Kind::Text),
        ("owner", Kind::Text),
        ("position", Kind::Int),
        ("event_type", Kind::Text),
        ("status", Kind::Text),
        ("attempts", Kind::Int),
        ("due_at_us", Kind::Int),
        ("created_at_us", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

/// The attempt number is the second half of the key, as text.
const WEBHOOK_DELIVERY_ATTEMPTS: Table = Table {
    name: "webhook_delivery_attempts",
    rows_are: "attempts",
    sql: "SELECT delivery_id, CAST(attempt AS TEXT), outcome, status_code, error, duration_ms, \
          at_us, retry_at_us FROM webhook_delivery_attempts",
    key_columns: 2,
    columns: &[
        ("outcome", Kind::Text),
        ("status_code", Kind::OptionalInt),
        ("error", Kind::OptionalText),
        ("duration_ms", Kind::Int),
        ("at_us", Kind::Int),
        ("retry_at_us", Kind::OptionalInt),
    ],
};

const WEBHOOK_PARTIES: Table = Table {
    name: "webhook_parties",
    rows_are: "parties",
    sql: "SELECT party_id, subject_id, actor_id, mode FROM webhook_parties",
    key_columns: 1,
    columns: &[
        ("subject_id", Kind::Text),
        ("actor_id", Kind::Text),
        ("mode", Kind::Text),
    ],
};

const HUMANPING_TASKS: Table = Table {
    name: "humanping_tasks",
    rows_are: "tasks",
    sql: "SELECT task_id, poster, last_disputed_at_us FROM humanping_tasks",
    key_columns: 1,
    columns: &[
        ("poster", Kind::Text),
        ("last_disputed_at_us", Kind::OptionalInt),
    ],
};

const REPUTATION_VIEW: Table = Table {
    name: "reputation_view",
    rows_are: "people",
    sql: "SELECT actor_id, name, trust_score, approved, rejected, disputed, earned_cents, \
          updated_at_us FROM reputation_view",
    key_columns: 1,
    columns: &[
        ("name", Kind::Text),
        ("trust_score", Kind::Int),
        ("approved", Kind::Int),
        ("rejected", Kind::Int),
        ("disputed", Kind::Int),
        ("earned_cents", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

const REPUTATION_SUBMISSIONS: Table = Table {
    name: "reputation_submissions",
    rows_are: "submissions",
    sql: "SELECT submission_id, worker FROM reputation_submissions",
    key_columns: 1,
    columns: &[("worker", Kind::Text)],
};

const PAYOUTS_VIEW: Table = Table {
    name: "payouts_view",
    rows_are: "payouts",
    sql: "SELECT payout_id, owner, mode, currency, amount_cents, destination, provider, purpose, \
          task_id, status, provider_reference, failure_reason, position, requested_at_us, \
          settled_at_us FROM payouts_view",
    key_columns: 1,
    columns: &[
        ("owner", Kind::Text),
        ("mode", Kind::Text),
        ("currency", Kind::Text),
        ("amount_cents", Kind::Int),
        ("destination", Kind::Text),
        ("provider", Kind::Text),
        ("purpose", Kind::Text),
        ("task_id", Kind::OptionalText),
        ("status", Kind::Text),
        ("provider_reference", Kind::OptionalText),
        ("failure_reason", Kind::OptionalText),
        ("position", Kind::Int),
        ("requested_at_us", Kind::Int),
        ("settled_at_us", Kind::OptionalInt),
    ],
};

const TASK_APPLICATIONS_VIEW: Table = Table {
    name: "task_applications_view",
    rows_are: "applications",
    sql: "SELECT application_id, task_id, applicant, note, status, applied_at_us, updated_at_us \
          FROM task_applications_view",
    key_columns: 1,
    columns: &[
        ("task_id", Kind::Text),
        ("applicant", Kind::Text),
        ("note", Kind::OptionalText),
        ("status", Kind::Text),
        ("applied_at_us", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

const MESSAGES_VIEW: Table = Table {
    name: "messages_view",
    rows_are: "messages",
    sql: "SELECT message_id, task_id, sender, participation, body, position, sent_at_us \
          FROM messages_view",
    key_columns: 1,
    columns: &[
        ("task_id", Kind::Text),
        ("sender", Kind::Text),
        ("participation", Kind::Text),
        ("body", Kind::Text),
        ("position", Kind::Int),
        ("sent_at_us", Kind::Int),
    ],
};

const NOTIFICATIONS_VIEW: Table = Table {
    name: "notifications_view",
    rows_are: "notifications",
    sql: "SELECT notification_id, recipient, mode, kind, task_id, text, position, created_at_us, \
          is_read FROM notifications_view",
    key_columns: 1,
    columns: &[
        ("recipient", Kind::Text),
        ("mode", Kind::Text),
        ("kind", Kind::Text),
        ("task_id", Kind::OptionalText),
        ("text", Kind::Text),
        ("position", Kind::Int),
        ("created_at_us", Kind::Int),
        ("is_read", Kind::Int),
    ],
};

const NOTIFICATION_TASKS: Table = Table {
    name: "notification_tasks",
    rows_are: "tasks",
    sql: "SELECT task_id, poster, mode, title FROM notification_tasks",
    key_columns: 1,
    columns: &[
        ("poster", Kind::Text),
        ("mode", Kind::Text),
        ("title", Kind::Text),
    ],
};

const NOTIFICATION_SUBMISSIONS: Table = Table {
    name: "notification_submissions",
    rows_are: "submissions",
    sql: "SELECT submission_id, task_id, worker FROM notification_submissions",
    key_columns: 1,
    columns: &[("task_id", Kind::Text), ("worker", Kind::Text)],
};

const NOTIFICATION_READERS: Table = Table {
    name: "notification_readers",
    rows_are: "readers",
    sql: "SELECT reader_id, read_up_to_position FROM notification_readers",
    key_columns: 1,
    columns: &[("read_up_to_position", Kind::Int)],
};

const REFERRALS_VIEW: Table = Table {
    name: "referrals_view",
    rows_are: "referrals",
    sql: "SELECT referee, referrer, referee_name, referee_role, mode, bonus_cents, currency, \
          position, referred_at_us FROM referrals_view",
    key_columns: 1,
    columns: &[
        ("referrer", Kind::Text),
        ("referee_name", Kind::Text),
        ("referee_role", Kind::Text),
        ("mode", Kind::Text),
        ("bonus_cents", Kind::Int),
        ("currency", Kind::Text),
        ("position", Kind::Int),
        ("referred_at_us", Kind::Int),
    ],
};

const PROJECTS_VIEW: Table = Table {
    name: "projects_view",
    rows_are: "projects",
    sql: "SELECT project_id, owner, mode, name, description, status, tester_count, job_count, \
          created_at_us, updated_at_us FROM projects_view",
    key_columns: 1,
    columns: &[
        ("owner", Kind::Text),
        ("mode", Kind::Text),
        ("name", Kind::Text),
        ("description", Kind::Text),
        ("status", Kind::Text),
        ("tester_count", Kind::Int),
        ("job_count", Kind::Int),
        ("created_at_us", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

const PROJECT_TESTERS_VIEW: Table = Table {
    name: "project_testers_view",
    rows_are: "testers",
    sql: "SELECT tester_key, project_id, tester, name, email, favorite, trusted, blocked, \
          position, added_at_us, updated_at_us FROM project_testers_view",
    key_columns: 1,
    columns: &[
        ("project_id", Kind::Text),
        ("tester", Kind::Text),
        ("name", Kind::Text),
        ("email", Kind::OptionalText),
        ("favorite", Kind::Int),
        ("trusted", Kind::Int),
        ("blocked", Kind::Int),
        ("position", Kind::Int),
        ("added_at_us", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

const PROJECT_JOBS_VIEW: Table = Table {
    name: "project_jobs_view",
    rows_are: "jobs",
    sql: "SELECT job_id, project_id, position, added_at_us FROM project_jobs_view",
    key_columns: 1,
    columns: &[
        ("project_id", Kind::Text),
        ("position", Kind::Int),
        ("added_at_us", Kind::Int),
    ],
};

const HUMAI_ACTORS_VIEW: Table = Table {
    name: "humai_actors_view",
    rows_are: "Humai actors",
    sql: "SELECT actor_id, kind, tier, is_founding, capability_tags, opened_at_us, updated_at_us \
          FROM humai_actors_view",
    key_columns: 1,
    columns: &[
        ("kind", Kind::Text),
        ("tier", Kind::Int),
        ("is_founding", Kind::Int),
        ("capability_tags", Kind::Text),
        ("opened_at_us", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

const HUMAI_CAPABILITY_TAGS_VIEW: Table = Table {
    name: "humai_capability_tags_view",
    rows_are: "capability tags",
    sql: "SELECT tag_key, actor_id, tag FROM humai_capability_tags_view",
    key_columns: 1,
    columns: &[("actor_id", Kind::Text), ("tag", Kind::Text)],
};

const DEPOSITS_VIEW: Table = Table {
    name: "deposits_view",
    rows_are: "deposits",
    sql: "SELECT funding_id, owner, mode, currency, amount_cents, provider, source, \
          payment_method, status, failure_reason, position, requested_at_us, settled_at_us \
          FROM deposits_view",
    key_columns: 1,
    columns: &[
        ("owner", Kind::Text),
        ("mode", Kind::Text),
        ("currency", Kind::Text),
        ("amount_cents", Kind::Int),
        ("provider", Kind::Text),
        ("source", Kind::Text),
        ("payment_method", Kind::OptionalText),
        ("status", Kind::Text),
        ("failure_reason", Kind::OptionalText),
        ("position", Kind::Int),
        ("requested_at_us", Kind::Int),
        ("settled_at_us", Kind::OptionalInt),
    ],
};

const LISTINGS_VIEW: Table = Table {
    name: "listings_view",
    rows_are: "listings",
    sql: "SELECT listing_id, owner, mode, direction, listing_type, title, description, \
          category_tags, price_cents, budget_ceiling_cents, sla_hours, min_seller_tier, \
          negotiation_permitted, details, subscription_plans, has_free_tier, \
          min_plan_cents, is_active, suspension, awarded_bid, bid_count, total_sales, \
          avg_rating_hundredths, position, created_at_us, updated_at_us FROM listings_view",
    key_columns: 1,
    columns: &[
        ("owner", Kind::Text),
        ("mode", Kind::Text),
        ("direction", Kind::Text),
        ("listing_type", Kind::Text),
        ("title", Kind::Text),
        ("description", Kind::Text),
        ("category_tags", Kind::Text),
        ("price_cents", Kind::OptionalInt),
        ("budget_ceiling_cents", Kind::OptionalInt),
        ("sla_hours", Kind::OptionalInt),
        ("min_seller_tier", Kind::Int),
        ("negotiation_permitted", Kind::Int),
        ("details", Kind::Text),
        ("subscription_plans", Kind::Text),
        ("has_free_tier", Kind::Int),
        ("min_plan_cents", Kind::OptionalInt),
        ("is_active", Kind::Int),
        ("suspension", Kind::OptionalText),
        ("awarded_bid", Kind::OptionalText),
        ("bid_count", Kind::Int),
        ("total_sales", Kind::Int),
        ("avg_rating_hundredths", Kind::OptionalInt),
        ("position", Kind::Int),
        ("created_at_us", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

const LISTING_TAGS_VIEW: Table = Table {
    name: "listing_tags_view",
    rows_are: "tags",
    sql: "SELECT tag_key, listing_id, tag FROM listing_tags_view",
    key_columns: 1,
    columns: &[("listing_id", Kind::Text), ("tag", Kind::Text)],
};

const BIDS_VIEW: Table = Table {
    name: "bids_view",
    rows_are: "bids",
    sql: "SELECT bid_id, listing_id, listing_owner, bidder, mode, status, price_cents, sla_hours, \
          milestones, scope_note, counter_round, counter_price_cents, \
          counter_sla_hours, counter_note, counter_expires_at_us, expires_at_us, \
          agreed_price_cents, agreed_sla_hours, position, placed_at_us, updated_at_us FROM bids_view",
    key_columns: 1,
    columns: &[
        ("listing_id", Kind::Text),
        ("listing_owner", Kind::Text),
        ("bidder", Kind::Text),
        ("mode", Kind::Text),
        ("status", Kind::Text),
        ("price_cents", Kind::Int),
        ("sla_hours", Kind::Int),
        ("milestones", Kind::OptionalText),
        ("scope_note", Kind::OptionalText),
        ("counter_round", Kind::Int),
        ("counter_price_cents", Kind::OptionalInt),
        ("counter_sla_hours", Kind::OptionalInt),
        ("counter_note", Kind::OptionalText),
        ("counter_expires_at_us", Kind::OptionalInt),
        ("expires_at_us", Kind::Int),
        ("agreed_price_cents", Kind::OptionalInt),
        ("agreed_sla_hours", Kind::OptionalInt),
        ("position", Kind::Int),
        ("placed_at_us", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

const CONTRACTS_VIEW: Table = Table {
    name: "contracts_view",
    rows_are: "contracts",
    sql: "SELECT contract_id, mode, buyer, buyer_kind, seller, seller_kind, listing_id, bid_id, \
          currency, price_cents, fee_cents, payout_cents, held_cents, captured_cents, \
          refunded_cents, status, depth, root_id, parent_id, subcontracted_cents, sla_hours, \
          milestone_count, sla_due_at_us, review_due_at_us, output_data, storage_path, \
          dispute_id, on_time, position, opened_at_us, assigned_at_us, delivered_at_us, \
          closed_at_us, updated_at_us FROM contracts_view",
    key_columns: 1,
    columns: &[
        ("mode", Kind::Text),
        ("buyer", Kind::Text),
        ("buyer_kind", Kind::Text),
        ("seller", Kind::Text),
        ("seller_kind", Kind::Text),
        ("listing_id", Kind::Text),
        ("bid_id", Kind::OptionalText),
        ("currency", Kind::Text),
        ("price_cents", Kind::Int),
        ("fee_cents", Kind::Int),
        ("payout_cents", Kind::Int),
        ("held_cents", Kind::Int),
        ("captured_cents", Kind::Int),
        ("refunded_cents", Kind::Int),
        ("status", Kind::Text),
        ("depth", Kind::Int),
        ("root_id", Kind::Text),
        ("parent_id", Kind::OptionalText),
        ("subcontracted_cents", Kind::Int),
        ("sla_hours", Kind::Int),
        ("milestone_count", Kind::Int),
        ("sla_due_at_us", Kind::OptionalInt),
        ("review_due_at_us", Kind::OptionalInt),
        ("output_data", Kind::OptionalText),
        ("storage_path", Kind::OptionalText),
        ("dispute_id", Kind::OptionalText),
        ("on_time", Kind::OptionalInt),
        ("position", Kind::Int),
        ("opened_at_us", Kind::Int),
        ("assigned_at_us", Kind::OptionalInt),
        ("delivered_at_us", Kind::OptionalInt),
        ("closed_at_us", Kind::OptionalInt),
        ("updated_at_us", Kind::Int),
    ],
};

const CONTRACT_MILESTONES_VIEW: Table = Table {
    name: "contract_milestones_view",
    rows_are: "milestones",
    sql: "SELECT milestone_key, contract_id, sequence, title, pct_of_total, amount_cents, \
          sla_hours, status, due_at_us, review_due_at_us, output_data, storage_path, paid_cents, \
          fee_cents, refunded_cents, dispute_id, delivered_at_us, closed_at_us, updated_at_us \
          FROM contract_milestones_view",
    key_columns: 1,
    columns: &[
        ("contract_id", Kind::Text),
        ("sequence", Kind::Int),
        ("title", Kind::Text),
        ("pct_of_total", Kind::Int),
        ("amount_cents", Kind::Int),
        ("sla_hours", Kind::Int),
        ("status", Kind::Text),
        ("due_at_us", Kind::OptionalInt),
        ("review_due_at_us", Kind::OptionalInt),
        ("output_data", Kind::OptionalText),
        ("storage_path", Kind::OptionalText),
        ("paid_cents", Kind::OptionalInt),
        ("fee_cents", Kind::OptionalInt),
        ("refunded_cents", Kind::OptionalInt),
        ("dispute_id", Kind::OptionalText),
        ("delivered_at_us", Kind::OptionalInt),
        ("closed_at_us", Kind::OptionalInt),
        ("updated_at_us", Kind::Int),
    ],
};

const DISPUTES_VIEW: Table = Table {
    name: "disputes_view",
    rows_are: "disputes",
    sql: "SELECT dispute_id, contract_id, sequence, buyer, seller, opened_by, reason, status, \
          resolution, seller_pct, note, resolved_by, stake_cents, seller_gross_cents, fee_cents, \
          seller_payout_cents, refund_cents, evidence_count, position, opened_at_us, \
          resolved_at_us FROM disputes_view",
    key_columns: 1,
    columns: &[
        ("contract_id", Kind::Text),
        ("sequence", Kind::OptionalInt),
        ("buyer", Kind::Text),
        ("seller", Kind::Text),
        ("opened_by", Kind::Text),
        ("reason", Kind::Text),
        ("status", Kind::Text),
        ("resolution", Kind::OptionalText),
        ("seller_pct", Kind::OptionalInt),
        ("note", Kind::OptionalText),
        ("resolved_by", Kind::OptionalText),
        ("stake_cents", Kind::OptionalInt),
        ("seller_gross_cents", Kind::OptionalInt),
        ("fee_cents", Kind::OptionalInt),
        ("seller_payout_cents", Kind::OptionalInt),
        ("refund_cents", Kind::OptionalInt),
        ("evidence_count", Kind::Int),
        ("position", Kind::Int),
        ("opened_at_us", Kind::Int),
        ("resolved_at_us", Kind::OptionalInt),
    ],
};

const DISPUTE_EVIDENCE_VIEW: Table = Table {
    name: "dispute_evidence_view",
    rows_are: "pieces of evidence",
    sql: "SELECT evidence_key, dispute_id, number, submitted_by, evidence_type, content, \
          submitted_at_us FROM dispute_evidence_view",
    key_columns: 1,
    columns: &[
        ("dispute_id", Kind::Text),
        ("number", Kind::Int),
        ("submitted_by", Kind::Text),
        ("evidence_type", Kind::Text),
        ("content", Kind::Text),
        ("submitted_at_us", Kind::Int),
    ],
};

const ADMIN_ACTIONS_VIEW: Table = Table {
    name: "admin_actions_view",
    rows_are: "admin actions",
    sql: "SELECT entry_id, action, resource_type, resource_id, admin_id, reason, cause, \
          position, at_us FROM admin_actions_view",
    key_columns: 1,
    columns: &[
        ("action", Kind::Text),
        ("resource_type", Kind::Text),
        ("resource_id", Kind::Text),
        ("admin_id", Kind::Text),
        ("reason", Kind::OptionalText),
        ("cause", Kind::OptionalText),
        ("position", Kind::Int),
        ("at_us", Kind::Int),
    ],
};

const HUMAI_REVIEWS_VIEW: Table = Table {
    name: "humai_reviews_view",
    rows_are: "reviews",
    sql: "SELECT review_key, kind, contract_id, listing_id, mode, reviewer, reviewed, rating, \
          content, position, created_at_us FROM humai_reviews_view",
    key_columns: 1,
    columns: &[
        ("kind", Kind::Text),
        ("contract_id", Kind::Text),
        ("listing_id", Kind::Text),
        ("mode", Kind::Text),
        ("reviewer", Kind::Text),
        ("reviewed", Kind::Text),
        ("rating", Kind::Int),
        ("content", Kind::Text),
        ("position", Kind::Int),
        ("created_at_us", Kind::Int),
    ],
};

const HUMAI_CREDIT_HISTORY_VIEW: Table = Table {
    name: "humai_credit_history_view",
    rows_are: "credit history entries",
    sql: "SELECT entry_id, actor_id, mode, position, amount, reason, credit_type, \
          withdrawal_eligible, remaining_amount, created_at_us FROM humai_credit_history_view",
    key_columns: 1,
    columns: &[
        ("actor_id", Kind::Text),
        ("mode", Kind::Text),
        ("position", Kind::Int),
        ("amount", Kind::Int),
        ("reason", Kind::Text),
        ("credit_type", Kind::Text),
        ("withdrawal_eligible", Kind::Int),
        ("remaining_amount", Kind::Int),
        ("created_at_us", Kind::Int),
    ],
};

const AUTOBID_RULES_VIEW: Table = Table {
    name: "autobid_rules_view",
    rows_are: "auto-bidding rules",
    sql: "SELECT rule_id, actor_id, mode, enabled, rule, created_at_us, updated_at_us \
          FROM autobid_rules_view",
    key_columns: 1,
    columns: &[
        ("actor_id", Kind::Text),
        ("mode", Kind::Text),
        ("enabled", Kind::Int),
        ("rule", Kind::Text),
        ("created_at_us", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

const AUTOBID_ATTEMPTS_VIEW: Table = Table {
    name: "autobid_attempts_view",
    rows_are: "auto-bid attempts",
    sql: "SELECT bid_id, rule_id, actor_id, listing_id, mode, status, reason, position, \
          updated_at_us FROM autobid_attempts_view",
    key_columns: 1,
    columns: &[
        ("rule_id", Kind::Text),
        ("actor_id", Kind::Text),
        ("listing_id", Kind::Text),
        ("mode", Kind::Text),
        ("status", Kind::Text),
        ("reason", Kind::OptionalText),
        ("position", Kind::Int),
        ("updated_at_us", Kind::Int),
    ],
};

/// Every table a rebuilt read model owns, in its `tables()` order: a table it gains must be
/// listed here too (a test holds them equal).
pub(super) fn compared_tables(model: ReadModel) -> &'static [Table] {
    match model {
        ReadModel::Outbox(_) => &[
            WEBHOOK_ENDPOINTS,
            WEBHOOK_DELIVERIES,
            WEBHOOK_DELIVERY_ATTEMPTS,
            WEBHOOK_PARTIES,
            HUMANPING_TASKS,
        ],
        ReadModel::Reputation(_) => &[REPUTATION_VIEW, REPUTATION_SUBMISSIONS],
        ReadModel::Payouts(_) => &[PAYOUTS_VIEW],
        ReadModel::Applications(_) => &[TASK_APPLICATIONS_VIEW],
        ReadModel::Messages(_) => &[MESSAGES_VIEW],
        ReadModel::Notifications(_) => &[
            NOTIFICATIONS_VIEW,
            NOTIFICATION_TASKS,
            NOTIFICATION_SUBMISSIONS,
            NOTIFICATION_READERS,
        ],
        ReadModel::Referrals(_) => &[REFERRALS_VIEW],
        ReadModel::Projects(_) => &[PROJECTS_VIEW, PROJECT_TESTERS_VIEW, PROJECT_JOBS_VIEW],
        ReadModel::Deposits(_) => &[DEPOSITS_VIEW],
        ReadModel::HumaiActors(_) => &[HUMAI_ACTORS_VIEW, HUMAI_CAPABILITY_TAGS_VIEW],
        ReadModel::Listings(_) => &[LISTINGS_VIEW, LISTING_TAGS_VIEW],
        ReadModel::Bids(_) => &[BIDS_VIEW],
        ReadModel::Contracts(_) => &[CONTRACTS_VIEW, CONTRACT_MILESTONES_VIEW],
        ReadModel::Disputes(_) => &[DISPUTES_VIEW, DISPUTE_EVIDENCE_VIEW],
        ReadModel::AdminActions(_) => &[ADMIN_ACTIONS_VIEW],
        ReadModel::Reviews(_) => &[HUMAI_REVIEWS_VIEW],
        ReadModel::CreditHistory(_) => &[HUMAI_CREDIT_HISTORY_VIEW],
        ReadModel::AutoBids(_) => &[AUTOBID_RULES_VIEW, AUTOBID_ATTEMPTS_VIEW],
        _ => &[],
    }
}

/// Rebuilds `model` up to `checkpoint` and compares each of its tables with the stored one,
/// adding a summary line per table.
pub(super) async fn compare(
    journal: &Journal,
    snapshot: &mut Transaction<'static, Any>,
    model: ReadModel,
    checkpoint: i64,
    findings: &mut Findings,
    summary: &mut String,
) -> Result<(), AuditError> {
    let tables = compared_tables(model);
    let mut scratch = match rebuild(journal, model, checkpoint).await? {
        Ok(scratch) => scratch,
        Err(reason) => {
            findings.breach(|| {
                format!(
                    "the {} projection cannot rebuild from the journal: {reason}",
                    model.name()
                )
            });
            let _ = write!(summary, "{}: not compared", model.name());
            return Ok(());
        }
    };
    let mut counts = Vec::with_capacity(tables.len());
    for table in tables {
        let expected = rows_of(&mut scratch, table).await?;
        let rows = compare_table(snapshot, table, expected, findings).await?;
        counts.push(format!("{}: {rows} {}", table.name, table.rows_are));
    }
    let _ = scratch.close().await;
    let _ = write!(summary, "{} compared with a rebuild", counts.join(", "));
    Ok(())
}

/// A scratch database holding what `model` makes of positions 1..=`until`; `Err` (inner) when
/// the projection refuses the journal.
async fn rebuild(
    journal: &Journal,
    model: ReadModel,
    until: i64,
) -> Result<Result<AnyConnection, String>, AuditError> {
    let mut scratch = AnyConnection::connect("sqlite::memory:")
        .await
        .map_err(AuditError::database("opening the scratch database"))?;
    // Each migration's statements as they are, in order: `Migrator::run`'s future is not
    // `Send` for every lifetime, and `GET /v1/audit/verify` awaits this in a handler.
    for migration in SCRATCH_MIGRATIONS.iter() {
        Executor::execute(&mut scratch, migration.sql.as_ref())
            .await
            .map_err(AuditError::database("migrating the scratch database"))?;
    }
    let mut after = 0;
    while after < until {
        let page = journal.read_all(after, REBUILD_BATCH_EVENTS).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        // Events that do not decode are the replay's breaches already; a projection skips
        // nothing, so the rebuild goes on without them and reports what differs.
        let events: Vec<ProjectedEvent> = page
            .iter()
            .take_while(|event| event.position <= until)
            .filter_map(|event| {
                ProjectedEvent::decode(
                    event.position,
                    &event.stream_id,
                    &event.event_type,
                    &event.payload,
                    event.recorded_at,
                )
                .ok()
            })
            .collect();
        let mut transaction = scratch
            .begin()
            .await
            .map_err(AuditError::database("writing the scratch database"))?;
        if let Err(error) = model.apply_batch(&mut transaction, &events).await {
            return Ok(Err(error.to_string()));
        }
        transaction
            .commit()
            .await
            .map_err(AuditError::database("writing the scratch database"))?;
    }
    Ok(Ok(scratch))
}

async fn rows_of(scratch: &mut AnyConnection, table: &Table) -> Result<Taken, AuditError> {
    let mut taken = Taken::new();
    let mut rows = sqlx::query(table.sql).fetch(&mut *scratch);
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(AuditError::database("reading the scratch database"))?
    {
        let (key, values) = decode(table, &row)?;
        taken.insert(key, values);
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_of_a_rebuilt_read_model_is_compared() {
        for model in ReadModel::all() {
            let compared: Vec<&str> = compared_tables(model).iter().map(|t| t.name).collect();
            if compared.is_empty() {
                continue;
            }
            assert_eq!(compared, model.tables(), "{}", model.name());
        }
        assert!(!compared_tables(ReadModel::Outbox(errand_projections::Outbox)).is_empty());
        assert!(!compared_tables(ReadModel::Reputation(errand_projections::Reputation)).is_empty());
        assert!(!compared_tables(ReadModel::Payouts(errand_projections::Payouts)).is_empty());
        assert!(
            !compared_tables(ReadModel::Applications(errand_projections::Applications)).is_empty()
        );
        for model in [
            ReadModel::Messages(errand_projections::Messages),
            ReadModel::Notifications(errand_projections::Notifications),
            ReadModel::Referrals(errand_projections::Referrals),
            ReadModel::HumaiActors(errand_projections::HumaiActors),
            ReadModel::Contracts(errand_projections::Contracts),
            ReadModel::Disputes(errand_projections::Disputes),
            ReadModel::AdminActions(errand_projections::AdminActions),
            ReadModel::Reviews(errand_projections::Reviews),
            ReadModel::CreditHistory(errand_projections::CreditHistory),
            ReadModel::AutoBids(errand_projections::AutoBids),
        ] {
            assert!(!compared_tables(model).is_empty(), "{}", model.name());
        }
    }
}
