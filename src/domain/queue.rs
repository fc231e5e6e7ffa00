//! The rooming queue: who is waiting to be roomed, in what order. Urgent before routine, then
//! the effective time (appointment time when on time or early; arrival time when late or a
//! walk-in), ties broken by arrival.

use super::{ClinicState, Priority, ProviderId, Room, RoomState, Visit, VisitState};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// How the queue is ordered; the clinic's config may change the lateness grace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueRules {
    /// Arriving later than this after the appointment time counts as late.
    pub late_after: Duration,
}

impl QueueRules {
    /// Late after the config's `queue.late_after_minutes`.
    pub fn late_after_minutes(minutes: u32) -> QueueRules {
        QueueRules {
            late_after: Duration::minutes(minutes.into()),
        }
    }
}

impl Default for QueueRules {
    fn default() -> Self {
        QueueRules {
            late_after: Duration::minutes(10),
        }
    }
}

/// Which part of the queue a screen shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub provider: Option<ProviderId>,
    pub pod: Option<String>,
    /// "My patients": only these providers' (an assistant's assignment); `None`: everyone's.
    pub providers: Option<Vec<ProviderId>>,
    /// Only visits of this clinic day: a past day's patient never waits in today's queue (the
    /// close of day lists them until resolved). `None`: every day (tests).
    pub day: Option<NaiveDate>,
}

impl QueueFilter {
    /// Everyone waiting on `day`.
    pub fn on(day: NaiveDate) -> QueueFilter {
        QueueFilter {
            day: Some(day),
            ..QueueFilter::default()
        }
    }
}

impl QueueRules {
    /// Whether this visit's patient arrived late for their appointment.
    pub fn is_late(&self, visit: &Visit) -> bool {
        match (visit.appointment, visit.arrived_at()) {
            (Some(start), Some(arrived)) => arrived > start + self.late_after,
            _ => false,
        }
    }

    /// The time the queue sorts this visit by.
    pub fn effective_time(&self, visit: &Visit) -> Option<DateTime<Utc>> {
        match visit.appointment {
            Some(start) if !self.is_late(visit) => Some(start),
            _ => visit.arrived_at(),
        }
    }
}

/// Everyone arrived and not yet roomed, in rooming order.
pub fn rooming_queue<'s>(
    state: &'s ClinicState,
    rules: &QueueRules,
    filter: &QueueFilter,
) -> Vec<&'s Visit> {
    let mut waiting: Vec<&Visit> = state
        .visits
        .values()
        .filter(|visit| visit.state == VisitState::Arrived)
        .filter(|visit| filter.day.is_none_or(|day| visit.day == day))
        .filter(|visit| {
            filter
                .provider
                .as_ref()
                .is_none_or(|p| *p == visit.provider)
        })
        .filter(|visit| {
            filter
                .providers
                .as_ref()
                .is_none_or(|mine| mine.contains(&visit.provider))
        })
        .filter(|visit| {
            filter.pod.as_ref().is_none_or(|pod| {
                state
                    .providers
                    .get(&visit.provider)
                    .is_some_and(|p| p.pod == *pod)
            })
        })
        .collect();
    // Each key once per visit: the times walk the visit's history.
    waiting.sort_by_cached_key(|&visit| {
        (
            visit.priority != Priority::Urgent,
            rules.effective_time(visit),
            visit.arrived_at(),
            &visit.id,
        )
    });
    waiting
}

