//! Reputation an actor brings from elsewhere (`/reputation-import`): a third
//! party's score with the URL that proves it. Errand does not fetch the
//! proof — that would be a request to any address a caller names — so an
//! import is recorded as the actor's claim, shown unverified beside the
//! reputation earned here, and never mixed into it. One signal per source:
//! importing from a source again replaces its signal.

use crate::error::DomainError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A source's name: `github`, `huggingface`, `upwork`, ….
pub const SOURCE_MAX_CHARS: usize = 40;
/// Browsers' practical bound on a URL.
pub const PROOF_URL_MAX_CHARS: usize = 2_048;
/// Sources one actor may import from: a profile, not a registry.
pub const SOURCES_MAX: usize = 20;
/// Scores are fractions of 1 to this many places (0.8512).
pub const SCORE_DECIMAL_PLACES: u32 = 4;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalSignal {
    /// Lower-case letters, digits, `-`, `_` and `.`.
    pub source: String,
    /// 0 to 1.
    pub score: Decimal,
    /// An `https://` URL.
    pub proof_url: String,
}

impl ExternalSignal {
    pub fn parse(source: &str, score: Decimal, proof_url: &str) -> Result<Self, DomainError> {
        let source = source.trim().to_ascii_lowercase();
        let source_ok = !source.is_empty()
            && source.chars().count() <= SOURCE_MAX_CHARS
            && source
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !source_ok {
            return Err(DomainError::invalid(format!(
                "source is 1 to {SOURCE_MAX_CHARS} letters, digits, '-', '_' or '.'"
            )));
        }
        if score < Decimal::ZERO || score > Decimal::ONE || score.scale() > SCORE_DECIMAL_PLACES {
            return Err(DomainError::invalid(format!(
                "score is a number from 0 to 1 with at most {SCORE_DECIMAL_PLACES} decimal places"
            )));
        }
        let proof_url = proof_url.trim();
        let url_ok = proof_url.len() > "https://".len()
            && proof_url.starts_with("https://")
            && proof_url.chars().count() <= PROOF_URL_MAX_CHARS
            && proof_url.chars().all(|c| c.is_ascii_graphic());
        if !url_ok {
            return Err(DomainError::invalid(format!(
                "proof_url is an https:// URL of at most {PROOF_URL_MAX_CHARS} characters"
            )));
        }
        Ok(ExternalSignal {
            source,
            score: score.normalize(),
            proof_url: proof_url.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn a_signal_is_a_named_source_a_score_of_at_most_one_and_an_https_proof() {
        let signal = ExternalSignal::parse(" GitHub ", score("0.85"), "https://github.com/a")
            .expect("a signal");
        assert_eq!(signal.source, "github");
        assert_eq!(signal.score, score("0.85"));
        assert!(ExternalSignal::parse("github", score("1"), "https://x.example").is_ok());
        assert!(ExternalSignal::parse("github", score("0"), "https://x.example").is_ok());
    }

    #[test]
    fn bad_sources_scores_and_proofs_are_refused() {
        let url = "https://github.com/a";
        for source in ["", "git hub", "gïthub", &"g".repeat(SOURCE_MAX_CHARS + 1)] {
            assert!(
                ExternalSignal::parse(source, score("0.5"), url).is_err(),
                "{source}"
            );
        }
        for bad in ["-0.01", "1.01", "0.12345"] {
            assert!(
                ExternalSignal::parse("github", score(bad), url).is_err(),
                "{bad}"
            );
        }
        let long = format!("https://{}", "a".repeat(PROOF_URL_MAX_CHARS));
        for proof in [
            "http://github.com/a",
            "https://",
            "https://a b",
            "javascript:x",
            &long,
        ] {
            assert!(
                ExternalSignal::parse("github", score("0.5"), proof).is_err(),
                "{proof}"
            );
        }
    }
}
