//! The admin statements both databases share (see `sql.rs` for the conventions: `$n` placeholders, text ids,
//! Unix milliseconds).

/// Implements [`AdminStore`](super::admin::AdminStore) for `$store` decoding rows of type `$row`, beside
/// [`accounts_store!`](super::accounts_sql::accounts_store)'s module (whose user decoder it shares); `$begin_write`
/// as in [`sql_store!`](super::sql::sql_store).
macro_rules! admin_store {
    ($store:ident, $row:ty, $begin_write:expr) => {
        mod admin_impl {
            use async_trait::async_trait;
            use sqlx::Row;
            use uuid::Uuid;

            use super::{accounts_impl::user_from_row, $store};
            use crate::server::store::{
                accounts::{UsageRecord, UserRole, UserRow},
                accounts_sql::USER_COLUMNS,
                admin::{AdminStore, TierLimitRow, UsageBreakdown},
                now_ms, StoreResult,
            };

            /// `query` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally.
            fn contains_pattern(query: &str) -> String {
                let escaped = query
                    .to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{escaped}%")
            }

            #[async_trait]
            impl AdminStore for $store {
                async fn usage_breakdown(&self, first_day: &str) -> StoreResult<Vec<UsageBreakdown>> {
                    let rows = sqlx::query(
                        "SELECT g.day, g.model_key, COALESCE(u.role, 'guest') AS tier,
                                CAST(SUM(g.questions) AS BIGINT) AS questions,
                                CAST(SUM(g.prompt_tokens) AS BIGINT) AS prompt_tokens,
                                CAST(SUM(g.completion_tokens) AS BIGINT) AS completion_tokens,
                                CAST(SUM(g.cost_micros) AS BIGINT) AS cost_micros
                         FROM usage_daily g LEFT JOIN users u ON u.id = g.owner_id
                         WHERE g.day >= $1
                         GROUP BY g.day, g.model_key, COALESCE(u.role, 'guest')
                         ORDER BY g.day, g.model_key, tier",
                    )
                    .bind(first_day)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|row| {
                            Ok(UsageBreakdown {
                                day: row.try_get("day")?,
                                model_key: row.try_get("model_key")?,
                                tier: row.try_get("tier")?,
                                usage: UsageRecord {
                                    questions: row.try_get("questions")?,
                                    prompt_tokens: row.try_get("prompt_tokens")?,
                                    completion_tokens: row.try_get("completion_tokens")?,
                                    cost_micros: row.try_get("cost_micros")?,
                                },
                            })
                        })
                        .collect()
                }

                async fn search_users(&self, query: &str, limit: i64) -> StoreResult<Vec<UserRow>> {
                    let rows = sqlx::query(&format!(
                        "SELECT {USER_COLUMNS} FROM users
                         WHERE username_key LIKE $1 ESCAPE '\\' OR email_key LIKE $1 ESCAPE '\\'
                         ORDER BY created_at DESC, id DESC LIMIT $2"
                    ))
                    .bind(contains_pattern(query.trim()))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter().map(user_from_row).collect()
                }

                async fn set_user_disabled(&self, user_id: Uuid, disabled: bool) -> StoreResult<bool> {
                    let id = user_id.to_string();
                    let now = now_ms();
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    let changed = sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1")
                        .bind(&id)
                        .bind(disabled.then_some(now))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if disabled && changed > 0 {
                        sqlx::query(
                            "UPDATE user_sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                        )
                        .bind(&id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(changed > 0)
                }

                async fn set_user_role(&self, user_id: Uuid, role: UserRole) -> StoreResult<bool> {
                    let result = sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
                        .bind(user_id.to_string())
                        .bind(role.as_str())
                        .execute(&self.writer)
                        .await?;
                    Ok(result.rows_affected() > 0)
                }

                async fn guests_seen_since(&self, since_ms: i64) -> StoreResult<i64> {
                    sqlx::query(
                        "SELECT COUNT(*) FROM guest_sessions WHERE last_seen_at >= $1 AND migrated_to_user_id IS NULL",
                    )
                    .bind(since_ms)
                    .fetch_one(&self.pool)
                    .await?
                    .try_get(0)
                }

                async fn tier_limits(&self) -> StoreResult<Vec<TierLimitRow>> {
                    let rows = sqlx::query(
                        "SELECT tier, questions_per_day, tokens_per_day FROM tier_limits ORDER BY tier",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|row| {
                            Ok(TierLimitRow {
                                tier: row.try_get("tier")?,
                                questions_per_day: row.try_get("questions_per_day")?,
                                tokens_per_day: row.try_get("tokens_per_day")?,
                            })
                        })
                        .collect()
                }

                async fn set_tier_limits(&self, limits: &TierLimitRow) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO tier_limits (tier, questions_per_day, tokens_per_day, updated_at)
                         VALUES ($1, $2, $3, $4)
                         ON CONFLICT (tier) DO UPDATE SET questions_per_day = $2, tokens_per_day = $3, updated_at = $4",
                    )
                    .bind(&limits.tier)
                    .bind(limits.questions_per_day)
                    .bind(limits.tokens_per_day)
                    .bind(now_ms())
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }
            }
        }
    };
}

pub(super) use admin_store;
