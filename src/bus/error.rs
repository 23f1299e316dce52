//! Why the command bus could not carry out a command.

use crate::journal::JournalError;
use errand_aggregates::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The domain refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The principal's actor is not on the ledger (a key outliving its actor).
    #[error("the acting actor does not exist")]
    UnknownActor,
    /// The same Idempotency-Key was used before with a different request.
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    /// A request with the same Idempotency-Key is still being carried out.
    #[error("a request with this Idempotency-Key is in progress")]
    IdempotencyKeyInFlight,
    /// The caller's key or actor changed (revoked, frozen, banned) while the
    /// command was decided: the request must be authorized again.
    #[error("the caller's key or standing changed during the request; retry it")]
    CallerChanged,
    /// Every retry met a concurrent change to the same streams.
    #[error("too much contention on {stream_id}; retry the request")]
    Contention { stream_id: String },
    /// A stored event could not be read back into its aggregate's events.
    #[error("stream {stream_id} holds an event that does not decode")]
    Corrupt {
        stream_id: String,
        #[source]
        source: serde_json::Error,
    },
    /// The reply could not be recorded for idempotent replay.
    #[error("the reply does not serialize")]
    Reply(#[source] serde_json::Error),
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A hold set off the owner's auto-reload: the bus tops the account up
    /// and decides the command again (`bus::top_up`). Never leaves the bus.
    #[error("auto-reload is due before this hold")]
    TopUpDue(Box<errand_aggregates::billing::TopUp>),
}
