//! What needs the charge nurse's attention now: waits and rooms past the clinic's thresholds,
//! abnormal vitals, kiosk identity failures, locked-out staff. Each alert has a key that names
//! the problem and the moment it began, so acknowledging it (audited, in the event log) covers
//! this occurrence only: the same room dirty again tomorrow is a new alert.

use super::{ClinicState, RoomId, RoomState, Stamped, Timed, Visit, VisitId, VisitState};
use crate::config::Thresholds;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Waiting to be roomed past the red threshold.
    LongWait,
    /// Ready for the provider past its threshold.
    ProviderWait,
    /// The whole visit (arrival to now) past its threshold.
    LongVisit,
    /// A room waiting for cleaning past its threshold.
    DirtyRoom,
    /// A room in cleaning past its threshold.
    LongCleaning,
    /// Vitals the assistant confirmed as abnormal, on a visit still open.
    AbnormalVitals,
    /// The kiosk could not confirm who the patient is; staff must check them in.
    IdentityCheck,
    /// A staff member locked out after wrong PINs.
    LockedOut,
}

impl AlertKind {
    /// The snake_case name ("dirty_room"), as in alert keys and the JSON.
    pub fn key(self) -> String {
        let name = serde_json::to_value(self).expect("alert kinds serialize");
        name.as_str().unwrap_or_default().to_string()
    }
}

/// What an alert is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum AlertSubject {
    Visit(VisitId),
    Room(RoomId),
    /// A staff member, by staff id.
    Staff(super::StaffId),
}

/// A staff account locked after wrong PINs, as the hub reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedStaff {
    pub id: super::StaffId,
    pub name: String,
    /// When the lockout began.
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// "long_wait:v-17:1772438400": kind, subject and when the problem began.
    pub key: String,
    pub kind: AlertKind,
    pub subject: AlertSubject,
    /// When the problem began (the wait, the dirty room, the vitals): "how long" counts from here.
    pub since: DateTime<Utc>,
    /// Who acknowledged it and when, if anyone did.
    pub acknowledged: Option<Stamped<()>>,
}

/// Every alert open at `now` for the clinic day `today`: unacknowledged first, then the oldest
/// problem first.
pub fn alerts(
    state: &ClinicState,
    thresholds: &Thresholds,
    locked: &[LockedStaff],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let mut found: Vec<(AlertKind, AlertSubject, DateTime<Utc>)> = Vec::new();
    let open = state
        .visits
        .values()
        .filter(|v| v.day == today && !v.state.is_closed());
    for visit in open {
        let subject = || AlertSubject::Visit(visit.id.clone());
        found.extend(
            visit_alerts(visit, thresholds, now).map(|(kind, since)| (kind, subject(), since)),
        );
    }
    for room in state.rooms.values() {
        let Some(since) = state.room_timer_since(&room.id) else {
            continue;
        };
        let kind = match room.state {
            RoomState::NeedsCleaning if Timed::NeedsCleaning.is_red(since, now, thresholds) => {
                AlertKind::DirtyRoom
            }
            RoomState::Cleaning if Timed::Cleaning.is_red(since, now, thresholds) => {
                AlertKind::LongCleaning
            }
            _ => continue,
        };
        found.push((kind, AlertSubject::Room(room.id.clone()), since));
    }
    for member in locked.iter().filter(|m| m.until > now) {
        found.push((
            AlertKind::LockedOut,
            AlertSubject::Staff(member.id.clone()),
            member.since,
        ));
    }
    let mut alerts: Vec<Alert> = found
        .into_iter()
        .map(|(kind, subject, since)| {
            let key = alert_key(kind, &subject, since);
            Alert {
                acknowledged: state.acknowledged.get(&key).cloned(),
                key,
                kind,
                subject,
                since,
            }
        })
        .collect();
    alerts.sort_by_key(|a| (a.acknowledged.is_some(), a.since, a.kind));
    alerts
}

fn visit_alerts(
    visit: &Visit,
    thresholds: &Thresholds,
    now: DateTime<Utc>,
) -> impl Iterator<Item = (AlertKind, DateTime<Utc>)> {
    let since = visit.since();
    let arrived = visit.arrived_at();
    [
        (visit.state == VisitState::Arrived)
            .then_some(arrived)
            .flatten()
            .filter(|at| Timed::Waiting.is_red(*at, now, thresholds))
            .map(|at| (AlertKind::LongWait, at)),
        (visit.state == VisitState::ReadyForProvider)
            .then_some(since)
            .flatten()
            .filter(|at| Timed::ReadyForProvider.is_red(*at, now, thresholds))
            .map(|at| (AlertKind::ProviderWait, at)),
        arrived
            .filter(|at| Timed::WholeVisit.is_red(*at, now, thresholds))
            .map(|at| (AlertKind::LongVisit, at)),
        (!visit.abnormal.is_empty())
            .then_some(visit.vitals_at)
            .flatten()
            .map(|at| (AlertKind::AbnormalVitals, at)),
        (visit.state == VisitState::Scheduled)
            .then_some(visit.identity_flagged)
            .flatten()
            .map(|at| (AlertKind::IdentityCheck, at)),
    ]
    .into_iter()
    .flatten()
}

