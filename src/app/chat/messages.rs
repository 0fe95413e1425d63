//! The conversation as a log: finished messages, the answer being written, and starter questions for a new chat.

use leptos::{html, prelude::*};

use super::{
    grounding::{GroundingDetails, TaxStamp},
    message_boxes::MessageBoxes,
    send::{use_ask, use_change_versions, use_send, Replacing, VersionChange},
    starters::StarterQuestions,
};
use crate::{
    app::{state::box_starts, ChatContext},
    i18n::{fill, texts, ChatTexts},
    model::{Branch, ChatMessage, MessageStatus, Role, Usage, OFFLINE_PROVIDER},
};

#[component]
pub fn MessageList() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let t = &texts().chat;
    let log = NodeRef::<html::Div>::new();
    let is_empty = move || ctx.messages.with(Vec::is_empty) && !ctx.is_busy();

    // Keep the newest text in view while an answer streams in. Only a new last message (or streaming text) scrolls
    // down: older messages loaded at the top must not throw the reader to the bottom.
    Effect::new(move |_| {
        ctx.last_message_id.track();
        if let Some(pending) = ctx.pending.get() {
            pending.text.track();
        }
        if let Some(log) = log.get() {
            log.set_scroll_top(log.scroll_height());
        }
    });
    let earlier = EarlierMessages::new(log);

    view! {
        <div
            node_ref=log
            role="log"
            aria-label=t.messages
            class="flex-1 overflow-y-auto px-3 py-4"
            tabindex="0"
            on:scroll=move |_| earlier.load_if_at_top()
        >
            <div class="mx-auto flex w-full max-w-3xl flex-col gap-4">
                <Show when=move || ctx.has_earlier.get()>
                    <button
                        type="button"
                        class="self-center rounded-md px-3 py-1 text-sm text-teal-800 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:text-teal-300 dark:hover:bg-slate-800"
                        disabled=move || earlier.loading.get()
                        on:click=move |_| earlier.load()
                    >
                        {move || if earlier.loading.get() { t.loading } else { t.load_earlier }}
                    </button>
                </Show>
                <Show when=is_empty>
                    <StarterQuestions />
                </Show>
                <MessageBoxes />
                <PendingAnswer />
                <FollowUpChips />
            </div>
        </div>
    }
}

/// Loads the page of messages before the first one shown, keeping the reader's place.
#[derive(Clone, Copy)]
struct EarlierMessages {
    log: NodeRef<html::Div>,
    loading: RwSignal<bool>,
}

impl EarlierMessages {
    fn new(log: NodeRef<html::Div>) -> Self {
        EarlierMessages {
            log,
            loading: RwSignal::new(false),
        }
    }

    fn load_if_at_top(self) {
        let at_top = self
            .log
            .get_untracked()
            .is_some_and(|log| log.scroll_top() < 80);
        if at_top {
            self.load();
        }
    }

    fn load(self) {
        let ctx = ChatContext::use_context();
        if self.loading.get_untracked() || !ctx.has_earlier.get_untracked() {
            return;
        }
        let (Some(id), Some(before)) = (
            ctx.conversation_id.get_untracked(),
            ctx.messages
                .with_untracked(|m| m.first().map(|m| m.id.clone())),
        ) else {
            return;
        };
        self.loading.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::earlier_messages(id.clone(), before).await {
                // Still the same conversation: prepend, and keep the same messages under the reader's eyes.
                Ok(page) if ctx.conversation_id.get_untracked().as_deref() == Some(id.as_str()) => {
                    let log = self.log.get_untracked();
                    let height_before = log.as_ref().map_or(0, |l| l.scroll_height());
                    // The page's boxes first, so the messages land in them, not in the box below.
                    ctx.box_starts.update(|starts| {
                        let mut all = box_starts(&page.messages);
                        all.append(starts);
                        *starts = all;
                    });
                    ctx.messages.update(|messages| {
                        let mut all = page.messages;
                        all.append(messages);
                        *messages = all;
                    });
                    ctx.has_earlier.set(page.has_earlier);
                    if let Some(log) = log {
                        request_animation_frame(move || {
                            log.set_scroll_top(
                                log.scroll_top() + log.scroll_height() - height_before,
                            );
                        });
                    }
                }
                Ok(_) => {}
                Err(error) => ctx
                    .error
                    .set(Some(crate::app::state::TurnError { error, retry: None })),
            }
            self.loading.set(false);
        });
    }
}

