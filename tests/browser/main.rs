//! Every screen in headless Chromium, in one test binary: the home page, sign-in, sync and the
//! every-screen checks (`screens`); the lobby kiosk and phone check-in (`kiosk`); the patient's live page (`phone`); the provider's screen (`provider`); the assistant
//! tablet (`floor`); the charge-nurse overview, lobby display and report (`board`); the front
//! desk (`desk`); rooms held after airborne patients (`turnover`).

#[path = "../common/mod.rs"]
mod common;

mod board;
mod desk;
mod floor;
mod kiosk;
mod offline;
mod phone;
mod provider;
mod screens;
mod turnover;
