//! Partial answers are saved together. Each answer that is streaming hands its text to [`Checkpoints`] about once
//! per checkpoint interval, and one task writes everything handed in since its last pass in a single transaction.
//! With a thousand answers streaming that is one write per interval instead of a thousand, and no answer ever
//! waits on the database between two tokens.

use std::{collections::HashMap, sync::Mutex};

use uuid::Uuid;

use crate::server::chat::Chat;

/// The newest partial text of each answer not yet written, keyed by assistant message id.
#[derive(Default)]
pub struct Checkpoints {
    staged: Mutex<HashMap<Uuid, String>>,
}

impl Checkpoints {
    /// Records the answer's text so far; the next pass writes it (replacing anything staged earlier).
    pub fn stage(&self, message_id: Uuid, text: &str) {
        self.lock().insert(message_id, text.to_owned());
    }

    /// Drops a staged checkpoint: the answer's final state is about to be written, which supersedes it.
    pub fn forget(&self, message_id: Uuid) {
        self.lock().remove(&message_id);
    }

    fn take(&self) -> Vec<(Uuid, String)> {
        self.lock().drain().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, String>> {
        // Only touched in short, panic-free sections, so a poisoned lock still holds consistent data.
        self.staged
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Writes the staged checkpoints once per checkpoint interval until the task is aborted. A failed write is
/// logged and dropped: the answer's final write (or the next checkpoint) carries the text anyway.
pub async fn write_checkpoints(chat: Chat) {
    let mut ticks = tokio::time::interval(chat.settings.checkpoint_interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let partial = chat.checkpoints.take();
        if partial.is_empty() {
            continue;
        }
        let started = std::time::Instant::now();
        match chat.store.checkpoint_answers(&partial).await {
            Ok(()) => tracing::debug!(
                answers = partial.len(),
                db_ms = started.elapsed().as_secs_f64() * 1000.0,
                "checkpoints written"
            ),
            Err(error) => {
                tracing::warn!(answers = partial.len(), %error, "checkpoints not written; the answers go on")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_newest_text_per_answer_and_forgets_finished_ones() {
        let checkpoints = Checkpoints::default();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        checkpoints.stage(a, "The");
        checkpoints.stage(a, "The standard");
        checkpoints.stage(b, "Quarterly");
        checkpoints.forget(b);
        assert_eq!(checkpoints.take(), vec![(a, "The standard".to_string())]);
        assert!(checkpoints.take().is_empty(), "a pass takes what it writes");
    }
}
