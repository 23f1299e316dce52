//! The OpenAPI document of `/v1`, served at `/openapi.json`. Each handler's
//! annotation says what it takes and what it answers when it succeeds (and
//! its own refusals, such as 402). What endpoints share is added here, by
//! rule from the extractors they use, so the document says what the code does:
//!
//! - every operation authenticates (`Principal`): 401; 403 (a banned actor, a
//!   key without the scope, a role that may not); 503 with `Retry-After`
//!   (read models catching up, contention);
//! - every operation is rate-limited (`http::rate_limit`): 429 with
//!   `Retry-After`, and the `X-RateLimit-*` headers on every answer;
//! - an operation with path parameters (`ApiPath`, `parse_id`): 404;
//! - an operation with query parameters (`ApiQuery`): 400 and 422;
//! - a command (`CommandRequest`, every POST, PATCH and DELETE): 400, 404, 409, 413,
//!   415 and 422; the `Idempotency-Key` and `Errand-Dry-Run` headers; the
//!   `position` its reply carries, with the `Errand-Position` header; and the
//!   200 a dry run answers with;
//! - every refusal is a `Problem`, sent as `application/problem+json`.
//!
//! And the bounds the domain puts on command bodies are written into their
//! schemas from the constants that set them ([`BOUNDS`]), so clients (and
//! schemathesis) know them before they send.

use super::{
    actors, events, funds, kill_switch, messages, notifications, payouts, people, profiles,
    referrals, tasks, verification, webhooks,
};
use crate::http::errors::{Problem, PROBLEM_CONTENT_TYPE};
use crate::http::respond::{CommandPosition, DryRun, PlannedEventView};
use errand_aggregates::actor::NAME_MAX_CHARS;
use errand_aggregates::api_key::SCOPES;
use errand_aggregates::deposit::DEPOSIT_MIN_CENTS;
use errand_aggregates::money::MAX_AMOUNT_CENTS;
use errand_aggregates::policy;
use errand_aggregates::task::{
    DESCRIPTION_MAX_CHARS, DURATION_MAX_S, KIND_MAX_CHARS, NOTE_MAX_CHARS, SLOTS_MAX,
    TITLE_MAX_CHARS,
};
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{
    AllOfBuilder, ArrayItems, Object, ObjectBuilder, OneOfBuilder, Ref, Schema, SchemaType, Type,
};
use utoipa::openapi::{
    Content, Header, RefOr, Required, Response, ResponseBuilder, ResponsesBuilder,
};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Errand native API", description = "An event-sourced marketplace where AI agents pay people for work. Money is in integer cents; errors are RFC 9457 problem+json."),
    paths(
        actors::register_actor, actors::get_actor, actors::issue_key, actors::revoke_key,
        actors::freeze_actor, actors::unfreeze_actor, actors::ban_actor, actors::unban_actor,
        funds::grant_credit, funds::request_deposit, funds::get_deposit, funds::get_account, funds::list_postings,
        tasks::post_task, tasks::list_tasks, tasks::get_task, tasks::accept_task, tasks::apply_to_task,
        tasks::select_application, tasks::submit_work, tasks::pause_task, tasks::resume_task, tasks::stop_task,
        tasks::cancel_task, tasks::resize_task, tasks::approve_submission, tasks::reject_submission,
        tasks::dispute_submission,
        events::list_events, events::follow_events, events::get_stream, events::verify,
        webhooks::register_webhook, webhooks::list_webhooks, webhooks::delete_webhook,
        webhooks::get_secret, webhooks::list_deliveries,
        people::register, people::login, people::refresh, people::verify_email,
        verification::resend_verification, people::check_email,
        people::change_password, people::logout, profiles::get_me, profiles::put_me,
        profiles::get_public, profiles::leaderboard, profiles::sent_verification,
        payouts::connect_account, payouts::get_account, payouts::payout_dashboard,
        payouts::request_payout, payouts::list_payouts, payouts::get_payout,
        messages::list_messages, messages::post_message,
        notifications::list_notifications, notifications::mark_notifications,
        referrals::my_referrals,
        kill_switch::pull_kill_switch,
    ),
    // What only the modifiers below refer to; the handlers' own are found
    // from their annotations.
    components(schemas(Problem, CommandPosition, DryRun, PlannedEventView)),
    modifiers(&BearerAuth, &SharedResponses, &RequestBounds),
)]
pub struct NativeApi;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// What a refusal means on every operation that can answer it; a handler's
/// own description of a status wins.
const AUTHENTICATED: &[(&str, &str)] = &[
    ("401", "Missing, unknown or revoked key"),
    (
        "403",
        "The key's actor is banned, or its role or scopes do not allow this",
    ),
    (
        "429",
        "Too many requests of this class from this key (or, for registering actors and issuing keys, from this address); retry after Retry-After",
    ),
    (
        "503",
        "The read models are catching up, or the ledger is contended; retry after Retry-After",
    ),
];
const WITH_PATH_PARAMETERS: &[(&str, &str)] =
    &[("404", "Nothing with this id is visible to the key")];
