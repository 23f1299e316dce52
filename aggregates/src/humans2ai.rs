//! Humans2AI's rules that are not one aggregate's own: how many API keys
//! may be active at once, and what a rejection must say. The dialect
//! applies them; they live here so no rule lives in `src/http/`.

use crate::error::DomainError;

/// The seed: "max 10 active per user". Decided by the actor's `KeyRing`.
pub const ACTIVE_KEYS_MAX: usize = 10;
/// The seed: "Reject submission with a reason (min 50 chars)", so the
/// person whose work is refused learns what to redo.
pub const REJECTION_REASON_MIN_CHARS: usize = 50;

/// A rejection's reason, trimmed, at least `REJECTION_REASON_MIN_CHARS`.
/// (The task's own bound on every reason's length still applies.)
pub fn rejection_reason(reason: &str) -> Result<String, DomainError> {
    let reason = reason.trim();
    if reason.chars().count() < REJECTION_REASON_MIN_CHARS {
        return Err(DomainError::invalid(format!(
            "reason must be at least {REJECTION_REASON_MIN_CHARS} characters"
        )));
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_needs_fifty_characters_of_reason() {
        assert!(rejection_reason("Too blurry.").is_err());
        assert!(rejection_reason(&format!("  {}  ", "x".repeat(49))).is_err());
        let reason = "The photos are too blurry to read the shop signs; please retake them.";
        assert_eq!(rejection_reason(reason).expect("long enough"), reason);
    }
}
