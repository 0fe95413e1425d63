//! The accept loop: each connection is served by hyper with settings `axum::serve` does not expose, and every
//! connection is drained on shutdown.

use std::{future::Future, net::SocketAddr};

use axum::{
    extract::{ConnectInfo, Request},
    serve::Listener,
    Router,
};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::{conn::auto, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tower::ServiceExt;

/// Serves `app` on every connection `listener` accepts until `shutdown` resolves, then waits for the connections
/// to finish their responses. Requests carry `ConnectInfo<SocketAddr>`, as with `axum::serve`.
pub async fn serve_connections<L>(
    mut listener: L,
    app: Router,
    shutdown: impl Future<Output = ()> + Send,
) where
    L: Listener<Addr = SocketAddr>,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // While a response streams, hyper by default keeps reading the connection to notice a client that hung up, and
    // that read takes a second 8 KiB buffer per streaming answer (the first is still referenced by the request).
    // Without it, a closed tab is noticed when the next token fails to send, within two tokens, and the answer is
    // kept as interrupted all the same; 10,000 streaming answers need 80 MB less.
    builder.http1().half_close(true).max_buf_size(8192);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request.map(axum::body::Body::new)
            });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::trace!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
