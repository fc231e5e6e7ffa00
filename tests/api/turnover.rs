//! Rooms safe to reuse: after a patient on airborne precautions the hub refuses "Room ready"
//! until the room's air has cleared (`air_clearance`, with the minutes left), a charge nurse
//! may release it early with a reason (kept in the event and the audit trail), an assistant may
//! not; the disinfectant's contact time runs from "Start cleaning".

use crate::common::{self, room_id, visit_id, TestHub};
use anyhow::Result;
use clinicflow::api_types::ErrorKind;
use clinicflow::domain::{Command, Precaution, Precautions};
use clinicflow::sync::HubClient;

/// Books an airborne patient for now, checks them in and takes them through Exam 1 and out.
async fn airborne_visit_seen_in_exam_1(hub: &TestHub) -> Result<()> {
    let needs = clinicflow::domain::Needs {
        isolation: Precautions::from_iter([Precaution::Airborne]),
        ..Default::default()
    };
    let (visit, code) = hub.schedule_needing("Airborne", 0, needs).await?;
    let visit = visit_id(&visit);
    let (status, _) = hub.check_in(&code).await?;
    assert_eq!(status, 200);
    let room = room_id("exam-1");
    hub.see_and_start_cleaning(&visit, &room).await?;
    Ok(())
}

/// The small clinic at midday, with tablets that stay signed in while the clock jumps ahead.
fn clinic() -> clinicflow::config::ClinicConfig {
    let mut config = common::midday_clinic();
    config.security.idle_lock_seconds = 24 * 3600;
    config
}

fn ready(override_reason: Option<&str>) -> Command {
    Command::RoomReady {
        room: room_id("exam-1"),
        thorough: true,
        override_reason: override_reason.map(String::from),
    }
}

async fn refusal(client: &HubClient, command: Command) -> ErrorKind {
    client.command(&command).await.expect_err("refused").kind
}

#[tokio::test]
async fn an_airborne_patients_room_is_ready_only_once_its_air_has_cleared() -> Result<()> {
    let mut config = clinic();
    config.rooms[0].air_changes_per_hour = Some(12);
    let (hub, hand) = TestHub::start_by_hand(config).await?;
    airborne_visit_seen_in_exam_1(&hub).await?;
    let assistant = hub.client_for(hub.signed_in_tablet("ma-lee", "111111").await?);

    hand.advance(chrono::Duration::minutes(20));
    assert_eq!(
        refusal(&assistant, ready(None)).await,
        ErrorKind::AirClearance { minutes_left: 15 },
        "12 air changes an hour: 35 minutes"
    );
    assert_eq!(
        refusal(&assistant, ready(Some("needed the room"))).await,
        ErrorKind::Forbidden,
        "releasing a room early is the charge nurse's call"
    );
    hand.advance(chrono::Duration::minutes(15));
    assistant.command(&ready(None)).await?;
    hub.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_charge_nurse_releases_a_room_early_with_a_reason_and_it_is_audited() -> Result<()> {
    let (hub, hand) = TestHub::start_by_hand(clinic()).await?;
    airborne_visit_seen_in_exam_1(&hub).await?;
    let nurse = hub.client_for(hub.signed_in_tablet("rn-walsh", "555555").await?);
    hand.advance(chrono::Duration::minutes(10));
    assert_eq!(
        refusal(&nurse, ready(None)).await,
        ErrorKind::AirClearance { minutes_left: 59 },
        "6 air changes an hour when the room does not say: 69 minutes"
    );
    nurse
        .command(&ready(Some("Portable HEPA filter ran 45 min")))
        .await?;

    let snapshot = hub.api().snapshot().await?;
    assert!(snapshot.state.rooms[&room_id("exam-1")].state == clinicflow::domain::RoomState::Ready);
    let db = rusqlite::Connection::open(hub.db())?;
    let (actor, command): (String, String) = db.query_row(
        "SELECT actor, command FROM audit WHERE command LIKE '%override_reason%'",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    assert_eq!(actor, "rn-walsh");
    assert!(
        command.contains("Portable HEPA filter ran 45 min"),
        "{command}"
    );
    let event: String = db.query_row(
        "SELECT body FROM events WHERE body LIKE '%overridden%'",
        [],
        |row| row.get(0),
    )?;
    assert!(event.contains("Portable HEPA filter ran 45 min"), "{event}");
    hub.stop().await;
    Ok(())
}

#[tokio::test]
async fn the_disinfectant_contact_time_runs_from_start_cleaning() -> Result<()> {
    let mut config = clinic();
    config.turnover.disinfectant_contact_minutes = Some(4);
    let (hub, hand) = TestHub::start_by_hand(config).await?;
    let (visit, code) = hub.schedule("Contact", 0).await?;
    let visit = visit_id(&visit);
    hub.check_in(&code).await?;
    let room = room_id("exam-2");
    hub.see_and_start_cleaning(&visit, &room).await?;
    let ready = Command::RoomReady {
        room,
        thorough: false,
        override_reason: None,
    };
    hand.advance(chrono::Duration::minutes(3));
    assert_eq!(
        refusal(&hub.api(), ready.clone()).await,
        ErrorKind::ContactTime { minutes_left: 1 }
    );
    hand.advance(chrono::Duration::minutes(1));
    hub.run(ready).await?;
    hub.stop().await;
    Ok(())
}
