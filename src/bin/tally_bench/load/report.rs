//! What `tally-bench load` prints: the settings, then one line per measure, ready for docs/benchmarks.md.

use std::{
    collections::{BTreeMap, HashMap},
    time::Duration,
};

use serde_json::Value;

use super::{guest::TurnResult, phase::PhaseResult, LoadArgs};

/// Samples of the timing fields in the server's log lines, in milliseconds, by log message and field.
#[derive(Clone)]
pub struct ServerTimes(Vec<Samples>);

#[derive(Clone)]
struct Samples {
    label: &'static str,
    message: &'static str,
    field: &'static str,
    values: Vec<f64>,
}

impl Default for ServerTimes {
    fn default() -> Self {
        let fields = [
            // Since 2026-11-24 (third run) only the guest and the reads of an existing conversation come before
            // the model is asked; a new conversation's guest and every question's write run alongside it.
            (
                "DB time at the start of a turn",
                "answer stored",
                "start_db_ms",
            ),
            (
                "  of which the guest and reading the conversation",
                "turn started",
                "reads_ms",
            ),
            (
                "  of which storing the question",
                "turn started",
                "begin_ms",
            ),
            (
                "the model's first token, as the server saw it",
                "answer stored",
                "ttft_ms",
            ),
            (
                "DB time per turn, with the final write",
                "answer stored",
                "db_ms",
            ),
            (
                "checkpoint pass (all answers)",
                "checkpoints written",
                "db_ms",
            ),
        ];
        ServerTimes(
            fields
                .into_iter()
                .map(|(label, message, field)| Samples {
                    label,
                    message,
                    field,
                    values: Vec::new(),
                })
                .collect(),
        )
    }
}

impl ServerTimes {
    /// Takes the timings out of one log line's fields.
    pub fn record(&mut self, fields: &Value) {
        for samples in &mut self.0 {
            if fields["message"] == samples.message {
                if let Some(ms) = fields[samples.field].as_f64() {
                    samples.values.push(ms);
                }
            }
        }
    }
}

/// Each answer's time inside the mock (request in to first token out), by question.
pub type MockTimes = HashMap<String, Duration>;

/// What the whole run shares: the mock's floor, the server at idle, and the mock's own time for each request.
pub struct Run<'a> {
    /// The mock's time to first token, called directly (median).
    pub direct: Duration,
    pub rss_idle_kib: u64,
    pub mock_times: &'a MockTimes,
}

impl Run<'_> {
    fn direct_ms(&self) -> f64 {
        ms(self.direct)
    }

    /// The time to first token one turn added over calling the mock directly.
    fn added_over_direct(&self, turn: &TurnResult) -> Option<f64> {
        Some(ms(turn.ttft?) - self.direct_ms())
    }

    /// The time one turn added on the server's path: its TTFT less the mock's own time for that very request.
    fn added_on_path(&self, turn: &TurnResult) -> Option<f64> {
        Some(ms(turn
            .ttft?
            .checked_sub(*self.mock_times.get(&turn.question)?)?))
    }
}

fn ms(t: Duration) -> f64 {
    t.as_secs_f64() * 1000.0
}

pub fn print_settings(args: &LoadArgs, run: &Run) {
    let database = if args.database_url.is_empty() {
        "SQLite (fresh file)"
    } else {
        "PostgreSQL"
    };
    println!("# tally-bench load");
    println!(
        "chats {} x {} turns, started over {} ms | {database} | mock TTFT {} ms, {} ms/token, {} | server {} | DB pool {}",
        args.chats,
        args.turns,
        args.ramp_ms,
        args.ttft_ms,
        args.token_ms,
        args.upstream_protocol,
        args.server.display(),
        args.database_max_connections
    );
    println!(
        "mock TTFT called directly (median of 20): {:.1} ms",
        run.direct_ms()
    );
}

