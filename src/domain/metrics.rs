//! A day's flow figures (door-to-room, ready-for-provider wait, cycle time, turnover, room
//! utilisation, arrivals and finished per hour, no-shows, left without being seen) and the
//! per-visit timeline they come from. One function computes them all from the visits' and
//! rooms' stamped histories — the event log folded per visit and room — so the overview, the
//! printed report and the CLI show the same numbers.

use super::{ClinicState, RoomState, Stamped, Visit, VisitId, VisitState};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};
use serde::Serialize;

/// Door-to-room waits are counted into these bands (upper bounds in minutes; the last is open).
pub const WAIT_BANDS: [i64; 6] = [5, 10, 15, 30, 60, i64::MAX];

/// A set of durations: how many, the median and the 90th percentile, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub count: usize,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// One clinic-local hour of the day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HourCounts {
    /// 0–23, clinic-local.
    pub hour: u32,
    pub arrivals: usize,
    pub roomed: usize,
    pub finished: usize,
}

/// One visit of the day as the report lists it; times are when each step was reached (undone
/// steps taken out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitTimeline {
    pub visit: VisitId,
    pub ticket: Option<String>,
    pub patient: String,
    pub provider: String,
    pub walk_in: bool,
    pub appointment: Option<DateTime<Utc>>,
    pub arrived: Option<DateTime<Utc>>,
    pub roomed: Option<DateTime<Utc>>,
    pub room: Option<String>,
    pub ready_for_provider: Option<DateTime<Utc>>,
    pub with_provider: Option<DateTime<Utc>>,
    pub finished: Option<DateTime<Utc>>,
    /// When the patient checked out at the desk.
    pub checked_out: Option<DateTime<Utc>>,
    pub state: VisitState,
    pub door_to_room_seconds: Option<i64>,
    pub ready_for_provider_wait_seconds: Option<i64>,
    pub cycle_seconds: Option<i64>,
    pub finish_to_check_out_seconds: Option<i64>,
}

/// Every figure of one clinic day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayMetrics {
    pub day: NaiveDate,
    pub scheduled: usize,
    pub arrivals: usize,
    pub walk_ins: usize,
    pub finished: usize,
    pub no_shows: usize,
    pub left_without_being_seen: usize,
    pub cancelled: usize,
    /// Arrival → roomed.
    pub door_to_room: Summary,
    /// Ready for provider → provider in.
    pub ready_for_provider_wait: Summary,
    /// Arrival → finished.
    pub cycle: Summary,
    /// Finished → checked out at the desk.
    pub finish_to_check_out: Summary,
    /// Finished visits whose patient did not check out at the desk (yet, during the day).
    pub not_checked_out: usize,
    /// Needs cleaning → ready again, for turnovers that began on the day.
    pub turnover: Summary,
    /// Share of room time occupied by patients between the day's first arrival and its end
    /// (now, for today; the last visit closed, for a past day), rooms out of service left out.
    pub utilisation_percent: Option<u32>,
    /// From the first to the last hour with any arrival, rooming or finish.
    pub hours: Vec<HourCounts>,
    /// Door-to-room waits per band of [`WAIT_BANDS`].
    pub wait_bands: Vec<usize>,
    /// Every visit of the day, by arrival (not arrived: by appointment).
    pub timeline: Vec<VisitTimeline>,
}

