//! The demo clinic: "Demo Family Practice", seeded into an empty database around the moment it
//! first starts, so that whenever someone tries it the day is under way — early visits finished,
//! patients with providers, in rooms and waiting, rooms in every state, most visits still to come.

use super::hub::Hub;
use crate::config::{ClinicConfig, ProviderConfig, RoomConfig, StaffConfig};
use crate::domain::{
    rooms_for, Command, Needs, Patient, Precaution, Precautions, ProviderId, RoomId, VisitId,
    VisitState,
};
use crate::store::Actor;
use chrono::{DateTime, Duration, DurationRound, NaiveDate, Utc};

const PATIENTS: [(&str, &str); 40] = [
    ("Maria", "Garcia"),
    ("James", "Whitfield"),
    ("Aiko", "Tanaka"),
    ("Samuel", "Osei"),
    ("Lucia", "Moreno"),
    ("Henry", "Lindqvist"),
    ("Fatima", "Rahman"),
    ("George", "Papadakis"),
    ("Nadia", "Kowalski"),
    ("Omar", "Haddad"),
    ("Grace", "Mbeki"),
    ("Victor", "Almeida"),
    ("Hannah", "Becker"),
    ("Tomás", "Ruiz"),
    ("Ruth", "Abernathy"),
    ("Kwame", "Asante"),
    ("Elena", "Petrova"),
    ("David", "Cohen"),
    ("Mei", "Lin"),
    ("Patrick", "O'Connell"),
    ("Amara", "Nwosu"),
    ("Lars", "Eriksen"),
    ("Sofia", "Rossi"),
    ("Daniel", "Kim"),
    ("Ingrid", "Halvorsen"),
    ("Jorge", "Castillo"),
    ("Priya", "Desai"),
    ("Walter", "Brennan"),
    ("Yusuf", "Demir"),
    ("Clara", "Dubois"),
    ("Tariq", "Aziz"),
    ("Beatriz", "Santos"),
    ("Noah", "Fischer"),
    ("Leila", "Karimi"),
    ("Arthur", "Pemberton"),
    ("Zanele", "Dlamini"),
    ("Ivan", "Horvat"),
    ("Rosa", "Delgado"),
    ("Felix", "Wagner"),
    ("Anika", "Sharma"),
];
const VISIT_TYPES: [&str; 5] = [
    "Follow-up",
    "Annual physical",
    "Sick visit",
    "New patient",
    "Medication review",
];

/// The demo clinic's configuration, used by `--demo` when no config file is given.
pub fn config() -> ClinicConfig {
    let rooms = (1..=10)
        .map(|n| RoomConfig {
            id: format!("exam-{n}"),
            name: format!("Exam {n}"),
            pod: if n <= 5 { "North" } else { "South" }.into(),
            // Exam 10 is the clinic's airborne-isolation room: more air changes, a shorter hold.
            air_changes_per_hour: (n == 10).then_some(12),
        })
        .collect();
    let provider = |id: &str, name: &str, pod: &str| ProviderConfig {
        id: id.into(),
        name: name.into(),
        pod: pod.into(),
    };
    let staff = |id: &str, name: &str, role: &str| StaffConfig {
        id: id.into(),
        name: name.into(),
        role: role.into(),
    };
    ClinicConfig {
        name: "Demo Family Practice".into(),
        rooms,
        providers: vec![
            provider("dr-okafor", "Dr. Amara Okafor", "North"),
            provider("dr-brooks", "Dr. Daniel Brooks", "South"),
            provider("np-nair", "Priya Nair, NP", "North"),
        ],
        staff: vec![
            staff("ma-lee", "Michelle Lee", "assistant"),
            staff("ma-santos", "Rafael Santos", "assistant"),
            staff("ma-chen", "Wendy Chen", "assistant"),
            staff("ma-jones", "Tyrone Jones", "assistant"),
            staff("rn-walsh", "Kathleen Walsh", "charge_nurse"),
            staff("fd-patel", "Nisha Patel", "front_desk"),
            staff("admin", "Alex Morgan", "admin"),
            // A provider account's id is its provider's: its `/provider` screen lists theirs.
            staff("dr-okafor", "Dr. Amara Okafor", "provider"),
        ],
        ..ClinicConfig::default()
    }
}

