//! Optional TLS for the hub (`--tls-cert` / `--tls-key`, PEM files): rustls with the ring
//! provider, serving the same router. With TLS on, credential cookies are marked `Secure`.

use super::StartError;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{crypto, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// Reads the certificate chain and private key; names the file that is wrong.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, StartError> {
    let bad = |path: &Path, e: &dyn std::fmt::Display| {
        StartError::Tls(format!("{}: {e}", path.display()))
    };
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad(cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(cert, &e))?;
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, &e))?;
    let config = ServerConfig::builder_with_provider(Arc::new(crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(cert, &e))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| bad(cert, &e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Accepts TLS connections and serves `app` on each (HTTP/1.1 and HTTP/2), until `closed`
/// resolves (the hub shuts down); then open connections are dropped too.
pub async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: Router,
    closed: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let closed = futures::future::FutureExt::shared(Box::pin(closed));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = closed.clone() => return,
        };
        let (tcp, peer) = match accepted {
            Ok(connection) => connection,
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                continue;
            }
        };
        let (acceptor, app, closed) = (acceptor.clone(), app.clone(), closed.clone());
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let app = app.layer(axum::Extension(axum::extract::ConnectInfo(peer)));
            let service = TowerToHyperService::new(app);
            let builder = Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                () = closed => {}
            }
        });
    }
}
