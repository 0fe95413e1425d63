//! An answer being written, shared by whoever reads it. The answer task writes its events here; any number of
//! readers (the browser that asked, the same owner's other tab or device, a reload) attach and detach at will. A
//! reader that attaches late first gets what it missed, folded into a few events (the grounding, the notice, the
//! text so far), then every event as it comes. With no reader the answer goes on for a grace period (a reload, a
//! phone between networks), and is then stopped as interrupted, as if Stop had been pressed.

use std::{
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard},
    task::{Context, Poll},
    time::Duration,
};

use futures::Stream;
use tokio::{
    sync::{mpsc, Notify},
    time::Instant,
};

use crate::model::TurnEvent;

/// Events buffered for a slow reader before the answer task waits for it.
const EVENT_BUFFER: usize = 256;

pub struct LiveAnswer {
    state: Mutex<State>,
    /// Woken when the last reader leaves or a reader comes back.
    readers_changed: Notify,
    /// How long the answer goes on without a reader.
    grace: Duration,
}

struct State {
    /// Events travel boxed: the channel keeps its slots in blocks of 32, two blocks per reader, and a `TurnEvent`
    /// is up to 128 bytes; boxed, the blocks take about 0.5 KiB instead of about 8 KiB.
    readers: Vec<mpsc::Sender<Box<TurnEvent>>>,
    /// Since when nobody has been reading; `None` while someone is.
    alone_since: Option<Instant>,
    /// Set once the answer task is done: readers' streams end and nobody attaches any more.
    ended: bool,
    caught_up: CatchUp,
}

/// What a reader attaching now must be told first.
#[derive(Default)]
struct CatchUp {
    grounded: Option<TurnEvent>,
    /// The latest note (a reroute's says everything the earlier ones did).
    notice: Option<TurnEvent>,
    text: String,
    finished: Option<TurnEvent>,
}

impl CatchUp {
    fn record(&mut self, event: &TurnEvent) {
        match event {
            TurnEvent::Token { text } => self.text.push_str(text),
            TurnEvent::Grounded { .. } => self.grounded = Some(event.clone()),
            TurnEvent::Rerouted { .. } | TurnEvent::Noted { .. } => {
                self.notice = Some(event.clone())
            }
            TurnEvent::Finished { .. } => self.finished = Some(event.clone()),
            TurnEvent::Started { .. } | TurnEvent::Titled { .. } | TurnEvent::FollowUps { .. } => {}
        }
    }