/// A stored message; with `actions` (the chat, not a shared page) its versions, Edit and Delete on a question,
/// Regenerate on the latest answer.
#[component]
pub(crate) fn MessageBubble(
    message: ChatMessage,
    #[prop(default = false)] actions: bool,
) -> impl IntoView {
    match (message.role, actions) {
        (Role::User, true) => view! { <Question message /> }.into_any(),
        (Role::User, false) => {
            view! { <UserBubble text=message.content copyable=true /> }.into_any()
        }
        (Role::Assistant, _) => view! { <AnswerBubble message actions /> }.into_any(),
    }
}

/// The caller's own question: copy, edit and send again, delete it with its answer (once confirmed), and its
/// versions when it was edited.
#[component]
fn Question(message: ChatMessage) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let t = &texts().chat;
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let change = use_change_versions();
    let id = StoredValue::new(message.id.clone());
    let text = StoredValue::new(message.content.clone());
    let branch = message.branch.clone();
    let small = "rounded px-1.5 py-0.5 text-xs text-slate-600 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 disabled:opacity-50 dark:text-slate-400 dark:hover:bg-slate-800";
    move || {
        if editing.get() {
            return view! { <EditQuestion id text editing /> }.into_any();
        }
        let change = change.clone();
        let branch = branch.clone();
        view! {
            <article class="ml-auto flex w-fit max-w-[85%] flex-col items-end self-end" aria-label=t.you>
                <p class="whitespace-pre-wrap break-words rounded-2xl rounded-br-sm bg-teal-700 px-4 py-2 text-white">{text.get_value()}</p>
                <div class="mt-1 flex flex-wrap items-center justify-end gap-1">
                    {branch.map(|branch| view! { <VersionSwitch branch answer=false /> })}
                    <CopyButton text=text.get_value() />
                    <button type="button" class=small disabled=move || ctx.is_busy() on:click=move |_| editing.set(true)>{t.edit}</button>
                    <button type="button" class=small disabled=move || ctx.is_busy() on:click=move |_| confirming.set(true)>{t.delete}</button>
                </div>
                <Show when=move || confirming.get()>
                    {
                        let change = change.clone();
                        view! {
                            <div role="group" aria-label=t.confirm_delete_label class="mt-1 flex flex-wrap items-center justify-end gap-2 text-sm">
                                <p>{t.confirm_delete_pair}</p>
                                <button type="button" class="rounded-md bg-red-700 px-3 py-1 font-medium text-white hover:bg-red-800"
                                    on:click=move |_| { confirming.set(false); change(VersionChange::Delete(id.get_value())) }>
                                    {t.delete}
                                </button>
                                <button type="button" class="rounded-md border border-slate-400 px-3 py-1 hover:bg-slate-100 dark:hover:bg-slate-800"
                                    on:click=move |_| confirming.set(false)>
                                    {t.cancel}
                                </button>
                            </div>
                        }
                    }
                </Show>
            </article>
        }
        .into_any()
    }
}

/// A question being edited: "Save and send" asks the edited question instead, and the conversation goes on from
/// it; the earlier question and what followed stay a switch away.
#[component]
fn EditQuestion(
    id: StoredValue<String>,
    text: StoredValue<String>,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let t = &texts().chat;
    let ask = use_ask();
    let draft = RwSignal::new(text.get_value());
    let field = NodeRef::<html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(field) = field.get() {
            let _ = field.focus();
        }
    });
    let send = move || {
        let edited = draft.get_untracked();
        if edited.trim().is_empty() {
            return;
        }
        editing.set(false);
        if edited.trim() != text.get_value().trim() {
            ask(edited, Some(Replacing::Question(id.get_value())));
        }
    };
    let send_on_click = send.clone();
    view! {
        <div class="ml-auto flex w-full max-w-[85%] flex-col gap-2 self-end">
            <label class="sr-only" for=move || format!("edit-{}", id.get_value())>{t.edit_label}</label>
            <textarea
                id=move || format!("edit-{}", id.get_value())
                node_ref=field
                rows="3"
                class="w-full rounded-xl border border-teal-600 bg-white px-3 py-2 text-base focus:outline-none focus:ring-2 focus:ring-teal-600/40 dark:bg-slate-950"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=move |ev| match ev.key().as_str() {
                    "Escape" => { ev.prevent_default(); editing.set(false) }
                    "Enter" if !ev.shift_key() && !ev.is_composing() => { ev.prevent_default(); send() }
                    _ => {}
                }
            ></textarea>
            <div class="flex justify-end gap-2">
                <button type="button" class="rounded-md border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800" on:click=move |_| editing.set(false)>
                    {t.cancel}
                </button>
                <button type="button" class="rounded-md bg-teal-700 px-3 py-1 text-sm font-medium text-white hover:bg-teal-800" on:click=move |_| send_on_click()>
                    {t.save_and_send}
                </button>
            </div>
        </div>
    }
}

