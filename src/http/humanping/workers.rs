//! A worker's own side: `GET|PUT /worker/profile` (skills, location,
//! preferences, with trust score, level, badges and counts from the
//! `reputation` read model), `GET /worker/earnings`, `GET /worker/leaderboard`,
//! and anyone's public face at `GET /worker/:id/public` (no auth).

use super::errors::{HumanPingError, HumanPingResult};
use super::extract::{Body, HpPath, HpQuery, Worker};
use super::{ids, views};
use crate::bus::commands;
use crate::http::native::people::LocationBody;
use crate::http::respond;
use crate::http::state::AppState;
use crate::queries::humanping::earnings::{earnings, PeriodStarts, Total};
use crate::queries::reputation::{
    leaderboard as ranked, reputation_of, Ranking, LEADERBOARD_LIMIT_DEFAULT, LEADERBOARD_LIMIT_MAX,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use errand_aggregates::account::{Account, AccountId};
use errand_aggregates::actor::{Actor, Role, Standing};
use errand_aggregates::ids::ActorId;
use errand_aggregates::mode::Mode;
use errand_aggregates::profile::{Location, Profile};
use errand_projections::reputation::{badges, level, ReputationView, TRUST_START};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// HumanPing sends a location as text ("Montreal, QC"); coordinates may
/// come too, as the native API takes them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum LocationInput {
    Text(String),
    Detailed(LocationBody),
}

pub fn location_from(input: LocationInput) -> Location {
    match input {
        LocationInput::Text(text) => Location {
            text,
            lat: None,
            lon: None,
        },
        LocationInput::Detailed(body) => body.into(),
    }
}

/// Reputation as shown: a person with no reviewed work yet starts at the
/// trust score's start, level 1, no badges.
fn reputation_json(row: Option<&ReputationView>) -> Map<String, Value> {
    let (trust_score, approved, rejected, disputed, earned_cents) =
        row.map_or((TRUST_START, 0, 0, 0, 0), |r| {
            (
                r.trust_score,
                r.approved,
                r.rejected,
                r.disputed,
                r.earned_cents,
            )
        });
    let mut fields = Map::new();
    fields.insert("trust_score".into(), json!(trust_score));
    fields.insert("level".into(), json!(level(approved)));
    fields.insert("badges".into(), json!(badges(approved, trust_score)));
    fields.insert("completed".into(), json!(approved));
    fields.insert("rejected".into(), json!(rejected));
    fields.insert("disputed".into(), json!(disputed));
    fields.insert("earned_cents".into(), json!(earned_cents));
    fields
}

/// The worker as they see themselves; `reputation` is their row, if the
/// read model has one yet (a new worker's shows the starting values).
pub fn worker_json(actor: &Actor, reputation: Option<&ReputationView>) -> Value {
    let mut worker = profile_json(actor);
    worker.extend(reputation_json(reputation));
    worker.insert(
        "created_at".into(),
        json!(actor.registered_at.map(views::time)),
    );
    Value::Object(worker)
}

/// Who the worker is and their profile, without reputation: what a command
/// knows when it answers.
pub fn profile_json(actor: &Actor) -> Map<String, Value> {
    let location = actor.profile.location.as_ref();
    let mut worker = Map::new();
    worker.insert(
        "id".into(),
        json!(ids::format(
            "worker",
            actor.id.map(|id| id.0).unwrap_or_default()
        )),
    );
    worker.insert("name".into(), json!(actor.name));
    worker.insert(
        "email".into(),
        json!(actor.email.as_ref().map(|e| e.as_str())),
    );
    worker.insert("verified".into(), json!(actor.email_verified));
    worker.insert("skills".into(), json!(actor.profile.skills));
    worker.insert("location".into(), json!(location.map(|l| &l.text)));
    worker.insert(
        "coordinates".into(),
        match location.and_then(|l| l.lat.zip(l.lon)) {
            Some((lat, lon)) => json!({ "lat": lat, "lon": lon }),
            None => Value::Null,
        },
    );
    worker.insert("preferences".into(), json!(actor.profile.preferences));
    worker
}

pub async fn get_profile(
    State(app): State<AppState>,
    Worker(principal): Worker,
) -> HumanPingResult<Json<Value>> {
    let (actor, _) = app
        .bus
        .load::<Actor>(&commands::actor_stream(principal.actor_id))
        .await?;
    let pool = app.read_models().await?;
    let reputation = reputation_of(pool, &principal.actor_id.to_string()).await?;
    Ok(Json(
        json!({ "worker": worker_json(&actor, reputation.as_ref()) }),
    ))
}

/// Fields left out keep their value; `location: null` clears it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    pub skills: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    pub location: Option<Option<LocationInput>>,
    pub preferences: Option<BTreeMap<String, String>>,
}

/// Tells a field sent as null (`Some(None)`) from one left out (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