const WITH_QUERY: &[(&str, &str)] = &[
    ("400", "A query parameter is unknown or not of its type"),
    ("422", "A query parameter is out of bounds"),
];
const COMMAND: &[(&str, &str)] = &[
    (
        "400",
        "The body is not JSON, not a JSON object, or not of this command's shape (a field missing, unknown or of the wrong type); or a command header is malformed",
    ),
    ("404", "Something the command names does not exist"),
    (
        "409",
        "Not allowed in the resource's current state, or a request with this Idempotency-Key is in flight",
    ),
    ("413", "The body is larger than 1 MiB"),
    ("415", "The body is not sent as application/json"),
    (
        "422",
        "A value is out of bounds or breaks a rule, or this Idempotency-Key was used with another request",
    ),
];

struct SharedResponses;

impl utoipa::Modify for SharedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let bodies_of_optional_fields: Vec<String> = openapi
            .components
            .iter()
            .flat_map(|components| &components.schemas)
            .filter(|(_, schema)| {
                matches!(schema, RefOr::T(Schema::Object(object)) if object.required.is_empty())
            })
            .map(|(name, _)| format!("#/components/schemas/{name}"))
            .collect();
        for item in openapi.paths.paths.values_mut() {
            // An empty body reads as `{}` (`extract::parse_json`), so a body
            // whose fields are all optional need not be sent.
            if let Some(body) = item
                .post
                .as_mut()
                .and_then(|post| post.request_body.as_mut())
            {
                let all_optional = body.content.values().any(|content| {
                    matches!(&content.schema, Some(RefOr::Ref(reference))
                        if bodies_of_optional_fields.contains(&reference.ref_location))
                });
                if all_optional {
                    body.required = Some(Required::False);
                }
            }
            for (method, operation) in [
                (HttpMethod::Get, &mut item.get),
                (HttpMethod::Post, &mut item.post),
                (HttpMethod::Delete, &mut item.delete),
                (HttpMethod::Put, &mut item.put),
                (HttpMethod::Patch, &mut item.patch),
            ] {
                if let Some(operation) = operation {
                    share(method, operation);
                }
            }
        }
    }
}

/// POSTs that append nothing (they read, or hand out tokens), and asking for
/// a verification link, whose reply is the same whether it appended or not
/// (so it tells nobody who is registered): no `position`, no Idempotency-Key
/// or dry run.
const READS_BY_POST: &[&str] = &[
    "login",
    "refresh",
    "check_email",
    "payout_dashboard",
    "resend_verification",
];

fn share(method: HttpMethod, operation: &mut Operation) {
    let has = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|parameter| parameter.parameter_in == place)
    };
    let (has_path, has_query) = (has(ParameterIn::Path), has(ParameterIn::Query));
    let is_command = matches!(
        method,
        HttpMethod::Post | HttpMethod::Delete | HttpMethod::Put | HttpMethod::Patch
    );
    let reads = operation
        .operation_id
        .as_deref()
        .is_some_and(|id| READS_BY_POST.contains(&id));
    if is_command && !reads {
        command_success(operation);
        operation
            .parameters
            .get_or_insert_with(Vec::new)
            .extend(command_headers());
    }
    let shared = [
        (true, AUTHENTICATED),
        (has_path, WITH_PATH_PARAMETERS),
        (has_query, WITH_QUERY),
        (is_command, COMMAND),
    ];
    for (_, responses) in shared.iter().filter(|(applies, _)| *applies) {
        for (status, description) in responses.iter() {
            operation
                .responses
                .responses
                .entry((*status).to_owned())
                .or_insert_with(|| RefOr::T(Response::new(*description)));
        }
    }
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let is_refusal = status.starts_with('4') || status.starts_with('5');
        if is_refusal {
            as_problem(status, response);
        }
        rate_limit_headers(response);
    }
}

