//! The hub's server side: opening the clinic, the HTTP routes (JSON API, live stream, web
//! bundle, server-rendered screens) and the command line. `start` is what `main` and the
//! integration tests call.

pub mod api;
pub mod auth;
mod cards;
pub mod check_in;
pub mod cli;
pub mod clock;
pub mod connections;
pub mod demo;
pub mod devices;
pub mod ehr;
mod error;
pub mod fhir;
pub mod fhir_route;
mod hardening;
mod hl7;
pub mod hub;
mod import;
pub mod live;
mod report;
pub mod status;
pub mod steps;
mod tls;

use crate::config::ClinicConfig;
use crate::domain::{CheckInCode, Command, ProviderId, RoomId, VisitId};
use crate::store::Actor;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use clock::ClinicClock;
use dioxus::server::{DioxusRouterExt, ServeConfig};
use hub::Hub;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;

pub use error::ApiError;

/// What every route handler gets: the hub and the access-control state.
#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
    pub access: std::sync::Arc<auth::Access>,
    /// Served over TLS: credential cookies are marked `Secure`.
    pub secure: bool,
    /// Live streams open per device (capped at `security.streams_per_device`).
    pub streams: std::sync::Arc<connections::Open<String>>,
}

impl axum::extract::FromRef<AppState> for Hub {
    fn from_ref(state: &AppState) -> Hub {
        state.hub.clone()
    }
}

/// Everything needed to start a hub.
#[derive(Debug, Clone)]
pub struct HubOptions {
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub config: ClinicConfig,
    /// Seed the demo clinic's day into an empty database.
    pub demo: bool,
    /// The web bundle (`index.html`, `wasm/`, `assets/`) written by `cargo xtask bundle`.
    pub bundle: Option<PathBuf>,
    /// PEM certificate chain and private key: serve HTTPS instead of HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The hub's clock; `None` is the system's, in the config's time zone. Tests pass one they
    /// move by hand.
    pub clock: Option<ClinicClock>,
}

/// Why the hub could not start. Printed by `main` and the process exits non-zero.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    TimeZone(#[from] clock::UnknownTimeZone),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("configuration: {0}")]
    Config(String),
    #[error("web bundle: {0}")]
    Bundle(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("a hub is already serving {0}: stop it first (the desk's \"Load schedule\" and POST /api/v1/import work while it runs)")]
    Serving(PathBuf),
}

/// Takes the lock a serving hub holds on its database (`<db>.lock`) for as long as the file
/// handle lives: a second hub, or the terminal's import, cannot then write under a hub whose
/// memory holds the clinic. The operating system drops it when the process ends, however.
pub fn hold_database(db: &Path) -> Result<std::fs::File, StartError> {
    let path = PathBuf::from(format!("{}.lock", db.display()));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StartError::Config(format!("{}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StartError::Serving(db.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(StartError::Config(format!("{}: {e}", path.display())))
        }
    }
}

/// A hub that is serving; dropping it does not stop it, `shutdown` does.
pub struct RunningHub {
    pub addr: SocketAddr,
    /// `https` when serving TLS.
    pub scheme: &'static str,
    pub hub: Hub,
    pub access: std::sync::Arc<auth::Access>,
    server: tokio::task::JoinHandle<()>,
    refresher: tokio::task::JoinHandle<()>,
    /// The schedule pull from the EHR, when configured.
    ehr: Option<tokio::task::JoinHandle<()>>,
    /// Where the HL7 v2 feed listens, when configured.
    pub hl7_addr: Option<SocketAddr>,
    hl7: Option<tokio::task::JoinHandle<()>>,
}

/// How long `shutdown` lets requests in flight finish before cutting them off.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

impl RunningHub {
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Stops serving and stops the hub: live streams end, requests in flight get up to five
    /// seconds, the writer, checkpoint and refresher stop, and the database closes.
    pub async fn shutdown(self) {
        self.refresher.abort();
        let _ = self.refresher.await;
        // A pull or a message half done applies nothing: its steps commit together or not at all.
        for task in [self.ehr, self.hl7].into_iter().flatten() {
            task.abort();
            let _ = task.await;
        }
        // Tablets stay signed in across a restart: the last few seconds' use is saved too.
        self.access.save_sessions(&self.hub).await;
        self.access.flush_refusals(&self.hub, true).await;
        if let Err(error) = self.hub.anchor_audit().await {
            tracing::warn!(%error, "could not anchor the audit chain");
        }
        self.hub.close().await;
        let mut server = self.server;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
            .await
            .is_err()
        {
            server.abort();
            let _ = server.await;
        }
    }
}

