//! A wallet address as Humai's delegated agents give them: `0x` and 40 hex
//! digits (an EVM address). Kept as written; compared case-insensitively.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WalletAddress(String);

impl WalletAddress {
    pub fn parse(text: &str, what: &str) -> Result<WalletAddress, DomainError> {
        let text = text.trim();
        let valid = text.len() == 42
            && text.starts_with("0x")
            && text[2..].chars().all(|c| c.is_ascii_hexdigit());
        if valid {
            Ok(WalletAddress(text.to_owned()))
        } else {
            Err(DomainError::invalid(format!(
                "{what} must be 0x followed by 40 hex digits"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evm_addresses_parse_and_others_do_not() {
        let seed = "0x742d35Cc6634C0532925a3b844Bc9e7595f2bD18";
        assert_eq!(
            WalletAddress::parse(seed, "owner_wallet").unwrap().as_str(),
            seed
        );
        for bad in [
            "",
            "742d35Cc6634C0532925a3b844Bc9e7595f2bD18",
            "0x742d35Cc6634C0532925a3b844Bc9e7595f2bD1",
            "0x742d35Cc6634C0532925a3b844Bc9e7595f2bD1g",
        ] {
            assert!(
                WalletAddress::parse(bad, "owner_wallet").is_err(),
                "{bad:?}"
            );
        }
    }
}
