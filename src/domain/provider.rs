//! A provider's own day: their patients ready for them first (longest waiting first), then the
//! one they are with, those roomed with an assistant, those checked in and waiting; and the day
//! so far. A staff account with the `provider` role whose id is a provider's id is that
//! provider.

use super::{
    rooming_queue, ClinicState, ProviderId, QueueFilter, QueueRules, StaffId, StaffRole, Visit,
    VisitState,
};
use chrono::NaiveDate;

/// Which provider the signed-in `staff` member is, if they are one.
pub fn provider_for(state: &ClinicState, staff: &StaffId) -> Option<ProviderId> {
    let member = state.staff.get(staff)?;
    if member.role != StaffRole::Provider {
        return None;
    }
    let provider = ProviderId::parse(staff.as_str()).ok()?;
    state.providers.contains_key(&provider).then_some(provider)
}

/// A provider's patients on one day, as their screen lists them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProviderDay {
    /// Ready for the provider, longest waiting first.
    pub ready: Vec<Visit>,
    pub with_provider: Vec<Visit>,
    /// In a room with an assistant (vitals being taken).
    pub roomed: Vec<Visit>,
    /// Checked in, in rooming-queue order.
    pub checked_in: Vec<Visit>,
    /// The day so far.
    pub seen: usize,
    pub still_to_come: usize,
    pub no_shows: usize,
}

pub fn provider_day(
    state: &ClinicState,
    provider: &ProviderId,
    day: NaiveDate,
    rules: &QueueRules,
) -> ProviderDay {
    let mine: Vec<&Visit> = state
        .visits
        .values()
        .filter(|v| v.provider == *provider && v.day == day)
        .collect();
    let in_step = |step: VisitState| -> Vec<Visit> {
        let mut visits: Vec<&Visit> = mine.iter().copied().filter(|v| v.state == step).collect();
        visits.sort_by_key(|v| (v.since(), v.id.clone()));
        visits.into_iter().cloned().collect()
    };
    let count = |step: VisitState| mine.iter().filter(|v| v.state == step).count();
    let filter = QueueFilter {
        provider: Some(provider.clone()),
        ..QueueFilter::on(day)
    };
    ProviderDay {
        ready: in_step(VisitState::ReadyForProvider),
        with_provider: in_step(VisitState::WithProvider),
        roomed: in_step(VisitState::Roomed),
        checked_in: rooming_queue(state, rules, &filter)
            .into_iter()
            .cloned()
            .collect(),
        seen: count(VisitState::Finished),
        still_to_come: count(VisitState::Scheduled),
        no_shows: count(VisitState::NoShow),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Command, RoomId, StaffMember};
    use super::*;

    #[test]
    fn a_provider_account_is_the_provider_with_its_id() {
        let mut clinic = TestClinic::new();
        let id = StaffId::parse("dr-a").unwrap();
        let member = |role| StaffMember {
            name: "Dr. A".into(),
            role,
        };
        clinic
            .state
            .staff
            .insert(id.clone(), member(StaffRole::Assistant));
        assert_eq!(
            provider_for(&clinic.state, &id),
            None,
            "not a provider account"
        );
        clinic
            .state
            .staff
            .insert(id.clone(), member(StaffRole::Provider));
        assert_eq!(
            provider_for(&clinic.state, &id),
            Some(clinic.provider.clone())
        );
        let stranger = StaffId::parse("dr-z").unwrap();
        clinic
            .state
            .staff
            .insert(stranger.clone(), member(StaffRole::Provider));
        assert_eq!(
            provider_for(&clinic.state, &stranger),
            None,
            "no such provider"
        );
    }

    #[test]
    fn ready_patients_come_first_longest_waiting_first() {
        let mut clinic = TestClinic::new();
        let visits: Vec<_> = (0..4).map(|n| clinic.appointment_at(9, n * 10)).collect();
        for visit in &visits {
            clinic.check_in_at(visit, 8, 50);
        }
        for (visit, room, minute) in [(&visits[0], "exam-1", 0), (&visits[1], "exam-2", 1)] {
            let room = RoomId::parse(room).unwrap();
            clinic.run(
                Command::RoomPatient {
                    visit: visit.clone(),
                    room,
                },
                at(9, minute),
            );
        }
        clinic.run(
            Command::ReadyForProvider {
                visit: visits[1].clone(),
            },
            at(9, 5),
        );
        clinic.run(
            Command::ReadyForProvider {
                visit: visits[0].clone(),
            },
            at(9, 6),
        );
        let day = provider_day(
            &clinic.state,
            &clinic.provider,
            clinic.day,
            &QueueRules::default(),
        );
        let ids = |list: &[Visit]| list.iter().map(|v| v.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&day.ready), vec![visits[1].clone(), visits[0].clone()]);
        assert_eq!(
            ids(&day.checked_in),
            vec![visits[2].clone(), visits[3].clone()]
        );
        assert!(day.roomed.is_empty() && day.with_provider.is_empty());
    }
}