/// "2 / 3" between "Previous answer" and "Next answer" (or version, for a question).
#[component]
fn VersionSwitch(branch: Branch, answer: bool) -> impl IntoView {
    let ctx = ChatContext::use_context();
    let t = &texts().chat;
    let change = use_change_versions();
    let (group, previous_label, next_label) = if answer {
        (t.answer_versions, t.previous_answer, t.next_answer)
    } else {
        (t.question_versions, t.previous_version, t.next_version)
    };
    let position = fill(
        t.version_position,
        &[
            ("index", &branch.index.to_string()),
            ("count", &branch.count.to_string()),
        ],
    );
    let button = "rounded px-1.5 py-0.5 text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 disabled:opacity-40 dark:text-slate-300 dark:hover:bg-slate-800";
    let go = move |target: Option<String>| {
        let change = change.clone();
        move |_| {
            if let Some(target) = target.clone() {
                change(VersionChange::Show(target));
            }
        }
    };
    let (has_previous, has_next) = (branch.previous.is_some(), branch.next.is_some());
    view! {
        <div role="group" aria-label=group class="flex items-center gap-0.5 text-xs text-slate-600 dark:text-slate-400">
            <button type="button" class=button aria-label=previous_label
                disabled=move || !has_previous || ctx.is_busy() on:click=go(branch.previous.clone())>"‹"</button>
            <span>{position}</span>
            <button type="button" class=button aria-label=next_label
                disabled=move || !has_next || ctx.is_busy() on:click=go(branch.next.clone())>"›"</button>
        </div>
    }
}

#[component]
fn UserBubble(text: String, #[prop(default = false)] copyable: bool) -> impl IntoView {
    let t = &texts().chat;
    let copy = copyable.then(|| view! { <CopyButton text=text.clone() /> });
    view! {
        <article class="ml-auto flex w-fit max-w-[85%] flex-col items-end self-end" aria-label=t.you>
            <p class="whitespace-pre-wrap break-words rounded-2xl rounded-br-sm bg-teal-700 px-4 py-2 text-white">{text}</p>
            {copy}
        </article>
    }
}

/// Copies a message's text (markdown for answers) to the clipboard.
#[component]
fn CopyButton(text: String) -> impl IntoView {
    let t = &texts().chat;
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
            copied.set(true);
            set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <button
            type="button"
            class="mt-1 rounded px-1.5 py-0.5 text-xs text-slate-600 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:text-slate-400 dark:hover:bg-slate-800"
            aria-label=move || if copied.get() { t.copied } else { t.copy_message }
            on:click=copy
        >
            {move || if copied.get() { t.copied } else { t.copy }}
        </button>
    }
}