/// The demo staff's PINs, printed by `cargo xtask serve`: each is the member's position in the
/// demo staff list repeated six times (111111, 222222, …; the admin's is 999999).
pub fn pin_for(staff: &str) -> String {
    let position = config()
        .staff
        .iter()
        .position(|member| member.id == staff)
        .map_or(9, |p| p + 1);
    let digit = if staff == "admin" { 9 } else { position };
    digit.to_string().repeat(6)
}

/// Some demo patients need an interpreter, a wheelchair or isolation, as in any clinic.
fn demo_needs(index: usize) -> Needs {
    Needs {
        interpreter: (index % 5 == 2).then(|| "Spanish".to_string()),
        wheelchair: index % 9 == 4,
        // Mostly contact precautions; now and then a patient with a suspected airborne illness.
        isolation: match index % 14 {
            3 => Precautions::from_iter([Precaution::Contact]),
            10 => Precautions::from_iter([Precaution::Airborne]),
            _ => Precautions::default(),
        },
    }
}

/// One step of a demo visit, at the time it happened.
struct Step {
    at: DateTime<Utc>,
    visit: VisitId,
    action: Action,
}

enum Action {
    CheckIn,
    Room,
    Advance(fn(VisitId) -> Command),
    StartCleaning,
    RoomReady,
    NoShow,
    Cancel,
}

/// Seeds the demo day into an empty clinic; does nothing if any visit exists already, so
/// restarting on the same file neither re-seeds nor duplicates.
pub async fn seed(hub: &Hub) -> Result<(), super::hub::HubError> {
    // The store, not memory: memory holds the open days only.
    let seeded = hub.from_store(|store| store.has_visits()).await;
    if seeded.map_err(|error| {
        tracing::error!(%error, "could not tell whether the demo day is there");
        super::hub::HubError::NotSaved
    })? {
        return Ok(());
    }
    let seeder = Actor {
        actor: "demo".into(),
        device: "hub".into(),
        staff: None,
    };
    let now = hub
        .clock()
        .utc()
        .duration_trunc(Duration::minutes(1))
        .expect("minute truncation");
    let day_start = (now - Duration::hours(3))
        .duration_trunc(Duration::minutes(15))
        .expect("quarter-hour truncation");
    // Rooms and providers were set up before opening, so today's history starts this morning.
    let opening = day_start - Duration::hours(1);
    super::apply_config(hub, Some(opening)).await.map_err(|e| {
        tracing::error!(%e, "demo configuration refused");
        super::hub::HubError::NotSaved
    })?;
    let providers: Vec<ProviderId> = hub.read(|state, _| state.providers.keys().cloned().collect());
    if providers.is_empty() {
        return Ok(());
    }
    let mut steps = Vec::new();
    for (index, (first, last)) in PATIENTS.iter().enumerate() {
        // 40 appointments, one every 13½ minutes, fill a 9-hour day.
        let start = day_start + Duration::seconds(index as i64 * 810);
        let (visit, code) = super::fresh_visit_ids();
        let patient = Patient {
            first_name: first.to_string(),
            last_name: last.to_string(),
            date_of_birth: Some(birth_date(index)),
        };
        let command = Command::ScheduleAppointment {
            visit: visit.clone(),
            patient,
            provider: providers[index % providers.len()].clone(),
            start,
            duration_minutes: Some(20),
            external: None,
            day: hub.clock().day_of(start),
            visit_type: VISIT_TYPES[index % VISIT_TYPES.len()].into(),
            code,
            needs: demo_needs(index),
        };
        hub.execute_at(command, seeder.clone(), Some(opening))
            .await?;
        steps.extend(plan(index, visit, start));
    }
    steps.retain(|step| step.at <= now);
    steps.sort_by_key(|step| step.at);
    // A clinic of a fair size has one room out of service, as real ones do.
    let last_room = hub.read(|state, _| {
        (state.rooms.len() >= 4)
            .then(|| state.rooms_in_order().last().map(|r| r.id.clone()))
            .flatten()
    });
    if let Some(room) = last_room {
        let repair = Command::TakeOutOfService {
            room,
            reason: "Exam table being repaired".into(),
        };
        hub.execute_at(repair, seeder.clone(), Some(day_start))
            .await?;
    }
    for step in steps {
        let Some(command) = command_for(hub, &step) else {
            continue;
        };
        if let Err(refusal) = hub.execute_at(command, seeder.clone(), Some(step.at)).await {
            // A step can no longer apply (say, no room was free): the visit simply stays where it is.
            tracing::debug!(%refusal, "demo step skipped");
        }
    }
    register_walk_in(hub, &seeder, now).await
}

