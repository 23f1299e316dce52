//! Sends one due delivery and records what came of it: render the body in
//! the endpoint's format, sign it, POST it (redirects off, a timeout, only to
//! addresses the SSRF guard allows), and record the attempt through the
//! command bus on the delivery's own stream. The aggregate decides whether it
//! is delivered, retried later or given up.

use std::time::Instant;

use chrono::Utc;
use errand_aggregates::ids::{DeliveryId, WebhookId};
use errand_aggregates::webhook::{
    AttemptOutcome, DeliveryCommand, RetryPolicy, WebhookDelivery, WebhookFormat,
};
use errand_projections::outbox::DueDelivery;
use reqwest::header::CONTENT_TYPE;

use super::destination::{check_url, GuardedResolver};
use super::format::{render, RenderError};
use super::{DeliveryTerms, WebhookSettings};
use crate::bus::CommandContext;
use crate::http::state::AppState;

/// Receivers see this, to tell Errand's requests apart.
const USER_AGENT: &str = concat!("Errand-Webhooks/", env!("CARGO_PKG_VERSION"));

pub struct Courier {
    client: reqwest::Client,
    state: AppState,
}

impl Courier {
    pub fn new(state: AppState) -> Result<Courier, reqwest::Error> {
        let settings = &state.config.webhooks;
        let mut client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            // A redirect would go where the guard did not look.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve names itself, past the guard.
            .no_proxy()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout);
        if !settings.allow_private_destinations {
            client = client.dns_resolver(std::sync::Arc::new(GuardedResolver));
        }
        Ok(Courier {
            client: client.build()?,
            state,
        })
    }

    /// Sends `delivery` once and records the attempt; `Ok` is the journal
    /// position the record reached, `Err` says why nothing was recorded.
    pub async fn deliver(&self, delivery: DueDelivery) -> Result<i64, String> {
        let settings: &WebhookSettings = &self.state.config.webhooks;
        let attempt = u32::try_from(delivery.attempts + 1).map_err(|e| e.to_string())?;
        let started = Instant::now();
        // An unknown format fails in rendering, on any terms.
        let terms = settings.terms(WebhookFormat::parse(&delivery.format).unwrap_or_default());
        let mut policy = terms.retry;
        let outcome = match self.send(&delivery, settings, terms).await {
            Ok(status_code) => AttemptOutcome::Answered { status_code },
            Err(Failure::Final(error)) => {
                // Trying again would fail alike: this attempt is the last.
                policy.attempts_max = attempt;
                AttemptOutcome::Unanswered { error }
            }
            Err(Failure::Retry(error)) => AttemptOutcome::Unanswered { error },
        };
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.record(&delivery, attempt, outcome, duration_ms, policy)
            .await
    }

    async fn send(
        &self,
        delivery: &DueDelivery,
        settings: &WebhookSettings,
        terms: DeliveryTerms,
    ) -> Result<u16, Failure> {
        let url = reqwest::Url::parse(&delivery.url)
            .map_err(|error| Failure::Final(format!("url does not parse: {error}")))?;
        check_url(&url, settings.allow_private_destinations).map_err(Failure::Final)?;
        let rendered = render(&self.state.bus, &self.state.secret, delivery)
            .await
            .map_err(|error| match error {
                RenderError::Unrenderable(why) => Failure::Final(why),
                error @ RenderError::Journal(_) => Failure::Retry(error.to_string()),
            })?;
        // Standard Webhooks: the id is the same on every attempt, so
        // receivers can drop repeats; the timestamp is the attempt's.
        let headers = rendered.signature.headers(
            &delivery.delivery_id,
            Utc::now().timestamp(),
            &rendered.body,
        );
        let mut request = self
            .client
            .post(url)
            .timeout(terms.timeout)
            .header(CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request
            .body(rendered.body)
            .send()
            .await
            .map_err(|error| Failure::Retry(error_chain(&error)))?;
        Ok(response.status().as_u16())
    }

    async fn record(
        &self,
        delivery: &DueDelivery,
        attempt: u32,
        outcome: AttemptOutcome,
        duration_ms: u64,
        policy: RetryPolicy,
    ) -> Result<i64, String> {
        let delivery_id =
            DeliveryId::parse(&delivery.delivery_id).ok_or("delivery id is not a UUID")?;
        let webhook_id =
            WebhookId::parse(&delivery.webhook_id).ok_or("webhook id is not a UUID")?;
        let stream = format!("delivery-{delivery_id}");
        let context = CommandContext::system("webhooks", "RecordDeliveryAttempt");
        let command = DeliveryCommand::RecordAttempt {
            webhook_id,
            position: delivery.position,
            attempt,
            outcome,
            duration_ms,
            policy,
            at: Utc::now(),
        };
        let executed = crate::execute!(self.state.bus, &context, |unit| {
            unit.decide::<WebhookDelivery>(&stream, &command).await?;
            Ok(())
        })
        .map_err(|error| error.to_string())?;
        match executed {
            crate::bus::Executed::Done { last_position, .. } => Ok(last_position),
            _ => Err("the attempt was not appended".into()),
        }
    }
}

enum Failure {
    /// Another attempt would fare no better.
    Final(String),
    Retry(String),
}

/// An error with its causes, one line: reqwest's own message says little.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
