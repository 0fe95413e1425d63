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

/// hyper's smallest allowed read buffer; see below.
const REQUEST_HEAD_LIMIT: usize = 8 * 1024;

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
    // By default hyper asks for 8 KiB of free room before every read. Once a request has been read into the 8 KiB
    // buffer it never has that much, so hyper doubles it to 16 KiB, and that buffer stays with the connection while
    // its answer streams. Capped at 8 KiB, hyper asks only for the room left and the buffer is reused: 8 KiB less per
    // streaming answer. The cap is also the largest request head accepted (a larger one gets 431), as in nginx.
    builder.http1().max_buf_size(REQUEST_HEAD_LIMIT);
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
