//! `tally-bench tax-eval`: the quality and speed of grounding, for docs/benchmarks.md. Retrieval recall@5 and MRR
//! over the evaluation set, retrieval time per question, index build time and memory at start, the same for a
//! knowledge base ten times larger (every passage duplicated with variations), and, with `--answers`, the share of
//! answers from the mock upstream (or a configured OpenAI-compatible provider) that hold the required figures and
//! cite a right passage.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use clap::Args;
use futures::StreamExt;
use tally::server::{
    chat::prompt::{self, PromptMessage, PromptRole},
    llm::{
        connections::ConnectionSettings, ChatChunk, ChatProvider, ChatRequest, OpenAiCompatible,
    },
    mock_upstream::{MockConfig, MockUpstream},
    tax::{
        eval::{self, RetrievalResult},
        index::Index,
        knowledge::Passage,
        params::Parameters,
        Tax,
    },
};

#[derive(Args)]
pub struct TaxEvalArgs {
    /// Also ask a model every question and check its answers (the mock upstream unless --base-url is given).
    #[arg(long)]
    answers: bool,
    /// An OpenAI-compatible API to check instead of the mock (e.g. https://api.openai.com/v1).
    #[arg(long, requires = "model")]
    base_url: Option<String>,
    #[arg(long, env = "TAX_EVAL_API_KEY", default_value = "")]
    api_key: String,
    #[arg(long)]
    model: Option<String>,
    /// How many times larger the scaled knowledge base is.
    #[arg(long, default_value_t = 10)]
    scale: usize,
}

pub async fn run(args: TaxEvalArgs) {
    let questions = eval::load(eval::default_path()).expect("evaluation set");
    println!("tax-eval: {} questions, date {}", questions.len(), today());

    let rss_before = rss_kib();
    let started = Instant::now();
    let tax = Tax::load().expect("knowledge base");
    let build = started.elapsed();
    let rss_after = rss_kib();
    let passages = tax.index.passages().len();
    println!(
        "knowledge base: {passages} passages; load + index build {:.1} ms; RSS +{} KiB",
        ms(build),
        rss_after.saturating_sub(rss_before)
    );
    let results = report_retrieval("x1", &tax, &questions);

    let scaled_passages = scaled(tax.index.passages(), args.scale);
    let rss_before = rss_kib();
    let started = Instant::now();
    let scaled_tax = Tax {
        index: Index::build(scaled_passages),
        params: Parameters::load().expect("parameters"),
        tool_definitions: tax.tool_definitions.clone(),
    };
    let build = started.elapsed();
    println!(
        "scaled x{}: {} passages; index build {:.1} ms; RSS +{} KiB",
        args.scale,
        scaled_tax.index.passages().len(),
        ms(build),
        rss_kib().saturating_sub(rss_before)
    );
    report_retrieval(&format!("x{}", args.scale), &scaled_tax, &questions);

    if args.answers {
        report_answers(&args, &results).await;
    }
}

fn report_retrieval(
    label: &str,
    tax: &Tax,
    questions: &[eval::EvalQuestion],
) -> Vec<RetrievalResult> {
    // Per-question time: ground each question alone, many times, and keep the median of each.
    let mut times = Vec::with_capacity(questions.len());
    for question in questions {
        let mut runs: Vec<Duration> = (0..21)
            .map(|_| {
                let started = Instant::now();
                let _ = eval::retrieve(tax, std::slice::from_ref(question));
                started.elapsed()
            })
            .collect();
        runs.sort();
        times.push(runs[runs.len() / 2]);
    }
    times.sort();
    let (report, results) = eval::retrieve(tax, questions);
    let (en, vi): (Vec<_>, Vec<_>) = results.iter().partition(|r| r.question.language == "en");
    let recall = |rs: &[&RetrievalResult]| {
        rs.iter().filter(|r| r.rank.is_some()).count() as f64 / rs.len().max(1) as f64
    };
    println!(
        "retrieval {label}: recall@5 {:.3} (en {:.3}, vi {:.3}), MRR {:.3}; time per question p50 {:.1} us, p99 {:.1} us",
        report.recall_at_5,
        recall(&en),
        recall(&vi),
        report.mrr,
        us(times[times.len() / 2]),
        us(times[(times.len() * 99 / 100).min(times.len() - 1)])
    );
    for miss in &report.misses {
        println!(
            "  miss: {:?} ({}) wanted {:?} got {:?}",
            miss.question.question, miss.question.tax_year, miss.question.passages, miss.retrieved
        );
    }
    results
}

