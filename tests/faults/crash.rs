//! Crash safety: the real hub binary is killed with SIGKILL at random moments while clients
//! stream commands at it. After each restart every command it acknowledged must be there, the
//! event log must be gap-free and SQLite's integrity check must pass.

use crate::common;

use anyhow::{Context, Result};
use rand::Rng;
use serde_json::{json, Value};

use std::path::Path;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const KILLS: usize = 50;
const CLIENTS: usize = 16;
const MIN_ACKNOWLEDGED: usize = 10_000;

pub(crate) const CONFIG: &str = r#"
name = "Crash Test Clinic"
time_zone = "UTC"
rooms = [{ id = "exam-1", name = "Exam 1", pod = "North" }]
providers = [{ id = "dr-okafor", name = "Dr. Amara Okafor", pod = "North" }]
"#;

pub(crate) struct HubProcess {
    pub child: Child,
    pub url: String,
}

/// No hub outlives the test, whichever way it ends.
impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_hub(dir: &Path) -> Result<HubProcess> {
    let config = dir.join("clinic.toml");
    let db = dir.join("clinic.db");
    let args = [
        "--addr".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--db".as_ref(),
        db.as_os_str(),
        "--config".as_ref(),
        config.as_os_str(),
    ];
    let (child, url) = common::spawn_hub::<_, &std::ffi::OsStr>(args)?;
    Ok(HubProcess { child, url })
}

/// What the hub acknowledged: visits created, and visits checked in.
#[derive(Default, Clone)]
struct Acknowledged {
    scheduled: Vec<String>,
    checked_in: Vec<String>,
}

/// Enrols an integration client with the CLI, as an EHR bridge would be; returns its token.
pub(crate) fn enrol_integration(dir: &Path) -> Result<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args([
            "device",
            "add",
            "--role",
            "integration",
            "--name",
            "crash test",
            "--json",
            "--db",
        ])
        .arg(dir.join("clinic.db"))
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let enrolled: Value = serde_json::from_slice(&output.stdout)?;
    Ok(enrolled["token"].as_str().context("token")?.to_string())
}

/// One client: schedules appointments and checks in earlier ones until the hub goes away.
async fn client(
    url: String,
    token: String,
    acknowledged: Arc<Mutex<Acknowledged>>,
    count: Arc<AtomicUsize>,
) {
    let http =
        common::client_with(&[("authorization", format!("Bearer {token}"))]).expect("client");
    loop {
        let check_in = {
            acknowledged
                .lock()
                .unwrap()
                .scheduled
                .iter()
                .rev()
                .nth(CLIENTS)
                .cloned()
        };
        let sent = match check_in {
            Some(visit) if rand::rng().random_bool(0.3) => http
                .post(format!("{url}/api/v1/commands"))
                .json(&json!({"type": "check_in", "visit": visit}))
                .send()
                .await
                .map(|r| (r, Some(visit))),
            _ => {
                let body = json!({
                    "patient": { "first_name": "Crash", "last_name": "Test", "date_of_birth": "1970-01-01" },
                    "provider": "dr-okafor",
                    "start": chrono::Utc::now(),
                    "visit_type": "Follow-up",
                });
                http.post(format!("{url}/api/v1/appointments"))
                    .json(&body)
                    .send()
                    .await
                    .map(|r| (r, None))
            }
        };
        let Ok((response, checked_in)) = sent else {
            return;
        };
        let status = response.status().as_u16();
        let Ok(answer) = response.json::<Value>().await else {
            return;
        };
        let mut acknowledged = acknowledged.lock().unwrap();
        match (status, checked_in) {
            (201, None) => acknowledged
                .scheduled
                .push(answer["visit"].as_str().unwrap().to_string()),
            (200, Some(visit)) => acknowledged.checked_in.push(visit),
            _ => continue,
        }
        count.fetch_add(1, Ordering::SeqCst);
    }
}