/// The realistic course of visit `index` starting at `start`; a few are no-shows or cancelled.
fn plan(index: usize, visit: VisitId, start: DateTime<Utc>) -> Vec<Step> {
    let minutes = |m: i64| start + Duration::minutes(m);
    let step = |at, action| Step {
        at,
        visit: visit.clone(),
        action,
    };
    match index {
        2 | 17 => return vec![step(minutes(30), Action::NoShow)],
        5 => return vec![step(minutes(-120), Action::Cancel)],
        _ => {}
    }
    // Some come early, some a little late; visits vary in length.
    let arrival = [-12, -6, -3, 2, 14][index % 5];
    let length = [20, 28, 35, 24, 40][index % 5];
    vec![
        step(minutes(arrival), Action::CheckIn),
        step(minutes(arrival.max(0) + 6), Action::Room),
        step(
            minutes(arrival.max(0) + 13),
            Action::Advance(|visit| Command::ReadyForProvider { visit }),
        ),
        step(
            minutes(arrival.max(0) + 19),
            Action::Advance(|visit| Command::ProviderIn { visit }),
        ),
        step(
            minutes(arrival.max(0) + 19 + length),
            Action::Advance(|visit| Command::FinishVisit { visit }),
        ),
        step(minutes(arrival.max(0) + 25 + length), Action::StartCleaning),
        step(minutes(arrival.max(0) + 33 + length), Action::RoomReady),
    ]
}

fn command_for(hub: &Hub, step: &Step) -> Option<Command> {
    let visit = step.visit.clone();
    Some(match &step.action {
        Action::CheckIn => Command::CheckIn {
            visit,
            identity_confirmed: false,
        },
        Action::Room => Command::RoomPatient {
            room: best_ready_room(hub, &visit)?,
            visit,
        },
        Action::Advance(make) => make(visit),
        Action::StartCleaning => Command::StartCleaning {
            room: last_room(hub, &visit)?,
        },
        Action::RoomReady => Command::RoomReady {
            room: last_room(hub, &visit)?,
            thorough: true,
            override_reason: None,
        },
        Action::NoShow => Command::MarkNoShow {
            visit,
            grace_minutes: 0,
        },
        Action::Cancel => Command::CancelVisit {
            visit,
            reason: String::new(),
        },
    })
}

/// The room the tablet would suggest for this visit (`domain::rooms_for`), if one is ready.
fn best_ready_room(hub: &Hub, visit: &VisitId) -> Option<RoomId> {
    hub.read(|state, _| {
        let visit = state.visits.get(visit)?;
        rooms_for(state, visit).first().map(|room| room.id.clone())
    })
}

/// The room this visit last occupied, if the visit is finished and the room still its.
fn last_room(hub: &Hub, visit: &VisitId) -> Option<RoomId> {
    hub.read(|state, _| {
        let finished = state
            .visits
            .get(visit)
            .is_some_and(|v| v.state == VisitState::Finished);
        let room = state
            .rooms
            .values()
            .find(|room| room.last_visit.as_ref() == Some(visit))?;
        finished.then(|| room.id.clone())
    })
}

async fn register_walk_in(
    hub: &Hub,
    seeder: &Actor,
    now: DateTime<Utc>,
) -> Result<(), super::hub::HubError> {
    let Some(provider) = hub.read(|state, _| state.providers.keys().next().cloned()) else {
        return Ok(());
    };
    let (visit, code) = super::fresh_visit_ids();
    let patient = Patient {
        first_name: "Oscar".into(),
        last_name: "Lindgren".into(),
        date_of_birth: Some(birth_date(41)),
    };
    let walk_in = Command::RegisterWalkIn {
        visit,
        patient,
        provider,
        visit_type: "Sick visit".into(),
        code,
        needs: Needs::default(),
    };
    hub.execute_at(walk_in, seeder.clone(), Some(now - Duration::minutes(9)))
        .await
        .map(|_| ())
}

/// Fictional but plausible birth dates, 1938 to 2019.
fn birth_date(index: usize) -> NaiveDate {
    let index = index as i32;
    NaiveDate::from_ymd_opt(
        1938 + (index * 37) % 82,
        1 + (index * 5 % 12) as u32,
        1 + (index * 11 % 28) as u32,
    )
    .expect("valid demo birth date")
}