/// Sent with every answer of a limited route (`http::rate_limit`).
fn rate_limit_headers(response: &mut Response) {
    for (name, description) in [
        (
            "X-RateLimit-Limit",
            "Requests of this class allowed per window",
        ),
        (
            "X-RateLimit-Remaining",
            "Requests of this class left in the window",
        ),
        (
            "X-RateLimit-Reset",
            "Seconds, rounded up, until the whole allowance is back",
        ),
    ] {
        response
            .headers
            .insert(name.to_owned(), integer_header(description));
    }
}

fn integer_header(description: &str) -> Header {
    utoipa::openapi::HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0)),
        )
        .description(Some(description))
        .build()
}

/// Every refusal's body is a `Problem`, with the headers its status carries.
fn as_problem(status: &str, response: &mut Response) {
    response.content.clear();
    response.content.insert(
        PROBLEM_CONTENT_TYPE.to_owned(),
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
    let header = match status {
        "401" => Some(("WWW-Authenticate", "Bearer")),
        "503" | "429" => Some(("Retry-After", "Seconds to wait before retrying")),
        _ => None,
    };
    if let Some((name, description)) = header {
        response
            .headers
            .insert(name.to_owned(), string_header(description));
    }
}

fn string_header(description: &str) -> Header {
    utoipa::openapi::HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(description))
        .build()
}

/// A command's reply is its handler's body plus the journal `position` its
/// events reached (also in the `Errand-Position` header); a dry run answers
/// 200 with the events it would append and the reply, appending nothing.
fn command_success(operation: &mut Operation) {
    let mut success_is_200 = false;
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !status.starts_with('2') {
            continue;
        }
        success_is_200 |= status == "200";
        response
            .headers
            .insert("Errand-Position".to_owned(), position_header());
        let reply = response
            .content
            .get("application/json")
            .and_then(|content| content.schema.clone());
        let positioned: RefOr<Schema> = match reply {
            Some(reply) => AllOfBuilder::new()
                .item(reply)
                .item(Ref::from_schema_name("CommandPosition"))
                .into(),
            None => Ref::from_schema_name("CommandPosition").into(),
        };
        let schema: RefOr<Schema> = if status == "200" {
            OneOfBuilder::new()
                .item(positioned)
                .item(Ref::from_schema_name("DryRun"))
                .into()
        } else {
            positioned
        };
        response.content.clear();
        response
            .content
            .insert("application/json".to_owned(), Content::new(Some(schema)));
    }
    if !success_is_200 {
        let dry_run = ResponseBuilder::new()
            .description("A dry run (Errand-Dry-Run: true): the events it would append and the reply; nothing is appended")
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("DryRun"))),
            )
            .build();
        let mut responses = ResponsesBuilder::new().build();
        responses
            .responses
            .insert("200".to_owned(), RefOr::T(dry_run));
        operation
            .responses
            .responses
            .append(&mut responses.responses);
    }
}

fn position_header() -> Header {
    utoipa::openapi::HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::Integer).format(Some(
            utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64),
        )))
        .description(Some(
            "The journal position of the command's last event (absent on a dry run)",
        ))
        .build()
}

fn command_headers() -> [Parameter; 2] {
    let idempotency_key = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes the command safe to retry: a repeat with the same key and body replays the first reply (Idempotent-Replayed: true); the same key with another body is refused",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]+$")),
        ))
        .build();
    let dry_run = ParameterBuilder::new()
        .name("Errand-Dry-Run")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "true: decide the command and answer 200 with the events it would append, appending nothing",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["true", "false", "1", "0"])),
        ))
        .build();
    [idempotency_key, dry_run]
}

/// What a field of a command body may hold.
enum Bound {
    /// Characters (the domain trims, so required text holds a non-space).
    Text {
        min: usize,
        max: usize,
    },
    /// Cents, up to the largest amount the ledger holds.
    Cents {
        min: i64,
    },
    Count {
        min: u32,
        max: u32,
    },
    /// One of these strings (for an array, each item).
    OneOf(&'static [&'static str]),
}