/// The key an acknowledgement names.
pub fn alert_key(kind: AlertKind, subject: &AlertSubject, since: DateTime<Utc>) -> String {
    let subject = match subject {
        AlertSubject::Visit(visit) => visit.to_string(),
        AlertSubject::Room(room) => room.to_string(),
        AlertSubject::Staff(staff) => staff.to_string(),
    };
    format!("{}:{subject}:{}", kind.key(), since.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{at, TestClinic};
    use crate::domain::{Command, Measure, RoomId, Vitals};

    fn kinds(alerts: &[Alert]) -> Vec<AlertKind> {
        alerts.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn a_wait_becomes_an_alert_at_the_red_threshold_not_before() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 9, 0);
        let t = Thresholds::default();
        let at_29 = alerts(&clinic.state, &t, &[], clinic.day, at(9, 29));
        let at_30 = alerts(&clinic.state, &t, &[], clinic.day, at(9, 30));
        assert_eq!(kinds(&at_29), vec![]);
        assert_eq!(kinds(&at_30), vec![AlertKind::LongWait]);
        assert_eq!(at_30[0].since, at(9, 0));
        assert_eq!(at_30[0].subject, AlertSubject::Visit(visit));
    }

    #[test]
    fn rooms_waiting_for_cleaning_abnormal_vitals_identity_failures_and_lockouts_all_alert() {
        let mut clinic = TestClinic::new();
        let t = Thresholds::default();
        let exam = RoomId::parse("exam-1").unwrap();
        let sick = clinic.appointment_at(9, 0);
        clinic.check_in_at(&sick, 9, 0);
        clinic.run(
            Command::RoomPatient {
                visit: sick.clone(),
                room: exam.clone(),
            },
            at(9, 5),
        );
        let vitals = Vitals {
            spo2_percent: Some(88.0),
            ..Vitals::default()
        };
        let record = Command::RecordVitals {
            visit: sick.clone(),
            vitals,
            confirm_abnormal: true,
            ready_for_provider: false,
        };
        clinic.run(record, at(9, 10));
        let done = clinic.appointment_at(8, 0);
        clinic.check_in_at(&done, 8, 0);
        let other = RoomId::parse("exam-2").unwrap();
        clinic.run(
            Command::RoomPatient {
                visit: done.clone(),
                room: other.clone(),
            },
            at(8, 5),
        );
        clinic.run(Command::FinishVisit { visit: done }, at(9, 0));
        let unsure = clinic.appointment_at(9, 30);
        clinic.run(
            Command::FlagIdentityCheck {
                visit: unsure.clone(),
            },
            at(9, 12),
        );
        let locked = [LockedStaff {
            id: crate::domain::StaffId::parse("s-lee").unwrap(),
            name: "M. Lee".into(),
            since: at(9, 14),
            until: at(9, 30),
        }];

        let found = alerts(&clinic.state, &t, &locked, clinic.day, at(9, 15));

        assert_eq!(
            kinds(&found),
            vec![
                AlertKind::DirtyRoom,
                AlertKind::AbnormalVitals,
                AlertKind::IdentityCheck,
                AlertKind::LockedOut
            ]
        );
        assert_eq!(found[0].subject, AlertSubject::Room(other));
        assert!(clinic.state.visits[&sick]
            .abnormal
            .iter()
            .any(|a| a.measure == Measure::Spo2));
        // The lock ran out: no alert any more.
        let later = alerts(&clinic.state, &t, &locked, clinic.day, at(9, 31));
        assert!(!kinds(&later).contains(&AlertKind::LockedOut));
    }

    #[test]
    fn an_acknowledged_alert_goes_to_the_end_and_a_new_occurrence_alerts_again() {
        let mut clinic = TestClinic::new();
        let t = Thresholds::default();
        let exam = RoomId::parse("exam-1").unwrap();
        let first = clinic.appointment_at(8, 0);
        clinic.check_in_at(&first, 8, 0);
        clinic.run(
            Command::RoomPatient {
                visit: first.clone(),
                room: exam.clone(),
            },
            at(8, 0),
        );
        clinic.run(Command::FinishVisit { visit: first }, at(8, 30));
        let waiting = clinic.appointment_at(8, 45);
        clinic.check_in_at(&waiting, 8, 45);
        let before = alerts(&clinic.state, &t, &[], clinic.day, at(9, 20));
        assert_eq!(
            kinds(&before),
            vec![AlertKind::DirtyRoom, AlertKind::LongWait]
        );

        let acknowledge = Command::AcknowledgeAlert {
            alert: before[0].key.clone(),
        };
        clinic
            .run_as("rn-diaz", acknowledge.clone(), at(9, 21))
            .unwrap();
        assert_eq!(
            clinic.run_as("rn-diaz", acknowledge, at(9, 22)).unwrap(),
            vec![],
            "twice is harmless"
        );
        let after = alerts(&clinic.state, &t, &[], clinic.day, at(9, 22));
        assert_eq!(
            kinds(&after),
            vec![AlertKind::LongWait, AlertKind::DirtyRoom]
        );
        assert_eq!(
            after[1]
                .acknowledged
                .as_ref()
                .and_then(|a| a.by.as_ref().map(crate::domain::StaffId::as_str)),
            Some("rn-diaz")
        );

        clinic.run(Command::StartCleaning { room: exam.clone() }, at(9, 23));
        clinic.run(
            Command::RoomReady {
                room: exam.clone(),
                thorough: false,
                override_reason: None,
            },
            at(9, 25),
        );
        clinic.run(
            Command::RoomPatient {
                visit: waiting.clone(),
                room: exam.clone(),
            },
            at(9, 26),
        );
        clinic.run(Command::FinishVisit { visit: waiting }, at(9, 40));
        let again = alerts(&clinic.state, &t, &[], clinic.day, at(9, 55));
        assert_eq!(kinds(&again), vec![AlertKind::DirtyRoom]);
        assert_eq!(again[0].acknowledged, None);
    }
}
