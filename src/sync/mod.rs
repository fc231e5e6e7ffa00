//! The client side of the hub: [`HubClient`], the typed call for every API endpoint, and the
//! live copy of the clinic: a snapshot at sequence number S, then every event after S from the
//! hub's event stream, folded with the same domain code the hub uses. After a dropped
//! connection the stream resumes from the last sequence number seen: no reload, no missed or
//! doubled event.

mod client;
#[cfg(live_client)]
mod follow;
pub mod local;
#[cfg(all(not(target_arch = "wasm32"), feature = "native-client"))]
pub mod native;
pub mod outbox;
#[cfg(target_arch = "wasm32")]
mod web;

pub use client::{new_step_key, HubClient};

use crate::api_types::{ClinicInfo, ScheduleSync, SessionInfo, Snapshot};
use crate::domain::{is_open, ClinicState, Event, SequencedEvent};
use chrono::{DateTime, Utc};
use dioxus::prelude::*;

/// Whether the screen is up to date with the hub.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    /// Before the first snapshot arrived.
    Connecting,
    Live,
    /// The stream dropped at `since`; what is on screen is kept and marked stale.
    Reconnecting {
        since: DateTime<Utc>,
    },
}

/// Whether the hub lets this screen see the clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Asking, or allowed.
    Open,
    /// This browser is not an enrolled device.
    NotEnrolled,
    /// A shared tablet with nobody signed in (or just locked).
    SignInRequired,
}

/// What every screen reads: the clinic, the state at `seq`, and the connection.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveClinic {
    pub access: Access,
    /// Which device this is and who is signed in, once known.
    pub session: Option<SessionInfo>,
    pub clinic: Option<ClinicInfo>,
    pub state: ClinicState,
    pub seq: u64,
    pub connection: Connection,
    /// When the hub was last heard from: a snapshot, an event or a heartbeat (for "last update
    /// 12 s ago", which a quiet clinic must not make look stale).
    pub last_contact: Option<DateTime<Utc>>,
    /// How the hub's schedule pull from the EHR stands (staff screens; `None`: no pull).
    pub schedule_sync: Option<ScheduleSync>,
    /// Changes whenever the rooms may show something else (the room cards are worked out again only then); the same
    /// while events touch only what no room shows (a check-in).
    pub rooms_mark: u64,
}

/// A fresh [`LiveClinic::rooms_mark`]: never given twice on this screen, so a whole new copy
/// (a snapshot, a kept copy, a wipe) is a change too.
fn next_rooms_mark() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What folding one streamed event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The next event in order: folded in.
    Folded,
    /// Already seen (a resumed stream may repeat the boundary): ignored.
    Duplicate,
    /// An event is missing before this one: the screen must take a fresh snapshot.
    Gap,
    /// Folded, but it is about a visit this copy does not hold (a closed day's, reopened or
    /// moved to an open day): the screen takes a fresh snapshot, which has it if it is open.
    NotHeld,
}

impl LiveClinic {
    pub fn new() -> Self {
        LiveClinic {
            access: Access::Open,
            session: None,
            clinic: None,
            state: ClinicState::default(),
            seq: 0,
            connection: Connection::Connecting,
            last_contact: None,
            schedule_sync: None,
            rooms_mark: next_rooms_mark(),
        }
    }

    pub fn load_snapshot(&mut self, snapshot: Snapshot, now: DateTime<Utc>) {
        self.clinic = Some(snapshot.clinic);
        self.state = snapshot.state;
        self.seq = snapshot.seq;
        self.schedule_sync = snapshot.schedule_sync;
        self.connection = Connection::Live;
        self.last_contact = Some(now);
        self.rooms_mark = next_rooms_mark();
    }

    /// The hub said it is alive (a heartbeat, or the stream opening).
    pub fn heard_from_hub(&mut self, now: DateTime<Utc>) {
        self.connection = Connection::Live;
        self.last_contact = Some(now);
    }

    pub fn apply(&mut self, event: &SequencedEvent, now: DateTime<Utc>) -> Applied {
        if event.seq <= self.seq {
            return Applied::Duplicate;
        }
        if event.seq != self.seq + 1 {
            return Applied::Gap;
        }
        let creates = matches!(event.event, Event::AppointmentScheduled { .. });
        let held = event
            .event
            .visit()
            .is_none_or(|visit| creates || self.state.visits.contains_key(visit));
        let reaches_rooms = self.state.event_reaches_rooms(&event.event);
        self.state.apply_event(&event.event);
        if reaches_rooms || self.state.event_reaches_rooms(&event.event) {
            self.rooms_mark = next_rooms_mark();
        }
        self.seq = event.seq;
        self.last_contact = Some(now);
        if held {
            Applied::Folded
        } else {
            Applied::NotHeld
        }
    }

    /// Drops the visits of days that closed since the snapshot (a screen left on for days), so
    /// the copy and every figure folded over it stay the size of the open days.
    pub fn forget_closed_days(&mut self, today: chrono::NaiveDate, since: DateTime<Utc>) {
        if self.holds_closed_days(today, since) {
            self.state = self.state.open_on(today, since);
            self.rooms_mark = next_rooms_mark();
        }
    }