/// Every bounded field of every command body, with the constant that bounds it.
const BOUNDS: &[(&str, &str, Bound)] = &[
    (
        "RegisterWebhookRequest",
        "url",
        Bound::Text {
            min: 1,
            max: errand_aggregates::webhook::endpoint::URL_MAX_CHARS,
        },
    ),
    (
        "RegisterWebhookRequest",
        "event_types",
        Bound::OneOf(errand_aggregates::webhook::endpoint::SUBSCRIBABLE_EVENT_TYPES),
    ),
    (
        "RegisterActorRequest",
        "kind",
        Bound::OneOf(&["agent", "human", "admin"]),
    ),
    (
        "RegisterActorRequest",
        "name",
        Bound::Text {
            min: 1,
            max: NAME_MAX_CHARS,
        },
    ),
    ("IssueKeyRequest", "scopes", Bound::OneOf(SCOPES)),
    (
        "IssueKeyRequest",
        "prefix",
        Bound::OneOf(actors::KEY_PREFIXES),
    ),
    ("IssueKeyRequest", "mode", Bound::OneOf(&["live", "test"])),
    (
        "StandingRequest",
        "reason",
        Bound::Text {
            min: 1,
            max: policy::REASON_MAX_CHARS,
        },
    ),
    (
        "GrantCreditRequest",
        "amount_cents",
        Bound::Cents { min: 1 },
    ),
    (
        "GrantCreditRequest",
        "reason",
        Bound::Text {
            min: 1,
            max: policy::REASON_MAX_CHARS,
        },
    ),
    ("PayoutRequest", "amount_cents", Bound::Cents { min: 1 }),
    (
        "DepositRequest",
        "amount_cents",
        Bound::Cents {
            min: DEPOSIT_MIN_CENTS,
        },
    ),
    (
        "PostTaskRequest",
        "title",
        Bound::Text {
            min: 1,
            max: TITLE_MAX_CHARS,
        },
    ),
    (
        "PostTaskRequest",
        "description",
        Bound::Text {
            min: 0,
            max: DESCRIPTION_MAX_CHARS,
        },
    ),
    ("PostTaskRequest", "reward_cents", Bound::Cents { min: 1 }),
    (
        "PostTaskRequest",
        "slots",
        Bound::Count {
            min: 1,
            max: SLOTS_MAX,
        },
    ),
    (
        "PostTaskRequest",
        "assignment",
        Bound::OneOf(&["first_accept", "apply_select"]),
    ),
    (
        "PostTaskRequest",
        "kind",
        Bound::Text {
            min: 1,
            max: KIND_MAX_CHARS,
        },
    ),
    (
        "PostTaskRequest",
        "assignment_time_limit_s",
        Bound::Count {
            min: 1,
            max: DURATION_MAX_S,
        },
    ),
    (
        "PostTaskRequest",
        "review_window_s",
        Bound::Count {
            min: 1,
            max: DURATION_MAX_S,
        },
    ),
    (
        "ApplyRequest",
        "note",
        Bound::Text {
            min: 0,
            max: NOTE_MAX_CHARS,
        },
    ),
    (
        "ResizeRequest",
        "slots",
        Bound::Count {
            min: 1,
            max: SLOTS_MAX,
        },
    ),
    (
        "ReasonRequest",
        "reason",
        Bound::Text {
            min: 1,
            max: errand_aggregates::task::REASON_MAX_CHARS,
        },
    ),
    (
        "PostMessageRequest",
        "body",
        Bound::Text {
            min: 1,
            max: errand_aggregates::thread::MESSAGE_MAX_CHARS,
        },
    ),
    (
        "RegisterPersonRequest",
        "referral_code",
        Bound::Text {
            min: errand_aggregates::referral::REFERRAL_CODE_CHARS,
            max: errand_aggregates::referral::REFERRAL_CODE_CHARS,
        },
    ),
    (
        "KillSwitchRequest",
        "action",
        Bound::OneOf(crate::queries::admin_actions::ACTIONS),
    ),
    (
        "KillSwitchRequest",
        "reason",
        Bound::Text {
            min: 1,
            max: errand_aggregates::listing::REASON_MAX_CHARS,
        },
    ),
];

struct RequestBounds;

impl utoipa::Modify for RequestBounds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let schemas = &mut openapi
            .components
            .get_or_insert_with(Default::default)
            .schemas;
        for (schema, field, bound) in BOUNDS {
            let property = schemas.get_mut(*schema).and_then(|schema| match schema {
                RefOr::T(Schema::Object(object)) => object.properties.get_mut(*field),
                _ => None,
            });
            // A bound on a field the document lacks is a bug in this table.
            let property = match property {
                Some(RefOr::T(Schema::Array(array))) => match &mut array.items {
                    ArrayItems::RefOrSchema(items) => items.as_mut(),
                    ArrayItems::False => panic!("{schema}.{field} has no items"),
                },
                Some(property) => property,
                None => panic!("{schema}.{field} is not in the OpenAPI document"),
            };
            let RefOr::T(Schema::Object(property)) = property else {
                panic!("{schema}.{field} is not a plain schema");
            };
            apply(property, bound);
        }
    }
}

