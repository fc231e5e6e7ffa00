//! Self check-in rules (lobby kiosk and the patient's phone): when a code may check in, how a
//! typed date of birth and last name are compared, and the wait a patient is told. Staff at the
//! front desk check patients in with `Command::CheckIn` directly and are not bound by these.

use super::{rooming_queue, ClinicState, Now, QueueFilter, QueueRules, Visit, VisitId, VisitState};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// Wrong dates of birth for one appointment count against it for this long.
pub const IDENTITY_WINDOW: Duration = Duration::hours(1);

/// The clinic's self check-in policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KioskRules {
    /// Wrong dates of birth allowed (within [`IDENTITY_WINDOW`]) before the visit is flagged
    /// for staff.
    pub identity_tries: u32,
    /// Check-in opens this long before the appointment; earlier is `too_early`.
    pub opens_before: Duration,
    /// Arriving more than this after the appointment is late.
    pub late_after: Duration,
    /// Late patients are sent to the front desk instead of being checked in (and flagged).
    pub late_to_front_desk: bool,
}

/// What self check-in does with a visit whose code (and identity) checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KioskDecision {
    /// Check in now; `late` arrivals are checked in and show as late in the queue.
    CheckIn {
        late: bool,
    },
    AlreadyCheckedIn,
    TooEarly {
        opens_at: DateTime<Utc>,
    },
    /// Late, and the clinic wants late patients at the desk.
    LateToFrontDesk,
    WrongDay {
        day: NaiveDate,
    },
    Cancelled,
    /// Anything staff must sort out: identity check failed, visit closed.
    SeeFrontDesk,
}

/// What self check-in does with a code that names `visit`, given the date of birth typed so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfCheckIn {
    /// Ask for the date of birth before saying anything about the visit.
    ConfirmIdentity,
    /// The date of birth does not match: record it (`Command::WrongDateOfBirth`). `tries_left`
    /// after this one; none left means this try flags the visit and the patient sees the desk.
    WrongDateOfBirth { tries_left: u32 },
    /// Identity settled (or not needed): what to do.
    Decided(KioskDecision),
}

/// The whole self check-in decision: the kiosk's rules and, when the answer would reveal or
/// change the visit and `identity_required` (always on a phone), the date of birth.
pub fn self_check_in(
    visit: &Visit,
    date_of_birth: Option<NaiveDate>,
    identity_required: bool,
    now: Now,
    rules: &KioskRules,
) -> SelfCheckIn {
    let decision = kiosk_decision(visit, now, rules);
    let reveals = matches!(
        decision,
        KioskDecision::CheckIn { .. } | KioskDecision::AlreadyCheckedIn
    );
    if !(reveals && identity_required) {
        return SelfCheckIn::Decided(decision);
    }
    match date_of_birth {
        None => SelfCheckIn::ConfirmIdentity,
        Some(born) if visit.patient.date_of_birth != Some(born) => SelfCheckIn::WrongDateOfBirth {
            tries_left: identity_tries_left(visit, now.at, rules.identity_tries).saturating_sub(1),
        },
        Some(_) => SelfCheckIn::Decided(decision),
    }
}

/// Wrong dates of birth still allowed for `visit` at `at`, before the next one.
pub fn identity_tries_left(visit: &Visit, at: DateTime<Utc>, allowed: u32) -> u32 {
    let recent = visit
        .identity_misses
        .iter()
        .filter(|missed| at - **missed < IDENTITY_WINDOW)
        .count() as u32;
    allowed.max(1).saturating_sub(recent)
}

pub fn kiosk_decision(visit: &Visit, now: Now, rules: &KioskRules) -> KioskDecision {
    if visit.identity_flagged.is_some() {
        return KioskDecision::SeeFrontDesk;
    }
    match visit.state {
        VisitState::Scheduled => {}
        VisitState::Cancelled => return KioskDecision::Cancelled,
        state if state.is_closed() => return KioskDecision::SeeFrontDesk,
        _ => return KioskDecision::AlreadyCheckedIn,
    }
    if visit.day != now.clinic_day {
        return KioskDecision::WrongDay { day: visit.day };
    }
    let Some(start) = visit.appointment else {
        return KioskDecision::CheckIn { late: false };
    };
    if now.at < start - rules.opens_before {
        return KioskDecision::TooEarly {
            opens_at: start - rules.opens_before,
        };
    }
    let late = now.at > start + rules.late_after;
    if late && rules.late_to_front_desk {
        return KioskDecision::LateToFrontDesk;
    }
    KioskDecision::CheckIn { late }
}