#[component]
fn AnswerBubble(message: ChatMessage, actions: bool) -> impl IntoView {
    let t = &texts().chat;
    let ctx = ChatContext::use_context();
    let ask = use_ask();
    let answer_id = message.id.clone();
    let latest = {
        let answer_id = answer_id.clone();
        let last_id = ctx.last_message_id;
        move || {
            actions && !ctx.is_busy() && last_id.with(|last| last.as_deref() == Some(&answer_id))
        }
    };
    let regenerate = {
        let answer_id = answer_id.clone();
        move |_| {
            let question = ctx.messages.with_untracked(|messages| {
                let at = messages.iter().position(|m| m.id == answer_id)?;
                messages[..at]
                    .iter()
                    .rev()
                    .find(|m| m.role == Role::User)
                    .map(|m| m.content.clone())
            });
            if let Some(question) = question {
                ask(question, Some(Replacing::Answer(answer_id.clone())));
            }
        }
    };
    let versions = message
        .branch
        .clone()
        .filter(|_| actions)
        .map(|branch| view! { <VersionSwitch branch answer=true /> });
    let note = match message.status {
        MessageStatus::Interrupted => Some(t.stopped.to_string()),
        MessageStatus::Failed => Some(match &message.error_id {
            Some(id) => fill(t.failed_with_reference, &[("reference", id)]),
            None => t.failed.to_string(),
        }),
        MessageStatus::Streaming => Some(t.still_streaming.to_string()),
        MessageStatus::Complete => None,
    };
    let footer = match (&message.usage, &message.model) {
        (Some(usage), Some(model)) => Some(format!("{} · {model}", describe_usage(t, usage))),
        (Some(usage), None) => Some(describe_usage(t, usage)),
        (None, Some(model)) if message.status == MessageStatus::Complete => Some(model.clone()),
        _ => None,
    };
    // The offline model is tiny: fluent, but often wrong on tax facts. Say so where the answer is read.
    let offline_caveat =
        (message.provider.as_deref() == Some(OFFLINE_PROVIDER)).then_some(t.offline_caveat);
    let timing = message
        .timing
        .filter(|_| message.status == MessageStatus::Complete)
        .map(|timing| match timing.first_token_ms {
            Some(first) => fill(
                t.answered_in_first_words,
                &[
                    ("total", &duration(t, timing.total_ms)),
                    ("first", &duration(t, first)),
                ],
            ),
            None => fill(t.answered_in, &[("total", &duration(t, timing.total_ms))]),
        });
    let empty = message.content.trim().is_empty();
    let stamp = message
        .grounding
        .as_ref()
        .filter(|g| !g.stamp.is_empty())
        .map(|g| g.stamp.clone());
    let unsupported = message
        .grounding
        .as_ref()
        .map_or(0, |g| g.unsupported_figures.len());
    view! {
        <article class="max-w-full self-start" aria-label="Tally">
            {stamp.map(|stamp| view! { <TaxStamp stamp /> })}
            <Show when=move || !empty>
                <div class="answer rounded-2xl rounded-bl-sm bg-slate-100 px-4 py-3 dark:bg-slate-900" inner_html=message.html.clone()></div>
            </Show>
            {(unsupported > 0).then(|| view! {
                <p class="mt-1 text-xs text-amber-800 dark:text-amber-300">
                    {fill(t.unsupported_figures, &[("count", &unsupported.to_string())])}
                </p>
            })}
            {message.grounding.clone().map(|grounding| view! { <GroundingDetails grounding /> })}
            {note.map(|note| view! { <p class="mt-1 text-sm text-amber-800 dark:text-amber-300">{note}</p> })}
            {message.notice.map(|notice| view! { <p class="notice mt-1 text-xs text-slate-600 dark:text-slate-400">{notice}</p> })}
            {offline_caveat.map(|caveat| view! { <p class="mt-1 text-xs text-slate-600 dark:text-slate-400">{caveat}</p> })}
            {footer.map(|footer| view! { <p class="usage mt-1 text-xs text-slate-600 dark:text-slate-400">{footer}</p> })}
            {timing.map(|timing| view! { <p class="timing text-xs text-slate-600 dark:text-slate-400">{timing}</p> })}
            <div class="flex flex-wrap items-center gap-1">
                {versions}
                {(!empty).then(|| view! { <CopyButton text=message.content.clone() /> })}
                <Show when=latest.clone()>
                    <button
                        type="button"
                        class="mt-1 rounded px-1.5 py-0.5 text-xs text-slate-600 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-600 dark:text-slate-400 dark:hover:bg-slate-800"
                        on:click=regenerate.clone()
                    >
                        {t.regenerate}
                    </button>
                </Show>
            </div>
        </article>
    }
}

/// "412 tokens: 380 in, 32 out" ([`Usage::describe`] in the page's language).
fn describe_usage(t: &'static ChatTexts, usage: &Usage) -> String {
    let template = if usage.estimated {
        t.usage_estimated
    } else {
        t.usage
    };
    fill(
        template,
        &[
            ("total", &usage.total().to_string()),
            ("prompt", &usage.prompt_tokens.to_string()),
            ("completion", &usage.completion_tokens.to_string()),
        ],
    )
}

