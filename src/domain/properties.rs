//! Property tests over random command sequences: the invariants every screen relies on hold
//! after any sequence of accepted and rejected commands.

use super::testing::*;
use super::*;
use chrono::Duration;
use proptest::prelude::*;

pub(crate) const VISITS: usize = 6;
pub(crate) const ROOMS: usize = 3;

fn command_strategy() -> impl Strategy<Value = (u8, usize, usize)> {
    (0u8..13, 0..VISITS, 0..ROOMS)
}

pub(crate) fn command(kind: u8, visit: &VisitId, room: &RoomId) -> Command {
    let (visit, room) = (visit.clone(), room.clone());
    match kind {
        0 => Command::CheckIn {
            visit,
            identity_confirmed: false,
        },
        1 => Command::RoomPatient { visit, room },
        2 => Command::ReadyForProvider { visit },
        3 => Command::ProviderIn { visit },
        4 => Command::FinishVisit { visit },
        5 => Command::StartCleaning { room },
        6 => Command::RoomReady {
            room,
            thorough: false,
            override_reason: None,
        },
        7 => Command::TakeOutOfService {
            room,
            reason: "sink broken".into(),
        },
        8 => Command::ReturnToService { room },
        9 => Command::LeftWithoutBeingSeen { visit },
        10 => Command::CancelVisit {
            visit,
            reason: "called, rebooking".into(),
        },
        11 => Command::MarkNoShow {
            visit,
            grace_minutes: 0,
        },
        _ => Command::SetPriority {
            visit,
            priority: Priority::Urgent,
            reason: "pain".into(),
        },
    }
}