/// The figures for `day` (clinic-local, at UTC offset `offset`) as of `now`.
pub fn day_metrics(
    state: &ClinicState,
    day: NaiveDate,
    offset: FixedOffset,
    now: DateTime<Utc>,
) -> DayMetrics {
    let mut visits: Vec<&Visit> = state.visits.values().filter(|v| v.day == day).collect();
    // Each key once per visit: finding the arrival walks the visit's history.
    visits.sort_by_cached_key(|&v| (v.arrived_at().or(v.appointment), &v.id));
    let timeline: Vec<VisitTimeline> = visits
        .iter()
        .map(|visit| visit_timeline(state, visit))
        .collect();
    let count_in = |wanted: VisitState| timeline.iter().filter(|t| t.state == wanted).count();
    let durations =
        |pick: fn(&VisitTimeline) -> Option<i64>| timeline.iter().filter_map(pick).collect();
    let door_to_room: Vec<i64> = durations(|t| t.door_to_room_seconds);
    let (start, end) = window(&timeline, day, offset, now);
    DayMetrics {
        day,
        scheduled: visits.iter().filter(|v| v.appointment.is_some()).count(),
        arrivals: timeline.iter().filter(|t| t.arrived.is_some()).count(),
        walk_ins: timeline
            .iter()
            .filter(|t| t.walk_in && t.arrived.is_some())
            .count(),
        finished: count_in(VisitState::Finished),
        no_shows: count_in(VisitState::NoShow),
        left_without_being_seen: count_in(VisitState::LeftWithoutBeingSeen),
        cancelled: count_in(VisitState::Cancelled),
        wait_bands: wait_bands(&door_to_room),
        door_to_room: summarise(door_to_room),
        ready_for_provider_wait: summarise(durations(|t| t.ready_for_provider_wait_seconds)),
        cycle: summarise(durations(|t| t.cycle_seconds)),
        finish_to_check_out: summarise(durations(|t| t.finish_to_check_out_seconds)),
        not_checked_out: timeline
            .iter()
            .filter(|t| t.state == VisitState::Finished && t.checked_out.is_none())
            .count(),
        turnover: summarise(turnovers(state, day, offset)),
        utilisation_percent: start.zip(end).and_then(|(s, e)| utilisation(state, s, e)),
        hours: hours(&timeline, offset),
        timeline,
    }
}

fn visit_timeline(state: &ClinicState, visit: &Visit) -> VisitTimeline {
    let path = visit.path();
    let reached = |wanted: VisitState| path.iter().find(|s| s.state == wanted).map(|s| s.at);
    let arrived = reached(VisitState::Arrived);
    let roomed = reached(VisitState::Roomed);
    let ready = reached(VisitState::ReadyForProvider);
    let with_provider = reached(VisitState::WithProvider);
    let finished = reached(VisitState::Finished);
    let checked_out = visit.checked_out.as_ref().map(|c| c.at);
    let between = |from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| {
        from.zip(to)
            .map(|(from, to)| (to - from).num_seconds().max(0))
    };
    let room = roomed.and_then(|_| room_of(state, visit, &path));
    VisitTimeline {
        visit: visit.id.clone(),
        ticket: visit.ticket.map(|t| t.to_string()),
        patient: visit.patient.public_name(),
        provider: state.provider_name(&visit.provider),
        walk_in: visit.appointment.is_none(),
        appointment: visit.appointment,
        arrived,
        roomed,
        room,
        ready_for_provider: ready,
        with_provider,
        finished,
        checked_out,
        state: visit.state,
        door_to_room_seconds: between(arrived, roomed),
        ready_for_provider_wait_seconds: between(ready, with_provider),
        cycle_seconds: between(arrived, finished),
        finish_to_check_out_seconds: between(finished, checked_out),
    }
}

/// The room the visit is (or was last) in: its current room, or the room whose history shows
/// it going dirty when the visit closed.
fn room_of(state: &ClinicState, visit: &Visit, path: &[&Stamped<VisitState>]) -> Option<String> {
    let room_id = visit
        .room
        .clone()
        .or_else(|| {
            state
                .rooms
                .values()
                .find(|r| r.last_visit.as_ref() == Some(&visit.id))
                .map(|r| r.id.clone())
        })
        .or_else(|| {
            // A room turned over and taken by someone else since: the room that went dirty at
            // the moment this visit closed.
            let closed = path.last()?.at;
            state
                .rooms
                .values()
                .find(|r| {
                    r.history
                        .iter()
                        .any(|s| s.state == RoomState::NeedsCleaning && s.at == closed)
                })
                .map(|r| r.id.clone())
        })?;
    state.rooms.get(&room_id).map(|r| r.name.clone())
}

