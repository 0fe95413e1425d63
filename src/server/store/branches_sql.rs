//! The branch statements both databases share (see `sql.rs` for the conventions: `$n` placeholders, text ids,
//! Unix milliseconds).

/// Implements [`BranchStore`](super::branches::BranchStore) for `$store` decoding rows of type `$row`, beside
/// [`sql_store!`](super::sql::sql_store)'s row decoders; `$begin_write` as there.
macro_rules! branches_store {
    ($store:ident, $row:ty, $begin_write:expr) => {
        mod branches_impl {
            use async_trait::async_trait;
            use sqlx::Row;
            use uuid::Uuid;

            use super::{message_from_row, parse_uuid, $store};
            use crate::model::Role;
            use crate::server::store::{
                branches::{BranchStore, SetAside, Sibling},
                sql::MESSAGE_COLUMNS,
                Owner, StoreResult,
            };

            fn optional_uuid(row: &$row, column: &str) -> StoreResult<Option<Uuid>> {
                row.try_get::<Option<String>, _>(column)?
                    .map(|text| Uuid::parse_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e))))
                    .transpose()
            }

            #[async_trait]
            impl BranchStore for $store {
                async fn set_aside_from(
                    &self,
                    owner: Owner,
                    message_id: Uuid,
                    role: Role,
                    last_only: bool,
                ) -> StoreResult<SetAside> {
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    let row = sqlx::query(&format!(
                        "SELECT {MESSAGE_COLUMNS},
                                EXISTS (SELECT 1 FROM messages w WHERE w.conversation_id = messages.conversation_id
                                        AND w.status = 'streaming') AS busy,
                                EXISTS (SELECT 1 FROM messages l WHERE l.conversation_id = messages.conversation_id
                                        AND l.active = TRUE AND l.id > messages.id) AS followed
                         FROM messages
                         WHERE id = $1 AND active = TRUE AND role = $3
                           AND conversation_id IN (SELECT id FROM conversations WHERE {owner} = $2)",
                        owner = owner.column()
                    ))
                    .bind(message_id.to_string())
                    .bind(owner.id_text())
                    .bind(role.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = row else { return Ok(SetAside::Missing) };
                    if row.try_get::<bool, _>("busy")? {
                        return Ok(SetAside::Busy);
                    }
                    if last_only && row.try_get::<bool, _>("followed")? {
                        return Ok(SetAside::Missing);
                    }
                    let message = message_from_row(&row)?;
                    sqlx::query(
                        "UPDATE messages SET active = FALSE, hidden_by = $3
                         WHERE conversation_id = $1 AND active = TRUE AND id >= $2",
                    )
                    .bind(message.conversation_id.to_string())
                    .bind(message.id.to_string())
                    .bind(Uuid::now_v7().to_string())
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(SetAside::Done(Box::new(message)))
                }

                async fn show_version(&self, owner: Owner, message_id: Uuid) -> StoreResult<Option<Uuid>> {
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    let row = sqlx::query(&format!(
                        "SELECT m.conversation_id, m.parent_id, m.role, m.active, m.hidden_by,
                                (m.parent_id IS NULL OR EXISTS (SELECT 1 FROM messages p WHERE p.id = m.parent_id AND p.active = TRUE))
                                    AS parent_shown
                         FROM messages m
                         WHERE m.id = $1 AND m.conversation_id IN (SELECT id FROM conversations WHERE {owner} = $2)",
                        owner = owner.column()
                    ))
                    .bind(message_id.to_string())
                    .bind(owner.id_text())
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = row else { return Ok(None) };
                    let conversation_id = parse_uuid(&row, "conversation_id")?;
                    if row.try_get::<bool, _>("active")? {
                        return Ok(Some(conversation_id));
                    }
                    // Only a version of a message on the shown path: anything deeper is reached through it.
                    if !row.try_get::<bool, _>("parent_shown")? {
                        return Ok(None);
                    }
                    let conversation = conversation_id.to_string();
                    let parent: Option<String> = row.try_get("parent_id")?;
                    let role: String = row.try_get("role")?;
                    let hidden_by: Option<String> = row.try_get("hidden_by")?;
                    let shown = sqlx::query(
                        "SELECT id FROM messages
                         WHERE conversation_id = $1 AND active = TRUE AND role = $2
                           AND COALESCE(parent_id, '') = COALESCE($3, '')",
                    )
                    .bind(&conversation)
                    .bind(&role)
                    .bind(&parent)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(shown) = shown {
                        let shown: String = shown.try_get("id")?;
                        sqlx::query(
                            "UPDATE messages SET active = FALSE, hidden_by = $3
                             WHERE conversation_id = $1 AND active = TRUE AND id >= $2",
                        )
                        .bind(&conversation)
                        .bind(&shown)
                        .bind(Uuid::now_v7().to_string())
                        .execute(&mut *tx)
                        .await?;
                    }
                    // The path set aside with it comes back as it was.
                    sqlx::query(
                        "UPDATE messages SET active = TRUE, hidden_by = NULL
                         WHERE conversation_id = $1 AND (id = $2 OR (hidden_by = $3 AND id > $2))",
                    )
                    .bind(&conversation)
                    .bind(message_id.to_string())
                    .bind(&hidden_by)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(Some(conversation_id))
                }

                async fn versions(&self, conversation_id: Uuid, first: Uuid, last: Uuid) -> StoreResult<Vec<Sibling>> {
                    let rows = sqlx::query(
                        "SELECT id, parent_id, role FROM messages
                         WHERE conversation_id = $1 AND COALESCE(parent_id, '') IN (
                             SELECT COALESCE(parent_id, '') FROM messages
                             WHERE conversation_id = $1 AND active = TRUE AND id >= $2 AND id <= $3)
                         ORDER BY id",
                    )
                    .bind(conversation_id.to_string())
                    .bind(first.to_string())
                    .bind(last.to_string())
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|row| {
                            let role: String = row.try_get("role")?;
                            Ok(Sibling {
                                id: parse_uuid(row, "id")?,
                                parent_id: optional_uuid(row, "parent_id")?,
                                role: Role::parse(&role)
                                    .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role:?}").into()))?,
                            })
                        })
                        .collect()
                }

                async fn delete_exchange(&self, owner: Owner, question_id: Uuid) -> StoreResult<Option<Uuid>> {
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    let row = sqlx::query(&format!(
                        "SELECT conversation_id, parent_id FROM messages
                         WHERE id = $1 AND role = 'user' AND active = TRUE
                           AND conversation_id IN (SELECT id FROM conversations WHERE {owner} = $2)",
                        owner = owner.column()
                    ))
                    .bind(question_id.to_string())
                    .bind(owner.id_text())
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = row else { return Ok(None) };
                    let conversation_id = parse_uuid(&row, "conversation_id")?;
                    let conversation = conversation_id.to_string();
                    let parent: Option<String> = row.try_get("parent_id")?;
                    // Every version of the question (an Edit leaves the earlier one beside it), read before what
                    // follows is moved up beside them.
                    let versions: Vec<String> = match &parent {
                        Some(parent) => sqlx::query_scalar(
                            "SELECT id FROM messages WHERE conversation_id = $1 AND role = 'user' AND parent_id = $2",
                        )
                        .bind(&conversation)
                        .bind(parent)
                        .fetch_all(&mut *tx)
                        .await?,
                        None => sqlx::query_scalar(
                            "SELECT id FROM messages WHERE conversation_id = $1 AND role = 'user' AND parent_id IS NULL",
                        )
                        .bind(&conversation)
                        .fetch_all(&mut *tx)
                        .await?,
                    };
                    // What followed the shown answer now follows what came before the question.
                    sqlx::query(
                        "UPDATE messages SET parent_id = $3
                         WHERE conversation_id = $1 AND parent_id IN (
                             SELECT id FROM messages WHERE conversation_id = $1 AND parent_id = $2 AND active = TRUE)",
                    )
                    .bind(&conversation)
                    .bind(question_id.to_string())
                    .bind(&parent)
                    .execute(&mut *tx)
                    .await?;
                    // The question's versions, every answer they had, and whatever hung off the paths not shown.
                    for version in versions {
                        sqlx::query(
                            "WITH RECURSIVE doomed(id) AS (
                                 SELECT CAST($2 AS TEXT)
                                 UNION ALL
                                 SELECT m.id FROM messages m JOIN doomed d ON m.parent_id = d.id
                                 WHERE m.conversation_id = $1)
                             DELETE FROM messages WHERE id IN (SELECT id FROM doomed)",
                        )
                        .bind(&conversation)
                        .bind(version)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(Some(conversation_id))
                }
            }
        }
    };
}

pub(super) use branches_store;