/// Opens the database, brings the clinic's rooms and providers in line with the config, seeds
/// the demo if asked, and starts serving on `options.addr` (port 0 picks a free port).
pub async fn start(options: HubOptions) -> Result<RunningHub, StartError> {
    let clock = match options.clock.clone() {
        Some(clock) => clock,
        None => ClinicClock::new(&options.config.time_zone)?,
    };
    check_bundle(options.bundle.as_deref())?;
    let tls = options
        .tls
        .as_ref()
        .map(|(cert, key)| tls::acceptor(cert, key))
        .transpose()?;
    let hub = Hub::open(&options.db, options.config.clone(), clock)?;
    if options.demo {
        demo::seed(&hub)
            .await
            .map_err(|e| StartError::Config(format!("demo seed: {e}")))?;
    }
    apply_config(&hub, None).await?;
    add_config_staff(&hub, options.demo).await?;
    hub.reload_staff().await?;
    let access = std::sync::Arc::new(auth::Access::new(hub.clock().clone()));
    access.refresh(&hub).await?;
    access.restore_sessions(&hub).await?;
    let refresher = access.spawn_refresher(hub.clone());
    let ehr = ehr::spawn(hub.clone());
    let (hl7_addr, hl7) = hl7::spawn(hub.clone())
        .await
        .map_err(|e| StartError::Config(format!("ehr.hl7_listen: {e}")))?
        .unzip();
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: options.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: options.addr,
        source,
    })?;
    let state = AppState {
        hub: hub.clone(),
        access: access.clone(),
        secure: tls.is_some(),
        streams: connections::Open::new(),
    };
    let app = router(state, options.bundle.as_deref());
    let scheme = if tls.is_some() { "https" } else { "http" };
    let closed = hub.closed();
    let limits = connections::Limits::from_config(&hub.config().security);
    let server = tokio::spawn(connections::serve(listener, tls, app, limits, closed));
    Ok(RunningHub {
        addr,
        scheme,
        hub,
        access,
        server,
        refresher,
        ehr,
        hl7_addr,
        hl7,
    })
}

/// The hub's HTTP routes: API and live stream, device pairing, the web bundle's files, and
/// every other path rendered by the Dioxus app (server-side, then hydrated by the wasm client).
pub fn router(state: AppState, bundle: Option<&Path>) -> Router {
    let api = Router::new()
        .route("/healthz", get(api::healthz))
        .route("/api/v1/clinic", get(api::clinic))
        .route("/api/v1/snapshot", get(api::snapshot))
        .route("/api/v1/days/{date}", get(api::day))
        .route("/api/v1/events", get(live::events))
        .route("/api/v1/commands", post(api::command))
        .route("/api/v1/check-in", post(check_in::check_in))
        .route("/api/v1/check-in/find", post(check_in::find))
        .route("/api/v1/status/{token}", get(status::status))
        .route("/api/v1/status/{token}/live", get(status::live))
        .route("/api/v1/status/{token}/here", post(status::here))
        .route("/api/v1/status/{token}/qr.svg", get(status::qr))
        .route(
            "/api/v1/appointments",
            get(api::appointments).post(api::create_appointment),
        )
        .route("/api/v1/walk-ins", post(api::create_walk_in))
        .route(
            "/api/v1/import",
            post(import::import).layer(axum::extract::DefaultBodyLimit::max(
                import::MAX_IMPORT_BYTES,
            )),
        )
        .route("/api/v1/cards", get(cards::cards))
        .route("/api/v1/fhir/Encounter", get(fhir_route::encounters))
        .route(
            "/api/v1/session",
            get(auth::whoami).post(auth::sign_in).delete(auth::sign_out),
        )
        .route("/api/v1/session/active", post(auth::still_here))
        .route("/api/v1/staff", get(auth::staff_picker))
        .route("/api/v1/staff/{id}/unlock", post(auth::unlock))
        .route("/api/v1/lockouts", get(auth::lockouts))
        .route("/api/v1/staff/status", get(auth::staff_status))
        .route("/api/v1/devices", get(devices::list).post(devices::add))
        .route("/api/v1/devices/{id}/revoke", post(devices::revoke))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .route("/pair/{code}", get(auth::pair))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            hardening::credential_before_body,
        ))
        .with_state(state.clone());
    let mut files = Router::new();
    if let Some(bundle) = bundle {
        files = files.nest_service(
            "/wasm",
            ServeDir::new(bundle.join("wasm")).precompressed_gzip(),
        );
    }
    let assets = assets_dir(bundle);
    // The service worker lives at the root so that it may serve every page (its scope).
    files = files.route_service(
        "/sw.js",
        tower_http::services::ServeFile::new(assets.join("sw.js")),
    );
    files = files.nest_service("/assets", ServeDir::new(assets));
    // Dioxus reads the page template from `$DIOXUS_PUBLIC_PATH/index.html` (the CLI sets it to
    // the bundle); without one it renders the screens with a bare template and no client.
    let screens = Router::new().serve_api_application(ServeConfig::new(), crate::ui::App);
    api.merge(files)
        .merge(screens)
        .layer(axum::middleware::from_fn(hardening::guard))
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound
}

