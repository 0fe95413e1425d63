//! The SQL both databases share. SQLite and PostgreSQL run the very same statements: placeholders are written
//! `$1, $2, ...` in order of first use, which SQLite reads as numbered parameters and PostgreSQL natively; ids are
//! text, times are Unix milliseconds, flags are booleans. Each store module expands [`sql_store!`] with its own
//! concrete types, so the statements exist once and there is no generic-bound maze.

/// Message columns, as `message_from_row` reads them.
pub(super) const MESSAGE_COLUMNS: &str =
    "id, conversation_id, role, content, status, provider, model, prompt_tokens, \
    completion_tokens, usage_estimated, ttft_ms, latency_ms, error_id, disclaimer, notice, follow_ups, grounding, created_at, \
    parent_id";

/// [`MESSAGE_COLUMNS`] of the table aliased `m`, for queries that join it.
pub(super) const QUALIFIED_MESSAGE_COLUMNS: &str =
    "m.id, m.conversation_id, m.role, m.content, m.status, m.provider, m.model, m.prompt_tokens, \
    m.completion_tokens, m.usage_estimated, m.ttft_ms, m.latency_ms, m.error_id, m.disclaimer, m.notice, m.follow_ups, \
    m.grounding, m.created_at, m.parent_id";

/// Conversation columns, as `conversation_from_row` reads them.
pub(super) const CONVERSATION_COLUMNS: &str =
    "id, assistant_id, title, model_key, pinned, archived, created_at, updated_at";

