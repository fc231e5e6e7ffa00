//! Pieces several screens use: the screen frame with the clinic's name, sign-in and connection
//! state; the ticking clock and timer colours; sending a step and showing its refusal; the room
//! card and the assistant's provider sheet (floor and overview).

mod actions;
mod assign;
mod chime;
mod close_out;
mod connection;
mod day;
mod outbox;
mod release_early;
mod room_card;
mod schedule_sync;
mod sign_in;
mod time;
mod undo;

pub use actions::{
    capitalised, keep_for_later, may_make, send, send_then, use_online, Notice, NoticeBanner, Step,
    StepButton,
};
pub use assign::AssignSheet;
pub use chime::chime;
pub use close_out::CloseOutList;
pub use connection::ConnectionBadge;
pub use day::{day_copy, use_closed_day, DayCopy, DayNotReady};
pub use outbox::OutboxList;
pub use release_early::ReleaseEarly;
pub use room_card::{use_card_now, use_room_cards, CardNow, RoomCard, UNCONFIRMED};
pub use schedule_sync::ScheduleSyncNote;
pub use time::{
    elapsed_label, minutes_between, timer_class, use_minute, use_minutes_since, use_now,
    use_screen_clock_provider,
};
pub use undo::UndoBar;

use crate::sync::{use_live_clinic, Access, Connection};
use crate::ui::Route;
use dioxus::prelude::*;
use sign_in::SignIn;

/// A whole screen: the header, then its content, shown only to a screen the hub lets in
/// (otherwise the sign-in keypad or a "not enrolled" notice); dimmed while the connection is
/// down (except the notice of a refused or unanswered step, shown above it on screens that act);
/// locked again after the clinic's idle time on a shared tablet.
/// `public` screens (kiosk) show the clinic's name without a link away from the screen.
#[component]
pub fn Screen(
    name: String,
    title: String,
    #[props(default)] public: bool,
    children: Element,
) -> Element {
    let live = use_live_clinic();
    let acts = try_use_context::<Notice>().is_some();
    let last_activity = use_signal(chrono::Utc::now);
    let last_ping = use_signal(chrono::Utc::now);
    let now = use_now();
    // Memos, so the screen renders again when these change, not at every clinic event.
    let shown = use_memo(move || {
        let live = live.read();
        (
            live.access,
            matches!(live.connection, Connection::Reconnecting { .. }),
        )
    });
    let (access, stale) = shown();
    // After how many idle seconds a signed-in person's screen locks; only then does the screen
    // watch the clock for it.
    let lock_after = use_memo(move || {
        let live = live.read();
        let signed_in =
            live.session.as_ref().is_some_and(|s| s.staff.is_some()) && live.access == Access::Open;
        let idle = live.clinic.as_ref().map_or(600, |c| c.idle_lock_seconds) as i64;
        signed_in.then_some(idle)
    });
    use_effect(move || {
        if let Some(idle) = lock_after() {
            if (now() - last_activity()).num_seconds() >= idle {
                spawn(lock(live));
            }
        }
    });
    let content = match access {
        Access::Open => children,
        Access::SignInRequired => rsx! { SignIn {} },
        Access::NotEnrolled => rsx! {
            section { class: "planned-card",
                h2 { "This screen is not enrolled" }
                p { "Clinic screens show patient information only on enrolled devices. Ask an administrator for this screen's pairing link and open it here once." }
            }
        },
    };
    let stale = if stale { " stale" } else { "" };
    rsx! {
        div {
            class: "screen {name}{stale}",
            onpointerdown: move |_| touched(last_activity, last_ping, live),
            onkeydown: move |_| touched(last_activity, last_ping, live),
            ScreenHeader { title, public }
            if acts && access == Access::Open {
                NoticeBanner {}
                OutboxList {}
            }
            main { {content} }
        }
    }
}

/// Tells the hub at most once a minute that the signed-in person is using this screen: only
/// their own actions keep the session alive there, not the screen's polling.
const STILL_HERE_EVERY_SECONDS: i64 = 60;

fn touched(
    mut last_activity: Signal<chrono::DateTime<chrono::Utc>>,
    mut last_ping: Signal<chrono::DateTime<chrono::Utc>>,
    live: Signal<crate::sync::LiveClinic>,
) {
    let now = chrono::Utc::now();
    last_activity.set(now);
    let signed_in = live
        .peek()
        .session
        .as_ref()
        .is_some_and(|s| s.staff.is_some());
    if signed_in && (now - *last_ping.peek()).num_seconds() >= STILL_HERE_EVERY_SECONDS {
        last_ping.set(now);
        spawn(async move {
            let _ = crate::sync::HubClient::same_origin().still_here().await;
        });
    }
}

/// Ends this tablet's session and wipes the clinic from the page.
async fn lock(mut live: Signal<crate::sync::LiveClinic>) {
    live.write().deny(Access::SignInRequired);
    crate::sync::forget_kept().await;
    let _ = crate::sync::HubClient::same_origin().sign_out().await;
}

/// The bar at the top of a screen: clinic name, screen title, who is signed in (with a quick
/// switch of user), connection state.
#[component]
fn ScreenHeader(title: String, public: bool) -> Element {
    let live = use_live_clinic();
    // Through a memo: the header (its link reads the address bar) renders again when the
    // clinic's name or who is signed in changes, not at every clinic event.
    let shown = use_memo(move || {
        let live = live.read();
        let clinic_name = live
            .clinic
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_else(|| "clinicflow".into());
        let staff = live
            .session
            .as_ref()
            .and_then(|s| s.staff.clone())
            .filter(|_| live.access == Access::Open);
        (clinic_name, staff)
    });
    let (clinic_name, staff) = shown();
    rsx! {
        header { class: "screen-header",
            if public {
                span { class: "clinic-name", "{clinic_name}" }
            } else {
                Link { class: "clinic-name", to: Route::Home {}, "{clinic_name}" }
            }
            h1 { "{title}" }
            if let Some(staff) = staff {
                span { class: "signed-in", "{staff.name}" }
                button { class: "button small", onclick: move |_| lock(live), "Switch user" }
            }
            ConnectionBadge {}
        }
    }
}
