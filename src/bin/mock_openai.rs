//! A stand-alone mock of the OpenAI streaming API for the browser tests and benchmarks (never for production).

use std::time::Duration;

use clap::Parser;
use tally::server::mock_upstream::{serve_for_binary, MockConfig};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "127.0.0.1:3900")]
    addr: std::net::SocketAddr,
    #[arg(long, default_value_t = 200)]
    first_token_delay_ms: u64,
    #[arg(long, default_value_t = 25)]
    token_delay_ms: u64,
    #[arg(long, default_value_t = 150)]
    slow_token_delay_ms: u64,
    /// Print each answer's question, request arrival and first token as a JSON line (for `tally-bench load`).
    #[arg(long)]
    log_timings: bool,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    if !args.addr.ip().is_loopback() {
        eprintln!("error: the mock upstream only listens on loopback addresses");
        std::process::exit(2);
    }
    let config = MockConfig {
        first_token_delay: Duration::from_millis(args.first_token_delay_ms),
        token_delay: Duration::from_millis(args.token_delay_ms),
        slow_token_delay: Duration::from_millis(args.slow_token_delay_ms),
        log_timings: args.log_timings,
        ..MockConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    println!(
        "mock OpenAI upstream on http://{}/v1",
        listener.local_addr()?
    );
    serve_for_binary(listener, config).await
}
