//! The log's stored messages in boxes of 25, so that the browser lays out and paints only those near the screen.

use leptos::prelude::*;

use super::messages::MessageBubble;
use crate::{
    app::ChatContext,
    model::{Branch, ChatMessage},
};

/// The stored messages, in boxes of 25 (`state::MESSAGES_PER_BOX`, see `state::box_starts`). The browser neither lays out
/// nor paints a box off screen (`content-visibility: auto` on all but the last, in `style/main.css`), so a page of
/// earlier messages prepended to 2,000 costs that page, not the whole conversation; boxes rather than single
/// messages, because the browser checks each such element on every scrolled frame.
#[component]
pub(super) fn MessageBoxes() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let ranges = Memo::new(move |_| {
        let starts = ctx.box_starts.get();
        ctx.messages.with(|messages| box_ranges(&starts, messages))
    });
    view! {
        // The messages flow as blocks, not flex items: a flex column lays out every child again when one changes.
        <div class="space-y-4 empty:hidden">
            <For each=move || ranges.get() key=|range| range.start.clone() let:range>
                <MessageBox start=range.start ranges />
            </For>
        </div>
    }
}

/// One box of messages: those from its start to the next box's.
#[component]
fn MessageBox(start: String, ranges: Memo<Vec<BoxRange>>) -> impl IntoView {
    let ctx = ChatContext::use_context();
    // Only keys are listed on each change (not copies of the messages); a message is read when its bubble is made.
    let keys = move || {
        // `try_`: leaving the page disposes the list's ranges while a last update of this box may still run.
        let (from, to) = ranges
            .try_with(|ranges| {
                ranges
                    .iter()
                    .find(|range| range.start == start)
                    .map(|range| (range.from, range.to))
            })
            .flatten()
            .unwrap_or((0, 0));
        ctx.messages.with(|messages| {
            messages.get(from..to).map_or_else(Vec::new, |slice| {
                slice
                    .iter()
                    .enumerate()
                    .map(|(i, message)| MessageKey::of((from + i, message)))
                    .collect()
            })
        })
    };
    view! {
        <div class="message-box space-y-4">
            // Keyed by the versions too: switching to another version re-renders its "2 / 2".
            <For
                each=keys
                key=|key| (key.id.clone(), key.branch.clone())
                children=move |key| {
                    ctx.messages
                        .with_untracked(|messages| messages.get(key.at).cloned())
                        .map(|message| view! { <MessageBubble message actions=true /> })
                }
            />
        </div>
    }
}

/// A box of messages: named by its first message's id, over `from..to` of the messages as they stand.
#[derive(Clone, Debug, PartialEq)]
struct BoxRange {
    start: String,
    from: usize,
    to: usize,
}

/// The boxes `starts` make of `messages`. A start no longer shown (its message deleted, or replaced by another
/// version) merges its box into the one before; the first box also takes any messages before its start.
fn box_ranges(starts: &[String], messages: &[ChatMessage]) -> Vec<BoxRange> {
    if messages.is_empty() {
        return Vec::new();
    }
    // Both are in the log's order, so one walk finds every start that is still there.
    let mut found: Vec<(&str, usize)> = Vec::with_capacity(starts.len());
    let mut next = 0;
    for start in starts {
        if let Some(offset) = messages[next..].iter().position(|m| m.id == *start) {
            found.push((start.as_str(), next + offset));
            next += offset + 1;
        }
    }
    match found.first_mut() {
        Some(first) => first.1 = 0,
        None => found.push(("", 0)),
    }
    found
        .iter()
        .enumerate()
        .map(|(k, &(start, from))| BoxRange {
            start: start.to_string(),
            from,
            to: found.get(k + 1).map_or(messages.len(), |&(_, at)| at),
        })
        .collect()
}

/// What the list keys a message by, and where it was when listed.
struct MessageKey {
    at: usize,
    id: String,
    branch: Option<Branch>,
}

impl MessageKey {
    fn of((at, message): (usize, &ChatMessage)) -> Self {
        MessageKey {
            at,
            id: message.id.clone(),
            branch: message.branch.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        app::state::box_starts,
        model::{MessageStatus, Role},
    };

    fn messages(count: usize) -> Vec<ChatMessage> {
        (0..count)
            .map(|n| ChatMessage {
                id: format!("m{n}"),
                role: Role::User,
                content: String::new(),
                html: String::new(),
                status: MessageStatus::Complete,
                provider: None,
                model: None,
                usage: None,
                error_id: None,
                notice: None,
                follow_ups: Vec::new(),
                grounding: None,
                timing: None,
                created_at_ms: 0,
                branch: None,
            })
            .collect()
    }

    fn spans(ranges: &[BoxRange]) -> Vec<(&str, usize, usize)> {
        ranges
            .iter()
            .map(|r| (r.start.as_str(), r.from, r.to))
            .collect()
    }

    #[test]
    fn a_page_makes_boxes_of_twenty_five_and_the_last_box_runs_to_the_end() {
        let shown = messages(103);
        let starts = box_starts(&shown);
        assert_eq!(starts, ["m0", "m25", "m50", "m75", "m100"]);
        let ranges = box_ranges(&starts[..4], &shown);
        assert_eq!(
            spans(&ranges),
            [
                ("m0", 0, 25),
                ("m25", 25, 50),
                ("m50", 50, 75),
                ("m75", 75, 103)
            ]
        );
    }

    #[test]
    fn a_deleted_start_merges_its_box_into_the_one_before_and_the_first_box_takes_what_precedes_it()
    {
        let mut shown = messages(60);
        let starts = box_starts(&shown);
        shown.remove(25);
        shown.remove(0);
        assert_eq!(spans(&box_ranges(&starts, &shown)), [("m50", 0, 58)]);
        let starts = vec!["m10".to_string(), "m40".to_string()];
        assert_eq!(
            spans(&box_ranges(&starts, &messages(50))),
            [("m10", 0, 40), ("m40", 40, 50)]
        );
    }

    #[test]
    fn messages_without_boxes_are_one_box_and_no_messages_are_none() {
        assert_eq!(spans(&box_ranges(&[], &messages(3))), [("", 0, 3)]);
        assert!(box_ranges(&["m0".to_string()], &[]).is_empty());
    }
}
