//! Shared helpers for the integration tests: a hub on port 0 with a temporary database, a
//! JSON client, a Server-Sent Events reader and a headless Chromium.
#![allow(dead_code)] // each test binary uses a different part of this

pub mod browser;

use anyhow::{bail, Context, Result};
use clinicflow::api_types::{CommandReceipt, NewAppointment};
use clinicflow::config::ClinicConfig;
use clinicflow::domain::{Command, DeviceRole, Needs, Patient, ProviderId, RoomId, VisitId};
use clinicflow::server::clock::{ClinicClock, ClockHand};
use clinicflow::server::devices::Enrolled;
use clinicflow::server::{start, HubOptions, RunningHub};
use clinicflow::sync::HubClient;
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;
use tempfile::TempDir;

/// A hub serving on a free port over a database in its own temporary folder.
pub struct TestHub {
    pub running: RunningHub,
    pub dir: TempDir,
    db: std::path::PathBuf,
    pub client: reqwest::Client,
}

/// The small clinic in a time zone where it is about noon now, so appointments an hour or three
/// away are still today whenever the tests run.
pub fn midday_clinic() -> ClinicConfig {
    use chrono::Timelike;
    let offset = 12 - chrono::Utc::now().hour() as i32;
    let mut config = small_clinic();
    // Etc/GMT zones count west as positive: Etc/GMT-7 is UTC+7.
    config.time_zone = format!("Etc/GMT{:+}", -offset);
    config
}

/// A small clinic: two pods, four rooms, two providers, staff of every role.
pub fn small_clinic() -> ClinicConfig {
    let text = r#"
        name = "Test Clinic"
        time_zone = "America/Chicago"
        rooms = [
            { id = "exam-1", name = "Exam 1", pod = "North" },
            { id = "exam-2", name = "Exam 2", pod = "North" },
            { id = "exam-3", name = "Exam 3", pod = "South" },
            { id = "exam-4", name = "Exam 4", pod = "South" },
        ]
        providers = [
            { id = "dr-okafor", name = "Dr. Amara Okafor", pod = "North" },
            { id = "dr-brooks", name = "Dr. Daniel Brooks", pod = "South" },
        ]
        staff = [
            { id = "ma-lee", name = "Michelle Lee", role = "assistant" },
            { id = "rn-walsh", name = "Kathleen Walsh", role = "charge_nurse" },
            { id = "fd-patel", name = "Nisha Patel", role = "front_desk" },
            { id = "admin", name = "Alex Morgan", role = "admin" },
        ]
    "#;
    toml::from_str(text).expect("test clinic config")
}

impl TestHub {
    /// The small clinic at about noon (see [`midday_clinic`]): a test that books a visit a few
    /// minutes away and checks it in passes at any hour. (Until December 2026 this was Chicago
    /// time, and such tests failed for the hour before Chicago's midnight.)
    pub async fn start() -> Result<TestHub> {
        Self::start_with(midday_clinic()).await
    }

    /// Starts a hub; `client` is an enrolled integration client (full access, bearer token).
    pub async fn start_with(config: ClinicConfig) -> Result<TestHub> {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("clinic.db");
        Self::start_in(dir, db, options_for(config, None)).await
    }

    /// Like `start_with`, with the database at `db` (for example on a small disk).
    pub async fn start_on(db: std::path::PathBuf, config: ClinicConfig) -> Result<TestHub> {
        Self::start_in(tempfile::tempdir()?, db, options_for(config, None)).await
    }

    /// Like `start_with`, on a clock that moves only when the returned hand moves it.
    pub async fn start_by_hand(config: ClinicConfig) -> Result<(TestHub, ClockHand)> {
        Self::serve_by_hand(config, chrono::Utc::now(), None).await
    }