    fn events(&self) -> Vec<TurnEvent> {
        let text = (!self.text.is_empty()).then(|| TurnEvent::Token {
            text: self.text.clone(),
        });
        [
            self.grounded.clone(),
            self.notice.clone(),
            text,
            self.finished.clone(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl LiveAnswer {
    /// A new answer; with `reader`, the one who asked reads it from the start.
    pub fn new(grace: Duration, reader: bool) -> (Arc<LiveAnswer>, Option<Reader>) {
        let live = Arc::new(LiveAnswer {
            state: Mutex::new(State {
                readers: Vec::new(),
                alone_since: (!reader).then(Instant::now),
                ended: false,
                caught_up: CatchUp::default(),
            }),
            readers_changed: Notify::new(),
            grace,
        });
        let first = reader.then(|| live.attach()).flatten();
        (live, first)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Only short, panic-free sections hold the lock, so a poisoned one still holds consistent data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new reader: what it missed, then every event as it comes. `None` once the answer task is done.
    pub fn attach(self: &Arc<Self>) -> Option<Reader> {
        let mut state = self.lock();
        if state.ended {
            return None;
        }
        let (sender, receiver) = mpsc::channel(EVENT_BUFFER);
        let catch_up = state.caught_up.events();
        for event in catch_up {
            // A fresh channel holds the few catch-up events without waiting.
            let _ = sender.try_send(Box::new(event));
        }
        state.readers.push(sender);
        if state.alone_since.take().is_some() {
            self.readers_changed.notify_waiters();
        }
        Some(Reader {
            receiver,
            live: self.clone(),
        })
    }

    /// Sends an event to every reader (waiting for a slow one), and keeps what a later reader needs of it.
    pub async fn send(&self, event: TurnEvent) {
        let readers = {
            let mut state = self.lock();
            state.caught_up.record(&event);
            state.readers.clone()
        };
        let mut gone = false;
        for reader in &readers {
            gone |= reader.send(Box::new(event.clone())).await.is_err();
        }
        if gone {
            self.forget_gone_readers();
        }
    }

    /// Resolves once nobody has read the answer for the grace period.
    pub async fn abandoned(&self) {
        loop {
            // Made before the state is read, so a change between the two still wakes it.
            let changed = self.readers_changed.notified();
            let deadline = {
                let state = self.lock();
                state.alone_since.map(|since| since + self.grace)
            };
            match deadline {
                Some(deadline) => tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => return,
                    _ = changed => {}
                },
                None => changed.await,
            }
        }
    }

    /// The answer task is done: every reader's stream ends, and nobody attaches any more.
    pub fn end(&self) {
        let mut state = self.lock();
        state.ended = true;
        state.readers.clear();
    }

    fn forget_gone_readers(&self) {
        let mut state = self.lock();
        state.readers.retain(|reader| !reader.is_closed());
        if state.readers.is_empty() && state.alone_since.is_none() && !state.ended {
            state.alone_since = Some(Instant::now());
            self.readers_changed.notify_waiters();
        }
    }
}

/// One reader's events. Dropping it (the browser went away) detaches it at once, so the grace period starts then
/// rather than at the next event.
pub struct Reader {
    receiver: mpsc::Receiver<Box<TurnEvent>>,
    live: Arc<LiveAnswer>,
}

impl Stream for Reader {
    type Item = TurnEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<TurnEvent>> {
        self.receiver
            .poll_recv(cx)
            .map(|event| event.map(|event| *event))
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.receiver.close();
        self.live.forget_gone_readers();
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    fn token(text: &str) -> TurnEvent {
        TurnEvent::Token { text: text.into() }
    }

    #[tokio::test]
    async fn a_late_reader_gets_the_text_so_far_then_what_follows() {
        let (live, first) = LiveAnswer::new(Duration::from_secs(60), true);
        let mut first = first.expect("a reader");
        live.send(token("Self-")).await;
        live.send(token("employment")).await;
        let mut late = live.attach().expect("still live");
        live.send(token(" tax")).await;
        live.end();
        assert_eq!(late.next().await, Some(token("Self-employment")));
        assert_eq!(late.next().await, Some(token(" tax")));
        assert_eq!(late.next().await, None);
        let all: Vec<_> = first.by_ref().collect().await;
        assert_eq!(
            all,
            vec![token("Self-"), token("employment"), token(" tax")]
        );
        assert!(
            live.attach().is_none(),
            "nobody attaches to an ended answer"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_nobody_reads_is_abandoned_after_the_grace_period_only() {
        let grace = Duration::from_secs(30);
        let (live, first) = LiveAnswer::new(grace, true);
        let started = Instant::now();
        let abandoned = {
            let live = live.clone();
            tokio::spawn(async move {
                live.abandoned().await;
                Instant::now()
            })
        };
        tokio::time::sleep(Duration::from_secs(100)).await;
        assert!(!abandoned.is_finished(), "read all along: not abandoned");
        drop(first);
        tokio::time::sleep(Duration::from_secs(10)).await;
        // A reload: the page comes back within the grace period.
        let again = live.attach().expect("still live");
        tokio::time::sleep(Duration::from_secs(100)).await;
        assert!(!abandoned.is_finished(), "read again: not abandoned");
        drop(again);
        let at = abandoned.await.expect("task");
        assert_eq!(at - started, Duration::from_secs(210) + grace);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_started_without_a_reader_waits_the_grace_period_for_one() {
        let grace = Duration::from_secs(5);
        let (live, first) = LiveAnswer::new(grace, false);
        assert!(first.is_none());
        let started = Instant::now();
        live.abandoned().await;
        assert_eq!(started.elapsed(), grace);
    }
}
