//! A small clinic for unit and property tests: one provider, a few rooms, fixed dates.

use super::*;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

pub struct TestClinic {
    pub state: ClinicState,
    pub provider: ProviderId,
    pub day: NaiveDate,
    next_id: u64,
}

pub fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0).unwrap()
}

impl TestClinic {
    pub fn new() -> Self {
        let mut clinic = TestClinic {
            state: ClinicState::default(),
            provider: ProviderId::parse("dr-a").unwrap(),
            day: at(0, 0).date_naive(),
            next_id: 0,
        };
        // Two people who share a short name ("M. Lee"), so tests can tell ids from names.
        for (id, name, role) in [
            ("ma-lee", "Michelle Lee", StaffRole::Assistant),
            ("mk-lee", "Mark Lee", StaffRole::Assistant),
            ("ma-chen", "Wendy Chen", StaffRole::Assistant),
            ("rn-diaz", "Karen Diaz", StaffRole::ChargeNurse),
        ] {
            let member = StaffMember {
                name: name.into(),
                role,
            };
            clinic
                .state
                .staff
                .insert(StaffId::parse(id).unwrap(), member);
        }
        clinic.run(
            Command::AddProvider {
                provider: clinic.provider.clone(),
                name: "Dr. A".into(),
                pod: "north".into(),
            },
            at(7, 0),
        );
        for n in 1..=3 {
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
        clinic
    }

    pub fn now(&self, at: DateTime<Utc>) -> Now<'static> {
        Now {
            at,
            clinic_day: self.day,
            by: None,
        }
    }

    pub fn run(&mut self, command: Command, when: DateTime<Utc>) -> Vec<Event> {
        let now = self.now(when);
        execute(&mut self.state, &command, now)
            .unwrap_or_else(|e| panic!("{command:?} refused: {e}"))
    }

    /// Runs `command` as the staff member with id `by` ("ma-lee"), answering the refusal if any.
    pub fn run_as(
        &mut self,
        by: &str,
        command: Command,
        when: DateTime<Utc>,
    ) -> Result<Vec<Event>, DomainError> {
        let by = StaffId::parse(by).expect("a staff id");
        let now = Now {
            by: Some(&by),
            ..self.now(when)
        };
        execute(&mut self.state, &command, now)
    }

    fn next_visit(&mut self) -> (VisitId, CheckInCode) {
        self.next_id += 1;
        (
            VisitId::parse(&format!("v-{}", self.next_id)).unwrap(),
            CheckInCode::from_random(self.next_id * 7919),
        )
    }

    pub fn patient(&self) -> Patient {
        Patient {
            first_name: "Maria".into(),
            last_name: "Garcia".into(),
            date_of_birth: NaiveDate::from_ymd_opt(1950, 4, 1),
        }
    }

    pub fn appointment_at(&mut self, hour: u32, minute: u32) -> VisitId {
        self.appointment_needing(Needs::default(), hour, minute)
    }

    pub fn appointment_needing(&mut self, needs: Needs, hour: u32, minute: u32) -> VisitId {
        let (visit, code) = self.next_visit();
        let command = Command::ScheduleAppointment {
            visit: visit.clone(),
            patient: self.patient(),
            provider: self.provider.clone(),
            start: at(hour, minute),
            duration_minutes: Some(20),
            external: None,
            day: self.day,
            visit_type: "Follow-up".into(),
            code,
            needs,
        };
        self.run(command, at(7, 0));
        visit
    }

    pub fn walk_in_at(&mut self, hour: u32, minute: u32) -> VisitId {
        let (visit, code) = self.next_visit();
        let command = Command::RegisterWalkIn {
            visit: visit.clone(),
            patient: self.patient(),
            provider: self.provider.clone(),
            visit_type: "Sick visit".into(),
            code,
            needs: Needs::default(),
        };
        self.run(command, at(hour, minute));
        visit
    }

    pub fn check_in_at(&mut self, visit: &VisitId, hour: u32, minute: u32) {
        self.run(
            Command::CheckIn {
                visit: visit.clone(),
                identity_confirmed: false,
            },
            at(hour, minute),
        );
    }

    /// Takes `visit` through rooming in `room` at `hour:minute`, the provider, and out again
    /// ten minutes later: the room then needs cleaning.
    pub fn see_in(&mut self, visit: &VisitId, room: &RoomId, hour: u32, minute: u32) {
        let steps = [
            Command::RoomPatient {
                visit: visit.clone(),
                room: room.clone(),
            },
            Command::ReadyForProvider {
                visit: visit.clone(),
            },
            Command::ProviderIn {
                visit: visit.clone(),
            },
        ];
        for command in steps {
            self.run(command, at(hour, minute));
        }
        let finish = Command::FinishVisit {
            visit: visit.clone(),
        };
        self.run(finish, at(hour, minute) + chrono::Duration::minutes(10));
    }

    pub fn make_urgent(&mut self, visit: &VisitId) {
        let command = Command::SetPriority {
            visit: visit.clone(),
            priority: Priority::Urgent,
            reason: "chest pain".into(),
        };
        self.run(command, at(9, 45));
    }
}
