//! Open days and closed days: a screen's snapshot carries today, later days and a past day's
//! unresolved visits; any whole day is `GET /api/v1/days/<date>`, from the database, redacted
//! for the caller like the snapshot.

use crate::common;

use anyhow::Result;
use clinicflow::api_types::ErrorKind;
use clinicflow::domain::{Command, DeviceRole, VisitId};
use common::{room_id, visit_id, TestHub};

#[tokio::test]
async fn a_snapshot_carries_the_open_days_and_a_closed_day_is_asked_for() -> Result<()> {
    let (hub, hand) = TestHub::start_by_hand(common::midday_clinic()).await?;
    let (seen, code) = hub.schedule("Ana", 5).await?;
    hub.check_in(&code).await?;
    hub.see_and_start_cleaning(&visit_id(&seen), &room_id("exam-1"))
        .await?;
    let (waiting, code) = hub.schedule("Ben", 10).await?;
    hub.check_in(&code).await?;
    let (cancelled, _) = hub.schedule("Cleo", 15).await?;
    let cancel = Command::CancelVisit {
        visit: visit_id(&cancelled),
        reason: String::new(),
    };
    hub.run(cancel).await?;
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