/// Ready rooms for `visit`, best first: rooms in its provider's pod, then the longest ready.
pub fn rooms_for<'s>(state: &'s ClinicState, visit: &Visit) -> Vec<&'s Room> {
    let pod = state.providers.get(&visit.provider).map(|p| p.pod.as_str());
    let mut ready: Vec<&Room> = state
        .rooms
        .values()
        .filter(|room| room.state == RoomState::Ready)
        .collect();
    ready.sort_by_key(|room| {
        (
            Some(room.pod.as_str()) != pod,
            room.since(),
            room.id.clone(),
        )
    });
    ready
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Command, RoomId};
    use super::*;

    #[test]
    fn yesterdays_patient_is_not_in_todays_queue() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let today = clinic.day;
        let rules = QueueRules::default();
        assert_eq!(
            rooming_queue(&clinic.state, &rules, &QueueFilter::on(today)).len(),
            1
        );
        let tomorrow = today.succ_opt().unwrap();
        assert!(rooming_queue(&clinic.state, &rules, &QueueFilter::on(tomorrow)).is_empty());
    }

    #[test]
    fn urgent_comes_first_then_appointment_time_for_early_and_arrival_time_for_late() {
        let mut clinic = TestClinic::new();
        let early = clinic.appointment_at(9, 30);
        let late = clinic.appointment_at(9, 0);
        let later = clinic.appointment_at(11, 0);
        let urgent = clinic.appointment_at(10, 30);
        clinic.check_in_at(&early, 9, 10); // 20 minutes early: sorts at 9:30
        clinic.check_in_at(&late, 9, 25); // 25 minutes late: sorts at 9:25
        clinic.check_in_at(&urgent, 9, 40);
        clinic.check_in_at(&later, 9, 26); // early for 11:00: sorts at 11:00
        let walk_in = clinic.walk_in_at(9, 28); // walk-in: sorts at its arrival, 9:28
        clinic.make_urgent(&urgent);

        let queue = rooming_queue(
            &clinic.state,
            &QueueRules::default(),
            &QueueFilter::default(),
        );
        let order: Vec<_> = queue.iter().map(|v| v.id.clone()).collect();
        assert_eq!(order, vec![urgent, late, walk_in, early, later]);
    }

    #[test]
    fn the_queue_filters_by_provider() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 9, 0);
        let mine = QueueFilter {
            provider: Some(clinic.provider.clone()),
            ..QueueFilter::default()
        };
        let other = QueueFilter {
            provider: Some(ProviderId::parse("someone-else").unwrap()),
            ..QueueFilter::default()
        };
        assert_eq!(
            rooming_queue(&clinic.state, &QueueRules::default(), &mine).len(),
            1
        );
        assert!(rooming_queue(&clinic.state, &QueueRules::default(), &other).is_empty());
        // An assistant's "my patients": their assigned providers' patients.
        clinic.run(
            Command::AssignAssistant {
                staff: crate::domain::StaffId::parse("ma-lee").unwrap(),
                providers: vec![clinic.provider.clone()],
            },
            at(8, 0),
        );
        let assigned = QueueFilter {
            providers: clinic
                .state
                .assignments
                .get(&crate::domain::StaffId::parse("ma-lee").unwrap())
                .cloned(),
            ..QueueFilter::default()
        };
        assert_eq!(
            rooming_queue(&clinic.state, &QueueRules::default(), &assigned).len(),
            1
        );
        let nobody = QueueFilter {
            providers: Some(vec![]),
            ..QueueFilter::default()
        };
        assert!(rooming_queue(&clinic.state, &QueueRules::default(), &nobody).is_empty());
    }

    #[test]
    fn the_suggested_room_is_in_the_providers_pod_then_the_longest_ready() {
        let mut clinic = TestClinic::new();
        let south = RoomId::parse("south-1").unwrap();
        clinic.run(
            Command::AddRoom {
                room: south.clone(),
                name: "South 1".into(),
                pod: "south".into(),
            },
            at(6, 0),
        );
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 9, 0);
        // Exam 1 was used and cleaned, so it has been ready for less time than Exam 2 and 3.
        let earlier = clinic.appointment_at(8, 0);
        clinic.check_in_at(&earlier, 8, 0);
        let exam_1 = RoomId::parse("exam-1").unwrap();
        clinic.run(
            Command::RoomPatient {
                visit: earlier.clone(),
                room: exam_1.clone(),
            },
            at(8, 5),
        );
        clinic.run(Command::FinishVisit { visit: earlier }, at(8, 20));
        clinic.run(
            Command::StartCleaning {
                room: exam_1.clone(),
            },
            at(8, 25),
        );
        clinic.run(
            Command::RoomReady {
                room: exam_1,
                thorough: false,
                override_reason: None,
            },
            at(8, 30),
        );
        let order: Vec<String> = rooms_for(&clinic.state, &clinic.state.visits[&visit])
            .iter()
            .map(|room| room.name.clone())
            .collect();
        assert_eq!(order, vec!["Exam 2", "Exam 3", "Exam 1", "South 1"]);
    }
}
