//! A room as the floor and the overview show it: its state (or its patient's step), who is in
//! it, who roomed them, a timer coloured by the domain's levels, and the steps the domain
//! offers next.

use crate::config::Thresholds;
use crate::domain::{
    room_next_steps, shown_room_state, ClinicState, Hold, HoldReason, NextStep, Precautions, Room,
    RoomState, ShownRoom, Ticket, Timed, Visit, VisitState,
};
use crate::sync::use_live_clinic;
use crate::ui::common::{minutes_between, timer_class, use_now};
use chrono::{DateTime, Utc};
use dioxus::prelude::*;

/// A room as the board shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomCard {
    pub room: Room,
    pub occupant: Option<Visit>,
    pub provider: Option<String>,
    /// The room's last patient was in isolation: it needs the stronger clean.
    pub isolation: bool,
    /// The precautions that patient was on (named on the card while the room is turned over).
    pub precautions: Precautions,
    /// The room is held empty until then: its air clearing after an airborne patient.
    pub air_clear_at: Option<DateTime<Utc>>,
    /// Who roomed the patient in it ("M. Lee").
    pub roomed_by: Option<String>,
    /// A ready room held for the patient called to it: their ticket.
    pub held_for: Option<Ticket>,
    /// What the domain offers next for this room.
    pub steps: Vec<NextStep>,
}

/// A ready room as a stale copy shows it.
pub const UNCONFIRMED: &str = "Ready when last seen: not confirmed";

impl RoomCard {
    pub fn of(state: &ClinicState, room: &Room, now: DateTime<Utc>) -> RoomCard {
        let occupant = state.occupant(&room.id).cloned();
        let provider = occupant
            .as_ref()
            .and_then(|visit| state.providers.get(&visit.provider))
            .map(|p| p.name.clone());
        let isolation = state.needs_isolation_clean(&room.id);
        let precautions = room
            .last_visit
            .as_ref()
            .and_then(|visit| state.visits.get(visit))
            .map(|visit| visit.needs.isolation.clone())
            .unwrap_or_default();
        let roomed_by = occupant
            .as_ref()
            .and_then(|visit| visit.moved_by(VisitState::Roomed))
            .map(|staff| state.staff_name(staff));
        let held_for = state.called_to(&room.id).and_then(|visit| visit.ticket);
        RoomCard {
            room: room.clone(),
            occupant,
            provider,
            isolation,
            precautions,
            air_clear_at: state.air_clear_at(&room.id),
            roomed_by,
            held_for,
            steps: room_next_steps(state, &room.id, now),
        }
    }
}

impl RoomCard {
    /// Every room's card, grouped by pod, in the clinic's room order.
    pub fn by_pod(state: &ClinicState, now: DateTime<Utc>) -> Vec<(String, Vec<RoomCard>)> {
        let mut pods: Vec<(String, Vec<RoomCard>)> = Vec::new();
        for room in state.rooms_in_order() {
            let card = RoomCard::of(state, room, now);
            match pods.last_mut() {
                Some((pod, cards)) if *pod == room.pod => cards.push(card),
                _ => pods.push((room.pod.clone(), vec![card])),
            }
        }
        pods
    }

    /// What the card's clock-driven parts read from it.
    pub fn clock(&self) -> CardClock {
        CardClock {
            since: self
                .occupant
                .as_ref()
                .and_then(|v| v.since())
                .or(self.room.since()),
            air_clear_at: self.air_clear_at,
            occupied: self.occupant.is_some(),
            timed: timed(self),
        }
    }

    /// The isolation flag while the patient is in the room or it is turned over
    /// ("Isolation: airborne").
    pub fn isolation_flag(&self) -> Option<String> {
        let in_use = self.room.state != RoomState::Ready;
        (in_use && !self.precautions.is_empty()).then(|| self.precautions.label())
    }

    /// The state's style key and status as a screen shows them: from a stale copy a room last
    /// known ready is "Ready when last seen", never shown (or offered) as ready.
    pub fn shown(&self, stale: bool) -> (&'static str, String) {
        match shown_room_state(&self.room.state, stale) {
            ShownRoom::ReadyUnconfirmed => ("unconfirmed", UNCONFIRMED.to_string()),
            ShownRoom::Ready | ShownRoom::AsKnown => (self.room.state.key(), self.status()),
        }
    }