/// Implements [`Store`](super::Store) for `$store` decoding rows of type `$row`. `$store` has two pools: `pool` for
/// reads and `writer` for every statement that writes (for PostgreSQL the same pool; for SQLite a single connection,
/// so writers queue in order inside the process instead of polling the file lock with SQLite's sleeping busy
/// handler, which under load added tens of milliseconds per write).
/// `$begin_write` opens a transaction that writes: SQLite needs `BEGIN IMMEDIATE`, or two writers that both
/// started reading fail at once with "database is locked" instead of waiting their turn.
macro_rules! sql_store {
    ($store:ident, $row:ty, $version_sql:expr, $begin_write:expr, { $($dialect:tt)* }) => {
        super::rows::row_decoders!($row);

        #[async_trait]
        impl Store for $store {
            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1")
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
            }

            async fn version(&self) -> StoreResult<String> {
                sqlx::query($version_sql)
                    .fetch_one(&self.pool)
                    .await?
                    .try_get::<String, _>(0)
            }

            async fn find_guest(&self, token_hash: &[u8]) -> StoreResult<Option<Uuid>> {
                let row =
                    sqlx::query("SELECT id FROM guest_sessions WHERE token_hash = $1 AND expires_at > $2")
                        .bind(token_hash)
                        .bind(now_ms())
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(|row| parse_uuid(&row, "id")).transpose()
            }

            async fn ensure_guest(&self, token_hash: &[u8], ttl_ms: i64) -> StoreResult<Uuid> {
                let now = now_ms();
                // A guest who was seen a moment ago needs no write: the sliding expiry moves at most once a
                // minute, which keeps a busy guest's turns off the single writer.
                let seen = sqlx::query(
                    "SELECT id FROM guest_sessions WHERE token_hash = $1 AND expires_at > $2 AND last_seen_at > $3",
                )
                .bind(token_hash)
                .bind(now)
                .bind(now - GUEST_SEEN_REFRESH_MS)
                .fetch_optional(&self.pool)
                .await?;
                if let Some(row) = seen {
                    return parse_uuid(&row, "id");
                }
                // One statement, so two first requests racing from the same browser end on the same row.
                let row = sqlx::query(
                    "INSERT INTO guest_sessions (id, token_hash, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (token_hash) DO UPDATE SET expires_at = excluded.expires_at, last_seen_at = excluded.last_seen_at
                     RETURNING id",
                )
                .bind(Uuid::now_v7().to_string())
                .bind(token_hash)
                .bind(now)
                .bind(now + ttl_ms)
                .bind(now)
                .fetch_one(&self.writer)
                .await?;
                parse_uuid(&row, "id")
            }

            async fn list_conversations(
                &self,
                owner: Owner,
                filter: ListFilter,
                after: Option<&ListCursor>,
                limit: i64,
            ) -> StoreResult<Vec<ConversationListItem>> {
                let rows = sqlx::query(
                    &format!("SELECT c.id, c.title, c.pinned, c.archived, c.updated_at,
                            (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.active = TRUE) AS message_count,
                            (SELECT m.content FROM messages m WHERE m.conversation_id = c.id AND m.active = TRUE
                             ORDER BY m.id DESC LIMIT 1)
                                AS last_message
                     FROM conversations c
                     WHERE c.{owner} = $1 AND c.archived = $2
                       AND ($3 OR (c.pinned, c.updated_at, c.id) < ($4, $5, $6))
                     ORDER BY c.pinned DESC, c.updated_at DESC, c.id DESC
                     LIMIT $7", owner = owner.column()),
                )
                .bind(owner.id_text())
                .bind(filter == ListFilter::Archived)
                .bind(after.is_none())
                .bind(after.is_some_and(|a| a.pinned))
                .bind(after.map_or(0, |a| a.updated_at_ms))
                .bind(after.map(|a| a.id.to_string()).unwrap_or_default())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(list_item_from_row).collect()
            }

            async fn rename_conversation(&self, owner: Owner, id: Uuid, title: &str) -> StoreResult<bool> {
                let result = sqlx::query(
                    &format!("UPDATE conversations SET title = $1, title_edited = $2 WHERE id = $3 AND {owner} = $4", owner = owner.column()),
                )
                .bind(title)
                .bind(true)
                .bind(id.to_string())
                .bind(owner.id_text())
                .execute(&self.writer)
                .await?;
                Ok(result.rows_affected() > 0)
            }

            async fn set_generated_title(&self, id: Uuid, title: &str) -> StoreResult<bool> {
                let result = sqlx::query("UPDATE conversations SET title = $1 WHERE id = $2 AND title_edited = $3")
                    .bind(title)
                    .bind(id.to_string())
                    .bind(false)
                    .execute(&self.writer)
                    .await?;
                Ok(result.rows_affected() > 0)
            }

            async fn set_pinned(&self, owner: Owner, id: Uuid, pinned: bool) -> StoreResult<bool> {
                let result = sqlx::query(&format!("UPDATE conversations SET pinned = $1 WHERE id = $2 AND {owner} = $3", owner = owner.column()))
                    .bind(pinned)
                    .bind(id.to_string())
                    .bind(owner.id_text())
                    .execute(&self.writer)
                    .await?;
                Ok(result.rows_affected() > 0)
            }

            async fn set_archived(&self, owner: Owner, id: Uuid, archived: bool) -> StoreResult<bool> {
                let result =
                    sqlx::query(&format!("UPDATE conversations SET archived = $1 WHERE id = $2 AND {owner} = $3", owner = owner.column()))
                        .bind(archived)
                        .bind(id.to_string())
                        .bind(owner.id_text())
                        .execute(&self.writer)
                        .await?;
                Ok(result.rows_affected() > 0)
            }

            $($dialect)*

            async fn get_conversation(
                &self,
                owner: Owner,
                id: Uuid,
            ) -> StoreResult<Option<ConversationRow>> {
                let row = sqlx::query(
                    &format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1 AND {owner} = $2", owner = owner.column()),
                )
                .bind(id.to_string())
                .bind(owner.id_text())
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(conversation_from_row).transpose()
            }

            async fn create_conversation(
                &self,
                owner: Owner,
                assistant_id: &str,
                title: &str,
                model_key: Option<&str>,
            ) -> StoreResult<ConversationRow> {
                let now = now_ms();
                let row = sqlx::query(&format!(
                    "INSERT INTO conversations (id, {owner}, assistant_id, title, model_key, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     RETURNING {CONVERSATION_COLUMNS}", owner = owner.column()
                ))
                .bind(Uuid::now_v7().to_string())
                .bind(owner.id_text())
                .bind(assistant_id)
                .bind(title)
                .bind(model_key)
                .bind(now)
                .bind(now)
                .fetch_one(&self.writer)
                .await?;
                conversation_from_row(&row)
            }

            async fn set_conversation_model(
                &self,
                owner: Owner,
                id: Uuid,
                model_key: &str,
            ) -> StoreResult<()> {
                sqlx::query(&format!("UPDATE conversations SET model_key = $1 WHERE id = $2 AND {owner} = $3", owner = owner.column()))
                    .bind(model_key)
                    .bind(id.to_string())
                    .bind(owner.id_text())
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            async fn delete_conversation(&self, owner: Owner, id: Uuid) -> StoreResult<bool> {
                let result = sqlx::query(&format!("DELETE FROM conversations WHERE id = $1 AND {owner} = $2", owner = owner.column()))
                    .bind(id.to_string())
                    .bind(owner.id_text())
                    .execute(&self.writer)
                    .await?;
                Ok(result.rows_affected() > 0)
            }

            async fn list_messages(
                &self,
                owner: Owner,
                conversation_id: Uuid,
            ) -> StoreResult<Option<Vec<MessageRow>>> {
                if self
                    .get_conversation(owner, conversation_id)
                    .await?
                    .is_none()
                {
                    return Ok(None);
                }
                let rows = sqlx::query(&format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND active = TRUE ORDER BY id"
                ))
                .bind(conversation_id.to_string())
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(message_from_row)
                    .collect::<StoreResult<Vec<_>>>()
                    .map(Some)
            }

            async fn list_recent_messages(
                &self,
                owner: Owner,
                conversation_id: Uuid,
                before: Option<Uuid>,
                limit: i64,
            ) -> StoreResult<Option<(Vec<MessageRow>, bool)>> {
                if self.get_conversation(owner, conversation_id).await?.is_none() {
                    return Ok(None);
                }
                // One row more than asked tells whether older ones remain.
                let rows = sqlx::query(&format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages
                     WHERE conversation_id = $1 AND active = TRUE AND ($2 OR id < $3)
                     ORDER BY id DESC
                     LIMIT $4"
                ))
                .bind(conversation_id.to_string())
                .bind(before.is_none())
                .bind(before.map(|id| id.to_string()).unwrap_or_default())
                .bind(limit + 1)
                .fetch_all(&self.pool)
                .await?;
                let has_earlier = rows.len() as i64 > limit;
                let mut messages = rows
                    .iter()
                    .take(limit as usize)
                    .map(message_from_row)
                    .collect::<StoreResult<Vec<_>>>()?;
                messages.reverse();
                Ok(Some((messages, has_earlier)))
            }

            async fn turn_context(
                &self,
                owner: OwnerRef<'_>,
                conversation_id: Uuid,
                limit: i64,
            ) -> StoreResult<Option<TurnContext>> {
                // One round trip, since it stands between the question and the model: the owner check is part of
                // the join (on the guest's cookie token hash, or the user's id), and each message row repeats the
                // conversation's columns (a conversation without messages still gives one row, its message columns
                // NULL). The newest messages are taken in a subquery, so the index on (conversation_id, id) is read
                // backwards and stops at the limit however long the conversation. No expiry check: the guest is
                // found (and an expired session revived under the same id) beside this read, as everywhere else.
                let (owner_rows, owner_key) = match owner {
                    OwnerRef::GuestToken(token_hash) => (
                        "SELECT g.id AS owner_id, 'guest' AS owner_kind, c.title AS conversation_title,
                                c.model_key AS conversation_model_key, p.profile AS tax_profile
                         FROM guest_sessions g
                         JOIN conversations c ON c.guest_session_id = g.id
                         LEFT JOIN tax_profiles p ON p.guest_session_id = g.id
                         WHERE g.token_hash = $1 AND c.id = $2",
                        OwnerKey::Bytes(token_hash),
                    ),
                    OwnerRef::User(user_id) => (
                        "SELECT c.user_id AS owner_id, 'user' AS owner_kind, c.title AS conversation_title,
                                c.model_key AS conversation_model_key, p.profile AS tax_profile
                         FROM conversations c
                         LEFT JOIN user_tax_profiles p ON p.user_id = c.user_id
                         WHERE c.user_id = $1 AND c.id = $2",
                        OwnerKey::Text(user_id.to_string()),
                    ),
                };
                let query = format!(
                    "SELECT o.*, {QUALIFIED_MESSAGE_COLUMNS}
                     FROM ({owner_rows}) o
                     LEFT JOIN (SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $2 AND active = TRUE
                                ORDER BY id DESC LIMIT $3) m ON 1 = 1
                     ORDER BY m.id DESC"
                );
                let query = match owner_key {
                    OwnerKey::Bytes(bytes) => sqlx::query(&query).bind(bytes),
                    OwnerKey::Text(text) => sqlx::query(&query).bind(text),
                };
                let rows = query
                    .bind(conversation_id.to_string())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                let Some(first) = rows.first() else {
                    return Ok(None);
                };
                let mut recent_messages = Vec::with_capacity(rows.len());
                for row in &rows {
                    if row.try_get::<Option<String>, _>("id")?.is_some() {
                        recent_messages.push(message_from_row(row)?);
                    }
                }
                recent_messages.reverse();
                let owner_id = parse_uuid(first, "owner_id")?;
                let owner_kind: String = first.try_get("owner_kind")?;
                Ok(Some(TurnContext {
                    owner: if owner_kind == "user" { Owner::User(owner_id) } else { Owner::Guest(owner_id) },
                    title: first.try_get("conversation_title")?,
                    model_key: first.try_get("conversation_model_key")?,
                    tax_profile: profile_from_json(first.try_get("tax_profile")?),
                    recent_messages,
                }))
            }

            async fn begin_turn(&self, turn: NewTurn) -> StoreResult<(MessageRow, MessageRow)> {
                let now = now_ms();
                let conversation_id = turn.conversation_id.to_string();
                // A new question follows the conversation's last shown message; its answer follows it. Both in one
                // statement, and a trigger moves the conversation up the sidebar: into an existing conversation
                // that is the whole write, atomic without a transaction, so the write lock is never held across
                // round trips. Asked again, only the answer is new, beside the earlier ones.
                // Ids sort by creation: the question's before its answer's.
                let (user, insert_messages, assistant_id) = match turn.question {
                    TurnQuestion::New(content) => {
                        let user_id = Uuid::now_v7();
                        let assistant_id = Uuid::now_v7();
                        let insert = sqlx::query(
                            "INSERT INTO messages (id, conversation_id, role, content, status, provider, model, disclaimer,
                                                   created_at, updated_at, parent_id)
                             VALUES ($1, $2, 'user', $3, 'complete', NULL, NULL, NULL, $4, $4,
                                     (SELECT id FROM messages WHERE conversation_id = $2 AND active = TRUE
                                      ORDER BY id DESC LIMIT 1)),
                                    ($5, $2, 'assistant', '', 'streaming', $6, $7, $8, $4, $4, $1)",
                        )
                        .bind(user_id.to_string())
                        .bind(conversation_id.clone())
                        .bind(content.clone())
                        .bind(now)
                        .bind(assistant_id.to_string())
                        .bind(turn.provider.clone())
                        .bind(turn.model.clone())
                        .bind(turn.disclaimer.clone());
                        let user = MessageRow {
                            id: user_id,
                            conversation_id: turn.conversation_id,
                            role: Role::User,
                            content,
                            status: MessageStatus::Complete,
                            provider: None,
                            model: None,
                            usage: None,
                            ttft_ms: None,
                            latency_ms: None,
                            error_id: None,
                            disclaimer: None,
                            notice: None,
                            follow_ups: Vec::new(),
                            grounding: None,
                            created_at_ms: now,
                            parent_id: None,
                        };
                        (user, insert, assistant_id)
                    }
                    TurnQuestion::Again(question) => {
                        let assistant_id = Uuid::now_v7();
                        let insert = sqlx::query(
                            "INSERT INTO messages (id, conversation_id, role, content, status, provider, model, disclaimer,
                                                   created_at, updated_at, parent_id)
                             VALUES ($1, $2, 'assistant', '', 'streaming', $3, $4, $5, $6, $6, $7)",
                        )
                        .bind(assistant_id.to_string())
                        .bind(conversation_id.clone())
                        .bind(turn.provider.clone())
                        .bind(turn.model.clone())
                        .bind(turn.disclaimer.clone())
                        .bind(now)
                        .bind(question.id.to_string());
                        (*question, insert, assistant_id)
                    }
                };
                match &turn.new_conversation {
                    None => {
                        insert_messages.execute(&self.writer).await?;
                    }
                    Some(new) => {
                        let mut tx = self.writer.begin_with($begin_write).await?;
                        sqlx::query(
                            &format!("INSERT INTO conversations (id, {owner}, assistant_id, title, model_key, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7)", owner = new.owner.column()),
                        )
                        .bind(&conversation_id)
                        .bind(new.owner.id_text())
                        .bind(&new.assistant_id)
                        .bind(&new.title)
                        .bind(&new.model_key)
                        .bind(now)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        insert_messages.execute(&mut *tx).await?;
                        tx.commit().await?;
                    }
                }

                let assistant = MessageRow {
                    id: assistant_id,
                    role: Role::Assistant,
                    content: String::new(),
                    status: MessageStatus::Streaming,
                    provider: Some(turn.provider),
                    model: Some(turn.model),
                    usage: None,
                    ttft_ms: None,
                    latency_ms: None,
                    error_id: None,
                    disclaimer: Some(turn.disclaimer),
                    notice: None,
                    follow_ups: Vec::new(),
                    grounding: None,
                    created_at_ms: now,
                    parent_id: Some(user.id),
                    conversation_id: turn.conversation_id,
                };
                Ok((user, assistant))
            }

            async fn checkpoint_answers(&self, partial: &[(Uuid, String)]) -> StoreResult<()> {
                let now = now_ms();
                // One statement per chunk, each its own short transaction: the writer is free between chunks, so
                // a turn's own writes never wait behind a thousand checkpoints.
                for chunk in partial.chunks(CHECKPOINT_CHUNK) {
                    let sql = checkpoint_sql(chunk.len());
                    let mut query = sqlx::query(&sql).bind(now);
                    for (message_id, content) in chunk {
                        query = query.bind(message_id.to_string()).bind(content);
                    }
                    query.execute(&self.writer).await?;
                }
                Ok(())
            }

            async fn finish_answer(
                &self,
                message_id: Uuid,
                answer: FinishedAnswer,
            ) -> StoreResult<MessageRow> {
                let now = now_ms();
                // One statement: a trigger moves the conversation up the sidebar as the answer ends.
                let row = sqlx::query(&format!(
                    "UPDATE messages SET content = $1, status = $2, prompt_tokens = $3, completion_tokens = $4,
                            usage_estimated = $5, ttft_ms = $6, latency_ms = $7, error_id = $8, provider = $9, model = $10,
                            notice = $11, grounding = $12, updated_at = $13
                     WHERE id = $14
                     RETURNING {MESSAGE_COLUMNS}"
                ))
                .bind(&answer.content)
                .bind(answer.status.as_str())
                .bind(answer.usage.map(|u| i64::from(u.prompt_tokens)))
                .bind(answer.usage.map(|u| i64::from(u.completion_tokens)))
                .bind(answer.usage.is_some_and(|u| u.estimated))
                .bind(answer.ttft_ms)
                .bind(answer.latency_ms)
                .bind(&answer.error_id)
                .bind(&answer.provider)
                .bind(&answer.model)
                .bind(&answer.notice)
                .bind(grounding_to_json(answer.grounding.as_ref())?)
                .bind(now)
                .bind(message_id.to_string())
                .fetch_one(&self.writer)
                .await?;
                message_from_row(&row)
            }

            async fn set_follow_ups(&self, message_id: Uuid, questions: &[String]) -> StoreResult<()> {
                let json =
                    serde_json::to_string(questions).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                sqlx::query("UPDATE messages SET follow_ups = $1 WHERE id = $2")
                    .bind(json)
                    .bind(message_id.to_string())
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            async fn find_message(
                &self,
                owner: Owner,
                message_id: Uuid,
            ) -> StoreResult<Option<MessageRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages
                     WHERE id = $1 AND conversation_id IN (SELECT id FROM conversations WHERE {owner} = $2)", owner = owner.column()
                ))
                .bind(message_id.to_string())
                .bind(owner.id_text())
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(message_from_row).transpose()
            }

            async fn tax_profile(&self, owner: Owner) -> StoreResult<Option<TaxProfile>> {
                let row = sqlx::query(&format!(
                    "SELECT profile FROM {table} WHERE {owner} = $1",
                    table = owner.tax_profile_table(),
                    owner = owner.column()
                ))
                    .bind(owner.id_text())
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(row) => Ok(profile_from_json(row.try_get("profile")?)),
                    None => Ok(None),
                }
            }

            async fn tax_profile_of(&self, owner: OwnerRef<'_>) -> StoreResult<Option<TaxProfile>> {
                let row = match owner {
                    OwnerRef::GuestToken(token_hash) => {
                        sqlx::query(
                            "SELECT p.profile FROM tax_profiles p JOIN guest_sessions g ON g.id = p.guest_session_id
                             WHERE g.token_hash = $1",
                        )
                        .bind(token_hash)
                        .fetch_optional(&self.pool)
                        .await?
                    }
                    OwnerRef::User(user_id) => {
                        sqlx::query("SELECT profile FROM user_tax_profiles WHERE user_id = $1")
                            .bind(user_id.to_string())
                            .fetch_optional(&self.pool)
                            .await?
                    }
                };
                match row {
                    Some(row) => Ok(profile_from_json(row.try_get("profile")?)),
                    None => Ok(None),
                }
            }

            async fn set_tax_profile(&self, owner: Owner, profile: &TaxProfile) -> StoreResult<()> {
                let json =
                    serde_json::to_string(profile).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                sqlx::query(
                    &format!(
                        "INSERT INTO {table} ({owner}, profile, updated_at) VALUES ($1, $2, $3)
                         ON CONFLICT ({owner}) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at",
                        table = owner.tax_profile_table(),
                        owner = owner.column()
                    ),
                )
                .bind(owner.id_text())
                .bind(json)
                .bind(now_ms())
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn interrupt_abandoned_answers(&self) -> StoreResult<u64> {
                let result = sqlx::query(
                    "UPDATE messages SET status = 'interrupted', updated_at = $1 WHERE status = 'streaming'",
                )
                .bind(now_ms())
                .execute(&self.writer)
                .await?;
                Ok(result.rows_affected())
            }
        }

    };
}

