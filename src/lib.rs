//! clinicflow: patient flow for outpatient clinics.
//!
//! # Layout
//! - [`domain`]: the pure rules (visit and room state machines, rooming queue, check-in codes,
//!   vitals, alerts, the day's flow figures). Start here: everything else calls it.
//! - `store` (server): SQLite event log, projections and audit rows.
//! - `server` (server): the hub — command writer, JSON API, live event stream, CLI.
//! - [`sync`]: the client's live copy of clinic state (snapshot + event stream).
//! - [`ui`]: Dioxus screens per role (kiosk, floor, board, lobby, admin), and the home page.
//! - [`import`]: appointment lists from a CSV export or a FHIR Bundle (parsing only).
//! - [`i18n`]: interface text per language (Fluent files in `assets/i18n/`).
//! - [`config`], [`api_types`]: the clinic's configuration and the API's JSON shapes, shared by
//!   hub and clients.

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