    /// "Ready for provider", "Out of service: broken light", "Needs cleaning"…
    pub fn status(&self) -> String {
        let state = &self.room.state;
        match state {
            RoomState::Occupied => self
                .occupant
                .as_ref()
                .map_or(state.label(), |visit| occupied_label(visit.state))
                .to_string(),
            RoomState::OutOfService { reason } => format!("Out of service: {reason}"),
            RoomState::Ready => match self.held_for {
                Some(ticket) => format!("Held for {ticket}"),
                None => state.label().to_string(),
            },
            RoomState::NeedsCleaning | RoomState::Cleaning => state.label().to_string(),
        }
    }
}

/// Every room's card by pod, worked out again only when the rooms may show something else
/// (the copy's rooms mark, read in a memo; the copy itself is peeked): a check-in or a desk
/// step for a waiting patient leaves the cards as they are and nothing that shows them
/// renders again.
pub fn use_room_cards() -> Memo<Vec<(String, Vec<RoomCard>)>> {
    let live = use_live_clinic();
    let mark = use_memo(move || live.read().rooms_mark);
    use_memo(move || {
        mark();
        RoomCard::by_pod(&live.peek().state, Utc::now())
    })
}

/// A card's parts that move with the clock, as a screen shows them now.
#[derive(Debug, Clone, PartialEq)]
pub struct CardNow {
    pub minutes: i64,
    /// The timer's colour class.
    pub timer: &'static str,
    /// "Air clearing: 42 min left".
    pub air_hold: Option<String>,
    /// What the domain offers next for the room.
    pub steps: Vec<NextStep>,
}

/// `card`'s timer, air hold and steps on the screen's clock. The clock ticks over the card's
/// few times (`CardClock`), not the card or the clinic: a second costs next to nothing, and the
/// card renders again only when what it shows changes. Once an air hold has ended the domain
/// offers other steps, and nothing else renders the screen at that moment: only then is the
/// clinic asked again.
pub fn use_card_now(card: &RoomCard, thresholds: &Thresholds) -> CardNow {
    let live = use_live_clinic();
    let now = use_now();
    let (clock, thresholds) = (card.clock(), thresholds.clone());
    let ticking = use_memo(use_reactive!(|clock, thresholds| {
        let now = now();
        (
            clock.timer(&thresholds, now),
            clock.air_hold(now),
            clock.hold_ended(now),
        )
    }));
    let ((minutes, timer), air_hold, hold_ended) = ticking();
    let steps = if hold_ended {
        room_next_steps(&live.read().state, &card.room.id, *now.peek())
    } else {
        card.steps.clone()
    };
    CardNow {
        minutes,
        timer,
        air_hold,
        steps,
    }
}

/// What a card's timer and air hold read, small and copied: a screen's clock ticks over this,
/// not over the card (its room's history, its patient) or the clinic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CardClock {
    /// Since when the timer counts: the visit's step when occupied, else the room's state.
    since: Option<DateTime<Utc>>,
    air_clear_at: Option<DateTime<Utc>>,
    occupied: bool,
    timed: Option<Timed>,
}

impl CardClock {
    /// The timer's minutes and its colour class by the clinic's thresholds.
    pub fn timer(&self, thresholds: &Thresholds, now: DateTime<Utc>) -> (i64, &'static str) {
        let minutes = self.since.map_or(0, |at| minutes_between(at, now));
        // The air hold is not a slow turnover: amber and red count from its end.
        let counted = match (self.occupied, self.air_clear_at) {
            (false, Some(clear)) => self
                .since
                .map_or(0, |at| minutes_between(at.max(clear), now).max(0)),
            _ => minutes,
        };
        let class = self
            .timed
            .map_or("timer", |timed| timer_class(timed, counted, thresholds));
        (minutes, class)
    }

    /// "Air clearing: 42 min left" while the room is held empty after an airborne patient.
    pub fn air_hold(&self, now: DateTime<Utc>) -> Option<String> {
        let until = self.air_clear_at.filter(|until| *until > now)?;
        let minutes = Hold {
            reason: HoldReason::AirClearance,
            until,
        }
        .minutes_left(now);
        Some(format!("Air clearing: {minutes} min left"))
    }

    /// The air hold the card's steps were worked out during has ended: the domain offers other
    /// steps now.
    pub fn hold_ended(&self, now: DateTime<Utc>) -> bool {
        self.air_clear_at.is_some_and(|until| until <= now)
    }
}