/// A last name as compared at the kiosk: case, accents, spaces, hyphens and apostrophes do
/// not matter ("García-López" finds "garcia lopez").
pub fn name_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(fold_accent)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        other => other,
    }
}

/// Today's visits that self check-in could still act on whose patient has this last name and
/// date of birth, by appointment time.
pub fn find_todays_visits<'s>(
    state: &'s ClinicState,
    last_name: &str,
    date_of_birth: NaiveDate,
    today: NaiveDate,
) -> Vec<&'s Visit> {
    let key = name_key(last_name);
    if key.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<&Visit> = state
        .visits
        .values()
        .filter(|visit| visit.day == today && visit.code.is_some())
        .filter(|visit| !visit.state.is_closed())
        .filter(|visit| visit.patient.date_of_birth == Some(date_of_birth))
        .filter(|visit| name_key(&visit.patient.last_name) == key)
        .collect();
    found.sort_by_key(|visit| (visit.appointment, visit.id.clone()));
    found
}

/// The order a date of birth is typed in, per language (`MM/DD/YYYY` or `DD/MM/YYYY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    MonthDayYear,
    DayMonthYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateEntryError {
    #[error("the date needs 8 digits")]
    Incomplete,
    #[error("that is not a date")]
    NotADate,
    #[error("a date of birth cannot be in the future or before 1900")]
    OutOfRange,
}

/// The 8 digits typed on the kiosk's keypad as a date of birth.
pub fn date_from_digits(
    digits: &str,
    order: DateOrder,
    today: NaiveDate,
) -> Result<NaiveDate, DateEntryError> {
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateEntryError::Incomplete);
    }
    let number = |range: std::ops::Range<usize>| digits[range].parse::<u32>().unwrap_or(0);
    let (first, second, year) = (number(0..2), number(2..4), number(4..8));
    let (month, day) = match order {
        DateOrder::MonthDayYear => (first, second),
        DateOrder::DayMonthYear => (second, first),
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(DateEntryError::NotADate)?;
    if date > today || date.year() < 1900 {
        return Err(DateEntryError::OutOfRange);
    }
    Ok(date)
}

/// What a patient who just checked in is told about their wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitEstimate {
    /// Patients ahead of them in the rooming queue.
    pub ahead: u32,
    /// Rounded up to 5 minutes.
    pub minutes: u32,
}

/// Minutes per rooming when the clinic has not roomed enough patients in the last hour to tell.
const DEFAULT_PACE_MINUTES: i64 = 6;