/// "3.2 s", "1 min 5 s" ([`crate::model::AnswerTiming::seconds`] in the page's language): seconds with one decimal,
/// whole seconds from a minute up.
fn duration(t: &'static ChatTexts, ms: i64) -> String {
    if ms >= 60_000 {
        let secs = (ms + 500) / 1000;
        fill(
            t.duration_minutes,
            &[
                ("minutes", &(secs / 60).to_string()),
                ("seconds", &(secs % 60).to_string()),
            ],
        )
    } else {
        let tenths = (ms + 50) / 100;
        fill(
            t.duration_seconds,
            &[
                ("seconds", &(tenths / 10).to_string()),
                ("tenths", &(tenths % 10).to_string()),
            ],
        )
    }
}

/// Without scripts nothing streams: a refresh every two seconds until the answer is stored, and why.
fn no_script_refresh(t: &'static ChatTexts) -> String {
    format!(
        "<meta http-equiv=\"refresh\" content=\"2\"><p class=\"mt-1 text-xs\">{}</p>",
        t.still_writing_reload
    )
}

/// The question just sent and the answer as it arrives, shown as plain text until it is complete.
#[component]
fn PendingAnswer() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let t = &texts().chat;
    move || {
        ctx.pending.get().map(|pending| {
            let notice = pending.notice;
            let grounding = pending.grounding;
            let stamp = {
                let grounding = grounding.clone();
                move || grounding.get().map(|g| view! { <TaxStamp stamp=g.stamp /> })
            };
            let text = pending.text;
            let waiting = {
                let text = text.clone();
                move || text.with(String::is_empty)
            };
            view! {
                <UserBubble text=pending.question.clone() />
                <article class="max-w-full self-start" aria-label="Tally" aria-busy="true">
                    {stamp}
                    <div class="rounded-2xl rounded-bl-sm bg-slate-100 px-4 py-3 dark:bg-slate-900">
                        <Show
                            when=waiting
                            fallback=move || {
                                let text = text.clone();
                                view! { <p class="streaming whitespace-pre-wrap break-words">{move || text.get()}</p> }
                            }
                        >
                            <p class="flex items-center gap-2 text-slate-600 dark:text-slate-400" role="progressbar" aria-label=t.writing_answer>
                                <span class="typing-dot"></span><span class="typing-dot"></span><span class="typing-dot"></span>
                                {t.thinking}
                            </p>
                        </Show>
                    </div>
                    {move || notice.get().map(|notice| view! {
                        <p class="notice mt-1 text-xs text-slate-600 dark:text-slate-400" role="status">{notice}</p>
                    })}
                    // Without scripts nothing streams: the page reloads until the answer is stored.
                    <noscript inner_html=no_script_refresh(t)></noscript>
                </article>
            }
        })
    }
}

/// The latest answer's three suggested follow-up questions; one click asks one. Hidden while an answer is written.
#[component]
fn FollowUpChips() -> impl IntoView {
    let ctx = ChatContext::use_context();
    let t = &texts().chat;
    let send = use_send();
    let questions = Memo::new(move |_| {
        if ctx.is_busy() {
            return Vec::new();
        }
        ctx.messages.with(|messages| {
            messages
                .last()
                .filter(|m| m.role == Role::Assistant && m.status == MessageStatus::Complete)
                .map(|m| m.follow_ups.clone())
                .unwrap_or_default()
        })
    });
    move || {
        let questions = questions.get();
        (!questions.is_empty()).then(|| {
            let send = send.clone();
            view! {
                <div role="group" aria-label=t.follow_ups class="flex flex-wrap gap-2 self-start">
                    {questions
                        .into_iter()
                        .map(|question| {
                            let send = send.clone();
                            let text = question.clone();
                            view! {
                                <button
                                    type="button"
                                    class="rounded-full border border-teal-700 px-3 py-1.5 text-left text-sm text-teal-800 hover:bg-teal-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 dark:border-teal-400 dark:text-teal-200 dark:hover:bg-slate-900"
                                    on:click=move |_| send(question.clone())
                                >
                                    {text}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            }
        })
    }
}