    /// Whether the copy holds a visit or room history of a day closed by `today` (which begins
    /// at `since`).
    pub fn holds_closed_days(&self, today: chrono::NaiveDate, since: DateTime<Utc>) -> bool {
        let closed_visit = self.state.visits.values().any(|v| !is_open(v, today));
        let old_stamp = self
            .state
            .rooms
            .values()
            .any(|room| room.history.get(1).is_some_and(|second| second.at < since));
        closed_visit || old_stamp
    }

    /// The hub refused this screen: forget every trace of the clinic it held.
    pub fn deny(&mut self, access: Access) {
        let clinic = self.clinic.take();
        *self = LiveClinic {
            access,
            clinic,
            ..LiveClinic::new()
        };
    }

    /// The staff member signed in on this screen, once known.
    pub fn me(&self) -> Option<&crate::domain::StaffId> {
        Some(&self.session.as_ref()?.staff.as_ref()?.id)
    }

    /// Whether this screen's device and signed-in person may do `action` (the same rule the
    /// hub applies; nothing until the session is known).
    pub fn may(&self, action: crate::domain::Action) -> bool {
        self.session
            .as_ref()
            .is_some_and(|session| session.principal().may(action))
    }

    /// The rooming queue's rules (the defaults until the clinic is known).
    pub fn queue_rules(&self) -> crate::domain::QueueRules {
        self.clinic
            .as_ref()
            .map(ClinicInfo::queue_rules)
            .unwrap_or_default()
    }

    /// The clinic's timer thresholds (the defaults until the clinic is known).
    pub fn thresholds(&self) -> crate::config::Thresholds {
        self.clinic
            .as_ref()
            .map(|c| c.thresholds.clone())
            .unwrap_or_default()
    }

    pub fn disconnected(&mut self, now: DateTime<Utc>) {
        if self.connection == Connection::Live {
            self.connection = Connection::Reconnecting { since: now };
        }
    }
}

impl Default for LiveClinic {
    fn default() -> Self {
        Self::new()
    }
}

/// Creates the live clinic for this page and, in the browser, connects it to the hub. Call once,
/// at the root; screens read it with [`use_live_clinic`].
pub fn use_live_clinic_provider() -> Signal<LiveClinic> {
    let live = use_context_provider(|| Signal::new(LiveClinic::new()));
    // One memo for the whole page: every room card and step button asks it, so a clinic event
    // reaches one subscriber for the connection, not one per card.
    let online = use_memo(move || live.read().connection == Connection::Live);
    use_context_provider(|| Online(online));
    let outbox = use_context_provider(|| Signal::new(outbox::Outbox::default()));
    #[cfg(target_arch = "wasm32")]
    use_hook(move || spawn(web::run(live, outbox)));
    #[cfg(all(live_client, not(target_arch = "wasm32")))]
    use_hook(move || spawn(native::run(live, outbox)));
    #[cfg(not(live_client))]
    let _ = outbox;
    live
}

/// Waits `duration` on the screen's own timer (the browser's, or tokio's natively).
pub async fn pause(duration: std::time::Duration) {
    #[cfg(target_arch = "wasm32")]
    gloo_timers::future::sleep(duration).await;
    #[cfg(all(not(target_arch = "wasm32"), feature = "native-client"))]
    tokio::time::sleep(duration).await;
    #[cfg(all(not(target_arch = "wasm32"), not(feature = "native-client")))]
    let _ = duration;
}

/// One patient's own status (their live page, by its token), kept in step with the hub in the
/// browser; and whether its stream is heard from.
pub fn use_patient_status(
    token: String,
) -> (Signal<Option<crate::domain::PatientStatus>>, Signal<bool>) {
    let status = use_signal(|| None);
    let online = use_signal(|| true);
    #[cfg(target_arch = "wasm32")]
    use_hook(move || spawn(web::follow_status(token, status, online)));
    #[cfg(not(target_arch = "wasm32"))]
    let _ = token;
    (status, online)
}

/// Wipes this screen's local store (its person signed out or it locked). The live sync also
/// wipes it when it notices, but only after its next message from the hub.
pub async fn forget_kept() {
    #[cfg(target_arch = "wasm32")]
    if let Ok(store) = local::IndexedDb::open().await {
        local::LocalStore::wipe(&store).await;
    }
    #[cfg(all(live_client, not(target_arch = "wasm32")))]
    native::forget_kept().await;
}

pub fn use_live_clinic() -> Signal<LiveClinic> {
    use_context::<Signal<LiveClinic>>()
}

/// Whether the page's stream from the hub is live, as one memo per page.
#[derive(Clone, Copy)]
struct Online(Memo<bool>);

