//! Soak: a 20-room clinic's day of visits (check-in, rooming, provider, finish, turnover) driven
//! through the API while many live subscribers follow the event stream, dropping and resuming
//! their connections along the way. At the end every subscriber's copy equals the hub's.
//! `cargo test` runs a short day; `CLINICFLOW_SOAK=full` runs 8 hours' worth (480 visits) with
//! 100 subscribers.

mod common;

use anyhow::{Context, Result};
use chrono::Utc;
use clinicflow::api_types::Snapshot;
use clinicflow::domain::SequencedEvent;
use clinicflow::sync::LiveClinic;
use common::{SseReader, TestHub};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

struct Scale {
    visits_per_room: usize,
    subscribers: usize,
    /// A subscriber drops its connection and resumes after this many events.
    reconnect_every: usize,
}

fn scale() -> Scale {
    match std::env::var("CLINICFLOW_SOAK").as_deref() {
        Ok("full") => Scale {
            visits_per_room: 24,
            subscribers: 100,
            reconnect_every: 150,
        },
        _ => Scale {
            visits_per_room: 4,
            subscribers: 20,
            reconnect_every: 40,
        },
    }
}

fn clinic_of_twenty_rooms() -> clinicflow::config::ClinicConfig {
    let mut config = common::small_clinic();
    config.rooms = (1..=20)
        .map(|n| clinicflow::config::RoomConfig {
            id: format!("room-{n}"),
            name: format!("Exam {n}"),
            pod: if n <= 10 { "North" } else { "South" }.into(),
        })
        .collect();
    config
}

/// One room's day: visit after visit through the whole course and the room's turnover.
async fn run_room(hub: Arc<TestHub>, room: String, visits: usize) -> Result<usize> {
    let mut commands = 0;
    for n in 0..visits {
        let (visit, code) = hub.schedule(&format!("Soak{n}"), 0).await?;
        let (_, answer) = hub.check_in(&code).await?;
        anyhow::ensure!(answer["outcome"] == "checked_in", "{answer}");
        for step in [
            json!({"type": "room_patient", "visit": visit, "room": room}),
            json!({"type": "ready_for_provider", "visit": visit}),
            json!({"type": "provider_in", "visit": visit}),
            json!({"type": "finish_visit", "visit": visit}),
            json!({"type": "start_cleaning", "room": room}),
            json!({"type": "room_ready", "room": room}),
        ] {
            hub.command(step).await?;
        }
        commands += 8;
    }
    Ok(commands)
}

/// A screen: snapshot, then the stream, resuming by sequence number after each drop, until it
/// has everything up to `final_seq` (set once the day is over).
async fn follow(
    hub: Arc<TestHub>,
    final_seq: Arc<AtomicU64>,
    reconnect_every: usize,
) -> Result<(LiveClinic, usize)> {
    let snapshot: Snapshot = serde_json::from_value(hub.get("/api/v1/snapshot").await?.1)?;
    let mut live = LiveClinic::new();
    live.load_snapshot(snapshot, Utc::now());
    let mut reconnects = 0;
    loop {
        let mut stream =
            SseReader::open(&hub.client, &hub.url("/api/v1/events"), Some(live.seq)).await?;
        for _ in 0..reconnect_every {
            let target = final_seq.load(Ordering::SeqCst);
            if target != 0 && live.seq >= target {
                return Ok((live, reconnects));
            }
            let received = match stream.next(Duration::from_millis(500)).await {
                Ok(received) => received,
                Err(_) => continue, // quiet moment; check whether the day is over
            };
            let event: SequencedEvent = serde_json::from_value(received.data)?;
            let applied = live.apply(&event, Utc::now());
            anyhow::ensure!(
                applied != clinicflow::sync::Applied::Gap,
                "gap before seq {}",
                event.seq
            );
        }
        reconnects += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_ends_the_day_with_exactly_the_hubs_state() -> Result<()> {
    let scale = scale();
    let hub = Arc::new(TestHub::start_with(clinic_of_twenty_rooms()).await?);
    let final_seq = Arc::new(AtomicU64::new(0));
    let screens: Vec<_> = (0..scale.subscribers)
        .map(|_| {
            tokio::spawn(follow(
                hub.clone(),
                final_seq.clone(),
                scale.reconnect_every,
            ))
        })
        .collect();
    let rooms: Vec<_> = (1..=20)
        .map(|n| {
            tokio::spawn(run_room(
                hub.clone(),
                format!("room-{n}"),
                scale.visits_per_room,
            ))
        })
        .collect();
    let mut commands = 0;
    for room in rooms {
        commands += room.await??;
    }
    let (_, truth) = hub.get("/api/v1/snapshot").await?;
    final_seq.store(truth["seq"].as_u64().context("seq")?, Ordering::SeqCst);
    let mut reconnects = 0;
    for screen in screens {
        let (live, resumed) = tokio::time::timeout(Duration::from_secs(120), screen).await???;
        reconnects += resumed;
        assert_eq!(live.seq, truth["seq"].as_u64().unwrap());
        assert_eq!(
            serde_json::to_value(&live.state)?,
            truth["state"],
            "a screen's copy differs from the hub"
        );
    }
    let finished = truth["state"]["visits"]
        .as_object()
        .context("visits")?
        .values()
        .filter(|v| v["state"] == "finished")
        .count();
    assert_eq!(finished, 20 * scale.visits_per_room);
    println!("{commands} commands, {} subscribers, {reconnects} resumed connections, all equal to the hub", scale.subscribers);
    Ok(())
}