async fn report_answers(args: &TaxEvalArgs, results: &[RetrievalResult]) {
    let _mock;
    let (base_url, api_key, model) = match &args.base_url {
        Some(url) => (
            url.clone(),
            args.api_key.clone(),
            args.model.clone().unwrap_or_default(),
        ),
        None => {
            let mock = MockUpstream::start(MockConfig {
                first_token_delay: Duration::ZERO,
                token_delay: Duration::ZERO,
                ..MockConfig::default()
            })
            .await
            .expect("mock upstream");
            let url = mock.base_url();
            _mock = mock;
            (url, "mock-key".to_string(), "mock-model".to_string())
        }
    };
    let provider: Arc<dyn ChatProvider> = Arc::new(OpenAiCompatible::new(
        &base_url,
        &api_key,
        ConnectionSettings::new(Duration::from_secs(10)),
    ));
    let (mut with_figures, mut citing, mut unsupported) = (0, 0, 0);
    for result in results {
        let request = ChatRequest {
            messages: prompt::with_grounding(
                &prompt::build(
                    &[PromptMessage {
                        role: PromptRole::User,
                        content: result.question.question.as_str().into(),
                    }],
                    0,
                    6000,
                ),
                result.grounded.context(),
            ),
            max_tokens: 800,
            temperature: 0.0,
            tools: None,
        };
        let answer = match provider.stream(&model, request).await {
            Ok(mut stream) => {
                let mut text = String::new();
                while let Some(Ok(chunk)) = stream.next().await {
                    if let ChatChunk::Token(token) = chunk {
                        text.push_str(&token);
                    }
                }
                text
            }
            Err(error) => {
                println!("  failed: {:?}: {error}", result.question.question);
                continue;
            }
        };
        let check = eval::check_answer(result, &answer);
        with_figures += usize::from(check.missing_figures.is_empty());
        citing += usize::from(check.cites_right_passage);
        unsupported += usize::from(!result.grounded.unsupported_figures(&answer).is_empty());
        if !check.missing_figures.is_empty() {
            println!(
                "  missing {:?} in the answer to {:?}",
                check.missing_figures, result.question.question
            );
        }
    }
    let n = results.len().max(1) as f64;
    println!(
        "answers ({}): hold the required figures {:.3}, cite a right passage {:.3}, state an unsupported figure {:.3}",
        if args.base_url.is_some() { model.as_str() } else { "mock upstream" },
        with_figures as f64 / n,
        citing as f64 / n,
        unsupported as f64 / n
    );
}

/// Every passage `scale` times: copies with their own ids and reworded titles, the sentences of the body in
/// another order, so the index holds ten times the terms and near-duplicates compete for every question. A copy's
/// id is the original's with `~n` added, and counts as the original for recall.
fn scaled(passages: &[std::sync::Arc<Passage>], scale: usize) -> Vec<Passage> {
    let mut out: Vec<Passage> = passages.iter().map(|p| Passage::clone(p)).collect();
    for copy in 1..scale {
        for passage in passages {
            let mut variant = Passage::clone(passage);
            variant.id = format!("{}~{copy}", passage.id);
            variant.title = format!("{} (variant {copy})", passage.title);
            let mut sentences: Vec<&str> = passage.body.split(". ").collect();
            let turn = copy % sentences.len().max(1);
            sentences.rotate_left(turn);
            variant.body = sentences.join(". ");
            let turn = copy % variant.keywords.len().max(1);
            variant.keywords.rotate_left(turn);
            out.push(variant);
        }
    }
    out
}

fn rss_kib() -> u64 {
    crate::load::proc_stats::rss_kib(std::process::id())
}

fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000_000.0
}
