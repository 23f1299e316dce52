//! The domain's one error type: why an aggregate refused a command. Each
//! variant is a kind of refusal that the HTTP layers map to a status once.

use crate::money::MoneyError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The command is malformed in a way only the domain can tell (bounds, shapes).
    #[error("{0}")]
    Invalid(String),
    /// The command is well formed but the aggregate's state does not allow it now.
    #[error("{0}")]
    Conflict(String),
    /// The actor is not the one this command belongs to (not the poster, not the assignee).
    #[error("{0}")]
    Forbidden(String),
    /// The thing the command is about does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The account cannot cover the amount.
    #[error("insufficient funds: {available_cents} cents available, {needed_cents} needed")]
    InsufficientFunds {
        available_cents: i64,
        needed_cents: i64,
    },
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// Something that must be unique (an email address) already belongs to someone.
    #[error("this {0} is already taken")]
    Taken(&'static str),
    /// A count the actor may hold at once (active API keys) is reached.
    #[error("{0}")]
    LimitExceeded(String),
    /// Moderation refused the content; the message names the rule that matched.
    #[error("{0}")]
    ContentRefused(String),
    /// A named marketplace rule refused the command. `code` is the rule's
    /// stable name (`already_bid`, `max_chain_depth_exceeded`), which a
    /// dialect may show and map to its own status; `kind` is the family the
    /// native API maps it to.
    #[error("{message}")]
    Rule {
        kind: RuleKind,
        code: &'static str,
        message: String,
    },
}

/// Which kind of refusal a [`DomainError::Rule`] is, for APIs without codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// The command is malformed for this rule (a bid priced too high).
    Invalid,
    /// The state does not allow it now (a second active bid).
    Conflict,
    /// The caller may not (self-dealing).
    Forbidden,
}

impl DomainError {
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        DomainError::Conflict(message.into())
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        DomainError::Invalid(message.into())
    }

    pub(crate) fn limit_exceeded(message: impl Into<String>) -> Self {
        DomainError::LimitExceeded(message.into())
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        DomainError::Forbidden(message.into())
    }

    pub(crate) fn rule(kind: RuleKind, code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Rule {
            kind,
            code,
            message: message.into(),
        }
    }

    /// The rule's code, for a refusal that has one.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            DomainError::Rule { code, .. } => Some(code),
            _ => None,
        }
    }
}

pub type Decided<E> = Result<Vec<E>, DomainError>;
