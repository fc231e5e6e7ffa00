//! The hub through its HTTP API, in one test binary: health, commands and their typed errors,
//! the live stream and restarts (`hub`); who may see and do what, sessions, PINs and pairing
//! (`access`); self check-in as kiosks and phones use it (`check_in`); the hardening findings,
//! each as the test that failed before its fix (`hardening`); the day as FHIR R4 (`fhir`); the schedule
//! pulled from a fake EHR (`ehr`); rooms held after airborne patients (`turnover`); open days in
//! the snapshot and closed days asked for (`days`).

#[path = "../common/mod.rs"]
mod common;

mod access;
mod check_in;
mod days;
mod ehr;
mod fhir;
mod hardening;
mod hub;
mod steps;
mod turnover;