/// The span room utilisation is measured over.
fn window(
    timeline: &[VisitTimeline],
    day: NaiveDate,
    offset: FixedOffset,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let start = timeline.iter().filter_map(|t| t.arrived).min();
    let day_end = (day + Duration::days(1))
        .and_time(NaiveTime::MIN)
        .and_local_timezone(offset)
        .single()
        .map(|end| end.with_timezone(&Utc));
    let last_close = timeline
        .iter()
        .filter(|t| t.state.is_closed())
        .filter_map(|t| t.finished.or(t.arrived))
        .max();
    let still_open = timeline
        .iter()
        .any(|t| t.arrived.is_some() && !t.state.is_closed());
    // Today is measured up to now; a day gone by up to its last visit's end (or midnight when
    // a visit was left open).
    let end = match day_end {
        Some(day_end) if now < day_end => Some(now),
        _ if still_open => day_end,
        _ => last_close.or(day_end),
    };
    (start, end.filter(|end| Some(*end) > start))
}

/// Occupied room time over available room time (rooms out of service excluded) in the window.
fn utilisation(state: &ClinicState, start: DateTime<Utc>, end: DateTime<Utc>) -> Option<u32> {
    let mut occupied = 0i64;
    let mut available = 0i64;
    for room in state.rooms.values() {
        for (stamp, until) in room.history.iter().zip(
            room.history
                .iter()
                .skip(1)
                .map(|s| Some(s.at))
                .chain([None]),
        ) {
            let from = stamp.at.max(start);
            let to = until.unwrap_or(end).min(end);
            if to <= from {
                continue;
            }
            let seconds = (to - from).num_seconds();
            match stamp.state {
                RoomState::OutOfService { .. } => {}
                RoomState::Occupied => {
                    occupied += seconds;
                    available += seconds;
                }
                _ => available += seconds,
            }
        }
    }
    (available > 0).then(|| ((occupied * 100 + available / 2) / available) as u32)
}

