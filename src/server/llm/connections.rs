//! How Tally connects to one OpenAI-compatible provider.
//!
//! Over HTTP/2 many answers share one connection: one socket, one TLS session and one set of buffers instead of one
//! each per streaming answer. But hyper keeps a single HTTP/2 connection per host and, once the server's limit of
//! concurrent streams is reached, queues further requests on it instead of opening a second connection: an answer
//! would wait for another one to finish. [`Connections`] therefore keeps several HTTP clients, each with a pool of its
//! own, and never puts more than `streams_per_connection` answers on one of them.

use std::{
    str::FromStr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::Duration,
};

/// RFC 9113 recommends servers allow at least 100 concurrent streams per connection.
pub const DEFAULT_STREAMS_PER_CONNECTION: usize = 100;

/// Which HTTP version to speak to a provider.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Protocol {
    /// HTTP/2 where TLS negotiates it (https:// providers), HTTP/1.1 otherwise.
    #[default]
    Auto,
    /// HTTP/1.1 only: one connection per streaming answer.
    Http1,
    /// HTTP/2 also on plain http:// (h2c with prior knowledge); the provider must support it.
    Http2,
}

impl FromStr for Protocol {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.to_ascii_lowercase().as_str() {
            "auto" => Ok(Protocol::Auto),
            "http1" => Ok(Protocol::Http1),
            "http2" => Ok(Protocol::Http2),
            _ => Err(format!("must be auto, http1 or http2, not {value:?}")),
        }
    }
}

/// Connection settings of one provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionSettings {
    pub protocol: Protocol,
    pub streams_per_connection: usize,
    pub connect_timeout: Duration,
}

impl ConnectionSettings {
    pub fn new(connect_timeout: Duration) -> Self {
        ConnectionSettings {
            protocol: Protocol::Auto,
            streams_per_connection: DEFAULT_STREAMS_PER_CONNECTION,
            connect_timeout,
        }
    }

    /// An HTTP client with these settings. No overall timeout: answers stream for minutes, and the turn enforces
    /// first-token and idle timeouts itself.
    pub fn http_client(&self) -> reqwest::Client {
        let builder = reqwest::Client::builder().connect_timeout(self.connect_timeout);
        let builder = match self.protocol {
            Protocol::Auto => builder,
            Protocol::Http1 => builder.http1_only(),
            Protocol::Http2 => builder.http2_prior_knowledge(),
        };
        builder.build().unwrap_or_else(|error| {
            tracing::warn!(%error, "the provider HTTP client could not be built as configured; using defaults");
            reqwest::Client::new()
        })
    }
}

/// Clients of one provider, each carrying at most `limit` streams at a time.
pub struct Connections<C> {
    new_client: Box<dyn Fn() -> C + Send + Sync>,
    limit: usize,
    slots: Mutex<Vec<Slot<C>>>,
}

struct Slot<C> {
    client: C,
    streams: Arc<AtomicUsize>,
}

/// One stream's place on a client; gives it back when dropped (when the answer's stream ends or is dropped).
#[derive(Debug)]
pub struct Lease(Arc<AtomicUsize>);

impl Drop for Lease {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<C: Clone> Connections<C> {
    pub fn new(limit: usize, new_client: impl Fn() -> C + Send + Sync + 'static) -> Self {
        Connections {
            new_client: Box::new(new_client),
            limit: limit.max(1),
            slots: Mutex::new(Vec::new()),
        }
    }

    /// A client with room for one more stream, and the lease that holds that room.
    pub fn acquire(&self) -> (C, Lease) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        // First fit: streams pack onto the fewest connections, so after a peak the later clients fall idle and
        // their connections close on the pool's idle timeout. Counts only grow under this lock, so the check holds.
        let slot = match slots
            .iter()
            .position(|slot| slot.streams.load(Ordering::Relaxed) < self.limit)
        {
            Some(index) => &slots[index],
            None => {
                slots.push(Slot {
                    client: (self.new_client)(),
                    streams: Arc::new(AtomicUsize::new(0)),
                });
                &slots[slots.len() - 1]
            }
        };
        slot.streams.fetch_add(1, Ordering::Relaxed);
        (slot.client.clone(), Lease(slot.streams.clone()))
    }

    /// How many clients exist (each holds its own connections).
    #[cfg(test)]
    fn clients(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(limit: usize) -> Connections<usize> {
        let made = AtomicUsize::new(0);
        Connections::new(limit, move || made.fetch_add(1, Ordering::Relaxed))
    }

    #[test]
    fn a_client_takes_streams_up_to_its_limit_then_another_opens() {
        let connections = numbered(2);
        let leases: Vec<(usize, Lease)> = (0..5).map(|_| connections.acquire()).collect();
        let clients: Vec<usize> = leases.iter().map(|(client, _)| *client).collect();
        assert_eq!(clients, [0, 0, 1, 1, 2]);
        assert_eq!(connections.clients(), 3);
    }

    #[test]
    fn a_finished_stream_frees_its_place_for_the_next() {
        let connections = numbered(2);
        let first = connections.acquire();
        let _second = connections.acquire();
        let _third = connections.acquire();
        drop(first);
        // The first client has room again: the next stream goes there instead of to a new client.
        let (client, _fourth) = connections.acquire();
        assert_eq!(client, 0);
        let (client, _fifth) = connections.acquire();
        assert_eq!(client, 1);
        assert_eq!(connections.clients(), 2);
    }

    #[test]
    fn protocols_parse_and_mistakes_are_explained() {
        assert_eq!("HTTP2".parse::<Protocol>(), Ok(Protocol::Http2));
        assert_eq!("auto".parse::<Protocol>(), Ok(Protocol::Auto));
        assert!("h3"
            .parse::<Protocol>()
            .unwrap_err()
            .contains("auto, http1 or http2"));
    }
}