    /// Like `start_by_hand`, the clock standing at `start`, serving the web `bundle` if given
    /// (for browser tests that move the hub's time).
    pub async fn serve_by_hand(
        config: ClinicConfig,
        start: chrono::DateTime<chrono::Utc>,
        bundle: Option<std::path::PathBuf>,
    ) -> Result<(TestHub, ClockHand)> {
        let (clock, hand) = ClinicClock::by_hand(&config.time_zone, start)?;
        if let Some(bundle) = &bundle {
            // Dioxus's server renderer reads its page template from here (as `serve` sets it).
            // Every in-process hub of a test binary serves the same bundle, so setting it while
            // other tests run changes nothing they read.
            std::env::set_var("DIOXUS_PUBLIC_PATH", bundle);
        }
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("clinic.db");
        let options = HubOptions {
            bundle,
            ..options_for(config, Some(clock))
        };
        let hub = Self::start_in(dir, db.clone(), options).await?;
        Ok((hub, hand))
    }

    async fn start_in(
        dir: TempDir,
        db: std::path::PathBuf,
        options: HubOptions,
    ) -> Result<TestHub> {
        let options = HubOptions {
            db: db.clone(),
            ..options
        };
        let running = start(options).await?;
        let mut hub = TestHub {
            running,
            dir,
            db,
            client: reqwest::Client::new(),
        };
        let integration = hub
            .enrol(
                DeviceRole::Integration,
                &format!("test integration {}", rand::random::<u32>()),
            )
            .await?;
        hub.client = client_with(&[("authorization", format!("Bearer {}", integration.token))])?;
        for (staff, pin) in [
            ("ma-lee", "111111"),
            ("rn-walsh", "555555"),
            ("fd-patel", "666666"),
            ("admin", "999999"),
        ] {
            let hash = clinicflow::server::auth::hash_pin(pin);
            hub.running
                .hub
                .with_store(move |store| store.set_pin_hash(staff, &hash))
                .await??;
        }
        Ok(hub)
    }

    /// Enrols a device straight in the store and makes the running hub see it at once.
    pub async fn enrol(&self, role: DeviceRole, name: &str) -> Result<Enrolled> {
        let (name, base) = (name.to_string(), self.running.url());
        let actor = clinicflow::store::Actor {
            actor: "test".into(),
            device: "test".into(),
            staff: None,
        };
        let enrolled = self
            .running
            .hub
            .with_store(move |store| {
                clinicflow::server::devices::enrol_in(
                    store,
                    &name,
                    role,
                    &base,
                    actor,
                    chrono::Utc::now(),
                )
            })
            .await??;
        self.running.access.refresh(&self.running.hub).await?;
        Ok(enrolled)
    }

    /// A browser-like client of a paired screen: device cookie and this hub as Origin.
    pub async fn screen(&self, role: DeviceRole, name: &str) -> Result<reqwest::Client> {
        let enrolled = self.enrol(role, name).await?;
        let token = self.pair(&enrolled.pairing_url).await?;
        client_with(&[
            ("cookie", format!("cf_device={token}")),
            ("origin", self.running.url()),
        ])
    }

    /// Opens a pairing link; returns the device credential the hub set as a cookie.
    pub async fn pair(&self, pairing_url: &str) -> Result<String> {
        let no_redirects = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let response = no_redirects.get(pairing_url).send().await?;
        anyhow::ensure!(
            response.status().as_u16() == 303,
            "pairing answered {}",
            response.status()
        );
        cookie_value(&response, "cf_device").context("no device cookie")
    }

