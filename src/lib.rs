//! clinicflow: patient flow for outpatient clinics.
//!
//! # Layout
//! - [`domain`]: the pure rules (visit and room state machines, rooming queue, check-in codes).
//!   Start here: everything else calls it.
//! - `store` (server): SQLite event log, projections and audit rows.
//! - `server` (server): the hub — command writer, JSON API, live event stream, CLI.
//! - [`sync`]: the client's live copy of clinic state (snapshot + event stream).
//! - [`ui`]: Dioxus screens per role: kiosk, floor, board, lobby.

pub mod domain;
