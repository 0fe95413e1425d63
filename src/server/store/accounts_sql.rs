//! The account statements both databases share (see `sql.rs` for the conventions: `$n` placeholders, text ids,
//! Unix milliseconds).

/// User columns, as `user_from_row` reads them.
pub(super) const USER_COLUMNS: &str =
    "id, username, email, password_hash, role, created_at, last_login_at, disabled_at";

/// Implements [`AccountStore`](super::accounts::AccountStore) for `$store` decoding rows of type `$row`;
/// `$begin_write` as in [`sql_store!`](super::sql::sql_store).
macro_rules! accounts_store {
    ($store:ident, $row:ty, $begin_write:expr) => {
        mod accounts_impl {
            use async_trait::async_trait;
            use sqlx::Row;
            use uuid::Uuid;

            use super::$store;
            use crate::server::store::{
                accounts::{
                    AccountStore, GuestMove, NewSession, NewUser, SessionRow, SessionUser,
                    UsageDay, UsageRecord, UserRole, UserRow,
                },
                accounts_sql::USER_COLUMNS,
                now_ms, StoreResult,
            };

            fn parse_uuid(row: &$row, column: &str) -> StoreResult<Uuid> {
                let text: String = row.try_get(column)?;
                Uuid::parse_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
            }

            pub(super) fn role_from_row(row: &$row) -> StoreResult<UserRole> {
                let role: String = row.try_get("role")?;
                UserRole::parse(&role)
                    .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role:?}").into()))
            }

            pub(super) fn user_from_row(row: &$row) -> StoreResult<UserRow> {
                Ok(UserRow {
                    id: parse_uuid(row, "id")?,
                    username: row.try_get("username")?,
                    email: row.try_get("email")?,
                    password_hash: row.try_get("password_hash")?,
                    role: role_from_row(row)?,
                    created_at_ms: row.try_get("created_at")?,
                    last_login_at_ms: row.try_get("last_login_at")?,
                    disabled_at_ms: row.try_get("disabled_at")?,
                })
            }

            fn usage_from_row(row: &$row) -> StoreResult<UsageRecord> {
                Ok(UsageRecord {
                    questions: row.try_get("questions")?,
                    prompt_tokens: row.try_get("prompt_tokens")?,
                    completion_tokens: row.try_get("completion_tokens")?,
                    cost_micros: row.try_get("cost_micros")?,
                })
            }

            /// Sums over models; COALESCE because SUM of no rows is NULL, and the casts keep PostgreSQL's SUM
            /// of BIGINT (a NUMERIC) an integer.
            const USAGE_SUMS: &str = "CAST(COALESCE(SUM(questions), 0) AS BIGINT) AS questions,
                 CAST(COALESCE(SUM(prompt_tokens), 0) AS BIGINT) AS prompt_tokens,
                 CAST(COALESCE(SUM(completion_tokens), 0) AS BIGINT) AS completion_tokens,
                 CAST(COALESCE(SUM(cost_micros), 0) AS BIGINT) AS cost_micros";

            #[async_trait]
            impl AccountStore for $store {
                async fn create_user(&self, user: NewUser) -> StoreResult<UserRow> {
                    let row = sqlx::query(&format!(
                        "INSERT INTO users (id, username, username_key, email, email_key, password_hash, role, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {USER_COLUMNS}"
                    ))
                    .bind(Uuid::now_v7().to_string())
                    .bind(&user.username)
                    .bind(user.username.to_lowercase())
                    .bind(&user.email)
                    .bind(user.email.to_lowercase())
                    .bind(&user.password_hash)
                    .bind(user.role.as_str())
                    .bind(now_ms())
                    .fetch_one(&self.writer)
                    .await?;
                    user_from_row(&row)
                }

                async fn find_user(&self, id: Uuid) -> StoreResult<Option<UserRow>> {
                    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                        .bind(id.to_string())
                        .fetch_optional(&self.pool)
                        .await?;
                    row.as_ref().map(user_from_row).transpose()
                }

                async fn find_user_by_login(&self, login: &str) -> StoreResult<Option<UserRow>> {
                    let row = sqlx::query(&format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE username_key = $1 OR email_key = $1"
                    ))
                    .bind(login.to_lowercase())
                    .fetch_optional(&self.pool)
                    .await?;
                    row.as_ref().map(user_from_row).transpose()
                }

                async fn set_email(&self, user_id: Uuid, email: &str) -> StoreResult<bool> {
                    let result = sqlx::query("UPDATE users SET email = $2, email_key = $3 WHERE id = $1")
                        .bind(user_id.to_string())
                        .bind(email)
                        .bind(email.to_lowercase())
                        .execute(&self.writer)
                        .await?;
                    Ok(result.rows_affected() > 0)
                }

                async fn set_password_hash(&self, user_id: Uuid, password_hash: &str) -> StoreResult<bool> {
                    let result = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                        .bind(user_id.to_string())
                        .bind(password_hash)
                        .execute(&self.writer)
                        .await?;
                    Ok(result.rows_affected() > 0)
                }

                async fn set_language(&self, user_id: Uuid, language: &str) -> StoreResult<bool> {
                    let result = sqlx::query("UPDATE users SET language = $2 WHERE id = $1")
                        .bind(user_id.to_string())
                        .bind(language)
                        .execute(&self.writer)
                        .await?;
                    Ok(result.rows_affected() > 0)
                }

                async fn delete_user(&self, user_id: Uuid) -> StoreResult<bool> {
                    let id = user_id.to_string();
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    // Messages go with their conversations, sessions and the tax profile with the user (ON DELETE
                    // CASCADE); usage and the closed guest sessions name the user without a foreign key.
                    for statement in [
                        "DELETE FROM share_links WHERE user_id = $1",
                        "DELETE FROM messages WHERE conversation_id IN (SELECT id FROM conversations WHERE user_id = $1)",
                        "DELETE FROM conversations WHERE user_id = $1",
                        "DELETE FROM usage_daily WHERE owner_id = $1",
                        "DELETE FROM guest_sessions WHERE migrated_to_user_id = $1",
                        "DELETE FROM user_tax_profiles WHERE user_id = $1",
                        "DELETE FROM user_sessions WHERE user_id = $1",
                    ] {
                        sqlx::query(statement).bind(&id).execute(&mut *tx).await?;
                    }
                    let deleted = sqlx::query("DELETE FROM users WHERE id = $1")
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    tx.commit().await?;
                    Ok(deleted > 0)
                }

                async fn create_session(&self, session: NewSession<'_>) -> StoreResult<Uuid> {
                    let id = Uuid::now_v7();
                    let now = now_ms();
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    sqlx::query(
                        "INSERT INTO user_sessions (id, user_id, token_hash, user_agent, created_at, last_seen_at, expires_at)
                         VALUES ($1, $2, $3, $4, $5, $5, $6)",
                    )
                    .bind(id.to_string())
                    .bind(session.user_id.to_string())
                    .bind(session.token_hash)
                    .bind(session.user_agent)
                    .bind(now)
                    .bind(now + session.ttl_ms)
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

                async fn find_session(&self, token_hash: &[u8]) -> StoreResult<Option<SessionUser>> {
                    let row = sqlx::query(
                        "SELECT s.id AS session_id, s.last_seen_at, u.id AS user_id, u.username, u.role, u.language, p.profile
                         FROM user_sessions s JOIN users u ON u.id = s.user_id
                         LEFT JOIN user_tax_profiles p ON p.user_id = u.id
                         WHERE s.token_hash = $1 AND s.kind = 'browser' AND s.revoked_at IS NULL AND s.expires_at > $2
                           AND u.disabled_at IS NULL",
                    )
                    .bind(token_hash)
                    .bind(now_ms())
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some(row) = row else { return Ok(None) };
                    Ok(Some(SessionUser {
                        session_id: parse_uuid(&row, "session_id")?,
                        last_seen_at_ms: row.try_get("last_seen_at")?,
                        user_id: parse_uuid(&row, "user_id")?,
                        username: row.try_get("username")?,
                        role: role_from_row(&row)?,
                        language: row.try_get("language")?,
                        tax_profile: crate::server::store::sql::profile_from_json(row.try_get("profile")?),
                    }))
                }

                async fn touch_session(&self, session_id: Uuid, ttl_ms: i64) -> StoreResult<()> {
                    let now = now_ms();
                    sqlx::query("UPDATE user_sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1")
                        .bind(session_id.to_string())
                        .bind(now)
                        .bind(now + ttl_ms)
                        .execute(&self.writer)
                        .await?;
                    Ok(())
                }

                async fn list_sessions(&self, user_id: Uuid) -> StoreResult<Vec<SessionRow>> {
                    let rows = sqlx::query(
                        "SELECT id, user_agent, kind, created_at, last_seen_at FROM user_sessions
                         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
                         ORDER BY last_seen_at DESC, id DESC",
                    )
                    .bind(user_id.to_string())
                    .bind(now_ms())
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|row| {
                            Ok(SessionRow {
                                id: parse_uuid(row, "id")?,
                                user_agent: row.try_get("user_agent")?,
                                api: row.try_get::<String, _>("kind")? == "api",
                                created_at_ms: row.try_get("created_at")?,
                                last_seen_at_ms: row.try_get("last_seen_at")?,
                            })
                        })
                        .collect()
                }

                async fn revoke_session(&self, user_id: Uuid, session_id: Uuid) -> StoreResult<bool> {
                    let result = sqlx::query(
                        "UPDATE user_sessions SET revoked_at = $3
                         WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                    )
                    .bind(session_id.to_string())
                    .bind(user_id.to_string())
                    .bind(now_ms())
                    .execute(&self.writer)
                    .await?;
                    Ok(result.rows_affected() > 0)
                }

                async fn revoke_other_sessions(&self, user_id: Uuid, keep: Option<Uuid>) -> StoreResult<u64> {
                    let result = sqlx::query(
                        "UPDATE user_sessions SET revoked_at = $3
                         WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL",
                    )
                    .bind(user_id.to_string())
                    .bind(keep.map(|id| id.to_string()).unwrap_or_default())
                    .bind(now_ms())
                    .execute(&self.writer)
                    .await?;
                    Ok(result.rows_affected())
                }

                async fn move_guest_to_user(&self, token_hash: &[u8], user_id: Uuid) -> StoreResult<GuestMove> {
                    let user = user_id.to_string();
                    let now = now_ms();
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    // Claiming the guest is the first write: a second sign-in racing this one waits for its row
                    // lock (PostgreSQL) or for the write lock (SQLite), then finds it claimed and moves nothing.
                    let claimed = sqlx::query(
                        "UPDATE guest_sessions SET migrated_to_user_id = $2, expires_at = $3
                         WHERE token_hash = $1 AND migrated_to_user_id IS NULL RETURNING id",
                    )
                    .bind(token_hash)
                    .bind(&user)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(claimed) = claimed else {
                        tx.commit().await?;
                        return Ok(GuestMove::default());
                    };
                    let guest: String = claimed.try_get("id")?;
                    let conversations = sqlx::query(
                        "UPDATE conversations SET user_id = $2, guest_session_id = NULL WHERE guest_session_id = $1",
                    )
                    .bind(&guest)
                    .bind(&user)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    let tax_profile = sqlx::query(
                        "INSERT INTO user_tax_profiles (user_id, profile, updated_at)
                         SELECT $2, profile, updated_at FROM tax_profiles WHERE guest_session_id = $1
                         ON CONFLICT (user_id) DO NOTHING",
                    )
                    .bind(&guest)
                    .bind(&user)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        > 0;
                    // The questions asked as a guest today still count against today's allowance.
                    sqlx::query(
                        "INSERT INTO usage_daily (owner_id, day, model_key, questions, prompt_tokens, completion_tokens, cost_micros)
                         SELECT $2, day, model_key, questions, prompt_tokens, completion_tokens, cost_micros
                         FROM usage_daily WHERE owner_id = $1
                         ON CONFLICT (owner_id, day, model_key) DO UPDATE SET
                            questions = usage_daily.questions + excluded.questions,
                            prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,
                            completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens,
                            cost_micros = usage_daily.cost_micros + excluded.cost_micros",
                    )
                    .bind(&guest)
                    .bind(&user)
                    .execute(&mut *tx)
                    .await?;
                    for statement in [
                        "DELETE FROM usage_daily WHERE owner_id = $1",
                        "DELETE FROM tax_profiles WHERE guest_session_id = $1",
                    ] {
                        sqlx::query(statement).bind(&guest).execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    Ok(GuestMove {
                        conversations,
                        tax_profile,
                    })
                }

                async fn add_usage(
                    &self,
                    owner_id: Uuid,
                    day: &str,
                    model_key: &str,
                    usage: &UsageRecord,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO usage_daily (owner_id, day, model_key, questions, prompt_tokens, completion_tokens, cost_micros)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT (owner_id, day, model_key) DO UPDATE SET
                            questions = usage_daily.questions + excluded.questions,
                            prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,
                            completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens,
                            cost_micros = usage_daily.cost_micros + excluded.cost_micros",
                    )
                    .bind(owner_id.to_string())
                    .bind(day)
                    .bind(model_key)
                    .bind(usage.questions)
                    .bind(usage.prompt_tokens)
                    .bind(usage.completion_tokens)
                    .bind(usage.cost_micros)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn usage_on(&self, owner_id: Uuid, day: &str) -> StoreResult<UsageRecord> {
                    let row = sqlx::query(&format!(
                        "SELECT {USAGE_SUMS} FROM usage_daily WHERE owner_id = $1 AND day = $2"
                    ))
                    .bind(owner_id.to_string())
                    .bind(day)
                    .fetch_one(&self.pool)
                    .await?;
                    usage_from_row(&row)
                }

                async fn guest_usage_on(&self, token_hash: &[u8], day: &str) -> StoreResult<UsageRecord> {
                    let row = sqlx::query(&format!(
                        "SELECT {USAGE_SUMS} FROM usage_daily
                         WHERE owner_id = (SELECT id FROM guest_sessions WHERE token_hash = $1) AND day = $2"
                    ))
                    .bind(token_hash)
                    .bind(day)
                    .fetch_one(&self.pool)
                    .await?;
                    usage_from_row(&row)
                }

                async fn usage_since(&self, owner_id: Uuid, first_day: &str) -> StoreResult<Vec<UsageDay>> {
                    let rows = sqlx::query(
                        "SELECT day, model_key, questions, prompt_tokens, completion_tokens, cost_micros
                         FROM usage_daily WHERE owner_id = $1 AND day >= $2 ORDER BY day DESC, model_key",
                    )
                    .bind(owner_id.to_string())
                    .bind(first_day)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|row| {
                            Ok(UsageDay {
                                day: row.try_get("day")?,
                                model_key: row.try_get("model_key")?,
                                usage: usage_from_row(row)?,
                            })
                        })
                        .collect()
                }

                async fn redeem_challenge(&self, signature: &str, expires_at_ms: i64) -> StoreResult<bool> {
                    let now = now_ms();
                    // Expired challenges fail their own check, so their rows can go.
                    sqlx::query("DELETE FROM used_challenges WHERE expires_at < $1")
                        .bind(now)
                        .execute(&self.writer)
                        .await?;
                    let inserted = sqlx::query(
                        "INSERT INTO used_challenges (signature, expires_at) VALUES ($1, $2)
                         ON CONFLICT (signature) DO NOTHING",
                    )
                    .bind(signature)
                    .bind(expires_at_ms)
                    .execute(&self.writer)
                    .await?
                    .rows_affected();
                    Ok(inserted > 0)
                }
            }
        }
    };
}

pub(super) use accounts_store;
