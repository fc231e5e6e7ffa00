//! A clinic day as a screen shows it. The live copy holds the open days (today, later days, and
//! a past day's unresolved visits); a closed day is asked of the hub (`GET /api/v1/days/<date>`)
//! when a screen turns to it, and the live copy's visits of that day, still open and so current,
//! are laid over the answer.

use crate::api_types::{ApiFailure, DayRecord};
use crate::domain::{holds_day, ClinicState};
use crate::sync::HubClient;
use chrono::NaiveDate;
use dioxus::prelude::*;
use std::borrow::Cow;

/// What a screen has of the day it shows.
pub enum DayCopy<'a> {
    Ready(Cow<'a, ClinicState>),
    Asking,
    Failed(String),
}

/// The hub's record of `day` when the live copy does not hold it (as of `today`), asked again
/// whenever the day changes; `restart()` asks again after a failure.
pub fn use_closed_day(
    day: NaiveDate,
    today: NaiveDate,
) -> Resource<Option<Result<DayRecord, ApiFailure>>> {
    let closed = (!holds_day(day, today)).then_some(day);
    use_resource(use_reactive!(|closed| async move {
        match closed {
            Some(day) => Some(HubClient::same_origin().day(day).await),
            None => None,
        }
    }))
}

/// The state to show `day` from: the live copy itself when it holds the day, else the hub's
/// record (`asked`, from [`use_closed_day`]) with the live copy's visits of that day over it.
pub fn day_copy<'a>(
    live: &'a ClinicState,
    day: NaiveDate,
    today: NaiveDate,
    asked: Option<&Option<Result<DayRecord, ApiFailure>>>,
) -> DayCopy<'a> {
    if holds_day(day, today) {
        return DayCopy::Ready(Cow::Borrowed(live));
    }
    match asked {
        Some(Some(Ok(record))) if record.day == day => {
            let mut state = record.state.clone();
            let open = live.visits.values().filter(|v| v.day == day);
            state
                .visits
                .extend(open.map(|visit| (visit.id.clone(), visit.clone())));
            DayCopy::Ready(Cow::Owned(state))
        }
        Some(Some(Err(failure))) => DayCopy::Failed(failure.message.clone()),
        _ => DayCopy::Asking,
    }
}

/// "Loading…" or the failure with a way to ask again, for a day not ready yet.
#[component]
pub fn DayNotReady(day: NaiveDate, failed: Option<String>, on_retry: EventHandler<()>) -> Element {
    let day = day.format("%A %-d %B %Y").to_string();
    rsx! {
        match failed {
            None => rsx! { p { class: "muted day-asking", role: "status", "Loading {day} from the hub…" } },
            Some(message) => rsx! {
                div { class: "notice day-failed", role: "alert",
                    p { "{day} could not be loaded from the hub: {message}" }
                    button { class: "button small", onclick: move |_| on_retry.call(()), "Try again" }
                }
            },
        }
    }
}
