//! The answer's events on their way to the browser: the channel from the answer task, and the lines of JSON the
//! browser reads.

use std::{sync::Arc, task::Poll};

use futures::{Stream, StreamExt};

use super::live::LiveAnswer;
use crate::model::TurnEvent;

/// The answer task's end of its events: every reader of the live answer gets them. Dropped when the task is done,
/// which ends every reader's stream.
pub(super) struct EventSender(pub(super) Arc<LiveAnswer>);

impl EventSender {
    pub(super) async fn send(&self, event: TurnEvent) {
        self.0.send(event).await
    }

    /// Resolves when nobody has read the answer for the grace period.
    pub(super) async fn closed(&self) {
        self.0.abandoned().await
    }
}

impl Drop for EventSender {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// One event as a line of JSON with every non-ASCII character escaped. The browser decodes each network chunk as
/// UTF-8 on its own, so a character split across two chunks would break it; pure ASCII cannot be split badly.
pub fn encode_event_line(event: &TurnEvent) -> String {
    let mut line = String::new();
    push_event_line(&mut line, event);
    line
}

fn push_event_line(out: &mut String, event: &TurnEvent) {
    use std::fmt::Write;
    let json = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
    out.reserve(json.len() + 1);
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out.push('\n');
}

/// Most events one write to the browser carries.
const EVENTS_PER_WRITE: usize = 64;

/// What the browser reads: the events as lines, those already waiting joined into one write. That is one token per
/// write when the server keeps up, and fewer, larger writes (far fewer system calls) when it is busy. Nothing is
/// buffered between writes, so a waiting answer holds no gathering buffer.
pub fn event_writes(
    events: impl Stream<Item = TurnEvent> + Unpin,
) -> impl Stream<Item = String> + Unpin {
    let mut events = events.fuse();
    futures::stream::poll_fn(move |cx| {
        let mut write = String::new();
        let mut ended = false;
        for _ in 0..EVENTS_PER_WRITE {
            match events.poll_next_unpin(cx) {
                Poll::Ready(Some(event)) => push_event_line(&mut write, &event),
                Poll::Ready(None) => {
                    ended = true;
                    break;
                }
                Poll::Pending => break,
            }
        }
        if !write.is_empty() {
            Poll::Ready(Some(write))
        } else if ended {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    })
}

#[cfg(test)]
mod tests {
    use tokio::sync::mpsc;
    use tokio_stream::wrappers::ReceiverStream;

    use super::*;
    use crate::model::EventLineReader;

    #[test]
    fn event_lines_are_ascii_and_round_trip() {
        let event = TurnEvent::Token {
            text: "Thuế — 💶 \"quoted\"\n".into(),
        };
        let line = encode_event_line(&event);
        assert!(line.is_ascii(), "{line}");
        assert!(line.ends_with('\n'));
        let mut reader = EventLineReader::default();
        assert_eq!(reader.push(&line), vec![Ok(event)]);
    }

    #[tokio::test]
    async fn events_already_waiting_go_out_in_one_write() {
        let token = |text: &str| TurnEvent::Token { text: text.into() };
        let (sender, receiver) = mpsc::channel(8);
        sender.send(token("a")).await.unwrap();
        sender.send(token("b")).await.unwrap();
        let mut writes = event_writes(ReceiverStream::new(receiver));
        let first = writes.next().await.expect("a write");
        assert_eq!(
            first,
            encode_event_line(&token("a")) + &encode_event_line(&token("b"))
        );
        sender.send(token("c")).await.unwrap();
        drop(sender);
        assert_eq!(writes.next().await, Some(encode_event_line(&token("c"))));
        assert_eq!(writes.next().await, None);
    }
}
