//! The outbox: steps made while the hub could not be reached, kept in the screen's local store
//! and sent in order, each under its own `Idempotency-Key`, when the hub is back. Only steps
//! [`crate::domain::may_wait_offline`] allows wait here. A step the hub refuses is kept, with
//! the hub's reason, until its person has read it; one older than
//! [`crate::domain::OUTBOX_EXPIRY_MINUTES`] is not sent by itself: its person confirms or
//! discards it.

use crate::domain::{outbox_expired, Command, StaffId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One step waiting to be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiting {
    /// Its `Idempotency-Key`, the same for every try.
    pub key: String,
    pub command: Command,
    /// Who made it: sent only while they are the one signed in.
    pub by: StaffId,
    pub made: DateTime<Utc>,
    /// What the list calls it ("Vitals for Ana R.").
    pub label: String,
    /// Its person said to send it although it waited past the expiry.
    #[serde(default)]
    pub confirmed: bool,
}

/// A step the hub refused, shown loudly until its person dismisses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub step: Waiting,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outbox {
    pub waiting: Vec<Waiting>,
    pub refused: Vec<Refused>,
}

/// What to do with the step at the head of the outbox.
#[derive(Debug, Clone, PartialEq)]
pub enum Next<'a> {
    Send(&'a Waiting),
    /// The head has waited too long: nothing is sent (the order matters, vitals before "ready
    /// for provider") until its person confirms or discards it.
    Ask(&'a Waiting),
    Nothing,
}

impl Outbox {
    pub fn push(&mut self, step: Waiting) {
        self.waiting.push(step);
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty() && self.refused.is_empty()
    }

    /// The next step `me` may send at `now`. Steps by someone else (signed in before on this
    /// tablet) wait for them.
    pub fn next(&self, me: &StaffId, now: DateTime<Utc>) -> Next<'_> {
        match self.waiting.iter().find(|w| &w.by == me) {
            None => Next::Nothing,
            Some(step) if !step.confirmed && outbox_expired(step.made, now) => Next::Ask(step),
            Some(step) => Next::Send(step),
        }
    }

    /// The hub took `key` (the first time or as a repeat).
    pub fn sent(&mut self, key: &str) {
        self.waiting.retain(|w| w.key != key);
    }

    /// The hub refused `key`: it leaves the queue and is shown with `reason`.
    pub fn refused(&mut self, key: &str, reason: String) {
        if let Some(index) = self.waiting.iter().position(|w| w.key == key) {
            let step = self.waiting.remove(index);
            self.refused.push(Refused { step, reason });
        }
    }

    /// Its person says to send an expired step after all.
    pub fn confirm(&mut self, key: &str) {
        for step in self.waiting.iter_mut().filter(|w| w.key == key) {
            step.confirmed = true;
        }
    }

    /// Its person drops a waiting step, or dismisses a refusal they have read.
    pub fn discard(&mut self, key: &str) {
        self.waiting.retain(|w| w.key != key);
        self.refused.retain(|r| r.step.key != key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{at, TestClinic};
    use crate::domain::{
        execute, may_wait_offline, shown_room_state, Event, Now, RoomId, RoomState, SequencedEvent,
        ShownRoom, VisitId, VisitState, Vitals,
    };
    use crate::sync::{Connection, LiveClinic};
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// The hub as the outbox sees it: the clinic, its event log, and each key's first answer.
    struct Hub {
        clinic: TestClinic,
        log: Vec<SequencedEvent>,
        kept: HashMap<String, usize>,
    }

    impl Hub {
        fn take(
            &mut self,
            key: Option<&str>,
            command: &Command,
            by: &str,
            when: DateTime<Utc>,
        ) -> Result<(), String> {
            if let Some(key) = key {
                if self.kept.contains_key(key) {
                    return Ok(());
                }
            }
            let by = StaffId::parse(by).unwrap();
            let now = Now {
                by: Some(&by),
                ..self.clinic.now(when)
            };
            let events =
                execute(&mut self.clinic.state, command, now).map_err(|e| e.to_string())?;
            if let Some(key) = key {
                self.kept.insert(key.to_string(), events.len());
            }
            for event in events {
                let seq = self.log.len() as u64 + 1;
                self.log.push(SequencedEvent { seq, event });
            }
            Ok(())
        }
    }

    #[derive(Debug, Clone)]
    enum Move {
        /// The network drops or comes back.
        Network(bool),
        /// The stream delivers the hub's next event to the tablet.
        Deliver,
        /// Another assistant rooms the next waiting patient somewhere (claims a ready room).
        Elsewhere,
        /// Lee records vitals, or marks ready for provider, for the patient she roomed.
        Step(bool),
        /// The tablet tries to send its outbox's head; the request or only the answer may be
        /// lost.
        Send {
            request_lost: bool,
            answer_lost: bool,
        },
        /// Minutes pass.
        Wait(i64),
    }

    fn moves() -> impl Strategy<Value = Vec<Move>> {
        let one = prop_oneof![
            any::<bool>().prop_map(Move::Network),
            Just(Move::Deliver),
            Just(Move::Elsewhere),
            any::<bool>().prop_map(Move::Step),
            (any::<bool>(), any::<bool>()).prop_map(|(request_lost, answer_lost)| Move::Send {
                request_lost,
                answer_lost
            }),
            (1i64..6).prop_map(Move::Wait),
        ];
        proptest::collection::vec(one, 1..80)
    }

    proptest! {
        #[test]
        fn each_step_takes_effect_once_and_a_stale_copy_never_shows_a_room_ready(moves in moves()) {
            let mut clinic = TestClinic::new();
            let lee_room = RoomId::parse("exam-1").unwrap();
            let mine = clinic.appointment_at(9, 0);
            clinic.check_in_at(&mine, 8, 50);
            clinic.run_as("ma-lee", Command::RoomPatient { visit: mine.clone(), room: lee_room }, at(8, 55)).unwrap();
            let others: Vec<VisitId> = (0..4).map(|n| {
                let visit = clinic.appointment_at(9, 10 + n);
                clinic.check_in_at(&visit, 9, 0);
                visit
            }).collect();
            let mut tablet = LiveClinic::new();
            tablet.state = clinic.state.clone();
            tablet.connection = Connection::Live;
            let mut hub = Hub { clinic, log: Vec::new(), kept: HashMap::new() };
            let lee = StaffId::parse("ma-lee").unwrap();
            let mut outbox = Outbox::default();
            let (mut online, mut delivered, mut now, mut made) = (true, 0usize, at(9, 0), 0usize);
            let mut next_other = others.iter();
            for step in moves {
                match step {
                    Move::Network(up) => {
                        online = up;
                        if !up { tablet.disconnected(now) } else { tablet.heard_from_hub(now) }
                    }
                    Move::Deliver if online && delivered < hub.log.len() => {
                        tablet.apply(&hub.log[delivered], now);
                        delivered += 1;
                    }
                    Move::Deliver => {}
                    Move::Elsewhere => {
                        let ready = hub.clinic.state.rooms.values().find(|r| r.state == RoomState::Ready).map(|r| r.id.clone());
                        if let (Some(room), Some(visit)) = (ready, next_other.next()) {
                            let _ = hub.take(None, &Command::RoomPatient { visit: visit.clone(), room }, "mk-lee", now);
                        }
                    }
                    Move::Step(vitals) => {
                        let command = match vitals {
                            true => Command::RecordVitals { visit: mine.clone(), vitals: Vitals { heart_rate_per_min: Some(72.0), ..Vitals::default() }, confirm_abnormal: false, ready_for_provider: false },
                            false => Command::ReadyForProvider { visit: mine.clone() },
                        };
                        if may_wait_offline(&tablet.state, &command, &lee) {
                            made += 1;
                            outbox.push(Waiting { key: format!("k{made}"), command, by: lee.clone(), made: now, label: String::new(), confirmed: false });
                        }
                    }
                    Move::Send { request_lost, answer_lost } => {
                        let Next::Send(head) = outbox.next(&lee, now) else {
                            if let Next::Ask(head) = outbox.next(&lee, now) {
                                let key = head.key.clone();
                                outbox.confirm(&key);
                            }
                            continue;
                        };
                        if !online || request_lost {
                            continue;
                        }
                        let (key, command) = (head.key.clone(), head.command.clone());
                        let answer = hub.take(Some(&key), &command, "ma-lee", now);
                        if answer_lost {
                            continue;
                        }
                        match answer {
                            Ok(()) => outbox.sent(&key),
                            Err(reason) => outbox.refused(&key, reason),
                        }
                    }
                    Move::Wait(minutes) => now += chrono::Duration::minutes(minutes),
                }
                let stale = !matches!(tablet.connection, Connection::Live);
                for room in tablet.state.rooms.values() {
                    let shown = shown_room_state(&room.state, stale);
                    prop_assert!(!(stale && shown == ShownRoom::Ready), "a stale copy showed {} ready", room.id);
                }
            }
            // The hub back for good: the outbox drains, expired steps confirmed by their person.
            tablet.heard_from_hub(now);
            for _ in 0..=2 * made {
                let key = match outbox.next(&lee, now) {
                    Next::Nothing => break,
                    Next::Ask(head) => { let key = head.key.clone(); outbox.confirm(&key); continue; }
                    Next::Send(head) => head.key.clone(),
                };
                let command = outbox.waiting.iter().find(|w| w.key == key).unwrap().command.clone();
                match hub.take(Some(&key), &command, "ma-lee", now) {
                    Ok(()) => outbox.sent(&key),
                    Err(reason) => outbox.refused(&key, reason),
                }
            }
            prop_assert!(outbox.waiting.is_empty(), "{:?}", outbox.waiting);
            for n in 1..=made {
                let key = format!("k{n}");
                let refused = outbox.refused.iter().any(|r| r.step.key == key);
                prop_assert!(hub.kept.contains_key(&key) != refused, "{key}: taken once, or refused and shown");
            }
            // Each step took effect once: never more events than steps, however often it was
            // sent and its answer lost.
            let vitals = hub.log.iter().filter(|e| e.event.kind() == "vitals_recorded").count();
            let ready = hub.log.iter().filter(|e| matches!(e.event, Event::VisitAdvanced { to: VisitState::ReadyForProvider, .. })).count();
            prop_assert!(vitals + ready <= made);
            prop_assert!(ready <= 1, "ready for provider applied {ready} times");
        }
    }
}