pub async fn put_profile(
    State(app): State<AppState>,
    Worker(principal): Worker,
    request: Body<UpdateProfileRequest>,
) -> HumanPingResult<Response> {
    let body = request.body;
    if body.skills.is_none() && body.location.is_none() && body.preferences.is_none() {
        return Err(HumanPingError::BadRequest(
            "Send at least one of skills, location, preferences.".into(),
        ));
    }
    let (current, _) = app
        .bus
        .load::<Actor>(&commands::actor_stream(principal.actor_id))
        .await?;
    let current = current.profile;
    let profile = Profile::parse(
        body.skills.as_ref().unwrap_or(&current.skills),
        match body.location {
            Some(location) => location.map(location_from),
            None => current.location.clone(),
        },
        body.preferences.as_ref().unwrap_or(&current.preferences),
    )?;
    let context = request.meta.context(&principal, "UpdateProfile", 200);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let actor = commands::update_profile(unit, by, profile.clone(), Utc::now()).await?;
        Ok(json!({ "worker": Value::Object(profile_json(&actor)) }))
    })?;
    Ok(respond::executed(executed, StatusCode::OK))
}

fn total_json(total: Total) -> Value {
    json!({
        "total_cents": total.cents,
        "total_formatted": views::dollars(total.cents),
        "count": total.count,
    })
}

pub async fn get_earnings(
    State(app): State<AppState>,
    Worker(principal): Worker,
) -> HumanPingResult<Json<Value>> {
    // HumanPing's worker side is live money only (the login issues live tokens).
    let account_id = AccountId::usd(principal.actor_id, Mode::Live);
    let pool = app.read_models().await?;
    let earned = earnings(
        pool,
        principal.actor_id,
        &account_id,
        PeriodStarts::at(Utc::now()),
    )
    .await?;
    let (account, _) = app.bus.load::<Account>(&account_id.stream_id()).await?;
    Ok(Json(json!({
        "balance_cents": account.available_cents,
        "balance_formatted": views::dollars(account.available_cents),
        "periods": {
            "today": total_json(earned.today),
            "this_week": total_json(earned.week),
            "this_month": total_json(earned.month),
            "all_time": total_json(earned.all_time),
        },
        "by_type": earned.by_kind.iter().map(|(kind, total)| json!({
            "type": kind,
            "total_cents": total.cents,
            "count": total.count,
        })).collect::<Vec<_>>(),
        "timezone": "UTC",
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderboardQuery {
    /// trust_score (default), completed or earned.
    pub by: Option<String>,
    pub limit: Option<i64>,
}

pub async fn leaderboard(
    State(app): State<AppState>,
    Worker(_principal): Worker,
    HpQuery(query): HpQuery<LeaderboardQuery>,
) -> HumanPingResult<Json<Value>> {
    let by_word = query.by.as_deref().unwrap_or("trust_score");
    let by = Ranking::parse(by_word)?;
    let limit = match query.limit {
        None => LEADERBOARD_LIMIT_DEFAULT,
        Some(limit) => u32::try_from(limit)
            .ok()
            .filter(|l| (1..=LEADERBOARD_LIMIT_MAX).contains(l))
            .ok_or_else(|| {
                HumanPingError::BadRequest(format!("limit must be 1 to {LEADERBOARD_LIMIT_MAX}."))
            })?,
    };
    let pool = app.read_models().await?;
    let rows = ranked(pool, by, limit).await?;
    let rankings: Vec<Value> = rows
        .iter()
        .zip(1..)
        .map(|(row, rank)| {
            let mut entry = Map::new();
            entry.insert("rank".into(), json!(rank));
            entry.insert(
                "worker_id".into(),
                json!(ids::format(
                    "worker",
                    Uuid::parse_str(&row.actor_id).unwrap_or_default()
                )),
            );
            entry.insert("name".into(), json!(row.name));
            let mut reputation = reputation_json(Some(row));
            reputation.remove("rejected");
            reputation.remove("disputed");
            entry.extend(reputation);
            Value::Object(entry)
        })
        .collect();
    Ok(Json(json!({ "by": by_word, "rankings": rankings })))
}

/// What anyone may see of a worker: no email, no coordinates, no earnings.
pub async fn get_public(
    State(app): State<AppState>,
    HpPath(id): HpPath<String>,
) -> HumanPingResult<Json<Value>> {
    let actor_id: ActorId = ids::parse(&id, "worker", "worker")?;
    let (actor, _) = app
        .bus
        .load::<Actor>(&commands::actor_stream(actor_id))
        .await?;
    if actor.role != Some(Role::Human) || actor.standing == Standing::Banned {
        return Err(HumanPingError::not_found("worker"));
    }
    let pool = app.read_models().await?;
    let row = reputation_of(pool, &actor_id.to_string()).await?;
    let mut worker = Map::new();
    worker.insert("id".into(), json!(ids::format("worker", actor_id.0)));
    worker.insert("name".into(), json!(actor.name));
    worker.insert("verified".into(), json!(actor.email_verified));
    worker.insert("skills".into(), json!(actor.profile.skills));
    worker.insert(
        "location".into(),
        json!(actor.profile.location.as_ref().map(|l| &l.text)),
    );
    let mut reputation = reputation_json(row.as_ref());
    reputation.remove("earned_cents");
    worker.extend(reputation);
    worker.insert(
        "member_since".into(),
        json!(actor.registered_at.map(views::time)),
    );
    Ok(Json(json!({ "worker": Value::Object(worker) })))
}
