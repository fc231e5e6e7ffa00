//! The front desk's rules: when an appointment may be marked a no-show, moving an appointment
//! to another time or provider, and checking a patient out with a follow-up to book.

use super::command::{find_visit, stamp_after};
use super::{
    name_key, CheckInCode, ClinicState, DomainError, Event, ProviderId, StaffId, UnknownCodeScan,
    Visit, VisitId, VisitState,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Why the kiosk or a phone sent a patient to the desk (besides a failed identity check, which
/// is its own flag on the visit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeskReason {
    /// Before check-in opened for the appointment.
    TooEarly,
    /// Late, and the clinic checks late patients in at the desk.
    Late,
    /// The appointment is on another day.
    WrongDay,
    /// The appointment was cancelled.
    Cancelled,
    /// The kiosk could not check them in for another reason (the visit is closed or flagged).
    Other,
    /// Called twice to a room and did not come.
    NoAnswer,
}

impl DeskReason {
    /// As the desk's list says it.
    pub fn label(self) -> &'static str {
        match self {
            DeskReason::TooEarly => "came before check-in opened",
            DeskReason::Late => "late: checked in at the desk",
            DeskReason::WrongDay => "appointment is on another day",
            DeskReason::Cancelled => "appointment was cancelled",
            DeskReason::Other => "the kiosk could not check them in",
            DeskReason::NoAnswer => "called twice, no answer: find them in the lobby",
        }
    }

    /// Why the kiosk sent someone over, from its decision (`None`: it did not).
    pub fn of(decision: &super::KioskDecision) -> Option<DeskReason> {
        use super::KioskDecision::*;
        match decision {
            TooEarly { .. } => Some(DeskReason::TooEarly),
            LateToFrontDesk => Some(DeskReason::Late),
            WrongDay { .. } => Some(DeskReason::WrongDay),
            Cancelled => Some(DeskReason::Cancelled),
            SeeFrontDesk => Some(DeskReason::Other),
            CheckIn { .. } | AlreadyCheckedIn => None,
        }
    }
}

/// Longest follow-up note kept at check-out.
const FOLLOW_UP_MAX: usize = 200;

/// A no-show only once the appointment time plus `grace_minutes` has passed: before that the
/// patient may still be on the way.
pub fn check_no_show(
    visit: &Visit,
    grace_minutes: u32,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    match no_show_from(visit, grace_minutes) {
        Some(after) if now < after => Err(DomainError::TooEarlyForNoShow { after }),
        _ => Ok(()),
    }
}

/// The moment from which `visit` may be marked a no-show (`None` for walk-ins).
pub fn no_show_from(visit: &Visit, grace_minutes: u32) -> Option<DateTime<Utc>> {
    Some(visit.appointment? + Duration::minutes(grace_minutes.into()))
}

/// Whether `visit` matches what the desk typed: part of the first or last name (case, accents
/// and punctuation ignored), the date of birth (`1961-07-14` or `07/14/1961`), or the check-in
/// code (as printed or scanned). An empty search matches everyone.
pub fn desk_search_matches(visit: &Visit, query: &str) -> bool {
    let query = query.trim();
    if query.is_empty() {
        return true;
    }
    let born = NaiveDate::parse_from_str(query, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(query, "%m/%d/%Y"));
    if let Ok(born) = born {
        return visit.patient.date_of_birth == Some(born);
    }
    if let Ok(code) = CheckInCode::parse(query) {
        return visit.code == Some(code);
    }
    let key = name_key(query);
    !key.is_empty()
        && (name_key(&visit.patient.first_name).contains(&key)
            || name_key(&visit.patient.last_name).contains(&key)
            || name_key(&format!(
                "{} {}",
                visit.patient.first_name, visit.patient.last_name
            ))
            .contains(&key))
}

/// Patients the kiosk or a phone sent to the desk and not yet seen there, with why and since
/// when, the longest waiting first: a failed identity check on `day` nobody checked in since,
/// or any other reason until the visit moves on or the desk marks it done.
pub fn sent_to_desk(
    state: &ClinicState,
    day: NaiveDate,
) -> Vec<(&Visit, &'static str, DateTime<Utc>)> {
    let mut sent: Vec<(&Visit, &'static str, DateTime<Utc>)> = state
        .visits
        .values()
        .filter_map(|v| {
            let identity = v
                .identity_flagged
                .filter(|_| v.day == day && v.state == VisitState::Scheduled)
                .map(|flagged| (v, "identity not confirmed at the kiosk", flagged));
            identity.or_else(|| {
                let sent = v.sent_to_desk.as_ref()?;
                Some((v, sent.state.label(), sent.at))
            })
        })
        .collect();
    sent.sort_by_key(|(_, _, since)| *since);
    sent
}

/// Unknown codes the kiosks saw on `day` (clinic-local at `offset`) that the desk has not dealt
/// with, oldest first.
pub fn unknown_codes_on(
    state: &ClinicState,
    day: NaiveDate,
    offset: chrono::FixedOffset,
) -> Vec<&UnknownCodeScan> {
    state
        .unknown_codes
        .iter()
        .filter(|scan| scan.first.with_timezone(&offset).date_naive() == day)
        .collect()
}

/// The kiosk sent the patient of `visit` to the desk; `None` when it already said so and
/// nothing happened to the visit since (a patient scanning twice).
pub(super) fn send_to_desk(
    state: &ClinicState,
    visit: &VisitId,
    reason: DeskReason,
    at: DateTime<Utc>,
) -> Result<Option<Event>, DomainError> {
    let found = find_visit(state, visit)?;
    if found
        .sent_to_desk
        .as_ref()
        .is_some_and(|sent| sent.state == reason)
    {
        return Ok(None);
    }
    Ok(Some(Event::SentToDesk {
        visit: visit.clone(),
        reason,
        at,
    }))
}

/// Where a rescheduled appointment goes: a new start, and perhaps a provider and a length.
pub(super) struct NewTime<'a> {
    pub start: DateTime<Utc>,
    pub provider: Option<&'a ProviderId>,
    pub duration_minutes: Option<u32>,
    pub day: Option<NaiveDate>,
}

