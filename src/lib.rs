//! clinicflow: patient flow for outpatient clinics.
//!
//! # Layout
//! - [`domain`]: the pure rules. Start here: everything else calls it. `apply(state, command,
//!   now)` decides every step (`command.rs`); the visit and room states (`clinic.rs`); what a
//!   room offers next (`next.rs`), timer levels (`timers.rs`), who may do what
//!   (`permissions.rs`), self check-in (`check_in.rs`), the rooming queue, vitals, alerts and
//!   the day's figures.
//! - `store` (server): SQLite event log, projections (`mod.rs`), staff and device accounts and
//!   the audit chain (`accounts.rs`), migrations (`schema.rs`).
//! - `server` (server): the hub. `hub.rs` is the single writer (group commit) and the live
//!   broadcast; `api.rs`, `check_in.rs`, `live.rs` the routes; `auth/` who a request is
//!   (devices, sessions, PINs, pairing, throttles); `clock.rs` the one clock; `cli.rs`.
//! - [`sync`]: the client side: [`sync::HubClient`], one typed call per API endpoint, and the
//!   screen's live copy of the clinic (snapshot + event stream, `follow.rs`), kept in a local
//!   store (`local.rs`) with an outbox (`outbox.rs`); the browser's side in `web.rs`, the
//!   native kiosk app's (reqwest, pairing) in `native.rs`.
//! - [`ui`]: Dioxus screens per role (kiosk, floor, board, lobby, admin, home); `ui/common`
//!   holds what several screens share (the screen frame, sending a step, the room card);
//!   `ui/desktop.rs` is the native kiosk app's root (`src/bin/kiosk.rs`, `--features desktop`).
//! - [`import`]: appointment lists from a CSV export or a FHIR Bundle (parsing only).
//! - [`i18n`]: interface text per language (Fluent files in `assets/i18n/`).
//! - [`config`], [`api_types`]: the clinic's configuration and the API's shapes (requests,
//!   answers, every refusal as `ApiFailure`), shared by hub and clients.

pub mod api_types;
pub mod config;
pub mod domain;
pub mod i18n;
pub mod import;
pub mod sync;
pub mod ui;

#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod store;