/// The bundle's copy of `assets/` when there is a bundle, else the source tree's (development).
fn assets_dir(bundle: Option<&Path>) -> PathBuf {
    match bundle {
        Some(bundle) => bundle.join("assets"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("assets"),
    }
}

/// A bundle folder must hold the `index.html` that `cargo xtask bundle` writes.
fn check_bundle(bundle: Option<&Path>) -> Result<(), StartError> {
    match bundle {
        Some(bundle) if !bundle.join("index.html").exists() => Err(StartError::Bundle(format!(
            "{} has no index.html; run `cargo xtask bundle`",
            bundle.display()
        ))),
        _ => Ok(()),
    }
}

/// Adds the config's rooms and providers that the database does not have yet. Existing ones
/// are left as they are: their history lives in the event log.
/// `at` dates the additions (the demo's are from the day before); `None` is now.
async fn apply_config(hub: &Hub, at: Option<DateTime<Utc>>) -> Result<(), StartError> {
    let system = Actor {
        actor: "system".into(),
        device: "hub".into(),
        staff: None,
    };
    let config = hub.config().clone();
    let bad = |e: crate::domain::IdError| StartError::Config(e.to_string());
    for room in &config.rooms {
        let id = RoomId::parse(&room.id).map_err(bad)?;
        if room.air_changes_per_hour == Some(0) {
            return Err(StartError::Config(format!(
                "room {}: air_changes_per_hour must be at least 1",
                room.id
            )));
        }
        if !hub.read(|state, _| state.rooms.contains_key(&id)) {
            let command = Command::AddRoom {
                room: id,
                name: room.name.clone(),
                pod: room.pod.clone(),
            };
            hub.execute_at(command, system.clone(), at)
                .await
                .map_err(|e| StartError::Config(format!("room {}: {e}", room.id)))?;
        }
    }
    for provider in &config.providers {
        let id = ProviderId::parse(&provider.id).map_err(bad)?;
        if !hub.read(|state, _| state.providers.contains_key(&id)) {
            let command = Command::AddProvider {
                provider: id,
                name: provider.name.clone(),
                pod: provider.pod.clone(),
            };
            hub.execute_at(command, system.clone(), at)
                .await
                .map_err(|e| StartError::Config(format!("provider {}: {e}", provider.id)))?;
        }
    }
    Ok(())
}

/// Adds the config's staff members the database does not have yet (without a PIN: set one
/// with `clinicflow staff set-pin`). The demo gives its staff known demo PINs.
async fn add_config_staff(hub: &Hub, demo: bool) -> Result<(), StartError> {
    let staff = hub.config().staff.clone();
    let added = hub
        .with_store(move |store| -> Result<(), String> {
            for member in &staff {
                let role = crate::domain::StaffRole::parse(&member.role).ok_or_else(|| {
                    format!("staff {}: unknown role {:?}", member.id, member.role)
                })?;
                if store
                    .staff(&member.id)
                    .map_err(|e| e.to_string())?
                    .is_none()
                {
                    store
                        .add_staff(&member.id, &member.name, role)
                        .map_err(|e| e.to_string())?;
                    if demo {
                        let pin = demo::pin_for(&member.id);
                        store
                            .set_pin_hash(&member.id, &auth::hash_pin(&pin))
                            .map_err(|e| e.to_string())?;
                    }
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| StartError::Config(e.to_string()))?;
    added.map_err(StartError::Config)
}

/// A new visit id and check-in code, from the operating system's random source.
/// The hub's address as people and systems outside reach it: `check_in.public_url`, or else
/// the address this request came to.
pub(crate) fn public_base(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    let public = &state.hub.config().check_in.public_url;
    if !public.is_empty() {
        return public.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.secure { "https" } else { "http" };
    format!("{scheme}://{host}")
}

pub fn fresh_visit_ids() -> (VisitId, CheckInCode) {
    let visit = VisitId::parse(&format!("v-{:016x}", rand::random::<u64>()))
        .expect("hex visit ids are valid");
    (visit, CheckInCode::from_random(rand::random()))
}

/// Reads a TOML config file, naming the file and the field on error.
pub fn read_config(path: &Path) -> Result<ClinicConfig, StartError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| StartError::Config(format!("{}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| StartError::Config(format!("{}: {e}", path.display())))
}