/// Amber/red rules for a room's timer: its visit's step when occupied, else its own state.
fn timed(card: &RoomCard) -> Option<Timed> {
    match &card.room.state {
        RoomState::NeedsCleaning => Some(Timed::NeedsCleaning),
        RoomState::Cleaning => Some(Timed::Cleaning),
        RoomState::Occupied => card
            .occupant
            .as_ref()
            .filter(|v| v.state == VisitState::ReadyForProvider)
            .map(|_| Timed::ReadyForProvider),
        RoomState::Ready | RoomState::OutOfService { .. } => None,
    }
}

/// An occupied room's status: its patient's step.
fn occupied_label(state: VisitState) -> &'static str {
    match state {
        VisitState::Roomed => "Roomed",
        VisitState::ReadyForProvider => "Ready for provider",
        VisitState::WithProvider => "With provider",
        VisitState::Scheduled
        | VisitState::Arrived
        | VisitState::Finished
        | VisitState::Cancelled
        | VisitState::NoShow
        | VisitState::LeftWithoutBeingSeen => "Occupied",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::properties::{command, ROOMS, VISITS};
    use crate::domain::testing::*;
    use crate::domain::{
        apply, Command, Needs, Patient, Precaution, Precautions, RoomId, VisitId, Vitals,
    };
    use chrono::Duration;
    use proptest::prelude::*;

    /// The property tests' commands, and the ones that reach a room from a waiting patient or
    /// an occupant's chart: a call, no answer, vitals, a corrected name.
    fn any_command(kind: u8, visit: &VisitId, room: &RoomId, clinic: &TestClinic) -> Command {
        let (visit, room) = (visit.clone(), room.clone());
        match kind {
            13 => Command::CallPatient { visit, room },
            14 => Command::NoAnswer { visit },
            15 => Command::RecordVitals {
                visit,
                vitals: Vitals {
                    heart_rate_per_min: Some(72.0),
                    ..Vitals::default()
                },
                confirm_abnormal: false,
                ready_for_provider: false,
            },
            16 => Command::CorrectPatient {
                visit,
                patient: Patient {
                    first_name: "Mara".into(),
                    ..clinic.patient()
                },
            },
            kind => command(kind, &visit, &room),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn an_event_no_room_shows_leaves_every_card_as_it_was(
            steps in prop::collection::vec((0u8..17, 0..VISITS, 0..ROOMS, -5i64..30), 1..120)
        ) {
            let mut clinic = TestClinic::new();
            let airborne = Needs {
                isolation: Precautions::from_iter([Precaution::Airborne]),
                ..Needs::default()
            };
            let mut visits: Vec<VisitId> =
                (1..VISITS).map(|i| clinic.appointment_at(9, i as u32 * 10)).collect();
            visits.push(clinic.appointment_needing(airborne, 9, 0));
            let rooms: Vec<RoomId> = clinic.state.rooms.keys().cloned().collect();
            let mut clock = at(8, 30);
            for (kind, visit, room, minutes) in steps {
                clock += Duration::minutes(minutes);
                let command = any_command(kind, &visits[visit], &rooms[room], &clinic);
                let Ok(events) = apply(&clinic.state, &command, clinic.now(clock)) else {
                    continue;
                };
                for event in &events {
                    let cards = RoomCard::by_pod(&clinic.state, clock);
                    let reached = clinic.state.event_reaches_rooms(event);
                    clinic.state.apply_event(event);
                    if !reached && !clinic.state.event_reaches_rooms(event) {
                        prop_assert_eq!(
                            &cards,
                            &RoomCard::by_pod(&clinic.state, clock),
                            "{:?} changed a room card but reaches no room",
                            event
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_check_in_reaches_no_room_and_rooming_does() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        let room = clinic.state.rooms.keys().next().cloned().unwrap();
        let check_in = Command::CheckIn {
            visit: visit.clone(),
            identity_confirmed: false,
        };
        let events = apply(&clinic.state, &check_in, clinic.now(at(8, 55))).unwrap();
        assert!(events.iter().all(|e| !clinic.state.event_reaches_rooms(e)));
        clinic.check_in_at(&visit, 8, 55);
        let rooming = Command::RoomPatient { visit, room };
        let events = apply(&clinic.state, &rooming, clinic.now(at(9, 0))).unwrap();
        assert!(events.iter().any(|e| clinic.state.event_reaches_rooms(e)));
    }
}
