//! The charge-nurse overview (`/board`, a board TV or a charge nurse's tablet): every room by
//! pod, the rooming queue, patients ready for the provider, rooms to clean, the close-out list
//! (after closing time, and what earlier days left open), the live alert list,
//! who works what, and the day's flow numbers with small charts. A board TV only watches; a
//! charge nurse (or admin) signed in on a tablet can act: acknowledge, mark urgent, start a
//! clean, take a room out of service, reassign an assistant.

mod alerts;
mod lists;
mod numbers;
mod rooms;
mod staff;

pub use numbers::Report;

use super::common::Notice;
use super::common::{use_now, CloseOutList, ScheduleSyncNote, Screen};
use crate::api_types::StaffStatus;
use crate::domain::Action;
use crate::sync::{use_live_clinic, HubClient};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use dioxus::prelude::*;

/// How often the board asks who is signed in and who is locked out (not clinic events, so not
/// on the event stream).
const STAFF_REFRESH_SECONDS: i64 = 10;

#[component]
pub fn Board() -> Element {
    use_context_provider(Notice::new);
    rsx! {
        Screen { name: "board", title: "Clinic overview",
            BoardView {}
        }
    }
}

#[component]
fn BoardView() -> Element {
    let live = use_live_clinic();
    let now = use_now();
    let status = use_staff_status(now);
    use_context_provider(|| status);
    // Whether this screen may act, once the clinic is known: a memo, so the board renders
    // again when that changes, not at every clinic event.
    let acting = use_memo(move || {
        let live = live.read();
        live.clinic.as_ref().map(|_| can_act(&live))
    });
    let Some(acting) = acting() else {
        return rsx! { p { class: "muted", "Connecting to the clinic hub…" } };
    };
    // A screen that only watches is the wall TV: sized to be read from across the room.
    let tv = !acting;
    rsx! {
        div { class: if tv { "board-grid tv" } else { "board-grid" },
            rooms::BoardRooms {}
            div { class: "board-column",
                alerts::AlertList {}
                lists::Waiting {}
                lists::ReadyForProvider {}
                lists::Turnover {}
                CloseOutList { ask: acting }
            }
            div { class: "board-column",
                ScheduleSyncNote {}
                numbers::TodayNumbers {}
                staff::StaffPanel {}
            }
        }
    }
}

/// Who is on and who is locked out, asked for every `STAFF_REFRESH_SECONDS`. Empty when this
/// screen may not see it.
fn use_staff_status(now: Signal<DateTime<Utc>>) -> Signal<StaffStatus> {
    let live = use_live_clinic();
    let tick = use_memo(move || now().timestamp() / STAFF_REFRESH_SECONDS);
    // A memo, so a clinic event (which changes the copy, not who may see) asks nothing.
    let may_see = use_memo(move || can_see_staff(&live.read()));
    let mut status = use_signal(StaffStatus::default);
    let _ = use_resource(move || async move {
        let _ = tick();
        if !may_see() {
            return;
        }
        if let Ok(fresh) = HubClient::same_origin().staff_status().await {
            status.set(fresh);
        }
    });
    status
}

fn can_see_staff(live: &crate::sync::LiveClinic) -> bool {
    live.may(Action::SeeStaffStatus)
}

/// Whether this screen may act (a charge nurse or admin signed in), not only watch.
pub fn can_act(live: &crate::sync::LiveClinic) -> bool {
    live.may(Action::ManageRooms)
}

/// `clinic_today` kept up to date in a memo: it changes at the clinic's midnight, so what reads
/// it does not render again every second.
pub fn use_clinic_today() -> Memo<(FixedOffset, NaiveDate)> {
    let live = use_live_clinic();
    let now = use_now();
    use_memo(move || clinic_today(&live.read(), now()))
}

/// The clinic's UTC offset and today's clinic-local date.
pub fn clinic_today(
    live: &crate::sync::LiveClinic,
    now: DateTime<Utc>,
) -> (FixedOffset, NaiveDate) {
    let minutes = live.clinic.as_ref().map_or(0, |c| c.utc_offset_minutes);
    let offset =
        FixedOffset::east_opt(minutes * 60).unwrap_or(FixedOffset::east_opt(0).expect("UTC"));
    (offset, now.with_timezone(&offset).date_naive())
}

/// "A-17 Maria G." (or just the name before check-in).
pub fn who(visit: &crate::domain::Visit) -> String {
    match visit.ticket {
        Some(ticket) => format!("{ticket} {}", visit.patient.public_name()),
        None => visit.patient.public_name(),
    }
}