/// The wait for `visit`: its place in the live rooming queue times the pace at which patients
/// were roomed over the last hour (between 2 and 20 minutes each; 6 when fewer than two were).
pub fn estimated_wait(
    state: &ClinicState,
    visit: &VisitId,
    rules: &QueueRules,
    now: DateTime<Utc>,
) -> Option<WaitEstimate> {
    let day = state.visits.get(visit)?.day;
    let queue = rooming_queue(state, rules, &QueueFilter::on(day));
    let ahead = queue.iter().position(|v| v.id == *visit)? as i64;
    let hour_ago = now - Duration::hours(1);
    let roomed = state
        .visits
        .values()
        .filter_map(|v| v.entered(VisitState::Roomed))
        .filter(|at| *at > hour_ago && *at <= now)
        .count() as i64;
    let pace = if roomed >= 2 {
        (60 / roomed).clamp(2, 20)
    } else {
        DEFAULT_PACE_MINUTES
    };
    let minutes = ((ahead + 1) * pace + 4) / 5 * 5;
    Some(WaitEstimate {
        ahead: ahead as u32,
        minutes: minutes as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Command, RoomId};
    use super::*;

    fn rules() -> KioskRules {
        KioskRules {
            identity_tries: 3,
            opens_before: Duration::minutes(60),
            late_after: Duration::minutes(10),
            late_to_front_desk: false,
        }
    }

    #[test]
    fn the_third_wrong_date_of_birth_within_an_hour_flags_the_visit() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(10, 0);
        let born = clinic.state.visits[&visit].patient.date_of_birth;
        let wrong = NaiveDate::from_ymd_opt(1901, 1, 1);
        let decide = |clinic: &TestClinic, typed, minute| {
            let found = &clinic.state.visits[&visit];
            self_check_in(found, typed, true, clinic.now(at(9, minute)), &rules())
        };
        assert_eq!(decide(&clinic, None, 30), SelfCheckIn::ConfirmIdentity);
        let missed = Command::WrongDateOfBirth {
            visit: visit.clone(),
            tries_allowed: 3,
        };
        for (minute, left) in [(30, 2), (31, 1)] {
            assert_eq!(
                decide(&clinic, wrong, minute),
                SelfCheckIn::WrongDateOfBirth { tries_left: left }
            );
            clinic.run(missed.clone(), at(9, minute));
            assert!(clinic.state.visits[&visit].identity_flagged.is_none());
        }
        assert_eq!(
            decide(&clinic, wrong, 32),
            SelfCheckIn::WrongDateOfBirth { tries_left: 0 }
        );
        let events = clinic.run(missed, at(9, 32));
        assert_eq!(events.len(), 2, "the last try also flags: {events:?}");
        assert_eq!(
            decide(&clinic, born, 33),
            SelfCheckIn::Decided(KioskDecision::SeeFrontDesk)
        );
    }

    #[test]
    fn wrong_dates_of_birth_older_than_an_hour_no_longer_count() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(10, 0);
        let missed = Command::WrongDateOfBirth {
            visit: visit.clone(),
            tries_allowed: 3,
        };
        clinic.run(missed.clone(), at(8, 0));
        clinic.run(missed, at(8, 1));
        let found = &clinic.state.visits[&visit];
        assert_eq!(identity_tries_left(found, at(8, 30), 3), 1);
        assert_eq!(identity_tries_left(found, at(9, 1), 3), 3);
    }

    #[test]
    fn check_in_opens_an_hour_before_and_late_arrivals_are_flagged_or_sent_to_the_desk() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(10, 0);
        let decide = |clinic: &TestClinic, h, m, rules: &KioskRules| {
            kiosk_decision(&clinic.state.visits[&visit], clinic.now(at(h, m)), rules)
        };
        assert_eq!(
            decide(&clinic, 8, 59, &rules()),
            KioskDecision::TooEarly { opens_at: at(9, 0) }
        );
        assert_eq!(
            decide(&clinic, 9, 0, &rules()),
            KioskDecision::CheckIn { late: false }
        );
        assert_eq!(
            decide(&clinic, 10, 10, &rules()),
            KioskDecision::CheckIn { late: false }
        );
        assert_eq!(
            decide(&clinic, 10, 11, &rules()),
            KioskDecision::CheckIn { late: true }
        );
        let strict = KioskRules {
            late_to_front_desk: true,
            ..rules()
        };
        assert_eq!(
            decide(&clinic, 10, 11, &strict),
            KioskDecision::LateToFrontDesk
        );
        clinic.check_in_at(&visit, 9, 30);
        assert_eq!(
            decide(&clinic, 9, 31, &rules()),
            KioskDecision::AlreadyCheckedIn
        );
    }

    #[test]
    fn other_days_cancelled_closed_and_flagged_visits_do_not_check_in() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(10, 0);
        let tomorrow = Now {
            at: at(10, 0) + Duration::days(1),
            clinic_day: clinic.day.succ_opt().unwrap(),
            by: None,
        };
        assert_eq!(
            kiosk_decision(&clinic.state.visits[&visit], tomorrow, &rules()),
            KioskDecision::WrongDay { day: clinic.day }
        );
        let flagged = clinic.appointment_at(10, 0);
        clinic.run(
            Command::FlagIdentityCheck {
                visit: flagged.clone(),
            },
            at(9, 30),
        );
        let now = clinic.now(at(9, 30));
        assert_eq!(
            kiosk_decision(&clinic.state.visits[&flagged], now, &rules()),
            KioskDecision::SeeFrontDesk
        );
        clinic.run(
            Command::CancelVisit {
                visit: visit.clone(),
                reason: String::new(),
            },
            at(9, 0),
        );
        assert_eq!(
            kiosk_decision(&clinic.state.visits[&visit], now, &rules()),
            KioskDecision::Cancelled
        );
    }

    #[test]
    fn last_names_match_whatever_the_case_accents_and_punctuation() {
        assert_eq!(name_key("García-López"), name_key("garcia lopez"));
        assert_eq!(name_key("O'Brien"), name_key("OBRIEN"));
        assert_ne!(name_key("Garcia"), name_key("Garza"));
        let mut clinic = TestClinic::new();
        let first = clinic.appointment_at(11, 0);
        let second = clinic.appointment_at(9, 0);
        let born = clinic.patient().date_of_birth.unwrap();
        let found = find_todays_visits(&clinic.state, " GARCÍA ", born, clinic.day);
        let ids: Vec<_> = found.iter().map(|v| v.id.clone()).collect();
        assert_eq!(ids, vec![second, first]);
        let other_birthday = born.succ_opt().unwrap();
        assert!(find_todays_visits(&clinic.state, "Garcia", other_birthday, clinic.day).is_empty());
        assert!(find_todays_visits(&clinic.state, "", born, clinic.day).is_empty());
    }

    #[test]
    fn typed_dates_of_birth_follow_the_language_order_and_must_be_real() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let april_first = NaiveDate::from_ymd_opt(1950, 4, 1).unwrap();
        assert_eq!(
            date_from_digits("04011950", DateOrder::MonthDayYear, today),
            Ok(april_first)
        );
        assert_eq!(
            date_from_digits("01041950", DateOrder::DayMonthYear, today),
            Ok(april_first)
        );
        assert_eq!(
            date_from_digits("0401195", DateOrder::MonthDayYear, today),
            Err(DateEntryError::Incomplete)
        );
        assert_eq!(
            date_from_digits("02301990", DateOrder::MonthDayYear, today),
            Err(DateEntryError::NotADate)
        );
        assert_eq!(
            date_from_digits("01012030", DateOrder::MonthDayYear, today),
            Err(DateEntryError::OutOfRange)
        );
        assert_eq!(
            date_from_digits("01011899", DateOrder::MonthDayYear, today),
            Err(DateEntryError::OutOfRange)
        );
    }

    #[test]
    fn the_wait_counts_the_patients_ahead_at_the_last_hours_pace() {
        let mut clinic = TestClinic::new();
        let first = clinic.appointment_at(9, 0);
        let second = clinic.appointment_at(9, 15);
        clinic.check_in_at(&first, 8, 55);
        clinic.check_in_at(&second, 9, 0);
        let rules = QueueRules::default();
        let wait = estimated_wait(&clinic.state, &second, &rules, at(9, 0)).unwrap();
        // Nobody roomed yet: the default pace, 6 minutes each for 2 patients, rounded up to 15.
        assert_eq!(
            wait,
            WaitEstimate {
                ahead: 1,
                minutes: 15
            }
        );
        // Three roomed within the last hour: 20 minutes each.
        for n in 1..=3 {
            let visit = clinic.appointment_at(8, 0);
            clinic.check_in_at(&visit, 8, 0);
            let room = RoomId::parse(&format!("exam-{n}")).unwrap();
            clinic.run(Command::RoomPatient { visit, room }, at(8, 30));
        }
        let wait = estimated_wait(&clinic.state, &first, &rules, at(9, 0)).unwrap();
        assert_eq!(
            wait,
            WaitEstimate {
                ahead: 0,
                minutes: 20
            }
        );
        assert_eq!(
            estimated_wait(
                &clinic.state,
                &VisitId::parse("v-none").unwrap(),
                &rules,
                at(9, 0)
            ),
            None
        );
    }
}
