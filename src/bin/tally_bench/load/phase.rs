//! One phase of a load run: N chats on one way in (the browser's or the OpenAI-compatible endpoint), with the
//! server's memory, open files and CPU sampled while they go on.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use super::{
    api_client::run_api_client,
    direct::probe_direct_during_run,
    guest::{run_guest, OpenStreams, TurnResult},
    proc_stats::{cpu_secs, database_cpu_secs, open_files, rss_kib},
    report::ServerTimes,
    LoadArgs, Target,
};

/// What one phase drives and watches.
pub struct Phase<'a> {
    pub target: Target,
    pub base: &'a str,
    /// The bearer key of the OpenAI target (empty for the browser's).
    pub api_key: &'a str,
    pub mock_url: &'a str,
    pub server_pid: u32,
    pub mock_pid: u32,
    /// The server's log timings, which the phase takes for itself when it ends.
    pub server_times: &'a Arc<Mutex<ServerTimes>>,
}

/// Everything one phase measured.
pub struct PhaseResult {
    pub target: Target,
    pub turns: Vec<TurnResult>,
    pub wall: Duration,
    /// The mock's time to first token, called directly while the phase went on.
    pub direct_during_run: Vec<Duration>,
    pub peak_open_streams: usize,
    pub rss_peak_kib: u64,
    /// The server's file descriptors at idle and at peak.
    pub open_files: [u64; 2],
    /// CPU seconds used during the phase by the server, the mock, the bench client and the local PostgreSQL.
    pub cpu_secs: [f64; 4],
    pub server_times: ServerTimes,
}

impl Phase<'_> {
    pub async fn drive(&self, args: &LoadArgs, files_idle: u64) -> PhaseResult {
        let pid = self.server_pid;
        let peak = Arc::new(AtomicU64::new(rss_kib(pid)));
        let peak_files = Arc::new(AtomicU64::new(files_idle));
        let sampler = {
            let (peak, peak_files) = (peak.clone(), peak_files.clone());
            tokio::spawn(async move {
                loop {
                    peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                    peak_files.fetch_max(open_files(pid), Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        };
        let open = Arc::new(OpenStreams::default());
        let cpu_before = self.cpu_now();
        let (probe, probed) =
            probe_direct_during_run(self.mock_url.to_string(), args.upstream_protocol == "http2");
        let started = Instant::now();
        let chats = futures::future::join_all((0..args.chats).map(|n| {
            let open = open.clone();
            // Chat n starts n/N of the way through the ramp: arrivals spread evenly, not all in one instant.
            let offset = Duration::from_millis(args.ramp_ms) * n as u32 / args.chats.max(1) as u32;
            async move {
                tokio::time::sleep(offset).await;
                match self.target {
                    Target::Browser => run_guest(self.base, n, args.turns, &open).await,
                    Target::OpenAi => {
                        run_api_client(self.base, self.api_key, n, args.turns, &open).await
                    }
                }
            }
        }));
        let turns: Vec<TurnResult> =
            match tokio::time::timeout(Duration::from_secs(args.timeout_secs), chats).await {
                Ok(results) => results.into_iter().flatten().collect(),
                Err(_) => {
                    eprintln!("the run did not finish within {} s", args.timeout_secs);
                    Vec::new()
                }
            };
        let wall = started.elapsed();
        let cpu_after = self.cpu_now();
        sampler.abort();
        probe.abort();
        // The server logs an answer's timings as it is stored, a moment after its stream ends.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let server_times = self
            .server_times
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default();
        PhaseResult {
            target: self.target,
            turns,
            wall,
            direct_during_run: probed.lock().map(|p| p.clone()).unwrap_or_default(),
            peak_open_streams: open.peak(),
            rss_peak_kib: peak.load(Ordering::Relaxed).max(rss_kib(pid)),
            open_files: [files_idle, peak_files.load(Ordering::Relaxed)],
            cpu_secs: std::array::from_fn(|i| cpu_after[i] - cpu_before[i]),
            server_times,
        }
    }

    fn cpu_now(&self) -> [f64; 4] {
        [
            cpu_secs(self.server_pid),
            cpu_secs(self.mock_pid),
            cpu_secs(std::process::id()),
            database_cpu_secs(),
        ]
    }
}