    /// A tablet with `staff` signed in with `pin`.
    pub async fn signed_in_tablet(&self, staff: &str, pin: &str) -> Result<reqwest::Client> {
        let enrolled = self
            .enrol(
                DeviceRole::Tablet,
                // Device names are unique: a staff member may be signed in on several tablets.
                &format!("tablet for {staff} {}", rand::random::<u32>()),
            )
            .await?;
        let device = self.pair(&enrolled.pairing_url).await?;
        let tablet = client_with(&[
            ("cookie", format!("cf_device={device}")),
            ("origin", self.running.url()),
        ])?;
        let response = tablet
            .post(self.url("/api/v1/session"))
            .json(&json!({"staff": staff, "pin": pin}))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "sign-in answered {}",
            response.status()
        );
        let session = cookie_value(&response, "cf_session").context("no session cookie")?;
        client_with(&[
            (
                "cookie",
                format!("cf_device={device}; cf_session={session}"),
            ),
            ("origin", self.running.url()),
        ])
    }

    /// Shuts the hub down and removes its folder.
    pub async fn stop(self) {
        let TestHub {
            running, client, ..
        } = self;
        drop(client);
        running.shutdown().await;
    }

    /// The typed client over `http` (a screen's or tablet's client from the helpers above).
    pub fn client_for(&self, http: reqwest::Client) -> HubClient {
        HubClient::new(&self.running.url(), http)
    }

    /// The typed client with the integration client's full access.
    pub fn api(&self) -> HubClient {
        self.client_for(self.client.clone())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url())
    }

    pub fn db(&self) -> std::path::PathBuf {
        self.db.clone()
    }

    pub async fn get(&self, path: &str) -> Result<(u16, Value)> {
        let response = self.client.get(self.url(path)).send().await?;
        Ok((response.status().as_u16(), response.json().await?))
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<(u16, Value)> {
        let response = self.client.post(self.url(path)).json(&body).send().await?;
        Ok((response.status().as_u16(), response.json().await?))
    }

    /// A typed command that must be accepted (through the typed client, full access).
    pub async fn run(&self, command: Command) -> Result<CommandReceipt> {
        Ok(self.api().command(&command).await?)
    }

    /// A command written as JSON, as the API documents it, that must be accepted.
    pub async fn command(&self, body: Value) -> Result<Value> {
        let (status, answer) = self.post("/api/v1/commands", body.clone()).await?;
        if status != 200 {
            bail!("{body} answered {status}: {answer}");
        }
        Ok(answer)
    }

    /// Takes a checked-in `visit` through `room` (roomed, ready, the provider, finished) and
    /// starts cleaning the room: the turnover that follows a visit.
    pub async fn see_and_start_cleaning(&self, visit: &VisitId, room: &RoomId) -> Result<()> {
        for command in [
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
            Command::FinishVisit {
                visit: visit.clone(),
            },
            Command::StartCleaning { room: room.clone() },
        ] {
            self.run(command).await?;
        }
        Ok(())
    }

    /// Schedules an appointment for `dr-okafor` starting `minutes_from_now`; returns (visit, code).
    /// Checks a code in as the kiosk does, with the date of birth every `schedule`d patient has.
    pub async fn check_in(&self, code: &str) -> Result<(u16, Value)> {
        self.post(
            "/api/v1/check-in",
            json!({ "code": code, "date_of_birth": BIRTH_DATE }),
        )
        .await
    }

    pub async fn schedule(
        &self,
        first_name: &str,
        minutes_from_now: i64,
    ) -> Result<(String, String)> {
        self.schedule_needing(first_name, minutes_from_now, Needs::default())
            .await
    }

    /// Like `schedule`, for a patient with `needs` (an interpreter, isolation…).
    pub async fn schedule_needing(
        &self,
        first_name: &str,
        minutes_from_now: i64,
        needs: Needs,
    ) -> Result<(String, String)> {
        let appointment = NewAppointment {
            patient: Patient {
                first_name: first_name.into(),
                last_name: "Testperson".into(),
                date_of_birth: Some(BIRTH_DATE.parse()?),
            },
            provider: ProviderId::parse("dr-okafor")?,
            start: chrono::Utc::now() + chrono::Duration::minutes(minutes_from_now),
            duration_minutes: None,
            visit_type: "Follow-up".into(),
            needs,
        };
        let created = self.api().create_appointment(&appointment).await?;
        Ok((created.visit.to_string(), created.code))
    }
}

/// Starts the real hub binary with `args` (after `serve`); returns the process and the URL it
/// printed once listening.
/// A room id the test knows is valid.
pub fn room_id(raw: &str) -> RoomId {
    RoomId::parse(raw).expect("a room id")
}

