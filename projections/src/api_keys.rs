//! `api_keys_view`: every issued key, found by the hash of its secret when a
//! request authenticates.

use errand_aggregates::api_key::KeyEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApiKeys;

/// One row of `api_keys_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyView {
    pub key_id: String,
    pub actor_id: String,
    /// The visible start of the secret, e.g. `erk_live_3f9a`.
    pub prefix: String,
    /// Hex SHA-256 of the secret; unique.
    pub secret_hash: String,
    /// A JSON array of scope names; empty means everything the actor may do.
    pub scopes: String,
    /// `live` or `test`.
    pub mode: String,
    pub revoked: bool,
    pub issued_at_us: i64,
}

impl ApiKeyView {
    pub fn scopes(&self) -> Vec<String> {
        serde_json::from_str(&self.scopes).unwrap_or_default()
    }

    /// The key whose secret hashes to `secret_hash`, revoked or not: the
    /// caller refuses a revoked key with its own message.
    pub async fn find_by_secret_hash(
        conn: &mut AnyConnection,
        secret_hash: &str,
    ) -> Result<Option<ApiKeyView>, sqlx::Error> {
        let sql = format!(
            "SELECT {} FROM api_keys_view WHERE secret_hash = $1",
            Self::COLUMNS.join(", ")
        );
        let row = sqlx::query(&sql)
            .bind(secret_hash)
            .fetch_optional(conn)
            .await?;
        row.as_ref().map(Self::decode).transpose()
    }
}

impl Record for ApiKeyView {
    const TABLE: &'static str = "api_keys_view";
    const COLUMNS: &'static [&'static str] = &[
        "key_id",
        "actor_id",
        "prefix",
        "secret_hash",
        "scopes",
        "mode",
        "revoked",
        "issued_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.key_id.as_str())
            .bind(self.actor_id.as_str())
            .bind(self.prefix.as_str())
            .bind(self.secret_hash.as_str())
            .bind(self.scopes.as_str())
            .bind(self.mode.as_str())
            .bind(i32::from(self.revoked))
            .bind(self.issued_at_us)
    }
}

impl ViewRow for ApiKeyView {
    fn key(&self) -> &str {
        &self.key_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ApiKeyView {
            key_id: row.try_get(0)?,
            actor_id: row.try_get(1)?,
            prefix: row.try_get(2)?,
            secret_hash: row.try_get(3)?,
            scopes: row.try_get(4)?,
            mode: row.try_get(5)?,
            revoked: row.try_get::<i32, _>(6)? != 0,
            issued_at_us: row.try_get(7)?,
        })
    }
}

impl Projection for ApiKeys {
    fn name(&self) -> &'static str {
        "api_keys"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["api_keys_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut keys = Rows::<ApiKeyView>::default();
        let revoked = events
            .iter()
            .filter(|e| matches!(e.event, Event::Key(KeyEvent::ApiKeyRevoked { .. })))
            .map(|e| stream_suffix(&e.stream_id).to_owned());
        keys.prefetch(conn, revoked).await?;
        for projected in events {
            let Event::Key(event) = &projected.event else {
                continue;
            };
            let key_id = stream_suffix(&projected.stream_id);
            match event {
                KeyEvent::ApiKeyIssued {
                    actor_id,
                    prefix,
                    secret_hash,
                    scopes,
                    mode,
                    issued_at,
                    ..
                } => keys.put(ApiKeyView {
                    key_id: key_id.to_owned(),
                    actor_id: actor_id.to_string(),
                    prefix: prefix.clone(),
                    secret_hash: secret_hash.clone(),
                    scopes: serde_json::to_string(scopes).expect("strings serialize"),
                    mode: mode.as_str().to_owned(),
                    revoked: false,
                    issued_at_us: micros(*issued_at),
                }),
                KeyEvent::ApiKeyRevoked { .. } => {
                    let key = keys.get_mut(conn, key_id).await?.ok_or_else(|| {
                        ProjectionError::inconsistent(projected, "key was never issued")
                    })?;
                    key.revoked = true;
                }
            }
        }
        keys.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::api_key::KeyCommand;
    use errand_aggregates::ids::{ActorId, KeyId};
    use errand_aggregates::mode::Mode;

    fn issue(key: KeyId, actor: ActorId, hash: &str) -> KeyCommand {
        KeyCommand::Issue {
            key_id: key,
            actor_id: actor,
            prefix: "erk_test_3f9a".into(),
            secret_hash: hash.into(),
            scopes: vec!["tasks:write".into(), "tasks:read".into()],
            mode: Mode::Test,
            at: at(0),
        }
    }

    #[tokio::test]
    async fn a_key_is_found_by_its_secret_hash_and_reads_revoked_after_revocation() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let (key, actor) = (KeyId(new_id()), ActorId(new_id()));
        let hash = "ab".repeat(32);
        journal.key(key, issue(key, actor, &hash));
        db.apply(&ApiKeys, &journal.take()).await;

        let found = ApiKeyView::find_by_secret_hash(&mut db.conn, &hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.key_id, key.to_string());
        assert_eq!(found.actor_id, actor.to_string());
        assert_eq!(found.scopes(), ["tasks:read", "tasks:write"]);
        assert_eq!(found.mode, "test");
        assert!(!found.revoked);

        journal.key(
            key,
            KeyCommand::Revoke {
                by: caller(actor),
                at: at(5),
            },
        );
        db.apply(&ApiKeys, &journal.take()).await;
        let found = ApiKeyView::find_by_secret_hash(&mut db.conn, &hash)
            .await
            .unwrap()
            .unwrap();
        assert!(found.revoked);
    }

    #[tokio::test]
    async fn an_unknown_secret_hash_finds_nothing() {
        let mut db = TestDb::new().await;
        let found = ApiKeyView::find_by_secret_hash(&mut db.conn, &"cd".repeat(32))
            .await
            .unwrap();
        assert_eq!(found, None);
    }

    #[tokio::test]
    async fn issuing_and_revoking_in_one_batch_writes_the_row_once_revoked() {
        let mut db = TestDb::new().await;
        let mut journal = TestJournal::default();
        let (key, actor) = (KeyId(new_id()), ActorId(new_id()));
        journal.key(key, issue(key, actor, &"ef".repeat(32)));
        journal.key(
            key,
            KeyCommand::Revoke {
                by: caller(actor),
                at: at(5),
            },
        );
        db.apply(&ApiKeys, &journal.take()).await;
        let row = ApiKeyView::find(&mut db.conn, &key.to_string())
            .await
            .unwrap()
            .unwrap();
        assert!(row.revoked);
    }
}
