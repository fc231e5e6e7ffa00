//! Open days and closed days: a screen's snapshot carries today, later days and a past day's
//! unresolved visits; any whole day is `GET /api/v1/days/<date>`, from the database, redacted
//! for the caller like the snapshot. The hub's own memory holds the open days too, and reads a
//! closed day's visit back from the database when it is asked for.

use crate::common;

use anyhow::Result;
use clinicflow::api_types::ErrorKind;
use clinicflow::domain::{Command, DeviceRole, StaffId, VisitId};
use common::{room_id, visit_id, TestHub};

#[tokio::test]
async fn a_snapshot_carries_the_open_days_and_a_closed_day_is_asked_for() -> Result<()> {
    let (hub, hand) = TestHub::start_by_hand(common::midday_clinic()).await?;
    let DayOfThree { seen, waiting, .. } = a_day_of_three(&hub).await?;
    let today = hub.api().snapshot().await?;
    assert_eq!(today.state.visits.len(), 3, "all of today");
    let day = today.state.visits[&visit_id(&seen)].day;

    hand.advance(chrono::Duration::days(1));
    let next_day = hub.api().snapshot().await?;
    let held: Vec<&VisitId> = next_day.state.visits.keys().collect();
    assert_eq!(
        held,
        vec![&visit_id(&waiting)],
        "only yesterday's unresolved visit"
    );
    for (id, room) in &today.state.rooms {
        let kept = &next_day.state.rooms[id];
        assert_eq!(
            (&kept.state, &kept.history[..]),
            (&room.state, &room.history[room.history.len() - 1..]),
            "a room's history from the state it starts the day in"
        );
    }

    let record = hub.api().day(day).await?;
    assert_eq!(record.day, day);
    assert_eq!(
        record.state.visits, today.state.visits,
        "the whole day, as it was"
    );
    assert_eq!(
        record.state.rooms, today.state.rooms,
        "the day's room histories"
    );
    assert_eq!(record.state.providers, today.state.providers);
    assert_eq!(record.state.staff, today.state.staff);
    let earlier = hub.api().day(day - chrono::Duration::days(30)).await?;
    assert!(earlier.state.visits.is_empty() && !earlier.state.rooms.is_empty());

    // The overview TV may look back too, with first names and last initials only.
    let board = hub.client_for(hub.screen(DeviceRole::Board, "overview").await?);
    let on_board = board.day(day).await?;
    let ana = &on_board.state.visits[&visit_id(&seen)];
    assert_eq!(
        (
            ana.patient.first_name.as_str(),
            ana.patient.last_name.as_str()
        ),
        ("Ana", "T")
    );
    assert_eq!((ana.code, ana.patient.date_of_birth), (None, None));

    let (status, body) = hub.get("/api/v1/days/last-tuesday").await?;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_input"))
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("YYYY-MM-DD"), "{message}");
    let stranger = hub.client_for(reqwest::Client::new());
    let refused = stranger.day(day).await.expect_err("not enrolled");
    assert_eq!(refused.kind, ErrorKind::NotEnrolled);
    Ok(())
}

