//! `tally-bench history`: how the sidebar and an open conversation perform for a guest with a long history. Seeds
//! one guest with N conversations and M messages in all through the store API (SQLite file or PostgreSQL), then
//! times the calls behind the sidebar (first page, a deep page, search) and behind opening a conversation.

use std::time::Instant;

use clap::Args;
use tally::{
    model::{MessageStatus, DISCLAIMER},
    server::store::{
        self, DatabaseSettings, FinishedAnswer, ListCursor, ListFilter, NewTurn, Owner, Store,
        TurnQuestion,
    },
};
use uuid::Uuid;

#[derive(Args)]
pub struct HistoryArgs {
    #[arg(long, default_value_t = 10_000)]
    conversations: usize,
    /// Messages in all (two per question and answer).
    #[arg(long, default_value_t = 100_000)]
    messages: usize,
    /// DATABASE_URL; empty: a fresh SQLite file.
    #[arg(long, default_value = "")]
    database_url: String,
    /// Timed calls of each kind.
    #[arg(long, default_value_t = 200)]
    samples: usize,
}

const WORDS: &[&str] = &[
    "deduction",
    "mileage",
    "invoice",
    "quarterly",
    "estimate",
    "schedule",
    "office",
    "equipment",
    "retirement",
    "health",
    "insurance",
    "contractor",
    "receipt",
    "depreciation",
    "software",
    "travel",
];

pub async fn run(args: HistoryArgs) {
    let dir = std::env::temp_dir().join(format!("tally-history-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = if args.database_url.is_empty() {
        format!("sqlite://{}/tally.db", dir.display())
    } else {
        args.database_url.clone()
    };
    let settings = DatabaseSettings {
        max_connections: 8,
        ..DatabaseSettings::default()
    };
    let store = store::connect(&url, &settings).await.expect("database");
    let owner = Owner::Guest(
        store
            .ensure_guest(&Uuid::new_v4().into_bytes(), 86_400_000)
            .await
            .expect("guest"),
    );

    let seeding = Instant::now();
    let turns_each = (args.messages / 2 / args.conversations.max(1)).max(1);
    let mut ids = Vec::with_capacity(args.conversations);
    for chunk in (0..args.conversations).collect::<Vec<_>>().chunks(8) {
        let made = futures::future::join_all(
            chunk
                .iter()
                .map(|&n| seed(store.as_ref(), owner, n, turns_each)),
        )
        .await;
        ids.extend(made);
    }
    let seed_time = seeding.elapsed();

    let first_page = time(args.samples, || async {
        store
            .list_conversations(owner, ListFilter::Active, None, 41)
            .await
            .expect("list");
    })
    .await;
    let items = store
        .list_conversations(
            owner,
            ListFilter::Active,
            None,
            args.conversations as i64 / 2,
        )
        .await
        .expect("list");
    let cursor = ListCursor::after(items.last().expect("items"));
    let deep_page = time(args.samples, || async {
        store
            .list_conversations(owner, ListFilter::Active, Some(&cursor), 41)
            .await
            .expect("list");
    })
    .await;
    let mut n = 0;
    let open = time(args.samples, || {
        n += 1;
        let id = ids[(n * 7919) % ids.len()];
        let store = store.clone();
        async move {
            store.get_conversation(owner, id).await.expect("get");
            store
                .list_recent_messages(owner, id, None, 100)
                .await
                .expect("messages");
        }
    })
    .await;
    let search = time(args.samples.min(50), || async {
        store
            .search(owner, &["mileage".into(), "rec".into()], 20)
            .await
            .expect("search");
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);

    println!("# tally-bench history");
    println!(
        "{} | {} conversations, {} messages ({turns_each} exchanges each) | seeded in {:.1} s | {} samples",
        if args.database_url.is_empty() { "SQLite (fresh file)" } else { "PostgreSQL" },
        ids.len(),
        ids.len() * turns_each * 2,
        seed_time.as_secs_f64(),
        args.samples
    );
    for (what, times) in [
        ("sidebar, first page (40)", first_page),
        ("sidebar, page in the middle", deep_page),
        ("open a conversation (latest 100 messages)", open),
        ("search, two words", search),
    ] {
        println!(
            "{what}: p50 {:.2} ms | p99 {:.2} ms",
            pct(&times, 0.5),
            pct(&times, 0.99)
        );
    }
}

async fn seed(store: &dyn Store, owner: Owner, n: usize, turns: usize) -> Uuid {
    let word = |i: usize| WORDS[(n * 31 + i * 7) % WORDS.len()];
    let conversation = store
        .create_conversation(owner, "tax", &format!("{} question {n}", word(0)), None)
        .await
        .expect("conversation");
    for t in 0..turns {
        let question = format!(
            "How do I handle {} and {} for case {n}-{t}?",
            word(t),
            word(t + 1)
        );
        let answer = format!(
            "## Applicable tax categories\n\nFor {} keep a {} and a {}. Case {n}-{t}.",
            word(t + 2),
            word(t + 3),
            word(t + 4)
        );
        seed_exchange(store, conversation.id, question, answer, Some(1), 1).await;
    }
    conversation.id
}

/// Stores one question and its finished answer, as the benches' seeded histories have them.
pub(crate) async fn seed_exchange(
    store: &dyn Store,
    conversation_id: Uuid,
    question: String,
    answer: String,
    ttft_ms: Option<i64>,
    latency_ms: i64,
) {
    let (_, stored) = store
        .begin_turn(NewTurn {
            conversation_id,
            new_conversation: None,
            question: TurnQuestion::New(question),
            provider: "bench".into(),
            model: "bench".into(),
            disclaimer: DISCLAIMER.into(),
        })
        .await
        .expect("turn");
    store
        .finish_answer(
            stored.id,
            FinishedAnswer {
                provider: "bench".into(),
                model: "bench".into(),
                notice: None,
                content: answer,
                status: MessageStatus::Complete,
                usage: None,
                ttft_ms,
                latency_ms,
                error_id: None,
                grounding: None,
            },
        )
        .await
        .expect("finish");
}

async fn time<F, Fut>(samples: usize, mut call: F) -> Vec<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        call().await;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len().max(1) as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}
