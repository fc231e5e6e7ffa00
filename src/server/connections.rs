//! Accepting connections, plain or TLS, with the limits a clinic network needs: a cap on open
//! connections per client address (one phone cannot use up the hub's file descriptors), a
//! deadline for a request's headers (slowloris; it also closes connections idle between
//! requests) and for a TLS handshake, and a graceful stop that lets requests in flight finish.

use crate::config::SecurityConfig;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// How long accepting pauses after the operating system refuses a new socket (out of file
/// descriptors): retrying at once would spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_address: usize,
    pub header_timeout: Duration,
}

impl Limits {
    pub fn from_config(security: &SecurityConfig) -> Limits {
        Limits {
            per_address: security.connections_per_address as usize,
            header_timeout: Duration::from_secs(security.header_timeout_seconds.into()),
        }
    }
}

/// How many of something each key holds open (connections per address, live streams per
/// device), with a cap.
pub struct Open<K: Hash + Eq + Clone>(Mutex<HashMap<K, usize>>);

/// One held by `key`; the count goes down when it is dropped.
pub struct Slot<K: Hash + Eq + Clone> {
    open: Arc<Open<K>>,
    key: K,
}

impl<K: Hash + Eq + Clone> Open<K> {
    pub fn new() -> Arc<Open<K>> {
        Arc::new(Open(Mutex::new(HashMap::new())))
    }

    /// One more for `key`, unless it already holds `limit`.
    pub fn take(self: &Arc<Self>, key: &K, limit: usize) -> Option<Slot<K>> {
        let mut open = self.0.lock().expect("open counts lock");
        let count = open.entry(key.clone()).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            open: Arc::clone(self),
            key: key.clone(),
        })
    }
}

impl<K: Hash + Eq + Clone> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().expect("open counts lock");
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// Serves `app` on every connection `listener` accepts (over TLS with `tls`) until `closed`
/// resolves; then stops accepting and waits for open connections to finish their requests
/// (live streams end by themselves when the hub closes).
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: Limits,
    closed: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let open: Arc<Open<IpAddr>> = Open::new();
    let graceful = GracefulShutdown::new();
    let mut closed = std::pin::pin!(closed);
    let mut refused = 0u64;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut closed => break,
        };
        let (tcp, peer) = match accepted {
            Ok(connection) => connection,
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let Some(slot) = open.take(&peer.ip(), limits.per_address) else {
            refused += 1;
            if refused.is_power_of_two() {
                tracing::warn!(address = %peer.ip(), refused, "too many connections from one address; closing new ones");
            }
            continue;
        };
        let (app, tls, watcher) = (app.clone(), tls.clone(), graceful.watcher());
        tokio::spawn(async move {
            let _slot = slot;
            match tls {
                None => serve_one(tcp, peer, app, limits, watcher).await,
                Some(acceptor) => {
                    match tokio::time::timeout(limits.header_timeout, acceptor.accept(tcp)).await {
                        Ok(Ok(stream)) => serve_one(stream, peer, app, limits, watcher).await,
                        Ok(Err(_)) | Err(_) => {}
                    }
                }
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

async fn serve_one(
    io: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let app = app.layer(axum::Extension(axum::extract::ConnectInfo(peer)));
    let service = TowerToHyperService::new(app);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let connection = builder
        .serve_connection_with_upgrades(TokioIo::new(io), service)
        .into_owned();
    // A connection closed early or timed out is the client's business; nothing to report.
    let _ = watcher.watch(connection).await;
}