#[tokio::test]
async fn the_hub_lets_go_of_a_closed_day_and_reads_it_back_when_asked() -> Result<()> {
    let (hub, hand) = TestHub::start_by_hand(common::midday_clinic()).await?;
    let DayOfThree {
        seen,
        waiting,
        cancelled,
        cancelled_code,
    } = a_day_of_three(&hub).await?;
    let day = hub.running.hub.clock().now().clinic_day;
    let in_memory = |visit: &str| {
        hub.running
            .hub
            .read(|state, _| state.visits.contains_key(&visit_id(visit)))
    };

    hand.advance(chrono::Duration::days(1));
    take_a_step(&hub).await?;
    assert!(!in_memory(&cancelled), "a closed day's visit leaves memory");
    assert!(in_memory(&waiting), "an unresolved one stays");
    assert!(in_memory(&seen), "the visit that left exam-1 dirty stays");

    let rows = hub.api().appointments(day).await?;
    assert_eq!(rows.len(), 3, "the day's list is read from the database");
    let (status, answer) = hub.check_in(&cancelled_code).await?;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (200, Some("cancelled")),
        "a closed day's code is still known: {answer}"
    );
    let searchset: serde_json::Value = hub
        .client
        .get(hub.url(&format!("/api/v1/fhir/Encounter?date={day}")))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(
        searchset["total"], 3,
        "an encounter for each visit past scheduled that day, the cancelled one too"
    );

    // A step on the closed day's visit brings it back, and the domain decides on it as ever
    // (not "no such visit").
    let again = hub
        .run(Command::CancelVisit {
            visit: visit_id(&cancelled),
            reason: String::new(),
        })
        .await
        .expect_err("cancelled already");
    assert!(again.to_string().contains("already cancelled"), "{again}");
    assert!(in_memory(&cancelled));
    Ok(())
}

#[tokio::test]
async fn an_appointment_listed_again_after_its_day_closed_is_not_booked_twice() -> Result<()> {
    let (hub, hand) = TestHub::start_by_hand(common::midday_clinic()).await?;
    let start = chrono::Utc::now() + chrono::Duration::minutes(20);
    let bundle = include_str!("../fixtures/fhir/one-appointment.json")
        .replace("2026-03-02T15:00:00Z", &start.to_rfc3339())
        .replace(
            "2026-03-02T15:30:00Z",
            &(start + chrono::Duration::minutes(30)).to_rfc3339(),
        );
    let import = || async {
        let answer: serde_json::Value = hub
            .client
            .post(hub.url("/api/v1/import"))
            .header("content-type", "application/fhir+json")
            .body(bundle.clone())
            .send()
            .await?
            .json()
            .await?;
        anyhow::Ok(answer)
    };
    let first = import().await?;
    assert_eq!(first["scheduled"], 1, "{first}");
    let day = hub.running.hub.clock().now().clinic_day;
    let booked = hub.api().day(day).await?.state.visits;
    let visit = booked.keys().next().expect("booked").clone();
    hub.run(Command::CancelVisit {
        visit: visit.clone(),
        reason: String::new(),
    })
    .await?;

    hand.advance(chrono::Duration::days(1));
    take_a_step(&hub).await?;
    assert!(!hub
        .running
        .hub
        .read(|state, _| state.visits.contains_key(&visit)));
    let again = import().await?;
    assert_eq!(again["scheduled"], 0, "found, not booked again: {again}");
    let visits = hub.api().day(day).await?.state.visits;
    assert_eq!(visits.keys().collect::<Vec<_>>(), vec![&visit]);
    Ok(())
}

/// One day with a visit of each kind: Ana seen (exam-1 left being cleaned), Ben checked in and
/// waiting, Cleo cancelled.
struct DayOfThree {
    seen: String,
    waiting: String,
    cancelled: String,
    cancelled_code: String,
}

async fn a_day_of_three(hub: &TestHub) -> Result<DayOfThree> {
    let (seen, code) = hub.schedule("Ana", 5).await?;
    hub.check_in(&code).await?;
    hub.see_and_start_cleaning(&visit_id(&seen), &room_id("exam-1"))
        .await?;
    let (waiting, code) = hub.schedule("Ben", 10).await?;
    hub.check_in(&code).await?;
    let (cancelled, cancelled_code) = hub.schedule("Cleo", 15).await?;
    hub.run(Command::CancelVisit {
        visit: visit_id(&cancelled),
        reason: String::new(),
    })
    .await?;
    Ok(DayOfThree {
        seen,
        waiting,
        cancelled,
        cancelled_code,
    })
}

/// Any step: the hub lets go of the days that closed at the first step of a new day.
async fn take_a_step(hub: &TestHub) -> Result<()> {
    hub.run(Command::AssignAssistant {
        staff: StaffId::parse("ma-lee")?,
        providers: vec![],
    })
    .await?;
    Ok(())
}