pub(super) use sql_store;

/// Answers one checkpoint statement saves.
pub(super) const CHECKPOINT_CHUNK: usize = 100;

/// Saves the partial text of `rows` answers: `$1` is the time, then an id and a text per answer. Only rows still
/// streaming: a checkpoint that lands after an answer's final write must not undo it. `VALUES` columns are named
/// `column1, column2, ...` in both databases.
pub(super) fn checkpoint_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3))
        .collect();
    format!(
        "UPDATE messages SET content = v.column2, updated_at = $1
         FROM (VALUES {}) AS v
         WHERE messages.id = v.column1 AND messages.status = 'streaming'",
        values.join(", ")
    )
}

/// Follow-ups are stored as a JSON array; anything unreadable counts as none rather than failing the whole read.
pub(super) fn follow_ups_from_json(json: Option<String>) -> Vec<String> {
    json.and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// What an answer was grounded on, as stored (JSON), or NULL for none.
pub(super) fn grounding_to_json(
    grounding: Option<&crate::model::tax::Grounding>,
) -> Result<Option<String>, sqlx::Error> {
    grounding
        .map(|g| serde_json::to_string(g).map_err(|e| sqlx::Error::Encode(Box::new(e))))
        .transpose()
}

/// A stored grounding; unreadable JSON counts as none rather than failing the whole read.
pub(super) fn grounding_from_json(json: Option<String>) -> Option<crate::model::tax::Grounding> {
    json.and_then(|json| serde_json::from_str(&json).ok())
}

/// A stored tax profile; one that no longer reads (an older shape) counts as none, and the defaults apply again.
pub(super) fn profile_from_json(json: Option<String>) -> Option<crate::model::tax::TaxProfile> {
    json.and_then(|json| serde_json::from_str(&json).ok())
}
