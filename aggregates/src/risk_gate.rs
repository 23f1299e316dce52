//! The Risk Gate: rule-based moderation of new work before anything is held
//! or appended. A gate is a list of refused categories and named rules of
//! phrases; a task whose category is refused, or whose title or description
//! contains a rule's phrase as whole words (case and punctuation aside), is
//! refused naming the rule. Operators may replace the default list with
//! their own (`RiskGate::parse` of a JSON document); loading the file is
//! the server's business, the rule is this module's.

use crate::error::DomainError;
use serde::Deserialize;

/// A gate document is configuration, not data: this bounds what a typo in
/// an operator's file can cost every posting.
pub const RULES_MAX: usize = 256;
pub const PHRASES_MAX_PER_RULE: usize = 256;
pub const PHRASE_MAX_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskGate {
    refused_categories: Vec<String>,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    /// Normalised (see `normalise`), each padded with a space either side.
    phrases: Vec<String>,
}

/// What is screened of a task.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
}

/// The operator's file: `{"refusedCategories": […], "rules": [{"name", "phrases": […]}]}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GateDocument {
    #[serde(default)]
    refused_categories: Vec<String>,
    #[serde(default)]
    rules: Vec<RuleDocument>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDocument {
    name: String,
    phrases: Vec<String>,
}

/// The default list: asking strangers for other people's secrets, for
/// weapons, for harm to someone, for drugs, or for fraud.
const DEFAULT_RULES: &[(&str, &[&str])] = &[
    (
        "credentials",
        &[
            "password",
            "passwords",
            "passcode",
            "login credentials",
            "one time code",
            "one time password",
            "otp code",
            "2fa code",
            "verification code",
            "seed phrase",
            "recovery phrase",
            "private key",
            "social security number",
            "credit card number",
            "cvv",
            "bank login",
        ],
    ),
    (
        "weapons",
        &[
            "gun",
            "guns",
            "firearm",
            "firearms",
            "ammunition",
            "explosive",
            "explosives",
            "bomb",
            "weapon",
            "weapons",
        ],
    ),
    (
        "harassment",
        &[
            "harass",
            "harassment",
            "stalk",
            "stalking",
            "dox",
            "doxx",
            "doxxing",
            "intimidate",
            "threaten",
        ],
    ),
    (
        "drugs",
        &["cocaine", "heroin", "methamphetamine", "fentanyl"],
    ),
    (
        "fraud",
        &[
            "fake review",
            "fake reviews",
            "solve captcha",
            "solve captchas",
            "counterfeit",
            "forged document",
        ],
    ),
];

const DEFAULT_REFUSED_CATEGORIES: &[&str] = &["weapons", "drugs", "adult", "harassment"];

impl Default for RiskGate {
    fn default() -> Self {
        let rules = DEFAULT_RULES
            .iter()
            .map(|(name, phrases)| Rule::new(name, phrases.iter().copied()))
            .collect();
        RiskGate {
            refused_categories: DEFAULT_REFUSED_CATEGORIES
                .iter()
                .map(|c| normalise(c))
                .collect(),
            rules,
        }
    }
}

