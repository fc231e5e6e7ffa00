//! The Dioxus screens, one folder (or file) per role: kiosk, floor, board, lobby, desk, admin; the home
//! page that links them, and the pieces they share. Components get clinic state from the
//! `sync` context and call the domain for every rule.

mod admin;
mod board;
mod common;
mod desk;
#[cfg(feature = "desktop")]
pub mod desktop;
mod floor;
mod home;
mod kiosk;
mod lobby;
mod not_found;
mod provider;

use admin::Admin;
use board::{Board, Report};
use desk::Desk;
use dioxus::prelude::*;
use floor::Floor;
use home::Home;
use kiosk::{Kiosk, PhoneCheckIn, PhoneStatus};
use lobby::Lobby;
use not_found::NotFound;
use provider::Provider;

#[rustfmt::skip]
#[derive(Clone, Debug, PartialEq, Routable)]
pub enum Route {
    #[route("/")]
    Home {},
    #[route("/kiosk")]
    Kiosk {},
    #[route("/floor")]
    Floor {},
    #[route("/board")]
    Board {},
    #[route("/lobby")]
    Lobby {},
    #[route("/desk")]
    Desk {},
    #[route("/provider")]
    Provider {},
    #[route("/admin")]
    Admin {},
    #[route("/report/:date")]
    Report { date: String },
    #[route("/c/:code")]
    PhoneCheckIn { code: String },
    #[route("/s/:token")]
    PhoneStatus { token: String },
    #[route("/:..segments")]
    NotFound { segments: Vec<String> },
}

/// The root of every screen: the live clinic for the whole page, then the router.
#[component]
pub fn App() -> Element {
    crate::sync::use_live_clinic_provider();
    common::use_screen_clock_provider();
    rsx! {
        Router::<Route> {}
    }
}
