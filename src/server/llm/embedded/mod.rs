//! The embedded offline model: a llama-architecture GGUF (by default SmolLM2-135M-Instruct) run in-process with
//! candle, so Tally answers with no API key and nothing leaves the machine. Generation runs on a thread of its own
//! and streams tokens over a channel; the async runtime never waits on the model.

mod template;
mod tokenizer;
mod utf8;
mod weights;
mod worker;

use std::{
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        mpsc::{sync_channel, SyncSender, TrySendError},
        Arc,
    },
};

use async_trait::async_trait;
use futures::StreamExt;
use tokio_stream::wrappers::UnboundedReceiverStream;

pub use utf8::Utf8Holdback;

use super::{ChatProvider, ChatRequest, ChunkStream, ProviderError};

pub struct EmbeddedModel {
    jobs: SyncSender<worker::Job>,
    queue: usize,
    active: Arc<AtomicUsize>,
}

/// How much work the model takes on.
pub struct EmbeddedSettings {
    pub model_path: PathBuf,
    /// Answers written at the same time, taking turns token by token.
    pub max_active: usize,
    /// Questions waiting beyond those; more are refused as busy (and fall back to the next provider).
    pub queue: usize,
}

impl EmbeddedModel {
    /// Starts the generation thread. The weights load on the first question, not here.
    pub fn start(settings: EmbeddedSettings) -> std::io::Result<Self> {
        let (jobs, receiver) = sync_channel(settings.queue);
        let queue = settings.queue;
        let active = Arc::new(AtomicUsize::new(0));
        let worker_settings = worker::Settings {
            model_path: settings.model_path,
            max_active: settings.max_active.max(1),
            active: active.clone(),
        };
        std::thread::Builder::new()
            .name("embedded-model".into())
            .spawn(move || worker::run(worker_settings, receiver))?;
        Ok(EmbeddedModel {
            jobs,
            queue,
            active,
        })
    }

    /// Answers being generated at this moment (not counting those waiting in the queue).
    pub fn active_answers(&self) -> usize {
        self.active.load(Ordering::Relaxed)
    }
}

/// Marks the answer abandoned when the turn drops its stream (Stop, disconnect, timeout), so the thread stops
/// generating it at the next token.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[async_trait]
impl ChatProvider for EmbeddedModel {
    async fn stream(
        &self,
        _model: &str,
        request: ChatRequest,
    ) -> Result<ChunkStream, ProviderError> {
        let (events, receiver) = tokio::sync::mpsc::unbounded_channel();
        let cancelled = Arc::new(AtomicBool::new(false));
        let job = worker::Job {
            messages: request.messages,
            max_tokens: request.max_tokens,
            temperature: request.temperature,
            events,
            cancelled: cancelled.clone(),
        };
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(ProviderError::Unavailable(format!(
                    "busy: {} questions are already waiting",
                    self.queue
                )))
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(ProviderError::Unavailable(
                    "the model thread has stopped".into(),
                ))
            }
        }
        let guard = CancelOnDrop(cancelled);
        Ok(Box::pin(UnboundedReceiverStream::new(receiver).map(
            move |event| {
                let _keep_until_the_stream_is_dropped = &guard;
                event
            },
        )))
    }
}
