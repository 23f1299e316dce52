//! What the journal holds but no one is shown: a password's hash is a fact the
//! journal must keep (it is the only source of truth), yet showing it would
//! let anyone who can read the events API try passwords offline. Payloads and
//! folded states are redacted on display only; the stored bytes, and so the
//! hash chain `errand verify` checks, are untouched.

use serde_json::Value;

/// Fields shown as [`REDACTED`] wherever they appear in a payload or state.
pub const REDACTED_FIELDS: &[&str] = &["password_hash"];
pub const REDACTED: &str = "[redacted]";

pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                if REDACTED_FIELDS.contains(&name.as_str()) && !field.is_null() {
                    *field = Value::String(REDACTED.to_owned());
                } else {
                    redact(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn password_hashes_are_redacted_at_any_depth_and_nothing_else() {
        let mut value = json!({
            "type": "PasswordSet",
            "password_hash": "$argon2id$v=19$...",
            "nested": [{ "password_hash": "$argon2id$..." }],
            "absent": { "password_hash": null },
            "name": "Bea"
        });
        redact(&mut value);
        assert_eq!(
            value,
            json!({
                "type": "PasswordSet",
                "password_hash": REDACTED,
                "nested": [{ "password_hash": REDACTED }],
                "absent": { "password_hash": null },
                "name": "Bea"
            })
        );
    }
}
