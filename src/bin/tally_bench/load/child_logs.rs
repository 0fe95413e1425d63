//! What the server and the mock print, one JSON line per event, read while the run goes on.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::report::{MockTimes, ServerTimes};

/// Each answer's time inside the mock, from its request arriving to its first token leaving, by question: the
/// mock's log lines (`--log-timings`). Both processes read the same clock.
pub(super) fn read_mock_times(stdout: tokio::process::ChildStdout) -> Arc<Mutex<MockTimes>> {
    let times = Arc::new(Mutex::new(MockTimes::new()));
    let filled = times.clone();
    read_json_lines(stdout, move |entry| {
        let (Some(question), Some(received), Some(first_token)) = (
            entry["question"].as_str(),
            entry["received_us"].as_u64(),
            entry["first_token_us"].as_u64(),
        ) else {
            return;
        };
        let own = Duration::from_micros(first_token.saturating_sub(received));
        if let Ok(mut times) = filled.lock() {
            times.insert(question.to_string(), own);
        }
    });
    times
}

/// The timings in the server's log lines; its errors are echoed to stderr as they come, for the error table.
pub(super) fn read_server_times(stdout: tokio::process::ChildStdout) -> Arc<Mutex<ServerTimes>> {
    let times = Arc::new(Mutex::new(ServerTimes::default()));
    let filled = times.clone();
    read_json_lines(stdout, move |entry| {
        if entry["level"] == "ERROR" {
            eprintln!("server: {}", entry["fields"]);
        } else if let Ok(mut times) = filled.lock() {
            times.record(&entry["fields"]);
        }
    });
    times
}

/// Hands each line of a child's output that is JSON to `on_entry`, until the output ends; other lines are skipped.
fn read_json_lines(
    output: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    mut on_entry: impl FnMut(Value) + Send + 'static,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(output).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Ok(entry) = serde_json::from_str::<Value>(&line) {
                on_entry(entry);
            }
        }
    });
}
