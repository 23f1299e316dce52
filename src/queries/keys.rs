//! Authentication's read: which key a secret's hash belongs to. The mapping
//! never changes once made, so this read model is enough; whether the key is
//! revoked and its actor's standing are read from their streams (see
//! `http/auth.rs`) so a revocation or ban counts from the moment it is
//! acknowledged.

use errand_aggregates::ids::KeyId;
use sqlx::AnyPool;

pub async fn key_by_hash(pool: &AnyPool, secret_hash: &str) -> Result<Option<KeyId>, sqlx::Error> {
    let key_id: Option<String> =
        sqlx::query_scalar("SELECT key_id FROM api_keys_view WHERE secret_hash = $1")
            .bind(secret_hash)
            .fetch_optional(pool)
            .await?;
    Ok(key_id.as_deref().and_then(KeyId::parse))
}