/// A visit id the hub answered.
pub fn visit_id(raw: &str) -> VisitId {
    VisitId::parse(raw).expect("a visit id")
}

/// The date of birth of every patient `TestHub::schedule` makes.
pub const BIRTH_DATE: &str = "1961-07-14";

pub fn spawn_hub<I, S>(args: I) -> Result<(std::process::Child, String)>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .arg("serve")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().context("hub stdout")?).read_line(&mut line)?;
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    if !url.starts_with("http") {
        let _ = child.kill();
        let _ = child.wait();
        bail!("the hub did not start: {line:?}");
    }
    Ok((child, url))
}

fn options_for(config: ClinicConfig, clock: Option<ClinicClock>) -> HubOptions {
    HubOptions {
        clock,
        ..options(std::path::PathBuf::new(), config)
    }
}

/// Options for an in-process hub on a free port over `db`, without demo, bundle or TLS.
pub fn options(db: std::path::PathBuf, config: ClinicConfig) -> HubOptions {
    HubOptions {
        addr: "127.0.0.1:0".parse().expect("loopback address"),
        db,
        config,
        demo: false,
        bundle: None,
        tls: None,
        clock: None,
    }
}

/// The database file passes SQLite's integrity check and its event log has no gap.
pub fn assert_database_sound(db: &std::path::Path) -> Result<()> {
    let db = rusqlite::Connection::open(db)?;
    let integrity: String = db.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    anyhow::ensure!(integrity == "ok", "integrity check: {integrity}");
    let (count, max): (i64, i64) = db.query_row(
        "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM events",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    anyhow::ensure!(
        count == max,
        "the event log has gaps: {count} events up to seq {max}"
    );
    Ok(())
}

/// A client that sends these headers with every request.
pub fn client_with(headers: &[(&'static str, String)]) -> Result<reqwest::Client> {
    let mut map = reqwest::header::HeaderMap::new();
    for (name, value) in headers {
        map.insert(*name, value.parse()?);
    }
    Ok(reqwest::Client::builder().default_headers(map).build()?)
}

pub fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or_default().to_string())
        })
}

/// One Server-Sent Event as received.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: Option<u64>,
    pub event: Option<String>,
    pub data: Value,
}

/// Reads a `text/event-stream` response event by event.
pub struct SseReader {
    stream: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: String,
    pub comments: usize,
    /// `heartbeat` events seen (skipped by `next`, which answers clinic events).
    pub heartbeats: usize,
}

impl SseReader {
    pub async fn open(
        client: &reqwest::Client,
        url: &str,
        last_event_id: Option<u64>,
    ) -> Result<SseReader> {
        let mut request = client.get(url);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await?;
        if response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            != Some("text/event-stream")
        {
            bail!(
                "not an event stream: {:?}",
                response.headers().get("content-type")
            );
        }
        Ok(SseReader {
            stream: response.bytes_stream().boxed(),
            buffer: String::new(),
            comments: 0,
            heartbeats: 0,
        })
    }

    /// The next clinic event (comments and heartbeats are counted and skipped), or an error
    /// after `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Result<SseEvent> {
        tokio::time::timeout(timeout, self.next_event())
            .await
            .context("no event in time")?
    }

    async fn next_event(&mut self) -> Result<SseEvent> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    id: None,
                    event: None,
                    data: Value::Null,
                };
                let mut data = String::new();
                for line in block.lines() {
                    if line.starts_with(':') {
                        self.comments += 1;
                    } else if let Some(value) = line.strip_prefix("id:") {
                        event.id = value.trim().parse().ok();
                    } else if let Some(value) = line.strip_prefix("event:") {
                        event.event = Some(value.trim().to_string());
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                    }
                }
                if event.event.as_deref() == Some("heartbeat") {
                    self.heartbeats += 1;
                } else if !data.is_empty() {
                    event.data = serde_json::from_str(&data)?;
                    return Ok(event);
                }
            }
            let chunk = self.stream.next().await.context("stream ended")??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
