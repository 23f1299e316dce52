//! Asking for a new email verification link. A link verifies for a day
//! (`VERIFICATION_TOKEN_LIFETIME`); a person who let it lapse, or lost the
//! mail, asks for another here by their address. The answer is the same
//! whether the address is registered, verified already, or unknown, so it
//! tells nobody more than the mail does.

use super::people::mail_verification;
use crate::bus::{commands, BusError, Executed};
use crate::http::errors::ApiResult;
use crate::http::extract::CommandRequest;
use crate::http::state::AppState;
use crate::identity::verification::new_verification_token;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use errand_aggregates::actor::Email;
use errand_aggregates::email_claim::EmailClaim;
use errand_aggregates::DomainError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    #[schema(format = Email)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationRequested {
    /// Always `requested`: a link is mailed if the address awaits verification.
    pub status: &'static str,
}

/// Mail a new verification link to an address that awaits verification.
#[utoipa::path(post, path = "/v1/people/verification", tag = "people", request_body = VerificationRequest,
    responses((status = 202, body = VerificationRequested), (status = 422, description = "Not an email address")),
    security(()))]
pub async fn resend_verification(
    State(app): State<AppState>,
    request: CommandRequest<VerificationRequest>,
) -> ApiResult<Response> {
    let email = Email::parse(&request.body.email)?;
    let (claim, _) = app
        .bus
        .load_fresh::<EmailClaim>(&commands::email_claim_stream(&email))
        .await?;
    if let Some(actor_id) = claim.actor_id {
        let verification = new_verification_token(actor_id);
        let context = request.meta.public_context(
            format!("verification:{actor_id}"),
            "IssueEmailVerification",
            202,
        );
        let executed = crate::execute!(app.bus, &context, |unit| {
            commands::reissue_verification(unit, actor_id, verification.hash.clone(), Utc::now())
                .await
        });
        match executed {
            Ok(Executed::Done { .. }) => {
                mail_verification(&app, actor_id, &email, "/v1/people/verify", verification)
            }
            // Verified already: nothing to send, and said as for anyone.
            Err(BusError::Domain(DomainError::Conflict(_))) => {}
            Ok(Executed::Replayed(_) | Executed::DryRun { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    let reply = VerificationRequested {
        status: "requested",
    };
    Ok((StatusCode::ACCEPTED, Json(reply)).into_response())
}