fn assert_invariants(state: &ClinicState) -> Result<(), TestCaseError> {
    for room in state.rooms.values() {
        let inside: Vec<_> = state
            .visits
            .values()
            .filter(|v| v.state.is_in_room() && v.room.as_ref() == Some(&room.id))
            .collect();
        prop_assert!(
            inside.len() <= 1,
            "{} holds {} visits",
            room.id,
            inside.len()
        );
        prop_assert_eq!(
            inside.len() == 1,
            room.state == RoomState::Occupied,
            "{} occupancy disagrees with its state",
            room.id
        );
        prop_assert!(
            room.history.windows(2).all(|w| w[0].at <= w[1].at),
            "{} history runs backwards",
            room.id
        );
    }
    for visit in state.visits.values() {
        let holding = state
            .rooms
            .values()
            .filter(|r| state.occupant(&r.id).map(|v| &v.id) == Some(&visit.id))
            .count();
        prop_assert!(holding <= 1, "{} is in {} rooms", visit.id, holding);
        prop_assert_eq!(holding == 1, visit.state.is_in_room());
        prop_assert!(
            visit.history.windows(2).all(|w| w[0].at <= w[1].at),
            "{} history runs backwards",
            visit.id
        );
        prop_assert_eq!(visit.history.last().map(|s| s.state), Some(visit.state));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn invariants_hold_after_any_sequence_of_commands(
        steps in prop::collection::vec((command_strategy(), -5i64..30), 1..120)
    ) {
        let mut clinic = TestClinic::new();
        let visits: Vec<VisitId> = (0..VISITS).map(|i| clinic.appointment_at(9, i as u32 * 10)).collect();
        let rooms: Vec<RoomId> = clinic.state.rooms.keys().cloned().collect();
        // The clock may step back a little (negative minutes) as a real one can after NTP.
        let mut clock = at(8, 30);
        for ((kind, visit, room), minutes) in steps {
            clock += Duration::minutes(minutes);
            let command = command(kind, &visits[visit], &rooms[room]);
            let before = clinic.state.clone();
            let now = clinic.now(clock);
            match execute(&mut clinic.state, &command, now) {
                Ok(events) => {
                    let mut replayed = before.clone();
                    events.iter().for_each(|e| replayed.apply_event(e));
                    prop_assert_eq!(&replayed, &clinic.state, "folding the events reproduces the state");
                    for visibility in [Visibility::TicketOnly, Visibility::FirstNameLastInitial] {
                        let mut public = before.redacted(visibility);
                        events.iter().for_each(|e| public.apply_event(&e.redacted(visibility)));
                        prop_assert_eq!(&public, &clinic.state.redacted(visibility), "a public copy folds as the hub's does");
                    }
                }
                Err(_) => prop_assert_eq!(&before, &clinic.state, "a rejected command changed the state"),
            }
            assert_invariants(&clinic.state)?;
            for room in &rooms {
                let taken = apply(&clinic.state, &Command::RoomPatient { visit: visits[0].clone(), room: room.clone() }, clinic.now(clock));
                if clinic.state.rooms[room].state != RoomState::Ready {
                    prop_assert!(taken.is_err(), "a room that is not ready took a patient");
                }
            }
        }
    }

    #[test]
    fn events_survive_a_json_round_trip(minutes in 0i64..600) {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        let events = clinic.run(Command::CheckIn { visit, identity_confirmed: false }, at(8, 0) + Duration::minutes(minutes));
        for event in events {
            let json = serde_json::to_string(&event).unwrap();
            prop_assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
        }
    }
}

#[test]
fn checking_in_twice_is_harmless() {
    let mut clinic = TestClinic::new();
    let visit = clinic.appointment_at(9, 0);
    clinic.check_in_at(&visit, 8, 50);
    let ticket = clinic.state.visits[&visit].ticket;
    let again = clinic.run(
        Command::CheckIn {
            visit: visit.clone(),
            identity_confirmed: false,
        },
        at(8, 52),
    );
    assert!(again.is_empty());
    assert_eq!(clinic.state.visits[&visit].ticket, ticket);
    assert_eq!(ticket.map(|t| t.to_string()), Some("A-1".into()));
}

#[test]
fn a_whole_visit_ends_with_the_room_turned_over() {
    let mut clinic = TestClinic::new();
    let visit = clinic.appointment_at(9, 0);
    let room = RoomId::parse("exam-2").unwrap();
    clinic.check_in_at(&visit, 8, 55);
    clinic.run(
        Command::RoomPatient {
            visit: visit.clone(),
            room: room.clone(),
        },
        at(9, 5),
    );
    clinic.run(
        Command::ReadyForProvider {
            visit: visit.clone(),
        },
        at(9, 12),
    );
    clinic.run(
        Command::ProviderIn {
            visit: visit.clone(),
        },
        at(9, 20),
    );
    clinic.run(
        Command::FinishVisit {
            visit: visit.clone(),
        },
        at(9, 40),
    );
    assert_eq!(clinic.state.rooms[&room].state, RoomState::NeedsCleaning);
    clinic.run(Command::StartCleaning { room: room.clone() }, at(9, 45));
    clinic.run(
        Command::RoomReady {
            room: room.clone(),
            thorough: false,
            override_reason: None,
        },
        at(9, 52),
    );
    let visit = &clinic.state.visits[&visit];
    let states: Vec<_> = visit.history.iter().map(|s| s.state).collect();
    use VisitState::*;
    assert_eq!(
        states,
        vec![
            Scheduled,
            Arrived,
            Roomed,
            ReadyForProvider,
            WithProvider,
            Finished
        ]
    );
    assert_eq!(clinic.state.rooms[&room].state, RoomState::Ready);
}

#[test]
fn an_occupied_room_refuses_a_second_patient() {
    let mut clinic = TestClinic::new();
    let (first, second) = (clinic.appointment_at(9, 0), clinic.appointment_at(9, 10));
    let room = RoomId::parse("exam-1").unwrap();
    clinic.check_in_at(&first, 8, 50);
    clinic.check_in_at(&second, 8, 51);
    clinic.run(
        Command::RoomPatient {
            visit: first.clone(),
            room: room.clone(),
        },
        at(9, 0),
    );
    let refused = apply(
        &clinic.state,
        &Command::RoomPatient {
            visit: second,
            room,
        },
        clinic.now(at(9, 0)),
    );
    assert_eq!(
        refused,
        Err(DomainError::RoomNotReady {
            room: "Exam 1".into(),
            state: "occupied",
            occupant: Some(first),
            by: None,
        })
    );
}

#[test]
fn a_code_is_refused_on_another_day() {
    let mut clinic = TestClinic::new();
    let visit = clinic.appointment_at(9, 0);
    let tomorrow = Now {
        at: at(9, 0) + Duration::days(1),
        clinic_day: clinic.day.succ_opt().unwrap(),
        by: None,
    };
    let refused = apply(
        &clinic.state,
        &Command::CheckIn {
            visit: visit.clone(),
            identity_confirmed: false,
        },
        tomorrow,
    );
    assert_eq!(
        refused,
        Err(DomainError::WrongDay {
            visit,
            day: clinic.day
        })
    );
}

#[test]
fn tickets_restart_every_day() {
    let mut clinic = TestClinic::new();
    let first = clinic.appointment_at(9, 0);
    clinic.check_in_at(&first, 8, 50);
    clinic.day = clinic.day.succ_opt().unwrap();
    let next_day = clinic.walk_in_at(9, 0);
    assert_eq!(
        clinic.state.visits[&next_day].ticket.map(|t| t.to_string()),
        Some("W-1".into())
    );
}

#[test]
fn rooms_list_by_pod_then_by_number() {
    let mut clinic = TestClinic::new();
    for n in [10, 9] {
        let room = RoomId::parse(&format!("exam-{n}")).unwrap();
        clinic.run(
            Command::AddRoom {
                room,
                name: format!("Exam {n}"),
                pod: "north".into(),
            },
            at(7, 0),
        );
    }
    let names: Vec<_> = clinic
        .state
        .rooms_in_order()
        .iter()
        .map(|r| r.name.clone())
        .collect();
    assert_eq!(
        names,
        vec!["Exam 1", "Exam 2", "Exam 3", "Exam 9", "Exam 10"]
    );
}