pub(super) fn reschedule(
    state: &ClinicState,
    visit: &VisitId,
    to: NewTime<'_>,
    at: DateTime<Utc>,
    by: Option<StaffId>,
) -> Result<Event, DomainError> {
    let NewTime {
        start,
        provider,
        duration_minutes,
        day,
    } = to;
    let found = find_visit(state, visit)?;
    if found.state != VisitState::Scheduled || found.appointment.is_none() {
        return Err(DomainError::WrongVisitState {
            visit: visit.clone(),
            state: found.state,
            by: None,
        });
    }
    let provider = provider.unwrap_or(&found.provider);
    if !state.providers.contains_key(provider) {
        return Err(DomainError::UnknownProvider(provider.clone()));
    }
    let day = day.ok_or(DomainError::InvalidInput {
        field: "day",
        problem: "is set by the hub from the new start",
    })?;
    Ok(Event::VisitRescheduled {
        visit: visit.clone(),
        start: Some(start),
        duration_minutes,
        day,
        provider: provider.clone(),
        at: stamp_after(found.since(), at),
        by,
    })
}

/// `None` when the visit was already checked out (a second tap is harmless).
pub(super) fn check_out(
    state: &ClinicState,
    visit: &VisitId,
    follow_up: Option<&str>,
    at: DateTime<Utc>,
    by: Option<StaffId>,
) -> Result<Option<Event>, DomainError> {
    let found = find_visit(state, visit)?;
    if found.checked_out.is_some() {
        return Ok(None);
    }
    if found.state != VisitState::Finished {
        return Err(DomainError::WrongVisitState {
            visit: visit.clone(),
            state: found.state,
            by: None,
        });
    }
    let follow_up = follow_up.map(str::trim).filter(|f| !f.is_empty());
    if follow_up.is_some_and(|f| f.chars().count() > FOLLOW_UP_MAX) {
        return Err(DomainError::InvalidInput {
            field: "follow_up",
            problem: "must be at most 200 characters",
        });
    }
    Ok(Some(Event::CheckedOut {
        visit: visit.clone(),
        follow_up: follow_up.map(String::from),
        at: stamp_after(found.since(), at),
        by,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn the_desk_finds_a_patient_by_name_birth_date_or_code() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        let found = &clinic.state.visits[&visit];
        let code = found.code.unwrap().to_string();
        for query in [
            "",
            "garc",
            "GARCÍA",
            "maria g",
            "1950-04-01",
            "04/01/1950",
            &code,
        ] {
            assert!(desk_search_matches(found, query), "{query:?}");
        }
        for query in ["lee", "1950-04-02", "zzzz"] {
            assert!(!desk_search_matches(found, query), "{query:?}");
        }
    }

    #[test]
    fn a_patient_sent_over_for_coming_early_is_listed_once_until_the_desk_checks_them_in() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(11, 0);
        let early = Command::SendToDesk {
            visit: visit.clone(),
            reason: DeskReason::TooEarly,
        };
        clinic.run(early.clone(), at(8, 0));
        assert!(
            clinic.run(early, at(8, 1)).is_empty(),
            "a second scan adds nothing"
        );
        let listed = sent_to_desk(&clinic.state, clinic.day);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].1, "came before check-in opened");
        clinic.check_in_at(&visit, 8, 5);
        assert!(sent_to_desk(&clinic.state, clinic.day).is_empty());
    }

    #[test]
    fn a_failed_identity_check_sends_the_patient_to_the_desk_until_checked_in() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        let flag = Command::FlagIdentityCheck {
            visit: visit.clone(),
        };
        clinic.run(flag, at(8, 50));
        assert_eq!(sent_to_desk(&clinic.state, clinic.day).len(), 1);
        let check_in = Command::CheckIn {
            visit,
            identity_confirmed: true,
        };
        clinic.run_as("ma-lee", check_in, at(8, 52)).unwrap();
        assert!(sent_to_desk(&clinic.state, clinic.day).is_empty());
    }

    #[test]
    fn tries_at_one_kiosk_minutes_apart_are_one_person_until_the_desk_clears_them() {
        let mut clinic = TestClinic::new();
        let scan = |kiosk: &str| Command::UnknownCodeAtKiosk {
            kiosk: kiosk.into(),
        };
        clinic.run(scan("Lobby"), at(9, 0));
        clinic.run(scan("Lobby"), at(9, 2));
        clinic.run(scan("Upstairs"), at(9, 3));
        clinic.run(scan("Lobby"), at(9, 10));
        let seen: Vec<(&str, u32)> = clinic
            .state
            .unknown_codes
            .iter()
            .map(|s| (s.kiosk.as_str(), s.count))
            .collect();
        assert_eq!(seen, vec![("Lobby", 2), ("Upstairs", 1), ("Lobby", 1)]);
        let offset = chrono::FixedOffset::east_opt(0).unwrap();
        assert_eq!(unknown_codes_on(&clinic.state, clinic.day, offset).len(), 3);
        let tomorrow = clinic.day.succ_opt().unwrap();
        assert!(unknown_codes_on(&clinic.state, tomorrow, offset).is_empty());
        clinic.run(
            Command::ClearUnknownCode {
                kiosk: "Lobby".into(),
                first: at(9, 0),
            },
            at(9, 12),
        );
        assert_eq!(clinic.state.unknown_codes.len(), 2);
        // A day later the rest are gone from the state.
        clinic.run(scan("Lobby"), at(9, 20) + chrono::Duration::hours(25));
        assert_eq!(clinic.state.unknown_codes.len(), 1);
    }

    #[test]
    fn a_no_show_waits_for_the_grace_after_the_appointment() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        let no_show = Command::MarkNoShow {
            visit: visit.clone(),
            grace_minutes: 15,
        };
        let early = apply(&clinic.state, &no_show, clinic.now(at(9, 10)));
        assert!(matches!(early, Err(DomainError::TooEarlyForNoShow { .. })));
        clinic.run(no_show, at(9, 15));
        assert_eq!(clinic.state.visits[&visit].state, VisitState::NoShow);
    }

    #[test]
    fn a_rescheduled_code_is_valid_on_the_new_day_only() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        let tomorrow = clinic.day.succ_opt().unwrap();
        clinic.run(
            Command::Reschedule {
                visit: visit.clone(),
                start: at(10, 0) + chrono::Duration::days(1),
                provider: None,
                duration_minutes: None,
                day: Some(tomorrow),
            },
            at(8, 0),
        );
        let today = apply(
            &clinic.state,
            &Command::CheckIn {
                visit: visit.clone(),
                identity_confirmed: false,
            },
            clinic.now(at(9, 0)),
        );
        assert_eq!(
            today,
            Err(DomainError::WrongDay {
                visit,
                day: tomorrow
            })
        );
    }

    #[test]
    fn desk_check_in_clears_a_failed_identity_check_and_names_who_confirmed() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.run(
            Command::FlagIdentityCheck {
                visit: visit.clone(),
            },
            at(8, 50),
        );
        let check_in = Command::CheckIn {
            visit: visit.clone(),
            identity_confirmed: true,
        };
        assert!(matches!(
            apply(&clinic.state, &check_in, clinic.now(at(8, 52))),
            Err(DomainError::InvalidInput { .. })
        ));
        clinic.run_as("ma-lee", check_in, at(8, 52)).unwrap();
        let checked = &clinic.state.visits[&visit];
        assert_eq!(checked.identity_flagged, None);
        assert_eq!(checked.state, VisitState::Arrived);
        let confirmed = checked.identity_confirmed.as_ref().unwrap();
        assert_eq!(confirmed.by.as_ref().map(|s| s.as_str()), Some("ma-lee"));
    }

    #[test]
    fn only_a_finished_visit_checks_out_and_twice_is_harmless() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        let out = Command::CheckOut {
            visit: visit.clone(),
            follow_up: Some("  in 2 weeks with Dr. A ".into()),
        };
        assert!(apply(&clinic.state, &out, clinic.now(at(9, 0))).is_err());
        clinic.check_in_at(&visit, 8, 55);
        let room = RoomId::parse("exam-1").unwrap();
        clinic.run(
            Command::RoomPatient {
                visit: visit.clone(),
                room,
            },
            at(9, 0),
        );
        clinic.run(
            Command::FinishVisit {
                visit: visit.clone(),
            },
            at(9, 30),
        );
        clinic.run(out.clone(), at(9, 35));
        assert!(clinic.run(out, at(9, 36)).is_empty());
        let done = &clinic.state.visits[&visit];
        assert_eq!(done.follow_up.as_deref(), Some("in 2 weeks with Dr. A"));
        assert_eq!(done.checked_out.as_ref().map(|c| c.at), Some(at(9, 35)));
    }
}