/// The page's "is the hub live" memo (see [`use_live_clinic_provider`]).
pub fn use_hub_live() -> Memo<bool> {
    use_context::<Online>().0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RoomId;

    fn room_added(seq: u64) -> SequencedEvent {
        let room = RoomId::parse(&format!("exam-{seq}")).unwrap();
        SequencedEvent {
            seq,
            event: Event::RoomAdded {
                room,
                name: format!("Exam {seq}"),
                pod: "North".into(),
                at: Utc::now(),
            },
        }
    }

    #[test]
    fn a_resumed_stream_folds_each_event_exactly_once() {
        let mut live = LiveClinic::new();
        assert_eq!(live.apply(&room_added(1), Utc::now()), Applied::Folded);
        assert_eq!(live.apply(&room_added(2), Utc::now()), Applied::Folded);
        assert_eq!(live.apply(&room_added(2), Utc::now()), Applied::Duplicate);
        assert_eq!(live.apply(&room_added(4), Utc::now()), Applied::Gap);
        assert_eq!((live.seq, live.state.rooms.len()), (2, 2));
    }

    #[test]
    fn a_copy_of_the_open_days_asks_again_for_a_visit_it_does_not_hold() {
        use crate::domain::testing::{at, TestClinic};
        use crate::domain::Command;
        let mut clinic = TestClinic::new();
        let (open, cancelled) = (clinic.appointment_at(9, 0), clinic.appointment_at(9, 10));
        let cancel = Command::CancelVisit {
            visit: cancelled.clone(),
            reason: String::new(),
        };
        clinic.run_as("ma-lee", cancel, at(23, 58)).unwrap();
        // The next day's screen holds yesterday's unresolved visit, not the cancelled one.
        let tomorrow = clinic.day.succ_opt().unwrap();
        let mut live = LiveClinic::new();
        let next_midnight = at(0, 0) + chrono::Duration::days(1);
        live.state = clinic.state.open_on(tomorrow, next_midnight);
        assert_eq!(live.state.visits.keys().collect::<Vec<_>>(), vec![&open]);
        let mut seq = 0;
        let mut fold = |live: &mut LiveClinic, events: Vec<Event>| -> Vec<Applied> {
            let fold = |event| {
                seq += 1;
                live.apply(&SequencedEvent { seq, event }, Utc::now())
            };
            events.into_iter().map(fold).collect()
        };
        let book = Command::ScheduleAppointment {
            visit: crate::domain::VisitId::parse("v-booked").unwrap(),
            patient: clinic.patient(),
            provider: clinic.provider.clone(),
            start: at(10, 0),
            duration_minutes: Some(20),
            external: None,
            day: clinic.day,
            visit_type: "Follow-up".into(),
            code: crate::domain::CheckInCode::from_random(99),
            needs: Default::default(),
        };
        let scheduled = clinic.run(book, at(9, 0));
        assert_eq!(fold(&mut live, scheduled), vec![Applied::Folded]);
        let check_in = Command::CheckIn {
            visit: open.clone(),
            identity_confirmed: false,
        };
        let checked_in = clinic.run(check_in, at(23, 59));
        assert!(fold(&mut live, checked_in)
            .iter()
            .all(|a| *a == Applied::Folded));
        let undo = Command::Undo {
            visit: Some(cancelled.clone()),
            room: None,
            reason: "wrong patient".into(),
        };
        let reopened = clinic.run_as("ma-lee", undo, at(23, 59)).unwrap();
        assert_eq!(fold(&mut live, reopened), vec![Applied::NotHeld]);
    }

    #[test]
    fn a_screen_left_on_forgets_the_days_that_closed() {
        use crate::domain::testing::TestClinic;
        let mut clinic = TestClinic::new();
        let (open, finished) = (clinic.appointment_at(9, 0), clinic.appointment_at(9, 10));
        clinic.check_in_at(&finished, 9, 0);
        let room = crate::domain::RoomId::parse("exam-1").unwrap();
        clinic.see_in(&finished, &room, 9, 5);
        let mut live = LiveClinic::new();
        live.state = clinic.state.clone();
        let midnight = crate::domain::testing::at(0, 0);
        live.forget_closed_days(clinic.day, midnight);
        assert_eq!(live.state, clinic.state, "all of today");
        let next_midnight = midnight + chrono::Duration::days(1);
        live.forget_closed_days(clinic.day.succ_opt().unwrap(), next_midnight);
        assert_eq!(live.state.visits.keys().collect::<Vec<_>>(), vec![&open]);
        let history = &live.state.rooms[&room].history;
        assert_eq!(
            history.len(),
            1,
            "only the state the room starts the day in"
        );
    }
}

#[cfg(test)]
mod access_tests {
    use super::*;

    #[test]
    fn locking_forgets_the_clinic_state_but_keeps_its_name() {
        let mut live = LiveClinic::new();
        live.seq = 42;
        live.state.last_ticket = Some((chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 7));
        live.deny(Access::SignInRequired);
        assert_eq!(
            (live.seq, live.state.clone(), live.access),
            (0, ClinicState::default(), Access::SignInRequired)
        );
    }
}
