//! The API-credential statements both databases share (see `sql.rs` for the conventions: `$n` placeholders, text
//! ids, Unix milliseconds).

/// Implements [`ApiAccessStore`](super::api_access::ApiAccessStore) for `$store` decoding rows of type `$row`;
/// `$begin_write` as in [`sql_store!`](super::sql::sql_store).
macro_rules! api_access_store {
    ($store:ident, $row:ty, $begin_write:expr) => {
        mod api_access_impl {
            use async_trait::async_trait;
            use sqlx::Row;
            use uuid::Uuid;

            use super::$store;
            use crate::server::store::{
                accounts::SessionUser,
                api_access::{ApiAccessStore, ApiKeyRow, ApiKeyUser, NewApiKey, NewApiSession, Rotation},
                now_ms, StoreResult,
            };

            fn parse_uuid(row: &$row, column: &str) -> StoreResult<Uuid> {
                let text: String = row.try_get(column)?;
                Uuid::parse_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
            }

            /// The user columns a live session or key resolves to, as `session_user_from_row` reads them.
            const SESSION_USER_COLUMNS: &str =
                "u.id AS user_id, u.username, u.role, u.language, p.profile";

            fn session_user_from_row(row: &$row, session_id: Uuid, last_seen_at_ms: i64) -> StoreResult<SessionUser> {
                let role: String = row.try_get("role")?;
                Ok(SessionUser {
                    session_id,
                    last_seen_at_ms,
                    user_id: parse_uuid(row, "user_id")?,
                    username: row.try_get("username")?,
                    role: crate::server::store::accounts::UserRole::parse(&role)
                        .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role:?}").into()))?,
                    language: row.try_get("language")?,
                    tax_profile: crate::server::store::sql::profile_from_json(row.try_get("profile")?),
                })
            }

            const KEY_COLUMNS: &str = "k.id, k.name, k.prefix, k.scopes, k.record, k.created_at, k.last_used_at";

            fn key_from_row(row: &$row) -> StoreResult<ApiKeyRow> {
                Ok(ApiKeyRow {
                    id: parse_uuid(row, "id")?,
                    name: row.try_get("name")?,
                    prefix: row.try_get("prefix")?,
                    scopes: row.try_get("scopes")?,
                    record: row.try_get("record")?,
                    created_at_ms: row.try_get("created_at")?,
                    last_used_at_ms: row.try_get("last_used_at")?,
                })
            }

            #[async_trait]
            impl ApiAccessStore for $store {
                async fn create_api_session(&self, session: NewApiSession<'_>) -> StoreResult<Uuid> {
                    let id = Uuid::now_v7();
                    let now = now_ms();
                    // Never handed out: browsers' cookies are looked up by this column, API sessions by id.
                    let unusable_cookie_hash: [u8; 32] = rand::random();
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    sqlx::query(
                        "INSERT INTO user_sessions (id, user_id, token_hash, user_agent, created_at, last_seen_at, expires_at, kind)
                         VALUES ($1, $2, $3, $4, $5, $5, $6, 'api')",
                    )
                    .bind(id.to_string())
                    .bind(session.user_id.to_string())
                    .bind(&unusable_cookie_hash[..])
                    .bind(session.user_agent)
                    .bind(now)
                    .bind(now + session.ttl_ms)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)")
                        .bind(session.refresh_hash)
                        .bind(id.to_string())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
                        .bind(session.user_id.to_string())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn rotate_refresh_token(&self, used: &[u8], next: &[u8], ttl_ms: i64) -> StoreResult<Rotation> {
                    let now = now_ms();
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    let claimed = sqlx::query(
                        "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL
                         RETURNING session_id",
                    )
                    .bind(used)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(claimed) = claimed else {
                        // Not current: unknown, or used before, which means a second copy of it is in play.
                        let earlier = sqlx::query(
                            "SELECT s.id, s.user_id FROM refresh_tokens r JOIN user_sessions s ON s.id = r.session_id
                             WHERE r.token_hash = $1",
                        )
                        .bind(used)
                        .fetch_optional(&mut *tx)
                        .await?;
                        let Some(earlier) = earlier else {
                            return Ok(Rotation::Unknown);
                        };
                        let session_id = parse_uuid(&earlier, "id")?;
                        let user_id = parse_uuid(&earlier, "user_id")?;
                        sqlx::query("UPDATE user_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                            .bind(session_id.to_string())
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        tx.commit().await?;
                        return Ok(Rotation::Reused { session_id, user_id });
                    };
                    let session_id = parse_uuid(&claimed, "session_id")?;
                    let live = sqlx::query(&format!(
                        "SELECT {SESSION_USER_COLUMNS}
                         FROM user_sessions s JOIN users u ON u.id = s.user_id
                         LEFT JOIN user_tax_profiles p ON p.user_id = u.id
                         WHERE s.id = $1 AND s.kind = 'api' AND s.revoked_at IS NULL AND s.expires_at > $2
                           AND u.disabled_at IS NULL"
                    ))
                    .bind(session_id.to_string())
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(live) = live else {
                        // The token is spent either way; an ended session gets no new one.
                        tx.commit().await?;
                        return Ok(Rotation::Unknown);
                    };
                    let user = session_user_from_row(&live, session_id, now)?;
                    sqlx::query("INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)")
                        .bind(next)
                        .bind(session_id.to_string())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("UPDATE user_sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1")
                        .bind(session_id.to_string())
                        .bind(now)
                        .bind(now + ttl_ms)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(Rotation::Rotated(user))
                }

                async fn find_api_session(&self, session_id: Uuid) -> StoreResult<Option<SessionUser>> {
                    let row = sqlx::query(&format!(
                        "SELECT s.last_seen_at, {SESSION_USER_COLUMNS}
                         FROM user_sessions s JOIN users u ON u.id = s.user_id
                         LEFT JOIN user_tax_profiles p ON p.user_id = u.id
                         WHERE s.id = $1 AND s.kind = 'api' AND s.revoked_at IS NULL AND s.expires_at > $2
                           AND u.disabled_at IS NULL"
                    ))
                    .bind(session_id.to_string())
                    .bind(now_ms())
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some(row) = row else { return Ok(None) };
                    let last_seen: i64 = row.try_get("last_seen_at")?;
                    Ok(Some(session_user_from_row(&row, session_id, last_seen)?))
                }

                async fn api_session_of_refresh(&self, refresh_hash: &[u8]) -> StoreResult<Option<Uuid>> {
                    let row = sqlx::query(
                        "SELECT s.id FROM refresh_tokens r JOIN user_sessions s ON s.id = r.session_id
                         WHERE r.token_hash = $1 AND s.revoked_at IS NULL",
                    )
                    .bind(refresh_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|row| parse_uuid(&row, "id")).transpose()
                }

                async fn create_api_key(&self, key: NewApiKey<'_>) -> StoreResult<ApiKeyRow> {
                    let id = Uuid::now_v7();
                    let now = now_ms();
                    sqlx::query(
                        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, record, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(id.to_string())
                    .bind(key.user_id.to_string())
                    .bind(key.name)
                    .bind(key.prefix)
                    .bind(key.key_hash)
                    .bind(key.scopes)
                    .bind(key.record)
                    .bind(now)
                    .execute(&self.writer)
                    .await?;
                    Ok(ApiKeyRow {
                        id,
                        name: key.name.to_string(),
                        prefix: key.prefix.to_string(),
                        scopes: key.scopes.to_string(),
                        record: key.record,
                        created_at_ms: now,
                        last_used_at_ms: None,
                    })
                }

                async fn list_api_keys(&self, user_id: Uuid) -> StoreResult<Vec<ApiKeyRow>> {
                    let rows = sqlx::query(&format!(
                        "SELECT {KEY_COLUMNS} FROM api_keys k
                         WHERE k.user_id = $1 AND k.revoked_at IS NULL
                         ORDER BY k.created_at DESC, k.id DESC"
                    ))
                    .bind(user_id.to_string())
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter().map(key_from_row).collect()
                }

                async fn revoke_api_key(&self, user_id: Uuid, key_id: Uuid) -> StoreResult<bool> {
                    let result = sqlx::query(
                        "UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                    )
                    .bind(key_id.to_string())
                    .bind(user_id.to_string())
                    .bind(now_ms())
                    .execute(&self.writer)
                    .await?;
                    Ok(result.rows_affected() > 0)
                }

                async fn find_api_key(&self, key_hash: &[u8]) -> StoreResult<Option<ApiKeyUser>> {
                    let row = sqlx::query(&format!(
                        "SELECT {KEY_COLUMNS}, {SESSION_USER_COLUMNS}
                         FROM api_keys k JOIN users u ON u.id = k.user_id
                         LEFT JOIN user_tax_profiles p ON p.user_id = u.id
                         WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.disabled_at IS NULL"
                    ))
                    .bind(key_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some(row) = row else { return Ok(None) };
                    let key = key_from_row(&row)?;
                    // A key acts as a session of its own: its id stands where a browser's session id would.
                    let user = session_user_from_row(&row, key.id, key.last_used_at_ms.unwrap_or(key.created_at_ms))?;
                    Ok(Some(ApiKeyUser { key, user }))
                }

                async fn touch_api_key(&self, key_id: Uuid) -> StoreResult<()> {
                    sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
                        .bind(key_id.to_string())
                        .bind(now_ms())
                        .execute(&self.writer)
                        .await?;
                    Ok(())
                }
            }
        }
    };
}

pub(super) use api_access_store;