fn apply(property: &mut Object, bound: &Bound) {
    use utoipa::Number;
    match bound {
        Bound::Text { min, max } => {
            property.min_length = Some(*min);
            property.max_length = Some(*max);
            if *min > 0 {
                property.pattern = Some("\\S".to_owned());
            }
        }
        Bound::Cents { min } => {
            property.minimum = Some(Number::Int(*min as isize));
            property.maximum = Some(Number::Int(MAX_AMOUNT_CENTS as isize));
        }
        Bound::Count { min, max } => {
            property.minimum = Some(Number::UInt(*min as usize));
            property.maximum = Some(Number::UInt(*max as usize));
        }
        Bound::OneOf(values) => {
            let mut values: Vec<serde_json::Value> = values.iter().map(|v| (*v).into()).collect();
            // An optional field may also be sent as null.
            if let SchemaType::Array(types) = &property.schema_type {
                if types.contains(&Type::Null) {
                    values.push(serde_json::Value::Null);
                }
            }
            property.enum_values = Some(values);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> serde_json::Value {
        // Building it runs the modifiers, whose table of bounds panics on a
        // field the document lacks.
        serde_json::to_value(NativeApi::openapi()).expect("the document serializes")
    }

    #[test]
    fn every_refusal_is_documented_as_a_problem() {
        let document = document();
        let paths = document["paths"].as_object().expect("paths");
        for (path, item) in paths {
            for (method, operation) in item.as_object().expect("an item") {
                let responses = operation["responses"].as_object().expect("responses");
                let statuses: Vec<&str> = responses.keys().map(String::as_str).collect();
                let mut required = vec!["401", "403", "503"];
                if path.contains('{') {
                    required.push("404");
                }
                if method == "post" || method == "delete" || method == "patch" {
                    required.extend(["400", "409", "413", "415", "422"]);
                    // A command answers a dry run 200; a POST that reads answers its own 2xx.
                    let id = operation["operationId"].as_str().unwrap_or_default();
                    if READS_BY_POST.contains(&id) {
                        assert!(
                            statuses.iter().any(|status| status.starts_with('2')),
                            "{method} {path} documents no success"
                        );
                    } else {
                        required.push("200");
                    }
                }
                for status in required {
                    assert!(statuses.contains(&status), "{method} {path} lacks {status}");
                }
                let refusals = responses
                    .iter()
                    .filter(|(status, _)| status.starts_with('4') || status.starts_with('5'));
                for (status, response) in refusals {
                    let schema = &response["content"][PROBLEM_CONTENT_TYPE]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        fn references<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::Object(fields) => {
                    if let Some(reference) = fields.get("$ref").and_then(|r| r.as_str()) {
                        found.push(reference);
                    }
                    fields.values().for_each(|field| references(field, found));
                }
                serde_json::Value::Array(items) => {
                    items.iter().for_each(|item| references(item, found))
                }
                _ => {}
            }
        }
        let document = document();
        let mut found = Vec::new();
        references(&document, &mut found);
        assert!(found.len() > 100, "{} references", found.len());
        for reference in found {
            let name = reference.trim_start_matches("#/components/schemas/");
            assert!(
                document["components"]["schemas"].get(name).is_some(),
                "{reference} resolves to nothing"
            );
        }
    }

    #[test]
    fn command_bodies_carry_the_domains_bounds() {
        let document = document();
        let schemas = &document["components"]["schemas"];
        let title = &schemas["PostTaskRequest"]["properties"]["title"];
        assert_eq!(title["maxLength"], TITLE_MAX_CHARS);
        let reward = &schemas["PostTaskRequest"]["properties"]["reward_cents"];
        assert_eq!(reward["maximum"], MAX_AMOUNT_CENTS);
        assert_eq!(
            schemas["DepositRequest"]["properties"]["amount_cents"]["minimum"],
            DEPOSIT_MIN_CENTS
        );
        let scopes = &schemas["IssueKeyRequest"]["properties"]["scopes"]["items"]["enum"];
        assert_eq!(scopes.as_array().map(Vec::len), Some(SCOPES.len()));
        // Bodies refuse unknown fields, and say so.
        assert_eq!(schemas["PostTaskRequest"]["additionalProperties"], false);
    }
}
