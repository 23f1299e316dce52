//! Humans2AI's ids are the ledger's UUIDs with a type prefix (`task_0190…`,
//! 32 hex digits): the same task is `task_<hex>` here and the hyphenated
//! UUID in the native API. A bare UUID is accepted too.

use super::errors::Humans2AiError;
use uuid::Uuid;

pub fn format(prefix: &str, id: Uuid) -> String {
    format!("{prefix}_{}", id.simple())
}

/// The UUID behind `<prefix>_<hex>` (or a bare UUID); anything else names
/// nothing here, so it is not found.
pub fn parse<T: From<Uuid>>(text: &str, prefix: &str, what: &str) -> Result<T, Humans2AiError> {
    let hex = text
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .unwrap_or(text);
    Uuid::parse_str(hex)
        .map(T::from)
        .map_err(|_| Humans2AiError::not_found(what))
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_aggregates::ids::TaskId;

    #[test]
    fn an_id_reads_back_with_or_without_its_prefix() {
        let id = Uuid::from_u128(0xa1b2c3);
        let text = format("task", id);
        assert_eq!(text, "task_00000000000000000000000000a1b2c3");
        assert_eq!(parse::<TaskId>(&text, "task", "task").unwrap().0, id);
        assert!(parse::<TaskId>("task_nope", "task", "task").is_err());
        assert!(parse::<TaskId>("user_00000000000000000000000000a1b2c3", "task", "task").is_err());
    }
}
