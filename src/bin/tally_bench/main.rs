//! Benchmarks (tools, not tests), numbers for docs/benchmarks.md with the date and settings printed here:
//! `tally-bench model` measures the embedded offline model; `tally-bench load` drives N concurrent guest chats
//! through the release server against the mock upstream (see `load.rs`); `tally-bench history` times the sidebar
//! and opening a conversation for a guest with a long history (see `history.rs`); `tally-bench seed-long-read`
//! makes a 2,000-message conversation for the browser scroll measurement (see `long_read.rs`).

mod history;
mod load;
mod long_read;
mod tax_eval;

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use clap::{Parser, Subcommand};
use futures::StreamExt;
use tally::server::{
    chat::prompt::{self, PromptMessage, PromptRole},
    llm::{
        embedded::{EmbeddedModel, EmbeddedSettings},
        ChatChunk, ChatProvider, ChatRequest,
    },
};

#[derive(Parser)]
#[command(
    name = "tally-bench",
    about = "Tally benchmarks (numbers for docs/benchmarks.md)"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Time to first token and tokens per second of the embedded model, alone and with concurrent answers.
    Model {
        #[arg(long, default_value = "data/models/SmolLM2-135M-Instruct.Q4_1.gguf")]
        model: PathBuf,
        /// Answers measured one after another.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Tokens generated per answer (the model may stop earlier).
        #[arg(long, default_value_t = 128)]
        max_tokens: u32,
        /// Answers written at the same time in the concurrency run.
        #[arg(long, default_value_t = 2)]
        concurrent: usize,
        /// Print the first answer, to judge its quality.
        #[arg(long)]
        print: bool,
    },
    /// N concurrent guest chats against the release server and a mock upstream, on 127.0.0.1 only.
    Load(load::LoadArgs),
    /// Sidebar and open-conversation latency for one guest with a long history (10,000 conversations).
    History(history::HistoryArgs),
    /// Seeds one user with one 2,000-message conversation, for the browser scroll measurement; prints its id.
    SeedLongRead(long_read::LongReadArgs),
    /// Retrieval recall@5 and MRR over the evaluation set, retrieval time, index build time and memory (and for a
    /// knowledge base ten times larger); with --answers, how many answers hold the required figures.
    TaxEval(tax_eval::TaxEvalArgs),
}

const QUESTIONS: &[&str] = &[
    "How do quarterly estimated tax payments work for freelancers?",
    "What can I deduct as a freelancer working from home?",
    "How is self-employment tax calculated?",
    "Do I need to file a 1099-NEC for contractors I paid?",
    "Can I deduct my car or mileage for client visits?",
];

struct Measure {
    text: String,
    ttft: Duration,
    tokens: u32,
    prompt_tokens: u32,
    decode: Duration,
}

fn request(question: &str, max_tokens: u32) -> ChatRequest {
    ChatRequest {
        // The real tax prompt: prefill of the system prompt is part of what users wait for.
        messages: vec![
            PromptMessage {
                role: PromptRole::System,
                content: prompt::system_prompt(),
            },
            PromptMessage {
                role: PromptRole::User,
                content: question.into(),
            },
        ],
        max_tokens,
        temperature: 0.3,
        tools: None,
    }
}

async fn measure(model: &EmbeddedModel, question: &str, max_tokens: u32) -> Measure {
    let started = Instant::now();
    let mut stream = model
        .stream("bench", request(question, max_tokens))
        .await
        .expect("the model accepts the question");
    let mut first = None;
    let mut last = started;
    let mut usage = None;
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        match chunk.expect("no model error") {
            ChatChunk::Token(token) => {
                text.push_str(&token);
                first.get_or_insert_with(Instant::now);
                last = Instant::now();
            }
            ChatChunk::Usage(u) => usage = Some(u),
            ChatChunk::ToolCall { .. } => {}
        }
    }
    let usage = usage.expect("usage");
    let first = first.unwrap_or(last);
    Measure {
        text,
        ttft: first - started,
        tokens: usage.completion_tokens,
        prompt_tokens: usage.prompt_tokens,
        decode: last - first,
    }
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

async fn bench_model(model: PathBuf, runs: usize, max_tokens: u32, concurrent: usize, print: bool) {
    let rss_before = rss_mib();
    let embedded = EmbeddedModel::start(EmbeddedSettings {
        model_path: model.clone(),
        max_active: concurrent.max(1),
        queue: concurrent.max(1) * 2,
    })
    .expect("model thread");
    let load_started = Instant::now();
    let warmup = measure(&embedded, "Hello", 1).await;
    let load = load_started.elapsed();
    let rss_loaded = rss_mib();
    println!("# tally-bench model");
    println!(
        "model {} | runs {runs} | max tokens {max_tokens} | concurrent {concurrent} | {} cores",
        model.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "load + first answer of 1 token: {:.2} s (TTFT {:.0} ms) | RSS {rss_before:.0} MiB before, {rss_loaded:.0} MiB loaded",
        load.as_secs_f64(),
        warmup.ttft.as_secs_f64() * 1000.0
    );

    let mut ttfts = Vec::new();
    let mut rates = Vec::new();
    for run in 0..runs {
        let question = QUESTIONS[run % QUESTIONS.len()];
        let m = measure(&embedded, question, max_tokens).await;
        let rate = f64::from(m.tokens.saturating_sub(1)) / m.decode.as_secs_f64().max(1e-9);
        println!(
            "run {run}: prompt {} tokens, TTFT {:.0} ms, {} tokens, {rate:.1} tokens/s",
            m.prompt_tokens,
            m.ttft.as_secs_f64() * 1000.0,
            m.tokens
        );
        if print && run == 0 {
            println!("--- {question}\n{}\n---", m.text);
        }
        ttfts.push(m.ttft.as_secs_f64() * 1000.0);
        rates.push(rate);
    }
    println!(
        "single answer: median TTFT {:.0} ms, median {:.1} tokens/s",
        median(ttfts),
        median(rates)
    );

    let started = Instant::now();
    let answers = futures::future::join_all(
        (0..concurrent).map(|i| measure(&embedded, QUESTIONS[i % QUESTIONS.len()], max_tokens)),
    )
    .await;
    let wall = started.elapsed().as_secs_f64();
    let total: u32 = answers.iter().map(|m| m.tokens).sum();
    let worst_ttft = answers.iter().map(|m| m.ttft).max().unwrap_or_default();
    println!(
        "{concurrent} at once: {total} tokens in {wall:.1} s = {:.1} tokens/s together, worst TTFT {:.0} ms, RSS {:.0} MiB",
        f64::from(total) / wall,
        worst_ttft.as_secs_f64() * 1000.0,
        rss_mib()
    );
}

#[tokio::main]
async fn main() {
    match Args::parse().command {
        Command::Model {
            model,
            runs,
            max_tokens,
            concurrent,
            print,
        } => bench_model(model, runs, max_tokens, concurrent, print).await,
        Command::Load(args) => load::run(args).await,
        Command::History(args) => history::run(args).await,
        Command::SeedLongRead(args) => long_read::run(args).await,
        Command::TaxEval(args) => tax_eval::run(args).await,
    }
}