pub fn print_phase(args: &LoadArgs, run: &Run, m: &PhaseResult, titled: bool) {
    if titled {
        println!("\n## {}", m.target.label());
    }
    let mut errors: BTreeMap<&str, usize> = BTreeMap::new();
    for turn in &m.turns {
        if let Some(error) = &turn.error {
            *errors.entry(error.as_str()).or_default() += 1;
        }
    }
    let expected = args.chats * args.turns;
    let ok = m.turns.iter().filter(|r| r.error.is_none()).count();
    let tokens: usize = m.turns.iter().map(|r| r.tokens).sum();
    let wall = m.wall.as_secs_f64();
    print_turn_spread(args, &m.turns, "added TTFT over direct", |r| {
        run.added_over_direct(r)
    });
    // The mock shares the cores, so under load its own timer and writes run late too; comparing each answer with
    // the mock's own time for that very request leaves what the server's path added: the request's way in and
    // through the server, the question's way to the mock, the first token's way back out to the guest.
    print_turn_spread(
        args,
        &m.turns,
        "added on the server's path (each TTFT less the mock's own time for that request)",
        |r| run.added_on_path(r),
    );
    let own = sorted(
        m.turns
            .iter()
            .filter_map(|r| run.mock_times.get(&r.question))
            .map(|t| ms(*t)),
    );
    println!(
        "  the mock's own time for those requests: {}",
        spread_ms(&own)
    );
    let probed = sorted(m.direct_during_run.iter().map(|t| ms(*t) - run.direct_ms()));
    println!(
        "  the mock's own, called directly during the run ({} calls): {}",
        probed.len(),
        spread_ms(&probed)
    );
    println!("answers streaming at once: peak {}", m.peak_open_streams);
    println!(
        "completed {ok}/{expected} turns in {wall:.1} s: {:.1} turns/s, {:.0} tokens/s streamed",
        ok as f64 / wall,
        tokens as f64 / wall
    );
    println!(
        "errors: {}",
        if errors.is_empty() {
            "none".to_string()
        } else {
            format!("{errors:?}")
        }
    );
    println!(
        "server RSS: idle {:.1} MiB, peak {:.1} MiB ({:.1} KiB per concurrent answer above idle)",
        run.rss_idle_kib as f64 / 1024.0,
        m.rss_peak_kib as f64 / 1024.0,
        m.rss_peak_kib.saturating_sub(run.rss_idle_kib) as f64 / m.peak_open_streams.max(1) as f64
    );
    let [files_idle, files_peak] = m.open_files;
    println!("server open files (sockets included): idle {files_idle}, peak {files_peak}");
    let [server, mock, client, database] = m.cpu_secs;
    println!(
        "CPU during the run: server {server:.1} s ({:.2} ms per turn, {:.1} us per token) | mock {mock:.1} s | bench client {client:.1} s | PostgreSQL processes {database:.1} s | wall {wall:.1} s x 2 cores",
        server * 1000.0 / ok.max(1) as f64,
        server * 1e6 / tokens.max(1) as f64,
    );
    for samples in &m.server_times.0 {
        let values = sorted(samples.values.iter().copied());
        if values.is_empty() {
            continue;
        }
        println!(
            "{} ({} samples): mean {:.2} ms | p50 {:.2} ms | p95 {:.2} ms | p99 {:.2} ms | max {:.2} ms",
            samples.label,
            values.len(),
            values.iter().sum::<f64>() / values.len() as f64,
            percentile(&values, 0.5),
            percentile(&values, 0.95),
            percentile(&values, 0.99),
            values[values.len() - 1],
        );
    }
}

/// The phases side by side: the one table docs/benchmarks.md takes.
pub fn compare(run: &Run, phases: &[PhaseResult]) {
    println!("\n## side by side (same server, same mock, one after the other)");
    println!("| path | added TTFT over direct p50 / p99 | added on the server's path p50 / p99 | server CPU per turn |");
    println!("|---|---|---|---|");
    for phase in phases {
        let over = sorted(phase.turns.iter().filter_map(|r| run.added_over_direct(r)));
        let path = sorted(phase.turns.iter().filter_map(|r| run.added_on_path(r)));
        let ok = phase.turns.iter().filter(|r| r.error.is_none()).count();
        println!(
            "| {} | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.2} ms |",
            phase.target.label(),
            percentile(&over, 0.5),
            percentile(&over, 0.99),
            percentile(&path, 0.5),
            percentile(&path, 0.99),
            phase.cpu_secs[0] * 1000.0 / ok.max(1) as f64,
        );
    }
}

/// One line with the spread of `measure` (milliseconds) over the turns that have it, then, when guests ask more than
/// one question, the same for first and for later questions.
fn print_turn_spread(
    args: &LoadArgs,
    turns: &[TurnResult],
    heading: &str,
    measure: impl Fn(&TurnResult) -> Option<f64>,
) {
    let spread_where = |keep: &dyn Fn(&TurnResult) -> bool| {
        sorted(turns.iter().filter(|r| keep(r)).filter_map(&measure))
    };
    let all = spread_where(&|_| true);
    println!("{heading} ({} turns): {}", all.len(), spread_ms(&all));
    if args.turns > 1 {
        for (label, first) in [("first questions", true), ("later questions", false)] {
            let some = spread_where(&|r: &TurnResult| (r.index == 0) == first);
            println!("  {label} ({}): {}", some.len(), spread_ms(&some));
        }
    }
}

fn sorted(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values
}

/// "p50 … ms | p95 … ms | p99 … ms | max … ms" of sorted milliseconds.
fn spread_ms(sorted: &[f64]) -> String {
    format!(
        "p50 {:.1} ms | p95 {:.1} ms | p99 {:.1} ms | max {:.1} ms",
        percentile(sorted, 0.5),
        percentile(sorted, 0.95),
        percentile(sorted, 0.99),
        sorted.last().copied().unwrap_or(f64::NAN)
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}
