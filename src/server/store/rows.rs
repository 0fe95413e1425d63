//! Rows into the store's types, for either database. Like [`sql_store!`](super::sql::sql_store), a macro expanded
//! with each dialect's concrete row type, so the decoding exists once without generic bounds on sqlx's traits.

/// Defines the row decoders `sql_store!` uses (`message_from_row`, `conversation_from_row`, `list_item_from_row`,
/// `best_per_conversation`, ...) for rows of type `$row`.
macro_rules! row_decoders {
    ($row:ty) => {
        fn parse_uuid(row: &$row, column: &str) -> StoreResult<Uuid> {
            let text: String = row.try_get(column)?;
            Uuid::parse_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
        }

        fn decode_error(what: &str, value: &str) -> sqlx::Error {
            sqlx::Error::Decode(format!("unknown {what} {value:?}").into())
        }

        fn message_from_row(row: &$row) -> StoreResult<MessageRow> {
            let role: String = row.try_get("role")?;
            let status: String = row.try_get("status")?;
            let prompt_tokens: Option<i64> = row.try_get("prompt_tokens")?;
            let completion_tokens: Option<i64> = row.try_get("completion_tokens")?;
            let usage = match (prompt_tokens, completion_tokens) {
                (Some(prompt), Some(completion)) => Some(Usage {
                    prompt_tokens: u32::try_from(prompt).unwrap_or(0),
                    completion_tokens: u32::try_from(completion).unwrap_or(0),
                    estimated: row.try_get("usage_estimated")?,
                }),
                _ => None,
            };
            Ok(MessageRow {
                id: parse_uuid(row, "id")?,
                conversation_id: parse_uuid(row, "conversation_id")?,
                role: Role::parse(&role).ok_or_else(|| decode_error("role", &role))?,
                content: row.try_get("content")?,
                status: MessageStatus::parse(&status)
                    .ok_or_else(|| decode_error("status", &status))?,
                provider: row.try_get("provider")?,
                model: row.try_get("model")?,
                usage,
                ttft_ms: row.try_get("ttft_ms")?,
                latency_ms: row.try_get("latency_ms")?,
                error_id: row.try_get("error_id")?,
                disclaimer: row.try_get("disclaimer")?,
                notice: row.try_get("notice")?,
                follow_ups: follow_ups_from_json(row.try_get("follow_ups")?),
                grounding: grounding_from_json(row.try_get("grounding")?),
                created_at_ms: row.try_get("created_at")?,
                parent_id: row
                    .try_get::<Option<String>, _>("parent_id")?
                    .map(|id| Uuid::parse_str(&id).map_err(|e| sqlx::Error::Decode(Box::new(e))))
                    .transpose()?,
            })
        }

        fn conversation_from_row(row: &$row) -> StoreResult<ConversationRow> {
            Ok(ConversationRow {
                id: parse_uuid(row, "id")?,
                assistant_id: row.try_get("assistant_id")?,
                title: row.try_get("title")?,
                model_key: row.try_get("model_key")?,
                pinned: row.try_get("pinned")?,
                archived: row.try_get("archived")?,
                created_at_ms: row.try_get("created_at")?,
                updated_at_ms: row.try_get("updated_at")?,
            })
        }

        fn search_hit_from_row(row: &$row) -> StoreResult<SearchHit> {
            Ok(SearchHit {
                conversation_id: parse_uuid(row, "id")?,
                title: row.try_get("title")?,
                snippet: row.try_get("snippet")?,
                archived: row.try_get("archived")?,
            })
        }

        /// Keeps the best hit of each conversation, in order, up to `limit`.
        fn best_per_conversation(rows: &[$row], limit: i64) -> StoreResult<Vec<SearchHit>> {
            let mut hits: Vec<SearchHit> = Vec::new();
            for row in rows {
                let hit = search_hit_from_row(row)?;
                if !hits
                    .iter()
                    .any(|h| h.conversation_id == hit.conversation_id)
                {
                    hits.push(hit);
                }
                if hits.len() as i64 >= limit {
                    break;
                }
            }
            Ok(hits)
        }

        /// A sidebar entry: the conversation with its message count and newest message.
        fn list_item_from_row(row: &$row) -> StoreResult<ConversationListItem> {
            Ok(ConversationListItem {
                id: parse_uuid(row, "id")?,
                title: row.try_get("title")?,
                pinned: row.try_get("pinned")?,
                archived: row.try_get("archived")?,
                last_message: row.try_get("last_message")?,
                message_count: row.try_get("message_count")?,
                updated_at_ms: row.try_get("updated_at")?,
            })
        }
    };
}

pub(super) use row_decoders;