impl Rule {
    fn new<'a>(name: &str, phrases: impl Iterator<Item = &'a str>) -> Rule {
        Rule {
            name: name.to_owned(),
            phrases: phrases
                .map(normalise)
                .filter(|p| !p.is_empty())
                .map(|p| format!(" {p} "))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    #[error("the Risk Gate document is not valid JSON of its shape: {0}")]
    Shape(String),
    #[error("the Risk Gate document is out of bounds: {0}")]
    Bounds(String),
}

impl RiskGate {
    /// An operator's gate, replacing the default list.
    pub fn parse(document: &str) -> Result<RiskGate, GateError> {
        let document: GateDocument =
            serde_json::from_str(document).map_err(|e| GateError::Shape(e.to_string()))?;
        if document.rules.len() > RULES_MAX || document.refused_categories.len() > RULES_MAX {
            return Err(GateError::Bounds(format!(
                "at most {RULES_MAX} rules and {RULES_MAX} categories"
            )));
        }
        for rule in &document.rules {
            let too_long = rule
                .phrases
                .iter()
                .any(|p| p.chars().count() > PHRASE_MAX_CHARS);
            if rule.name.trim().is_empty() || rule.phrases.len() > PHRASES_MAX_PER_RULE || too_long
            {
                return Err(GateError::Bounds(format!(
                    "rule {:?}: a name, at most {PHRASES_MAX_PER_RULE} phrases of at most {PHRASE_MAX_CHARS} characters",
                    rule.name
                )));
            }
        }
        Ok(RiskGate {
            refused_categories: document
                .refused_categories
                .iter()
                .map(|c| normalise(c))
                .collect(),
            rules: document
                .rules
                .iter()
                .map(|rule| Rule::new(rule.name.trim(), rule.phrases.iter().map(String::as_str)))
                .collect(),
        })
    }

    /// Lets content through, or refuses it naming the rule that matched.
    pub fn screen(&self, content: Content<'_>) -> Result<(), DomainError> {
        let category = normalise(content.category);
        if self.refused_categories.contains(&category) {
            return Err(DomainError::ContentRefused(format!(
                "Task content rejected by Risk Gate: category {:?} is not allowed (rule: category:{category}).",
                content.category.trim()
            )));
        }
        let text = format!(
            " {} {} ",
            normalise(content.title),
            normalise(content.description)
        );
        for rule in &self.rules {
            if let Some(phrase) = rule.phrases.iter().find(|p| text.contains(p.as_str())) {
                return Err(DomainError::ContentRefused(format!(
                    "Task content rejected by Risk Gate (rule: {}; matched {:?}).",
                    rule.name,
                    phrase.trim()
                )));
            }
        }
        Ok(())
    }
}

/// Lowercase words separated by single spaces: punctuation and case never
/// hide a phrase, and a phrase matches only whole words.
fn normalise(text: &str) -> String {
    let lowered: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task<'a>(title: &'a str, description: &'a str, category: &'a str) -> Content<'a> {
        Content {
            title,
            description,
            category,
        }
    }

    fn refusal(result: Result<(), DomainError>) -> String {
        match result {
            Err(DomainError::ContentRefused(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn ordinary_work_passes_the_default_gate() {
        let gate = RiskGate::default();
        gate.screen(task(
            "Photograph 3 coffee shops in SOMA",
            "Take exterior and interior photos of 3 coffee shops in SOMA district.",
            "photography",
        ))
        .expect("ordinary work passes");
        // Whole words only: a "gunther" is no gun, "passwordless" no password.
        gate.screen(task(
            "Interview Gunther",
            "About passwordless login UX",
            "research",
        ))
        .expect("whole words only");
    }

    #[test]
    fn asking_for_credentials_is_refused_naming_the_rule() {
        let message = refusal(RiskGate::default().screen(task(
            "Quick job",
            "Log into my bank and send me the PASSWORD!",
            "errands",
        )));
        assert!(message.contains("rule: credentials"), "{message}");
        let message =
            refusal(RiskGate::default().screen(task("Read me the one-time code", "", "errands")));
        assert!(message.contains("credentials"), "{message}");
    }

    #[test]
    fn weapons_and_harassment_are_refused() {
        let message = refusal(RiskGate::default().screen(task("Buy a gun for me", "", "errands")));
        assert!(message.contains("rule: weapons"), "{message}");
        let message = refusal(RiskGate::default().screen(task(
            "Follow my ex",
            "Stalk her and take photos",
            "photography",
        )));
        assert!(message.contains("rule: harassment"), "{message}");
    }

    #[test]
    fn a_refused_category_is_refused_whatever_the_text() {
        let message = refusal(RiskGate::default().screen(task("Anything", "", " Weapons ")));
        assert!(message.contains("category:weapons"), "{message}");
    }

    #[test]
    fn an_operators_gate_replaces_the_default_list() {
        let gate = RiskGate::parse(
            r#"{"refusedCategories": ["gambling"], "rules": [{"name": "pets", "phrases": ["walk my cat"]}]}"#,
        )
        .expect("a valid document");
        gate.screen(task("Send me the password", "", "errands"))
            .expect("the default rules are replaced");
        let message = refusal(gate.screen(task("Please walk my cat!", "", "errands")));
        assert!(message.contains("rule: pets"), "{message}");
        refusal(gate.screen(task("Bet for me", "", "Gambling")));
    }

    #[test]
    fn a_malformed_or_unbounded_document_is_refused() {
        assert!(matches!(RiskGate::parse("{"), Err(GateError::Shape(_))));
        assert!(matches!(
            RiskGate::parse(r#"{"rulez": []}"#),
            Err(GateError::Shape(_))
        ));
        let long = "x".repeat(PHRASE_MAX_CHARS + 1);
        let document = format!(r#"{{"rules": [{{"name": "long", "phrases": ["{long}"]}}]}}"#);
        assert!(matches!(
            RiskGate::parse(&document),
            Err(GateError::Bounds(_))
        ));
    }
}