async fn verify(url: &str, token: &str, acknowledged: &Acknowledged) -> Result<()> {
    let http = common::client_with(&[("authorization", format!("Bearer {token}"))])?;
    let snapshot: Value = http
        .get(format!("{url}/api/v1/snapshot"))
        .send()
        .await?
        .json()
        .await?;
    let visits = &snapshot["state"]["visits"];
    for visit in &acknowledged.scheduled {
        anyhow::ensure!(
            visits.get(visit).is_some(),
            "acknowledged visit {visit} was lost"
        );
    }
    for visit in &acknowledged.checked_in {
        anyhow::ensure!(
            visits[visit]["state"] == "arrived",
            "acknowledged check-in of {visit} was lost"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_hub_at_random_moments_loses_no_acknowledged_command() -> Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("clinic.toml"), CONFIG)?;
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let mut first = start_hub(dir.path())?; // creates the database
    first.child.kill()?;
    first.child.wait()?;
    let token = enrol_integration(dir.path())?;
    let mut total = 0;
    for kill in 0..KILLS {
        let mut hub = start_hub(dir.path())?;
        let so_far = acknowledged.lock().unwrap().clone();
        verify(&hub.url, &token, &so_far)
            .await
            .with_context(|| format!("after kill {kill}"))?;
        let count = Arc::new(AtomicUsize::new(0));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                tokio::spawn(client(
                    hub.url.clone(),
                    token.clone(),
                    acknowledged.clone(),
                    count.clone(),
                ))
            })
            .collect();
        let kill_after = rand::rng().random_range(150..300);
        while count.load(Ordering::SeqCst) < kill_after {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        hub.child.kill()?; // SIGKILL, mid-stream: commits are in flight
        hub.child.wait()?;
        for client in clients {
            client.await?;
        }
        total += count.load(Ordering::SeqCst);
    }
    let hub = start_hub(dir.path())?;
    let all = acknowledged.lock().unwrap().clone();
    verify(&hub.url, &token, &all)
        .await
        .context("after the last kill")?;
    let mut hub = hub;
    hub.child.kill()?;
    hub.child.wait()?;

    assert!(
        total >= MIN_ACKNOWLEDGED,
        "only {total} commands acknowledged over {KILLS} kills"
    );
    common::assert_database_sound(&dir.path().join("clinic.db"))?;
    println!("{total} acknowledged commands over {KILLS} kills, none lost");
    Ok(())
}

/// Schedules one appointment under `key`: the visit id the hub answered, or `None` when the
/// answer was lost (the hub was killed).
async fn schedule_keyed(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    start: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    let body = json!({
        "patient": { "first_name": key, "last_name": "Keyed", "date_of_birth": "1970-01-01" },
        "provider": "dr-okafor",
        "start": start,
        "visit_type": "Follow-up",
    });
    let response = http
        .post(format!("{url}/api/v1/appointments"))
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .ok()?;
    if response.status().as_u16() != 201 {
        return None;
    }
    let answer: Value = response.json().await.ok()?;
    answer["visit"].as_str().map(String::from)
}

/// A screen whose answer was lost when the hub died sends the step again with its key once the
/// hub is back: whether or not the first try had committed, the step exists exactly once, and
/// a key answered before the kill is answered with the same visit after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_sent_again_after_a_kill_takes_effect_exactly_once() -> Result<()> {
    const ROUNDS: usize = 8;
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("clinic.toml"), CONFIG)?;
    let mut first = start_hub(dir.path())?;
    first.child.kill()?;
    first.child.wait()?;
    let token = enrol_integration(dir.path())?;
    let http = common::client_with(&[("authorization", format!("Bearer {token}"))])?;
    let start = chrono::Utc::now();
    let mut answered: Vec<(String, String)> = Vec::new();
    let mut lost: Vec<String> = Vec::new();
    let mut next = 0;
    for _ in 0..ROUNDS {
        let mut hub = start_hub(dir.path())?;
        for key in std::mem::take(&mut lost) {
            let visit = schedule_keyed(&http, &hub.url, &key, start)
                .await
                .with_context(|| format!("{key} sent again after the restart"))?;
            answered.push((key, visit));
        }
        if let Some((key, visit)) = answered.last() {
            let again = schedule_keyed(&http, &hub.url, key, start).await;
            assert_eq!(
                again.as_ref(),
                Some(visit),
                "{key} answered the same after a kill"
            );
        }
        // Kill the hub while a client is sending: the last step's answer is lost, whether
        // or not it committed.
        let url = hub.url.clone();
        let sender = {
            let http = http.clone();
            tokio::spawn(async move {
                let (mut done, mut sent) = (Vec::new(), 0);
                loop {
                    let key = format!("step-{}", next + sent);
                    sent += 1;
                    match schedule_keyed(&http, &url, &key, start).await {
                        Some(visit) => done.push((key, visit)),
                        None => return (done, key, sent),
                    }
                }
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(
            rand::rng().random_range(100..400),
        ))
        .await;
        hub.child.kill()?;
        hub.child.wait()?;
        let (done, unanswered, sent) = sender.await?;
        answered.extend(done);
        lost.push(unanswered);
        next += sent;
    }
    let hub = start_hub(dir.path())?;
    for key in std::mem::take(&mut lost) {
        let visit = schedule_keyed(&http, &hub.url, &key, start)
            .await
            .context("the last lost step")?;
        answered.push((key, visit));
    }
    let snapshot: Value = http
        .get(format!("{}/api/v1/snapshot", hub.url))
        .send()
        .await?
        .json()
        .await?;
    let visits = snapshot["state"]["visits"].as_object().context("visits")?;
    let keyed = visits
        .values()
        .filter(|v| v["patient"]["last_name"] == "Keyed")
        .count();
    assert_eq!(
        keyed,
        answered.len(),
        "each step exactly once, none doubled"
    );
    for (key, visit) in &answered {
        assert!(visits.contains_key(visit), "{key}'s visit {visit} was lost");
    }
    drop(hub);
    common::assert_database_sound(&dir.path().join("clinic.db"))?;
    println!(
        "{} keyed steps over {ROUNDS} kills, each lost answer sent again: none doubled",
        answered.len()
    );
    Ok(())
}
