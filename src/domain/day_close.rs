//! Closing the clinic's day: what is still open when the day ends (or when the charge nurse
//! asks), so nothing is carried over silently. A past day's unresolved visits stay listed, with
//! their day, until someone resolves them; they never wait in a later day's queue.

use super::{ClinicState, Room, RoomState, Visit, VisitId, VisitState};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use std::ops::Range;

/// What the close-out list shows for the days up to and including `through`.
#[derive(Debug, Default)]
pub struct CloseOut<'s> {
    /// Checked in and not finished: each to resolve as finished or left without being seen.
    pub open: Vec<&'s Visit>,
    /// Appointments that never arrived: to mark as no-shows, after review.
    pub never_arrived: Vec<&'s Visit>,
    /// Rooms still occupied, dirty or being cleaned.
    pub rooms: Vec<&'s Room>,
}

impl CloseOut<'_> {
    pub fn is_empty(&self) -> bool {
        self.open.is_empty() && self.never_arrived.is_empty() && self.rooms.is_empty()
    }
}

/// The close-out list of every day up to `through`; rooms are listed only with `rooms`
/// (their state is the clinic's now, not a day's).
pub fn close_out(state: &ClinicState, through: NaiveDate, rooms: bool) -> CloseOut<'_> {
    let mut open: Vec<&Visit> = Vec::new();
    let mut never_arrived: Vec<&Visit> = Vec::new();
    for visit in state.visits.values().filter(|v| v.day <= through) {
        match visit.state {
            VisitState::Scheduled => never_arrived.push(visit),
            VisitState::Arrived
            | VisitState::Roomed
            | VisitState::ReadyForProvider
            | VisitState::WithProvider => open.push(visit),
            _ => {}
        }
    }
    let by_day_and_time = |v: &&Visit| (v.day, v.appointment, v.id.clone());
    open.sort_by_key(by_day_and_time);
    never_arrived.sort_by_key(by_day_and_time);
    let rooms = if rooms {
        state
            .rooms_in_order()
            .into_iter()
            .filter(|room| {
                matches!(
                    room.state,
                    RoomState::Occupied | RoomState::NeedsCleaning | RoomState::Cleaning
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    CloseOut {
        open,
        never_arrived,
        rooms,
    }
}

/// Whether a clinic whose day is `today` still has `visit` open: today's and later days' visits,
/// and a past day's until it is resolved. Screens carry only open visits; a closed day is asked
/// of the hub when a screen shows it.
pub fn is_open(visit: &Visit, today: NaiveDate) -> bool {
    is_open_on(visit.day, visit.state, today)
}

/// [`is_open`] for a visit of `day` in `state`.
pub fn is_open_on(day: NaiveDate, state: VisitState, today: NaiveDate) -> bool {
    day >= today || !state.is_closed()
}

/// Whether every visit of `day` is in a copy holding only the open visits as of `today`.
pub fn holds_day(day: NaiveDate, today: NaiveDate) -> bool {
    day >= today
}

impl ClinicState {
    /// This state with only the visits `keep` picks and each room's history cut to the stamps
    /// `during` (with the one before, the room's state when the span began); providers, staff
    /// and the rest as they are.
    pub fn with_visits_where(
        &self,
        keep: impl Fn(&Visit) -> bool,
        during: Range<DateTime<Utc>>,
    ) -> ClinicState {
        ClinicState {
            visits: self
                .visits
                .iter()
                .filter(|(_, visit)| keep(visit))
                .map(|(id, visit)| (id.clone(), visit.clone()))
                .collect(),
            rooms: self
                .rooms
                .iter()
                .map(|(id, room)| (id.clone(), room.during(&during)))
                .collect(),
            providers: self.providers.clone(),
            last_ticket: self.last_ticket,
            assignments: self.assignments.clone(),
            acknowledged: self.acknowledged.clone(),
            unknown_codes: self.unknown_codes.clone(),
            staff: self.staff.clone(),
            turnover: self.turnover.clone(),
        }
    }

    /// The clinic's open state on `today`, whose first instant is `since`: what a screen's
    /// snapshot carries (room histories from `since` on).
    pub fn open_on(&self, today: NaiveDate, since: DateTime<Utc>) -> ClinicState {
        self.with_visits_where(
            |visit| is_open(visit, today),
            since..DateTime::<Utc>::MAX_UTC,
        )
    }
}

impl ClinicState {
    /// Lets go of every visit closed by `today` but a room's last one (whose precautions the
    /// room's turnover still depends on): what the hub keeps in memory.
    pub fn keep_open(&mut self, today: NaiveDate) {
        let last_visits = self.rooms_last_visits();
        self.visits
            .retain(|id, visit| is_open(visit, today) || last_visits.contains(id));
    }

    /// The visit each room last held (while occupied, and through its turnover).
    pub fn rooms_last_visits(&self) -> Vec<VisitId> {
        self.rooms
            .values()
            .filter_map(|room| room.last_visit.clone())
            .collect()
    }
}

impl Room {
    /// This room with only the history stamps `during`, and the one before them.
    pub fn during(&self, during: &Range<DateTime<Utc>>) -> Room {
        let first = self
            .history
            .partition_point(|stamp| stamp.at < during.start)
            .saturating_sub(1);
        let end = self.history.partition_point(|stamp| stamp.at < during.end);
        Room {
            id: self.id.clone(),
            name: self.name.clone(),
            pod: self.pod.clone(),
            state: self.state.clone(),
            last_visit: self.last_visit.clone(),
            history: self.history[first..end.max(first)].to_vec(),
        }
    }
}

/// Whether the clinic's day is over at `local_now` (clinic-local), for a closing time such as
/// `18:00`; an unreadable time never closes the day by itself.
pub fn is_closing_time(closes_at: &str, local_now: NaiveDateTime) -> bool {
    NaiveTime::parse_from_str(closes_at.trim(), "%H:%M").is_ok_and(|at| local_now.time() >= at)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Command, RoomId};
    use super::*;

    #[test]
    fn the_close_out_lists_open_visits_never_arrived_appointments_and_rooms_not_ready() {
        let mut clinic = TestClinic::new();
        let (waiting, roomed, absent, done) = (
            clinic.appointment_at(9, 0),
            clinic.appointment_at(9, 10),
            clinic.appointment_at(9, 20),
            clinic.appointment_at(9, 30),
        );
        for visit in [&waiting, &roomed, &done] {
            clinic.check_in_at(visit, 8, 55);
        }
        let exam = |n: u32| RoomId::parse(&format!("exam-{n}")).unwrap();
        for (visit, room) in [(&roomed, exam(1)), (&done, exam(2))] {
            let command = Command::RoomPatient {
                visit: visit.clone(),
                room,
            };
            clinic.run(command, at(9, 5));
        }
        clinic.run(Command::FinishVisit { visit: done }, at(9, 40));
        let list = close_out(&clinic.state, clinic.day, true);
        let ids = |visits: &[&Visit]| visits.iter().map(|v| v.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&list.open), vec![waiting, roomed]);
        assert_eq!(ids(&list.never_arrived), vec![absent]);
        let rooms: Vec<_> = list.rooms.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(rooms, vec!["Exam 1", "Exam 2"]);
        let yesterday = clinic.day.pred_opt().unwrap();
        assert!(close_out(&clinic.state, yesterday, false).is_empty());
    }

    #[test]
    fn a_closed_day_counts_as_a_hand_count_says() {
        let mut clinic = TestClinic::new();
        let (seen, gone, absent, not_out) = (
            clinic.appointment_at(9, 0),
            clinic.appointment_at(9, 10),
            clinic.appointment_at(9, 20),
            clinic.appointment_at(9, 30),
        );
        let exam = |n: u32| RoomId::parse(&format!("exam-{n}")).unwrap();
        for (visit, room, minute) in [(&seen, exam(1), 0), (&not_out, exam(2), 30)] {
            clinic.check_in_at(visit, 8, 55);
            let room_patient = Command::RoomPatient {
                visit: visit.clone(),
                room,
            };
            clinic.run(room_patient, at(9, minute));
            let finish = Command::FinishVisit {
                visit: visit.clone(),
            };
            clinic.run(finish, at(10, minute));
        }
        clinic.check_in_at(&gone, 9, 5);
        let out = Command::CheckOut {
            visit: seen,
            follow_up: Some("in 2 weeks".into()),
        };
        clinic.run(out, at(10, 6));
        // Closing time: one still waiting, one never came.
        let list = close_out(&clinic.state, clinic.day, true);
        assert_eq!(
            (list.open.len(), list.never_arrived.len(), list.rooms.len()),
            (1, 1, 2)
        );
        clinic.run(Command::LeftWithoutBeingSeen { visit: gone }, at(18, 0));
        let no_show = Command::MarkNoShow {
            visit: absent,
            grace_minutes: 15,
        };
        clinic.run(no_show, at(18, 0));
        let list = close_out(&clinic.state, clinic.day, false);
        assert!(list.is_empty(), "every visit resolved");
        let utc = chrono::FixedOffset::east_opt(0).unwrap();
        let figures = super::super::metrics::day_metrics(&clinic.state, clinic.day, utc, at(18, 5));
        assert_eq!(
            (
                figures.arrivals,
                figures.finished,
                figures.no_shows,
                figures.left_without_being_seen,
                figures.not_checked_out
            ),
            (3, 2, 1, 1, 1)
        );
        assert_eq!(figures.finish_to_check_out.median_seconds, Some(6 * 60));
        // Arrived 8:55, finished 10:00 and 10:30: 65 and 95 minutes, median 80.
        assert_eq!(figures.cycle.median_seconds, Some(80 * 60));
    }

    #[test]
    fn the_day_closes_at_its_closing_time() {
        let evening = |h, m| clinic_day().and_hms_opt(h, m, 0).unwrap();
        assert!(!is_closing_time("18:00", evening(17, 59)));
        assert!(is_closing_time("18:00", evening(18, 0)));
        assert!(!is_closing_time("late", evening(23, 0)));
    }

    #[test]
    fn the_open_state_keeps_today_and_a_past_days_unresolved_visits() {
        let mut clinic = TestClinic::new();
        let (finished, waiting, absent) = (
            clinic.appointment_at(9, 0),
            clinic.appointment_at(9, 10),
            clinic.appointment_at(9, 20),
        );
        for visit in [&finished, &waiting] {
            clinic.check_in_at(visit, 8, 55);
        }
        clinic.see_in(&finished, &RoomId::parse("exam-1").unwrap(), 9, 0);
        let no_show = Command::MarkNoShow {
            visit: absent.clone(),
            grace_minutes: 15,
        };
        clinic.run(no_show, at(18, 0));
        let (today, midnight) = (clinic.day, at(0, 0));
        let ids = |state: ClinicState| state.visits.into_keys().collect::<Vec<_>>();
        let open = clinic.state.open_on(today, midnight);
        assert_eq!(ids(open.clone()).len(), 3, "the whole of today");
        assert_eq!(open.rooms, clinic.state.rooms, "today's room histories");
        let tomorrow = today.succ_opt().unwrap();
        let next_day = clinic
            .state
            .open_on(tomorrow, midnight + chrono::Duration::days(1));
        assert_eq!(ids(next_day.clone()), vec![waiting]);
        let room = &clinic.state.rooms[&RoomId::parse("exam-1").unwrap()];
        let kept = &next_day.rooms[&room.id];
        assert_eq!(
            (&kept.history[..], &kept.state),
            (&room.history[room.history.len() - 1..], &room.state),
            "a room's history from the day before ends in the state it starts the day in"
        );
        let during_the_day = clinic
            .state
            .with_visits_where(|_| false, at(9, 1)..at(9, 3));
        assert!(during_the_day.visits.is_empty());
        let stamps = &during_the_day.rooms[&room.id].history;
        assert!(stamps.len() < room.history.len() && stamps[0].at <= at(9, 1));
        assert!(holds_day(today, today) && holds_day(tomorrow, today));
        assert!(!holds_day(today, tomorrow));
    }

    fn clinic_day() -> NaiveDate {
        at(0, 0).date_naive()
    }
}
