//! The import statements both databases share (see `sql.rs` for the conventions: `$n` placeholders, text ids,
//! Unix milliseconds).

/// Implements [`ImportStore`](super::imports::ImportStore) for `$store`; `$begin_write` as in
/// [`sql_store!`](super::sql::sql_store).
macro_rules! imports_store {
    ($store:ident, $begin_write:expr) => {
        mod imports_impl {
            use async_trait::async_trait;
            use uuid::Uuid;

            use super::$store;
            use crate::model::Role;
            use crate::server::store::{imports::ImportStore, now_ms, Owner, StoreResult};

            #[async_trait]
            impl ImportStore for $store {
                async fn import_conversation(
                    &self,
                    owner: Owner,
                    assistant_id: &str,
                    title: &str,
                    messages: &[(Role, String)],
                ) -> StoreResult<Uuid> {
                    let id = Uuid::now_v7();
                    let now = now_ms();
                    let mut tx = self.writer.begin_with($begin_write).await?;
                    sqlx::query(&format!(
                        "INSERT INTO conversations (id, {owner}, assistant_id, title, model_key, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, NULL, $5, $5)",
                        owner = owner.column()
                    ))
                    .bind(id.to_string())
                    .bind(owner.id_text())
                    .bind(assistant_id)
                    .bind(title)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    let mut parent: Option<String> = None;
                    for (role, content) in messages {
                        // Ids sort by creation, and so in the order the client sent them.
                        let message_id = Uuid::now_v7().to_string();
                        sqlx::query(
                            "INSERT INTO messages (id, conversation_id, role, content, status, created_at, updated_at, parent_id)
                             VALUES ($1, $2, $3, $4, 'complete', $5, $5, $6)",
                        )
                        .bind(&message_id)
                        .bind(id.to_string())
                        .bind(role.as_str())
                        .bind(content)
                        .bind(now)
                        .bind(parent.as_deref())
                        .execute(&mut *tx)
                        .await?;
                        parent = Some(message_id);
                    }
                    tx.commit().await?;
                    Ok(id)
                }
            }
        }
    };
}

pub(super) use imports_store;