/// Needs cleaning → ready, for turnovers that began on the day. An undo that puts the patient
/// back in the room cancels the turnover it had started.
fn turnovers(state: &ClinicState, day: NaiveDate, offset: FixedOffset) -> Vec<i64> {
    let mut durations = Vec::new();
    for room in state.rooms.values() {
        let mut started: Option<DateTime<Utc>> = None;
        for stamp in &room.history {
            match stamp.state {
                RoomState::NeedsCleaning if started.is_none() => started = Some(stamp.at),
                RoomState::Ready | RoomState::Occupied | RoomState::OutOfService { .. } => {
                    if let Some(from) = started.take() {
                        let on_day = from.with_timezone(&offset).date_naive() == day;
                        if stamp.state == RoomState::Ready && on_day {
                            durations.push((stamp.at - from).num_seconds().max(0));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    durations
}

fn hours(timeline: &[VisitTimeline], offset: FixedOffset) -> Vec<HourCounts> {
    let hour_of = |at: DateTime<Utc>| at.with_timezone(&offset).hour();
    let mut counts: Vec<HourCounts> = (0..24)
        .map(|hour| HourCounts {
            hour,
            ..HourCounts::default()
        })
        .collect();
    for visit in timeline {
        if let Some(at) = visit.arrived {
            counts[hour_of(at) as usize].arrivals += 1;
        }
        if let Some(at) = visit.roomed {
            counts[hour_of(at) as usize].roomed += 1;
        }
        if let (Some(at), VisitState::Finished) = (visit.finished, visit.state) {
            counts[hour_of(at) as usize].finished += 1;
        }
    }
    let busy = |c: &HourCounts| c.arrivals + c.roomed + c.finished > 0;
    match (counts.iter().position(busy), counts.iter().rposition(busy)) {
        (Some(first), Some(last)) => counts[first..=last].to_vec(),
        _ => Vec::new(),
    }
}

fn wait_bands(waits: &[i64]) -> Vec<usize> {
    let mut bands = vec![0; WAIT_BANDS.len()];
    for wait in waits {
        let minutes = wait / 60;
        let band = WAIT_BANDS
            .iter()
            .position(|upper| minutes < *upper)
            .unwrap_or(WAIT_BANDS.len() - 1);
        bands[band] += 1;
    }
    bands
}

/// The median (the middle value; the mean of the two middle ones for an even count) and the
/// 90th percentile by nearest rank (the smallest value at least 90 % of the values reach).
pub fn summarise(mut seconds: Vec<i64>) -> Summary {
    seconds.sort_unstable();
    let count = seconds.len();
    if count == 0 {
        return Summary::default();
    }
    let median = if count % 2 == 1 {
        seconds[count / 2]
    } else {
        (seconds[count / 2 - 1] + seconds[count / 2]) / 2
    };
    let rank = (count * 9).div_ceil(10);
    Summary {
        count,
        median_seconds: Some(median),
        p90_seconds: Some(seconds[rank - 1]),
    }
}

/// Minutes as the board and report print them: "12 min", "1 h 05 min", or "–" when empty.
pub fn minutes_label(seconds: Option<i64>) -> String {
    match seconds.map(|s| (s + 30) / 60) {
        None => "–".to_string(),
        Some(m) if m < 60 => format!("{m} min"),
        Some(m) => format!("{} h {:02} min", m / 60, m % 60),
    }
}

/// "09:05" in the clinic's time, or "–".
pub fn clock_time(time: Option<DateTime<Utc>>, offset: FixedOffset) -> String {
    time.map_or("–".to_string(), |t| {
        t.with_timezone(&offset).format("%H:%M").to_string()
    })
}

impl VisitTimeline {
    /// Where the visit ended up, as the report's last column reads.
    pub fn outcome(&self) -> &'static str {
        use VisitState::*;
        match self.state {
            Scheduled => "not arrived",
            Arrived => "waiting",
            Roomed | ReadyForProvider | WithProvider => "in a room",
            Finished => "finished",
            Cancelled => "cancelled",
            NoShow => "no-show",
            LeftWithoutBeingSeen => "left without being seen",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{at, TestClinic};
    use crate::domain::{Command, RoomId};

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).unwrap()
    }

    fn room(n: u32) -> RoomId {
        RoomId::parse(&format!("exam-{n}")).unwrap()
    }

    #[test]
    fn median_and_p90_follow_their_definitions() {
        let minutes = |m: &[i64]| m.iter().map(|m| m * 60).collect::<Vec<_>>();
        let summary = summarise(minutes(&[5, 1, 3, 9, 7]));
        assert_eq!(summary.median_seconds, Some(5 * 60));
        assert_eq!(summary.p90_seconds, Some(9 * 60));
        let even = summarise(minutes(&[10, 20, 30, 40]));
        assert_eq!(even.median_seconds, Some(25 * 60));
        assert_eq!(even.p90_seconds, Some(40 * 60));
        assert_eq!(summarise(vec![]), Summary::default());
    }

    /// The hand-computed day: four appointments and a walk-in between 08:00 and 10:00 UTC.
    /// - v-1 arrives 08:00, roomed 08:10 (Exam 1), ready 08:20, provider 08:30, finished 08:50;
    ///   Exam 1 needs cleaning 08:50, cleaning 08:55, ready 09:02 (turnover 12 min).
    /// - v-2 arrives 08:05, roomed 08:40 (Exam 2, red wait: 35 min) — but first roomed at
    ///   08:20 and un-roomed by an undo at 08:21: the undone rooming does not count.
    ///   Ready 08:45, provider 09:05, finished 09:30; Exam 2 dirty until 09:36 (6 min).
    /// - v-3 never comes: no-show.
    /// - a walk-in arrives 09:00 and leaves at 09:20 without being seen.
    /// - v-5 arrives 09:10, roomed 09:15 (Exam 1), still with the provider at 10:00 ("now").
    #[test]
    fn a_day_with_a_red_wait_a_no_show_a_walk_in_and_an_undo_gives_the_hand_computed_figures() {
        let mut clinic = TestClinic::new();
        let (v1, v2, v3, v5) = (
            clinic.appointment_at(8, 0),
            clinic.appointment_at(8, 15),
            clinic.appointment_at(8, 30),
            clinic.appointment_at(9, 0),
        );
        let room_in = |visit: &VisitId, n: u32| Command::RoomPatient {
            visit: visit.clone(),
            room: room(n),
        };
        let ready = |visit: &VisitId| Command::ReadyForProvider {
            visit: visit.clone(),
        };
        let provider_in = |visit: &VisitId| Command::ProviderIn {
            visit: visit.clone(),
        };
        let finish = |visit: &VisitId| Command::FinishVisit {
            visit: visit.clone(),
        };
        let clean = |n: u32| Command::StartCleaning { room: room(n) };
        let room_ready = |n: u32| Command::RoomReady {
            room: room(n),
            thorough: false,
            override_reason: None,
        };
        clinic.check_in_at(&v1, 8, 0);
        clinic.check_in_at(&v2, 8, 5);
        clinic.run(room_in(&v1, 1), at(8, 10));
        clinic.run(ready(&v1), at(8, 20));
        clinic.run_as("ma-lee", room_in(&v2, 2), at(8, 20)).unwrap();
        let undo = Command::Undo {
            visit: Some(v2.clone()),
            room: None,
            reason: "wrong patient".into(),
        };
        clinic.run_as("ma-lee", undo, at(8, 21)).unwrap();
        clinic.run(provider_in(&v1), at(8, 30));
        clinic.run(room_in(&v2, 2), at(8, 40));
        clinic.run(ready(&v2), at(8, 45));
        clinic.run(finish(&v1), at(8, 50));
        clinic.run(clean(1), at(8, 55));
        let walk_in = clinic.walk_in_at(9, 0);
        clinic.run(room_ready(1), at(9, 2));
        clinic.run(provider_in(&v2), at(9, 5));
        clinic.check_in_at(&v5, 9, 10);
        clinic.run(room_in(&v5, 1), at(9, 15));
        clinic.run(Command::LeftWithoutBeingSeen { visit: walk_in }, at(9, 20));
        clinic.run(ready(&v5), at(9, 25));
        clinic.run(
            Command::MarkNoShow {
                visit: v3,
                grace_minutes: 0,
            },
            at(9, 30),
        );
        clinic.run(finish(&v2), at(9, 30));
        clinic.run(clean(2), at(9, 31));
        clinic.run(room_ready(2), at(9, 36));
        clinic.run(provider_in(&v5), at(9, 40));

        let metrics = day_metrics(&clinic.state, clinic.day, utc(), at(10, 0));

        assert_eq!(
            (
                metrics.scheduled,
                metrics.arrivals,
                metrics.walk_ins,
                metrics.finished
            ),
            (4, 4, 1, 2)
        );
        assert_eq!((metrics.no_shows, metrics.left_without_being_seen), (1, 1));
        // Door-to-room: 10, 35 (not 15: that rooming was undone) and 5 min.
        assert_eq!(metrics.door_to_room.count, 3);
        assert_eq!(metrics.door_to_room.median_seconds, Some(10 * 60));
        assert_eq!(metrics.door_to_room.p90_seconds, Some(35 * 60));
        assert_eq!(metrics.wait_bands, vec![0, 1, 1, 0, 1, 0]);
        // Ready → provider: 10, 20, 15 min.
        assert_eq!(
            metrics.ready_for_provider_wait.median_seconds,
            Some(15 * 60)
        );
        // Cycle: 50 and 85 min → median 67.5 min.
        assert_eq!(metrics.cycle.median_seconds, Some(4050));
        // Turnover: Exam 1 08:50 → 09:02, Exam 2 09:30 → 09:36: 12 and 6 min → median 9.
        assert_eq!(metrics.turnover.median_seconds, Some(9 * 60));
        // Room time 08:00–10:00 = 3 rooms × 120 min = 360 min; occupied: Exam 1 08:10–08:50
        // (40) and 09:15–10:00 (45), Exam 2 08:20–08:21 (1: the undone rooming did hold the
        // room) and 08:40–09:30 (50) = 136 min → 37.8 %, shown as 38 %.
        assert_eq!(metrics.utilisation_percent, Some(38));
        let hour = |h: u32| metrics.hours.iter().find(|c| c.hour == h).cloned().unwrap();
        assert_eq!(
            (hour(8).arrivals, hour(8).roomed, hour(8).finished),
            (2, 2, 1)
        );
        assert_eq!(
            (hour(9).arrivals, hour(9).roomed, hour(9).finished),
            (2, 1, 1)
        );
        assert_eq!(metrics.hours.len(), 2);
        let second = metrics.timeline.iter().find(|t| t.visit == v2).unwrap();
        assert_eq!(second.roomed, Some(at(8, 40)));
        assert_eq!(second.room.as_deref(), Some("Exam 2"));
        assert_eq!(second.door_to_room_seconds, Some(35 * 60));
        assert_eq!(metrics.timeline.len(), 5);
    }

    #[test]
    fn a_past_day_is_measured_up_to_its_last_visit_not_to_now() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(8, 0);
        clinic.check_in_at(&visit, 8, 0);
        clinic.run(
            Command::RoomPatient {
                visit: visit.clone(),
                room: room(1),
            },
            at(8, 0),
        );
        clinic.run(Command::FinishVisit { visit }, at(9, 0));
        let next_week = at(9, 0) + Duration::days(7);
        let metrics = day_metrics(&clinic.state, clinic.day, utc(), next_week);
        // One of three rooms occupied for the whole hour.
        assert_eq!(metrics.utilisation_percent, Some(33));
    }

    #[test]
    fn check_out_time_is_measured_from_finish_and_the_rest_are_counted() {
        let mut clinic = TestClinic::new();
        let (first, second) = (clinic.appointment_at(8, 0), clinic.appointment_at(8, 10));
        for (visit, n) in [(&first, 1), (&second, 2)] {
            clinic.check_in_at(visit, 8, 0);
            let room_patient = Command::RoomPatient {
                visit: visit.clone(),
                room: room(n),
            };
            clinic.run(room_patient, at(8, 5));
            let finish = Command::FinishVisit {
                visit: visit.clone(),
            };
            clinic.run(finish, at(9, 0));
        }
        let out = Command::CheckOut {
            visit: first,
            follow_up: None,
        };
        clinic.run(out, at(9, 6));
        let metrics = day_metrics(&clinic.state, clinic.day, utc(), at(10, 0));
        assert_eq!(metrics.finish_to_check_out.median_seconds, Some(6 * 60));
        assert_eq!(metrics.not_checked_out, 1);
    }

    #[test]
    fn an_undone_rooming_leaves_the_arrival_time_as_it_was() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 9, 0);
        let room_it = Command::RoomPatient {
            visit: visit.clone(),
            room: room(1),
        };
        clinic.run_as("ma-lee", room_it, at(9, 20)).unwrap();
        let undo = Command::Undo {
            visit: Some(visit.clone()),
            room: None,
            reason: "mistake".into(),
        };
        clinic.run_as("ma-lee", undo, at(9, 21)).unwrap();
        let visit = &clinic.state.visits[&visit];
        assert_eq!(
            (visit.state, visit.arrived_at()),
            (VisitState::Arrived, Some(at(9, 0)))
        );
        assert_eq!(visit.entered(VisitState::Roomed), None);
    }

    #[test]
    fn a_day_without_arrivals_has_no_figures_but_counts_its_appointments() {
        let mut clinic = TestClinic::new();
        clinic.appointment_at(9, 0);
        let metrics = day_metrics(&clinic.state, clinic.day, utc(), at(10, 0));
        assert_eq!((metrics.scheduled, metrics.arrivals), (1, 0));
        assert_eq!(metrics.door_to_room, Summary::default());
        assert_eq!(metrics.utilisation_percent, None);
        assert!(metrics.hours.is_empty());
    }

    #[test]
    fn durations_read_as_minutes() {
        assert_eq!(minutes_label(Some(4050)), "1 h 08 min");
        assert_eq!(minutes_label(Some(600)), "10 min");
        assert_eq!(minutes_label(None), "–");
    }
}
