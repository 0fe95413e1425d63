//! The share-link statements both databases share (see `sql.rs` for the conventions: `$n` placeholders, text ids,
//! Unix milliseconds).

/// Implements [`ShareStore`](super::shares::ShareStore) for `$store` decoding rows of type `$row`, in a module
/// beside [`sql_store!`](super::sql::sql_store)'s row decoders; `$begin_write` as there.
macro_rules! shares_store {
    ($store:ident, $row:ty, $begin_write:expr) => {
        mod shares_impl {
            use async_trait::async_trait;
            use sqlx::Row;
            use uuid::Uuid;

            use super::{message_from_row, parse_uuid, $store};
            use crate::server::store::{
                now_ms,
                shares::{ShareLinkRow, ShareStore, SharedSnapshot},
                sql::MESSAGE_COLUMNS,
                StoreResult,
            };

            const LINK_COLUMNS: &str =
                "s.id, s.token, s.conversation_id, c.title, s.created_at, s.shared_at";

            fn link_from_row(row: &$row) -> StoreResult<ShareLinkRow> {
                Ok(ShareLinkRow {
                    id: parse_uuid(row, "id")?,
                    token: row.try_get("token")?,
                    conversation_id: parse_uuid(row, "conversation_id")?,
                    title: row.try_get("title")?,
                    created_at_ms: row.try_get("created_at")?,
                    shared_at_ms: row.try_get("shared_at")?,
                })
            }

            #[async_trait]
            impl ShareStore for $store {
                async fn share_conversation(
                    &self,
                    user_id: Uuid,
                    conversation_id: Uuid,
                    token: &str,
                ) -> StoreResult<Option<ShareLinkRow>> {
                    let user = user_id.to_string();
                    let conversation = conversation_id.to_string();
                    let now = now_ms();
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    let owned = sqlx::query("SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2")
                        .bind(&conversation)
                        .bind(&user)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some();
                    if !owned {
                        return Ok(None);
                    }
                    let moved = sqlx::query(
                        "UPDATE share_links SET shared_at = $3
                         WHERE conversation_id = $1 AND user_id = $2 AND revoked_at IS NULL",
                    )
                    .bind(&conversation)
                    .bind(&user)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if moved == 0 {
                        sqlx::query(
                            "INSERT INTO share_links (id, token, user_id, conversation_id, created_at, shared_at)
                             VALUES ($1, $2, $3, $4, $5, $5)",
                        )
                        .bind(Uuid::now_v7().to_string())
                        .bind(token)
                        .bind(&user)
                        .bind(&conversation)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let row = sqlx::query(&format!(
                        "SELECT {LINK_COLUMNS} FROM share_links s JOIN conversations c ON c.id = s.conversation_id
                         WHERE s.conversation_id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL"
                    ))
                    .bind(&conversation)
                    .bind(&user)
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    link_from_row(&row).map(Some)
                }

                async fn list_share_links(&self, user_id: Uuid) -> StoreResult<Vec<ShareLinkRow>> {
                    let rows = sqlx::query(&format!(
                        "SELECT {LINK_COLUMNS} FROM share_links s JOIN conversations c ON c.id = s.conversation_id
                         WHERE s.user_id = $1 AND s.revoked_at IS NULL ORDER BY s.created_at DESC, s.id DESC"
                    ))
                    .bind(user_id.to_string())
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter().map(link_from_row).collect()
                }

                async fn revoke_share_link(&self, user_id: Uuid, link_id: Uuid) -> StoreResult<bool> {
                    let result = sqlx::query(
                        "UPDATE share_links SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                    )
                    .bind(link_id.to_string())
                    .bind(user_id.to_string())
                    .bind(now_ms())
                    .execute(&self.writer)
                    .await?;
                    Ok(result.rows_affected() > 0)
                }

                async fn shared_snapshot(&self, token: &str) -> StoreResult<Option<SharedSnapshot>> {
                    let Some(link) = sqlx::query(
                        "SELECT s.conversation_id, s.shared_at, c.title FROM share_links s
                         JOIN conversations c ON c.id = s.conversation_id AND c.user_id = s.user_id
                         WHERE s.token = $1 AND s.revoked_at IS NULL",
                    )
                    .bind(token)
                    .fetch_optional(&self.pool)
                    .await?
                    else {
                        return Ok(None);
                    };
                    let shared_at_ms: i64 = link.try_get("shared_at")?;
                    let conversation: String = link.try_get("conversation_id")?;
                    let rows = sqlx::query(&format!(
                        "SELECT {MESSAGE_COLUMNS} FROM messages
                         WHERE conversation_id = $1 AND active = TRUE AND created_at <= $2 ORDER BY id"
                    ))
                    .bind(conversation)
                    .bind(shared_at_ms)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(Some(SharedSnapshot {
                        title: link.try_get("title")?,
                        shared_at_ms,
                        messages: rows.iter().map(message_from_row).collect::<StoreResult<_>>()?,
                    }))
                }
            }
        }
    };
}

pub(super) use shares_store;
