//! The Dioxus screens, one folder per role as they land (kiosk, floor; board and lobby next), the home
//! page that links them, and the pieces they share. Components get clinic state from the
//! `sync` context and call the domain for every rule.

mod admin;
mod common;
mod floor;
mod home;
mod kiosk;
mod upcoming;

use admin::Admin;
use dioxus::prelude::*;
use floor::Floor;
use home::Home;
use kiosk::{Kiosk, PhoneCheckIn};
use upcoming::{Board, Lobby, NotFound};

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
    #[route("/admin")]
    Admin {},
    #[route("/c/:code")]
    PhoneCheckIn { code: String },
    #[route("/:..segments")]
    NotFound { segments: Vec<String> },
}

/// The root of every screen: the live clinic for the whole page, then the router.
#[component]
pub fn App() -> Element {
    crate::sync::use_live_clinic_provider();
    rsx! {
        Router::<Route> {}
    }
}
