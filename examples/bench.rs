//! `cargo xtask bench`: measured figures for the hub, each beside a reference measured in the
//! same run on the same machine. Prints a table and writes `target/bench/latest.json`.
//!
//! Figures: live fan-out latency at N subscribers (hub vs a bare axum SSE + tokio broadcast
//! server with no store), durable command rate (hub vs raw rusqlite single-row commits), hub
//! memory per connected screen, cold start at 100k+ events (vs an empty database), the web
//! bundle's size, kiosk scan → board DOM in headless Chromium (vs the same event reaching
//! a plain stream subscriber), and a year of history against one day (snapshot bytes, cold
//! start, hub memory, an old day asked of the hub, the board at 4× CPU throttle). The hub and the reference server run as separate processes; this
//! process is only the load client.

use anyhow::{bail, Context, Result};
use chromiumoxide::cdp::browser_protocol::emulation::SetCpuThrottlingRateParams;
use chromiumoxide::cdp::browser_protocol::performance;
use chromiumoxide::cdp::js_protocol::profiler;
use chrono::{Duration as Minutes, NaiveDate, TimeZone, Utc};
use clinicflow::domain::{
    self, CheckInCode, ClinicState, Command, Now, Patient, ProviderId, RoomId, SequencedEvent,
    VisitId, Vitals,
};
use clinicflow::store::{Batch, Store};
use futures::StreamExt;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const FAN_OUT: [usize; 4] = [1, 50, 200, 500];
/// Durable rate: check-ins by one client, in turns with the reference's commits; then by
/// `CLIENTS` clients at once.
const SINGLE_CLIENT: usize = 300;
const RATE_TURNS: usize = 6;
const RAW_PER_TURN: usize = 150;
const CLIENTS: usize = 32;
const PER_CLIENT: usize = 125;
const EVENTS_PER_ROUND: usize = 20;
/// Untimed commands before each fan-out series: the first writes after new screens connect also
/// meet the previous series' closed connections (and, for the hub, the memory step's), which the
/// server only finds out about by writing to them. Even, so the room ends each series in service.
const WARM_UP_ROUNDS: usize = 2;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let first = args.next().unwrap_or_default();
    if first == "--reference-server" {
        return reference::serve().await;
    }
    let bundle = PathBuf::from(first);
    let hub_binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/clinicflow");
    let work = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let mut report = Report::default();
    // `-- <bundle> <group>` runs one group alone (fan-out, rate, cold, bundle, kiosk, year).
    let only = args.next();
    let run = |group: &str| only.as_deref().is_none_or(|only| only == group);

    if run("fan-out") {
        fan_out_and_memory(&hub_binary, &work, &mut report).await?;
    }
    if run("rate") {
        durable_rate(&hub_binary, &work, &mut report).await?;
    }
    if run("cold") {
        cold_start(&hub_binary, &work, &mut report).await?;
    }
    if run("bundle") {
        bundle_size(&bundle, &mut report)?;
    }
    if run("kiosk") {
        kiosk_to_board(&hub_binary, &bundle, &work, &mut report).await?;
    }
    if run("year") {
        year_scale(&hub_binary, &bundle, &work, &mut report).await?;
    }

    report.print();
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/latest.json");
    std::fs::write(&out, serde_json::to_string_pretty(&report.json)?)?;
    println!("\nwritten to {}", out.display());
    Ok(())
}

/// Rows of (figure, value, reference, ratio) and the same as JSON.
#[derive(Default)]
struct Report {
    rows: Vec<[String; 4]>,
    json: serde_json::Map<String, Value>,
}

impl Report {
    fn add(&mut self, key: &str, figure: String, value: f64, unit: &str, reference: Option<f64>) {
        let ratio = reference.map(|r| if r > 0.0 { value / r } else { f64::NAN });
        self.rows.push([
            figure,
            format!("{value:.2} {unit}"),
            reference.map_or("".into(), |r| format!("{r:.2} {unit}")),
            ratio.map_or("".into(), |r| format!("{r:.2}×")),
        ]);
        self.json.insert(
            key.into(),
            json!({ "value": value, "unit": unit, "reference": reference, "ratio": ratio }),
        );
    }

    fn print(&self) {
        println!(
            "\n{:<58} {:>16} {:>16} {:>8}",
            "figure", "clinicflow", "reference", "ratio"
        );
        for [figure, value, reference, ratio] in &self.rows {
            println!("{figure:<58} {value:>16} {reference:>16} {ratio:>8}");
        }
    }
}

struct Server {
    child: Child,
    url: String,
    /// A client this server accepts: the hub's carries an integration device's bearer token.
    client: reqwest::Client,
    /// That token (the hub's only).
    token: Option<String>,
}

impl Server {
    fn spawn(mut command: Process) -> Result<Server> {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().context("stdout")?),
            &mut line,
        )?;
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .context("listening line")?
            .to_string();
        if !url.starts_with("http://") {
            bail!("server did not start: {line:?}");
        }
        Ok(Server {
            child,
            url,
            client: client_with_token(None)?,
            token: None,
        })
    }

    /// The hub on `db` with the demo clinic, and an integration client enrolled with the CLI.
    fn hub(binary: &Path, db: &Path) -> Result<Server> {
        Self::hub_with(binary, db, &[])
    }

    /// Like `hub`, with more `serve` arguments (`--bundle`, `--config`).
    fn hub_with(binary: &Path, db: &Path, extra: &[&std::ffi::OsStr]) -> Result<Server> {
        let enrolled = Process::new(binary)
            .args([
                "device",
                "add",
                "--json",
                "--role",
                "integration",
                "--name",
                "bench",
                "--db",
            ])
            .arg(db)
            .output()?;
        if !enrolled.status.success() {
            bail!(
                "enrolling the bench client: {}",
                String::from_utf8_lossy(&enrolled.stderr)
            );
        }
        let enrolled: Value = serde_json::from_slice(&enrolled.stdout)?;
        let mut command = Process::new(binary);
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--demo", "--db"])
            .arg(db)
            .args(extra);
        let mut server = Server::spawn(command)?;
        server.client = client_with_token(enrolled["token"].as_str())?;
        server.token = enrolled["token"].as_str().map(String::from);
        Ok(server)
    }

    fn reference() -> Result<Server> {
        let mut command = Process::new(std::env::current_exe()?);
        command.arg("--reference-server");
        Server::spawn(command)
    }

    /// Resident memory in KiB, from /proc.
    fn rss_kib(&self) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .context("VmRSS")?;
        Ok(line
            .split_whitespace()
            .nth(1)
            .context("VmRSS value")?
            .parse()?)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The client for streams and for the fan-out's and set-up's commands, with a bearer token when
/// given. It keeps connections alive (since session 4; before, every command opened one).
fn client_with_token(token: Option<&str>) -> Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        headers.insert("authorization", format!("Bearer {token}").parse()?);
    }
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .build()?)
}

/// Opens `n` event-stream subscribers; each reports (seq, arrival time) for every event.
async fn subscribe(
    client: &reqwest::Client,
    url: &str,
    n: usize,
) -> Result<(
    mpsc::UnboundedReceiver<(u64, Instant)>,
    Vec<tokio::task::JoinHandle<()>>,
)> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for _ in 0..n {
        let response = client.get(url).send().await?;
        let sender = sender.clone();
        tasks.push(tokio::spawn(async move {
            let mut stream = response.bytes_stream();
            let mut pending = String::new();
            while let Some(Ok(chunk)) = stream.next().await {
                let now = Instant::now();
                pending.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = pending.find('\n') {
                    let line: String = pending.drain(..=end).collect();
                    if let Some(id) = line
                        .strip_prefix("id:")
                        .and_then(|id| id.trim().parse().ok())
                    {
                        let _ = sender.send((id, now));
                    }
                }
            }
        }));
    }
    Ok((receiver, tasks))
}

/// Sends `WARM_UP_ROUNDS` untimed commands, then `EVENTS_PER_ROUND` commands one after another
/// and measures, for each, the time from sending until each subscriber has it. Returns every
/// per-subscriber latency in ms.
async fn measure_fan_out(
    client: &reqwest::Client,
    n: usize,
    events_url: &str,
    mut send: impl AsyncFnMut(usize) -> Result<u64>,
) -> Result<Vec<f64>> {
    let (mut arrivals, tasks) = subscribe(client, events_url, n).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut latencies = Vec::new();
    for round in 0..WARM_UP_ROUNDS + EVENTS_PER_ROUND {
        let started = Instant::now();
        let seq = send(round).await?;
        let mut seen = 0;
        while seen < n {
            let (id, at) = tokio::time::timeout(Duration::from_secs(10), arrivals.recv())
                .await?
                .context("subscribers gone")?;
            if id == seq {
                seen += 1;
                if round >= WARM_UP_ROUNDS {
                    latencies.push((at - started).as_secs_f64() * 1000.0);
                }
            }
        }
    }
    tasks.iter().for_each(|t| t.abort());
    Ok(latencies)
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

async fn fan_out_and_memory(binary: &Path, work: &Path, report: &mut Report) -> Result<()> {
    // Every screen here comes from this one address: lift the hub's per-address limit (128).
    let mut config = clinicflow::server::demo::config();
    config.security.connections_per_address = 2 * FAN_OUT[FAN_OUT.len() - 1] as u32 + 64;
    let config_path = work.join("fan-out.toml");
    std::fs::write(&config_path, toml::to_string(&config)?)?;
    let hub = Server::hub_with(
        binary,
        &work.join("fan-out.db"),
        &["--config".as_ref(), config_path.as_os_str()],
    )?;
    let reference = Server::reference()?;
    let client = hub.client.clone();
    let idle_rss = hub.rss_kib()?;
    // A room the demo day left ready (which one depends on the time of day it was seeded at).
    let snapshot: Value = client
        .get(format!("{}/api/v1/snapshot", hub.url))
        .send()
        .await?
        .json()
        .await?;
    let room = snapshot["state"]["rooms"]
        .as_object()
        .and_then(|rooms| rooms.values().find(|r| r["state"]["state"] == "ready"))
        .and_then(|r| r["id"].as_str())
        .context("a ready room in the demo clinic")?
        .to_string();
    report.add(
        "hub_rss_idle_kib",
        "hub memory, idle (RSS)".into(),
        idle_rss,
        "KiB",
        None,
    );
    for n in FAN_OUT {
        let hub_events = format!("{}/api/v1/events", hub.url);
        let room_command = async |round: usize| -> Result<u64> {
            let kind = if round % 2 == 0 {
                "take_out_of_service"
            } else {
                "return_to_service"
            };
            let answer: Value = client
                .post(format!("{}/api/v1/commands", hub.url))
                .json(&json!({"type": kind, "room": room, "reason": "bench"}))
                .send()
                .await?
                .json()
                .await?;
            answer["seq"]
                .as_u64()
                .with_context(|| format!("command refused: {answer}"))
        };
        let mut ours = measure_fan_out(&hub.client, n, &hub_events, room_command).await?;
        if n >= 200 {
            let (_receiver, tasks) = subscribe(&hub.client, &hub_events, n).await?;
            tokio::time::sleep(Duration::from_millis(500)).await;
            let per_screen = (hub.rss_kib()? - idle_rss) / n as f64;
            report.add(
                &format!("hub_rss_per_screen_kib_{n}"),
                format!("hub memory per connected screen, N={n}"),
                per_screen,
                "KiB",
                None,
            );
            tasks.iter().for_each(|t| t.abort());
        }
        let publish = async |_round: usize| -> Result<u64> {
            Ok(client
                .post(format!("{}/publish", reference.url))
                .send()
                .await?
                .text()
                .await?
                .parse()?)
        };
        let mut bare = measure_fan_out(
            &reference.client,
            n,
            &format!("{}/events", reference.url),
            publish,
        )
        .await?;
        for (name, p) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
            let (value, reference) = (percentile(&mut ours, p), percentile(&mut bare, p));
            report.add(
                &format!("fan_out_{name}_ms_{n}"),
                format!("fan-out {name}, N={n} subscribers (vs bare SSE)"),
                value,
                "ms",
                Some(reference),
            );
        }
    }
    Ok(())
}

async fn durable_rate(binary: &Path, work: &Path, report: &mut Report) -> Result<()> {
    let mut raw = RawCommits::open(&work.join("raw.db"))?;
    let hub = Server::hub(binary, &work.join("rate.db"))?;
    let token = hub.token.clone().context("hub token")?;
    let visits = create_visits(&hub.client, &hub.url, SINGLE_CLIENT + CLIENTS * PER_CLIENT).await?;
    let (single, crowd) = visits.split_at(SINGLE_CLIENT);
    // The hub and the reference take turns, so a slow spell of the disk (these VMs have them)
    // falls on both.
    let mut single_time = Duration::ZERO;
    for turn in single.chunks(SINGLE_CLIENT / RATE_TURNS) {
        raw.commit(RAW_PER_TURN)?;
        single_time += check_in_all(&hub.url, &token, &[turn])?;
    }
    raw.commit(RAW_PER_TURN)?;
    let crowd: Vec<&[String]> = crowd.chunks(PER_CLIENT).collect();
    let crowd_time = check_in_all(&hub.url, &token, &crowd)?;
    raw.commit(RAW_PER_TURN)?;
    let raw_rate = raw.times.len() as f64 / raw.times.iter().sum::<f64>() * 1e6;
    for (clients, count, time) in [
        (1, SINGLE_CLIENT, single_time),
        (CLIENTS, CLIENTS * PER_CLIENT, crowd_time),
    ] {
        report.add(
            &format!("check_ins_per_s_{clients}"),
            format!("durable check-ins/s, {clients} client(s) (vs raw single-row commits)"),
            count as f64 / time.as_secs_f64(),
            "/s",
            Some(raw_rate),
        );
    }
    report.add(
        "raw_commit_p50_us",
        "raw rusqlite durable commit p50 (reference only)".into(),
        percentile(&mut raw.times, 0.5),
        "µs",
        None,
    );
    Ok(())
}

/// Checks in every visit of each list, one client (connection and thread) per list; the time
/// from the first request to the last answer.
fn check_in_all(url: &str, token: &str, lists: &[&[String]]) -> Result<Duration> {
    let clients = lists
        .iter()
        .map(|_| PlainClient::connect(url, token))
        .collect::<Result<Vec<_>>>()?;
    let started = Instant::now();
    std::thread::scope(|scope| {
        let threads: Vec<_> = lists
            .iter()
            .zip(clients)
            .map(|(visits, mut client)| {
                scope.spawn(move || -> Result<()> {
                    for visit in visits.iter() {
                        let body = json!({"type": "check_in", "visit": visit}).to_string();
                        let (status, answer) = client.post("/api/v1/commands", &body)?;
                        if status != 200 {
                            bail!("check-in refused: {answer}");
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        threads
            .into_iter()
            .try_for_each(|thread| thread.join().expect("load thread"))
    })?;
    Ok(started.elapsed())
}

/// The durable-rate load client: HTTP/1.1 on one kept-alive connection, blocking, on its own
/// thread, as a kiosk's or an integration's requests arrive one after another: nothing between
/// the request and the hub but the socket. (Until session 4 the rate was measured with a client
/// that opened a new connection per request; a pooled reqwest client read the same as this one
/// within the noise.)
struct PlainClient {
    stream: std::io::BufReader<std::net::TcpStream>,
    host: String,
    token: String,
}

impl PlainClient {
    fn connect(url: &str, token: &str) -> Result<PlainClient> {
        let host = url.strip_prefix("http://").context("http URL")?.to_string();
        let stream = std::net::TcpStream::connect(&host)?;
        stream.set_nodelay(true)?;
        Ok(PlainClient {
            stream: std::io::BufReader::new(stream),
            host,
            token: token.to_string(),
        })
    }

    /// Posts a JSON body; the status and the answer's body.
    fn post(&mut self, path: &str, body: &str) -> Result<(u16, String)> {
        use std::io::{BufRead, Read, Write};
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            self.token,
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        self.stream.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .context("status line")?
            .parse()?;
        let mut length = None;
        loop {
            line.clear();
            self.stream.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = Some(value.trim().parse::<usize>()?);
                }
            }
        }
        let mut answer = vec![0; length.context("answer without Content-Length")?];
        self.stream.read_exact(&mut answer)?;
        Ok((status, String::from_utf8(answer)?))
    }
}

async fn create_visits(client: &reqwest::Client, url: &str, count: usize) -> Result<Vec<String>> {
    let body = json!({
        "patient": { "first_name": "Bench", "last_name": "Patient", "date_of_birth": "1970-01-01" },
        "provider": "dr-okafor", "start": Utc::now(), "visit_type": "Follow-up",
    });
    let requests = futures::stream::iter(0..count).map(|_| async {
        let created: Value = client
            .post(format!("{url}/api/v1/appointments"))
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        created["visit"]
            .as_str()
            .map(String::from)
            .with_context(|| format!("not created: {created}"))
    });
    requests
        .buffer_unordered(32)
        .collect::<Vec<Result<String>>>()
        .await
        .into_iter()
        .collect()
}

/// The reference: one durable single-row INSERT per transaction, WAL + synchronous=FULL.
struct RawCommits {
    conn: rusqlite::Connection,
    /// Each commit's time, µs.
    times: Vec<f64>,
}

impl RawCommits {
    fn open(path: &Path) -> Result<RawCommits> {
        let conn = rusqlite::Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
            [],
        )?;
        Ok(RawCommits {
            conn,
            times: Vec::new(),
        })
    }

    fn commit(&mut self, count: usize) -> Result<()> {
        let body = "x".repeat(200);
        for _ in 0..count {
            let one = Instant::now();
            self.conn
                .execute("INSERT INTO t (body) VALUES (?1)", [&body])?;
            self.times.push(one.elapsed().as_secs_f64() * 1e6);
        }
        Ok(())
    }
}

async fn cold_start(binary: &Path, work: &Path, report: &mut Report) -> Result<()> {
    let busy = work.join("busy.db");
    let events = write_busy_history(&busy)?;
    let empty = work.join("empty.db");
    let mut ours = Vec::new();
    let mut reference = Vec::new();
    for _ in 0..3 {
        reference.push(time_to_healthy(binary, &empty).await?);
        ours.push(time_to_healthy(binary, &busy).await?);
    }
    let (value, base) = (percentile(&mut ours, 0.5), percentile(&mut reference, 0.5));
    report.add(
        "cold_start_ms",
        format!("cold start to /healthz, {events} events (vs empty db)"),
        value,
        "ms",
        Some(base),
    );
    Ok(())
}

async fn time_to_healthy(binary: &Path, db: &Path) -> Result<f64> {
    let started = Instant::now();
    let mut command = Process::new(binary);
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db);
    let server = Server::spawn(command)?;
    loop {
        if let Ok(response) = reqwest::get(format!("{}/healthz", server.url)).await {
            if response.status().is_success() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// A clinic's history written straight through the store (no hub): one provider and 20 rooms
/// set up, then whole days of visits, each through its whole course as the soak runs it.
struct History {
    store: Store,
    state: ClinicState,
    seq: u64,
    visits: u64,
    provider: ProviderId,
    rooms: Vec<RoomId>,
    staff: domain::StaffId,
}

impl History {
    /// A new database at `path` holding the clinic's set-up on `first_day`.
    fn create(path: &Path, first_day: NaiveDate) -> Result<History> {
        let mut history = History {
            store: Store::open(path)?,
            state: ClinicState::default(),
            seq: 0,
            visits: 0,
            provider: ProviderId::parse("dr-busy")?,
            rooms: (1..=20)
                .map(|n| RoomId::parse(&format!("exam-{n}")))
                .collect::<Result<_, _>>()?,
            staff: domain::StaffId::parse("ma-bench")?,
        };
        let opening = Utc.from_utc_datetime(&first_day.and_hms_opt(6, 0, 0).unwrap());
        let mut events = Vec::new();
        let add_provider = Command::AddProvider {
            provider: history.provider.clone(),
            name: "Dr. Busy".into(),
            pod: "A".into(),
        };
        history.run(add_provider, opening, first_day, &mut events)?;
        for (n, room) in history.rooms.clone().into_iter().enumerate() {
            let add_room = Command::AddRoom {
                room,
                name: format!("Exam {}", n + 1),
                pod: "A".into(),
            };
            history.run(add_room, opening, first_day, &mut events)?;
        }
        history.commit(&events)?;
        Ok(history)
    }

    fn run(
        &mut self,
        command: Command,
        at: chrono::DateTime<Utc>,
        day: NaiveDate,
        events: &mut Vec<SequencedEvent>,
    ) -> Result<()> {
        let now = Now {
            at,
            clinic_day: day,
            by: Some(&self.staff),
        };
        for event in domain::execute(&mut self.state, &command, now)? {
            self.seq += 1;
            events.push(SequencedEvent {
                seq: self.seq,
                event,
            });
        }
        Ok(())
    }

    fn commit(&mut self, events: &[SequencedEvent]) -> Result<()> {
        let batch = Batch {
            events,
            audit: &[],
            kept: &[],
        };
        Ok(self.store.commit(batch, &self.state)?)
    }

    /// Schedules a visit starting at `start` on `day` (booked the day before) and checks it in
    /// five minutes early.
    fn arrive(
        &mut self,
        day: NaiveDate,
        start: chrono::DateTime<Utc>,
        events: &mut Vec<SequencedEvent>,
    ) -> Result<VisitId> {
        self.visits += 1;
        let visit = VisitId::parse(&format!("v-{}", self.visits))?;
        let schedule = Command::ScheduleAppointment {
            visit: visit.clone(),
            patient: Patient {
                first_name: "Pat".into(),
                last_name: format!("Number{}", self.visits),
                date_of_birth: NaiveDate::from_ymd_opt(1960, 1, 1),
            },
            provider: self.provider.clone(),
            start,
            duration_minutes: Some(20),
            external: None,
            day,
            visit_type: "Follow-up".into(),
            code: CheckInCode::from_random(self.visits * 7_919 + 13),
            needs: Default::default(),
        };
        self.run(schedule, start - Minutes::days(1), day, events)?;
        let check_in = Command::CheckIn {
            visit: visit.clone(),
            identity_confirmed: false,
        };
        self.run(check_in, start - Minutes::minutes(5), day, events)?;
        Ok(visit)
    }

    /// One whole day of `visits` visits, one every `spacing`, from 07:00: each checked in,
    /// roomed (every third roomed, undone and roomed again), its vitals taken, seen, finished,
    /// and its room cleaned and ready. Committed as one batch.
    fn finished_day(&mut self, day: NaiveDate, visits: u32, spacing: Minutes) -> Result<()> {
        let mut events = Vec::new();
        for i in 0..visits {
            let start =
                Utc.from_utc_datetime(&day.and_hms_opt(7, 0, 0).unwrap()) + spacing * i as i32;
            let visit = self.arrive(day, start, &mut events)?;
            let room = self.rooms[i as usize % self.rooms.len()].clone();
            let room_it = Command::RoomPatient {
                visit: visit.clone(),
                room: room.clone(),
            };
            let mut course = Vec::new();
            if i % 3 == 0 {
                course.push((1, room_it.clone()));
                course.push((
                    1,
                    Command::Undo {
                        visit: Some(visit.clone()),
                        room: None,
                        reason: "Wrong patient".into(),
                    },
                ));
            }
            course.extend([
                (2, room_it),
                (
                    8,
                    Command::RecordVitals {
                        visit: visit.clone(),
                        vitals: Vitals {
                            systolic_mmhg: Some(120.0),
                            diastolic_mmhg: Some(80.0),
                            heart_rate_per_min: Some(72.0),
                            ..Vitals::default()
                        },
                        confirm_abnormal: false,
                        ready_for_provider: true,
                    },
                ),
                (
                    12,
                    Command::ProviderIn {
                        visit: visit.clone(),
                    },
                ),
                (20, Command::FinishVisit { visit }),
                (21, Command::StartCleaning { room: room.clone() }),
                (
                    24,
                    Command::RoomReady {
                        room,
                        thorough: false,
                        override_reason: None,
                    },
                ),
            ]);
            for (minutes, command) in course {
                self.run(command, start + Minutes::minutes(minutes), day, &mut events)?;
            }
        }
        self.commit(&events)
    }

    /// `count` patients checked in on `day` over the last hours before `now`: the earliest 20
    /// roomed (half of them with vitals, ready for the provider), the rest waiting.
    fn on_the_board(
        &mut self,
        day: NaiveDate,
        now: chrono::DateTime<Utc>,
        count: u32,
    ) -> Result<()> {
        let mut events = Vec::new();
        for i in 0..count {
            let start = now - Minutes::minutes(4 * (count - i) as i64);
            let visit = self.arrive(day, start, &mut events)?;
            let Some(room) = self.rooms.get(i as usize).cloned() else {
                continue;
            };
            let room_it = Command::RoomPatient {
                visit: visit.clone(),
                room,
            };
            self.run(room_it, start + Minutes::minutes(2), day, &mut events)?;
            if i % 2 == 0 {
                let vitals = Command::RecordVitals {
                    visit,
                    vitals: Vitals {
                        systolic_mmhg: Some(118.0),
                        diastolic_mmhg: Some(76.0),
                        ..Vitals::default()
                    },
                    confirm_abnormal: false,
                    ready_for_provider: true,
                };
                self.run(vitals, start + Minutes::minutes(3), day, &mut events)?;
            }
        }
        self.commit(&events)
    }
}

/// 32 days of a busy 20-room clinic (400 visits a day, each through its whole course and room
/// turnover) written straight through the store: over 100,000 events.
fn write_busy_history(path: &Path) -> Result<u64> {
    let first_day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut history = History::create(path, first_day)?;
    for day_index in 0..32 {
        history.finished_day(
            first_day + Minutes::days(day_index),
            400,
            Minutes::seconds(81),
        )?;
    }
    Ok(history.seq)
}

/// A year of history: 250 working days of 100 visits each, ending yesterday, and today's 40
/// patients on the board.
const YEAR_DAYS: usize = 250;
const YEAR_VISITS_A_DAY: u32 = 100;
const ON_THE_BOARD: u32 = 40;
/// The CPU slowdown standing in for a cheap tablet.
const TABLET_THROTTLE: f64 = 4.0;

/// A clinic a year in beside the same clinic on its first day (today's 40 patients, no
/// history), and, for the board's own cost, beside an empty clinic: snapshot bytes, cold start,
/// hub memory, an old day asked of the hub, and the overview board at 4× CPU throttle (opening
/// to live, and main-thread scripting per second while it shows the 40).
async fn year_scale(binary: &Path, bundle: &Path, work: &Path, report: &mut Report) -> Result<()> {
    use chrono::Datelike;
    let now = Utc::now();
    // The hub's clinic days are the machine's (no time zone configured).
    let today = now.with_timezone(&chrono::Local).date_naive();
    let mut days: Vec<NaiveDate> = (1..)
        .map(|back| today - Minutes::days(back))
        .filter(|day| day.weekday().number_from_monday() <= 5)
        .take(YEAR_DAYS)
        .collect();
    days.reverse();
    let year = work.join("year.db");
    let written = Instant::now();
    let mut history = History::create(&year, days[0])?;
    for day in &days {
        history.finished_day(*day, YEAR_VISITS_A_DAY, Minutes::minutes(5))?;
    }
    history.on_the_board(today, now, ON_THE_BOARD)?;
    let (events, visits) = (history.seq, history.visits);
    drop(history);
    println!(
        "bench: a year written ({visits} visits, {events} events) in {:.1} s",
        written.elapsed().as_secs_f64()
    );
    let one_day = work.join("one-day.db");
    History::create(&one_day, today)?.on_the_board(today, now, ON_THE_BOARD)?;
    let empty = work.join("empty-clinic.db");
    History::create(&empty, today)?;
    let year_label = format!("{YEAR_DAYS} days, {visits} visits");

    let (mut ours, mut reference) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        reference.push(time_to_healthy(binary, &one_day).await?);
        ours.push(time_to_healthy(binary, &year).await?);
    }
    report.add(
        "year_cold_start_ms",
        format!("cold start to /healthz, a year ({events} events; vs one day)"),
        percentile(&mut ours, 0.5),
        "ms",
        Some(percentile(&mut reference, 0.5)),
    );

    let with_bundle = ["--bundle".as_ref(), bundle.as_os_str()];
    let year_hub = Server::hub_with(binary, &year, &with_bundle)?;
    let day_hub = Server::hub_with(binary, &one_day, &with_bundle)?;
    let snapshot_bytes = |hub: &Server| {
        let request = hub.client.get(format!("{}/api/v1/snapshot", hub.url));
        async move {
            anyhow::Ok(
                request
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?
                    .len(),
            )
        }
    };
    let (year_bytes, day_bytes) = (
        snapshot_bytes(&year_hub).await?,
        snapshot_bytes(&day_hub).await?,
    );
    report.add(
        "year_snapshot_kib",
        "snapshot per screen, a year in (vs one day), uncompressed".into(),
        year_bytes as f64 / 1024.0,
        "KiB",
        Some(day_bytes as f64 / 1024.0),
    );
    report.add(
        "year_hub_rss_mib",
        "hub memory after start and a snapshot, a year in (vs one day)".into(),
        year_hub.rss_kib()? / 1024.0,
        "MiB",
        Some(day_hub.rss_kib()? / 1024.0),
    );
    let old_day = |hub: &Server| {
        let url = format!("{}/api/v1/days/{}", hub.url, days[0]);
        let client = hub.client.clone();
        async move {
            let mut times = Vec::new();
            for _ in 0..20 {
                let started = Instant::now();
                let record: Value = client
                    .get(&url)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                anyhow::ensure!(record["state"]["visits"].is_object(), "{record}");
            }
            anyhow::Ok(percentile(&mut times, 0.5))
        }
    };
    report.add(
        "year_old_day_ms",
        "GET /api/v1/days/<first day> p50, a year in (vs one day)".into(),
        old_day(&year_hub).await?,
        "ms",
        Some(old_day(&day_hub).await?),
    );
    drop(day_hub);

    let empty_hub = Server::hub_with(binary, &empty, &with_bundle)?;
    // Each board on its own host name, so each keeps its own device cookie.
    let boards = [
        (&year_hub, &year, "127.0.0.1"),
        (&empty_hub, &empty, "localhost"),
    ];
    let mut links = Vec::new();
    for (hub, db, host) in boards {
        links.push(pairing_url(binary, db, &hub.url, "board")?.replace("127.0.0.1", host));
    }
    tokio::time::sleep(Duration::from_millis(1200)).await; // the hubs re-read devices every second
    let profile = tempfile::tempdir()?;
    let (mut browser, handler) = launch_browser(profile.path()).await?;
    let measured = async {
        let live = "document.querySelector('.badge.live') !== null && document.getElementById('board-waiting-heading') !== null";
        let mut pages = Vec::new();
        for link in &links {
            let page = browser.new_page("about:blank").await?;
            page.goto(link.as_str()).await?;
            wait_for(&page, live, Duration::from_millis(20)).await?;
            page.execute(SetCpuThrottlingRateParams::new(TABLET_THROTTLE)).await?;
            page.execute(performance::EnableParams::default()).await?;
            pages.push(page);
        }
        let waiting: String = pages[0]
            .evaluate("document.getElementById('board-waiting-heading').textContent")
            .await?
            .into_value()?;
        anyhow::ensure!(waiting.contains(&(ON_THE_BOARD / 2).to_string()), "the year's board shows {waiting:?}");
        // Opening the board (an enrolled screen, its app shell cached) until it is live.
        let mut open_ms = [Vec::new(), Vec::new()];
        for _ in 0..3 {
            for (page, times) in pages.iter().zip(open_ms.iter_mut()) {
                let url = page.url().await?.context("board url")?;
                page.goto("about:blank").await?;
                let started = Instant::now();
                page.goto(url).await?;
                wait_for(page, live, Duration::from_millis(20)).await?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        // Main-thread scripting per second while the board just shows the clinic.
        let mut scripting = Vec::new();
        for page in &pages {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let before = script_seconds(page).await?;
            let started = Instant::now();
            tokio::time::sleep(Duration::from_secs(10)).await;
            let after = script_seconds(page).await?;
            scripting.push((after - before) * 1000.0 / started.elapsed().as_secs_f64());
        }
        for page in pages {
            page.close().await?;
        }
        anyhow::Ok((open_ms, scripting))
    }
    .await;
    browser.close().await?;
    browser.wait().await?;
    handler.abort();
    let ([mut year_open, mut empty_open], scripting) = measured?;
    report.add(
        "board_open_to_live_ms",
        format!("board open → live at {TABLET_THROTTLE}× CPU, a year in (vs empty clinic)"),
        percentile(&mut year_open, 0.5),
        "ms",
        Some(percentile(&mut empty_open, 0.5)),
    );
    report.add(
        "board_scripting_ms_per_s",
        format!("board scripting per second at {TABLET_THROTTLE}× CPU, {ON_THE_BOARD} patients, {year_label} (vs empty)"),
        scripting[0],
        "ms",
        Some(scripting[1]),
    );
    Ok(())
}

/// The page's main-thread script time so far, in seconds (Chromium's `ScriptDuration`).
async fn script_seconds(page: &chromiumoxide::Page) -> Result<f64> {
    let metrics = page
        .execute(performance::GetMetricsParams::default())
        .await?;
    metrics
        .result
        .metrics
        .iter()
        .find(|m| m.name == "ScriptDuration")
        .map(|m| m.value)
        .context("ScriptDuration")
}

fn bundle_size(bundle: &Path, report: &mut Report) -> Result<()> {
    let wasm = bundle.join("wasm/clinicflow_bg.wasm");
    let raw = std::fs::metadata(&wasm)
        .with_context(|| format!("{}: run `cargo xtask bundle`", wasm.display()))?
        .len();
    let gzip = std::fs::metadata(bundle.join("wasm/clinicflow_bg.wasm.gz"))?.len();
    report.add(
        "wasm_kib",
        "web client wasm, raw".into(),
        raw as f64 / 1024.0,
        "KiB",
        None,
    );
    report.add(
        "wasm_gzip_kib",
        "web client wasm, gzip".into(),
        gzip as f64 / 1024.0,
        "KiB",
        None,
    );
    Ok(())
}

const KIOSK_CHECK_INS: usize = 50;
/// Check-ins before the measured ones: a board on the wall has shown many, while the page's
/// first few run its code for the first time (the first alone is shown as its own figure).
const KIOSK_WARM_UP: usize = 5;

/// A patient scans at the kiosk (a real kiosk page in headless Chromium, its scan field typed
/// into, Enter pressed); the time until the charge nurse's board (`/board`: another page, another
/// device) has changed its "Waiting to be roomed (N)" heading. Reference: the time until a
/// plain event-stream subscriber in this process has the same event. Both pages keep running as
/// if each were on its own screen (no background throttling). Times are wall-clock
/// (`performance.timeOrigin + performance.now()` in the pages, the system clock here).
async fn kiosk_to_board(
    binary: &Path,
    bundle: &Path,
    work: &Path,
    report: &mut Report,
) -> Result<()> {
    let db = work.join("kiosk.db");
    let mut config = clinicflow::server::demo::config();
    // One scan per patient: the date-of-birth step is a person's time, not the system's.
    config.check_in.confirm_date_of_birth = false;
    // Check-ins come during clinic hours: after closing time the overview also lists every
    // visit still open and every appointment that never came (docs/bench.md), so the figure
    // would depend on the hour the bench runs at.
    config.desk.closes_at = "23:59".into();
    let config_path = work.join("kiosk.toml");
    std::fs::write(&config_path, toml::to_string(&config)?)?;
    let hub = Server::hub_with(
        binary,
        &db,
        &[
            "--bundle".as_ref(),
            bundle.as_os_str(),
            "--config".as_ref(),
            config_path.as_os_str(),
        ],
    )?;
    let kiosk_url = pairing_url(binary, &db, &hub.url, "kiosk")?;
    let board_url = pairing_url(binary, &db, &hub.url, "board")?;
    tokio::time::sleep(Duration::from_millis(1200)).await; // the hub re-reads devices every second
    let body = |n: usize| {
        json!({
            "patient": { "first_name": format!("Kiosk{n}"), "last_name": "Bench", "date_of_birth": "1970-01-01" },
            "provider": "dr-okafor", "start": Utc::now(), "visit_type": "Follow-up",
        })
    };
    let mut codes = Vec::new();
    for n in 0..KIOSK_WARM_UP + KIOSK_CHECK_INS {
        let created: Value = hub
            .client
            .post(format!("{}/api/v1/appointments", hub.url))
            .json(&body(n))
            .send()
            .await?
            .json()
            .await?;
        codes.push(
            created["check_in_path"]
                .as_str()
                .context("path")?
                .to_string(),
        );
    }

    let profile = tempfile::tempdir()?;
    let (mut browser, handler) = launch_browser(profile.path()).await?;
    let measured = async {
        let wait = |page: &chromiumoxide::Page, expression: &'static str| {
            let page = page.clone();
            async move { wait_for(&page, expression, Duration::from_millis(5)).await }
        };
        // The overview on another host name, so it keeps its own device cookie. Where its time
        // goes: each clinic event's arrival in the page is noted too (before the page's own
        // work on it), and a bare `EventSource` page beside it (same browser, same device)
        // notes when the browser hands over the same event with no screen behind it.
        let overview = browser.new_page("about:blank").await?;
        overview
            .evaluate_on_new_document(
                "window.arrivals = []; const listen = EventSource.prototype.addEventListener;
                 EventSource.prototype.addEventListener = function (name, handler, options) {
                   if (name === 'clinic') { const inner = handler; handler = function (e) {
                     window.arrivals.push(performance.timeOrigin + performance.now()); return inner.call(this, e); }; }
                   return listen.call(this, name, handler, options); };",
            )
            .await?;
        overview.goto(board_url.replace("127.0.0.1", "localhost")).await?;
        wait(&overview, "location.pathname === '/board'").await?;
        wait(&overview, "document.querySelector('.badge.live') !== null && document.getElementById('board-waiting-heading') !== null").await?;
        overview
            .evaluate(
                "(() => { window.changes = []; window.onChange = null;
                  const value = document.getElementById('board-waiting-heading');
                  let last = value.textContent;
                  new MutationObserver(() => { if (value.textContent !== last) { last = value.textContent;
                    window.changes.push(performance.timeOrigin + performance.now()); window.onChange?.(); } })
                    .observe(value, { childList: true, characterData: true, subtree: true }); return true; })()",
            )
            .await?;
        let bare = browser.new_page("about:blank").await?;
        bare.goto(format!("{}/healthz", hub.url.replace("127.0.0.1", "localhost"))).await?;
        bare.evaluate(
            "(() => { window.arrivals = []; const source = new EventSource('/api/v1/events?after=' + JSON.parse(document.body.innerText).seq);
              source.addEventListener('clinic', () => window.arrivals.push(performance.timeOrigin + performance.now())); return true; })()",
        )
        .await?;
        let kiosk = browser.new_page("about:blank").await?;
        kiosk.goto(kiosk_url).await?;
        wait(&kiosk, "document.querySelector('.badge.live') !== null && document.getElementById('scan-input') !== null").await?;

        // `CLINICFLOW_BENCH_PROFILE=<file>`: the board's CPU profile over the check-ins, for
        // Chromium's DevTools (docs/bench.md: a bundle built with CLINICFLOW_WASM_NAMES names
        // the client's functions).
        let profile_to = std::env::var_os("CLINICFLOW_BENCH_PROFILE").map(PathBuf::from);
        if profile_to.is_some() {
            overview.execute(profiler::EnableParams::default()).await?;
            overview.execute(profiler::SetSamplingIntervalParams::new(100)).await?;
            overview.execute(profiler::StartParams::default()).await?;
        }
        let (arrivals, subscriber) = wall_clock_subscriber(&hub).await?;
        let mut arrivals = arrivals;
        let (mut browser_ms, mut stream_ms) = (Vec::new(), Vec::new());
        let mut pressed_at = Vec::new();
        let mut first = None;
        for (n, path) in codes.iter().enumerate() {
            let field = kiosk.find_element("#scan-input").await?;
            field.click().await?.type_str(format!("{}{path}", hub.url)).await?;
            let pressed: f64 = kiosk.evaluate("performance.timeOrigin + performance.now()").await?.into_value()?;
            field.press_key("Enter").await?;
            let arrived = tokio::time::timeout(Duration::from_secs(10), arrivals.recv())
                .await?
                .context("event stream ended")?;
            // One question the board answers when its heading changes, not a poll: asking the
            // page every few milliseconds would put the bench's own calls on its main thread.
            let shown: Option<f64> = overview
                .evaluate(format!(
                    "new Promise(done => {{ const check = () => {{ if (window.changes.length > {n}) {{
                       window.onChange = null; done(window.changes[{n}]); }} }};
                       window.onChange = check; check(); setTimeout(() => done(null), 4000); }})"
                ))
                .await?
                .into_value()?;
            let shown = shown.context("the overview never showed the arrival")?;
            if n == 0 {
                first = Some((shown - pressed, arrived - pressed));
            } else if n >= KIOSK_WARM_UP {
                browser_ms.push(shown - pressed);
                stream_ms.push(arrived - pressed);
                pressed_at.push((pressed, shown));
            }
            // The kiosk's own answer may come after the overview has it: tap Done once shown.
            wait(&kiosk, "(() => { const done = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Done'); done?.click(); return !!done; })()").await?;
            wait(&kiosk, "document.getElementById('scan-input') !== null").await?;
        }
        subscriber.abort();
        if let Some(to) = profile_to {
            let taken = overview.execute(profiler::StopParams::default()).await?;
            std::fs::write(&to, serde_json::to_vec(&taken.result.profile)?)?;
            eprintln!("board CPU profile written to {}", to.display());
        }
        // For each check-in: from its event's arrival in the board page to the board's change,
        // and from the scan to the bare page's arrival.
        let in_board: Vec<f64> = overview.evaluate("window.arrivals").await?.into_value()?;
        let in_bare: Vec<f64> = bare.evaluate("window.arrivals").await?.into_value()?;
        let (mut page_ms, mut bare_ms) = (Vec::new(), Vec::new());
        for (pressed, shown) in pressed_at {
            if let Some(arrived) = in_board.iter().rev().find(|at| **at <= shown) {
                page_ms.push(shown - arrived);
            }
            if let Some(arrived) = in_bare.iter().find(|at| **at >= pressed) {
                bare_ms.push(arrived - pressed);
            }
        }
        anyhow::ensure!(
            page_ms.len() == KIOSK_CHECK_INS && bare_ms.len() == KIOSK_CHECK_INS,
            "the board's or the bare page's events were not all noted"
        );
        // `CLINICFLOW_BENCH_EACH=1`: every check-in's figures, to see which ones make a tail.
        if std::env::var_os("CLINICFLOW_BENCH_EACH").is_some() {
            for (n, (((whole, stream), bare), page)) in
                browser_ms.iter().zip(&stream_ms).zip(&bare_ms).zip(&page_ms).enumerate()
            {
                eprintln!("check-in {n}: board {whole:.1} ms, stream {stream:.1}, bare page {bare:.1}, board's own {page:.1}");
            }
        }
        let first = first.context("no first check-in")?;
        anyhow::Ok((browser_ms, stream_ms, page_ms, bare_ms, first))
    }
    .await;
    browser.close().await?;
    browser.wait().await?;
    handler.abort();
    let (mut browser_ms, mut stream_ms, mut page_ms, mut bare_ms, first) = measured?;
    report.add(
        "kiosk_to_board_first_ms",
        "kiosk scan → board DOM, the first check-in after the board opened (vs stream)".into(),
        first.0,
        "ms",
        Some(first.1),
    );
    // The whole path, and the same path cut in two: the browser handing the event to a page at
    // all (a bare page beside the board), and the board's own work from the event's arrival to
    // its DOM.
    for (key, p) in [("p50", 0.5), ("p99", 0.99)] {
        let reference = percentile(&mut stream_ms, p);
        report.add(
            &format!("kiosk_to_board_{key}_ms"),
            format!("kiosk scan → board DOM {key}, {KIOSK_CHECK_INS} check-ins after {KIOSK_WARM_UP} (vs stream)"),
            percentile(&mut browser_ms, p),
            "ms",
            Some(reference),
        );
        report.add(
            &format!("kiosk_to_bare_page_{key}_ms"),
            format!("kiosk scan → bare EventSource page {key} (vs stream)"),
            percentile(&mut bare_ms, p),
            "ms",
            Some(reference),
        );
        report.add(
            &format!("board_event_to_dom_{key}_ms"),
            format!("board: event in the page → DOM {key}"),
            percentile(&mut page_ms, p),
            "ms",
            None,
        );
    }
    Ok(())
}

/// A one-time pairing link for a new `role` device on the hub at `url` over `db`.
fn pairing_url(binary: &Path, db: &Path, url: &str, role: &str) -> Result<String> {
    let output = Process::new(binary)
        .args([
            "device", "add", "--json", "--role", role, "--name", role, "--url", url, "--db",
        ])
        .arg(db)
        .output()?;
    let enrolled: Value = serde_json::from_slice(&output.stdout)
        .with_context(|| String::from_utf8_lossy(&output.stderr).to_string())?;
    Ok(enrolled["pairing_url"]
        .as_str()
        .context("pairing_url")?
        .to_string())
}

/// Headless Chromium with a fresh profile in `profile`, its pages never throttled in the
/// background (each runs as if on its own screen), and the task that drives its events.
async fn launch_browser(
    profile: &Path,
) -> Result<(chromiumoxide::Browser, tokio::task::JoinHandle<()>)> {
    use chromiumoxide::browser::{Browser, BrowserConfig};
    let executable =
        std::env::var("CLINICFLOW_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let browser_config = BrowserConfig::builder()
        .chrome_executable(executable)
        .no_sandbox()
        .user_data_dir(profile)
        .args([
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-renderer-backgrounding",
            "--disable-background-timer-throttling",
            "--disable-backgrounding-occluded-windows",
        ])
        .build()
        .map_err(anyhow::Error::msg)?;
    let (browser, mut events) = Browser::launch(browser_config).await?;
    let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
    Ok((browser, handler))
}

/// Polls `expression` on `page` every `every` until it is true (at most 2,000 times).
async fn wait_for(page: &chromiumoxide::Page, expression: &str, every: Duration) -> Result<()> {
    for _ in 0..2000 {
        if page
            .evaluate(expression)
            .await?
            .into_value::<bool>()
            .unwrap_or(false)
        {
            return Ok(());
        }
        tokio::time::sleep(every).await;
    }
    bail!("timed out waiting for {expression}")
}

/// One event-stream subscriber reporting each event's arrival in wall-clock milliseconds.
async fn wall_clock_subscriber(
    hub: &Server,
) -> Result<(mpsc::UnboundedReceiver<f64>, tokio::task::JoinHandle<()>)> {
    let seq: u64 = hub
        .client
        .get(format!("{}/healthz", hub.url))
        .send()
        .await?
        .json::<Value>()
        .await?["seq"]
        .as_u64()
        .context("seq")?;
    let response = hub
        .client
        .get(format!("{}/api/v1/events?after={seq}", hub.url))
        .send()
        .await?;
    let (sender, receiver) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut stream = response.bytes_stream();
        let mut pending = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
            pending.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = pending.find('\n') {
                let line: String = pending.drain(..=end).collect();
                if line.starts_with("id:") {
                    let _ = sender.send(now);
                }
            }
        }
    });
    Ok((receiver, task))
}

/// The transport's own cost: axum SSE fed by a tokio broadcast channel, nothing stored.
mod reference {
    use super::*;
    use axum::response::sse::{Event, KeepAlive, Sse};
    use axum::routing::{get, post};
    use std::sync::atomic::{AtomicU64, Ordering};
    use tokio::sync::broadcast;

    #[derive(Clone)]
    struct Shared {
        sender: broadcast::Sender<Arc<(u64, String)>>,
        seq: Arc<AtomicU64>,
    }

    pub async fn serve() -> Result<()> {
        let (sender, _) = broadcast::channel(4096);
        let shared = Shared {
            sender,
            seq: Arc::new(AtomicU64::new(0)),
        };
        let app = axum::Router::new()
            .route("/events", get(events))
            .route("/publish", post(publish))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("reference listening on http://{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    }

    async fn events(
        axum::extract::State(shared): axum::extract::State<Shared>,
    ) -> Sse<impl futures::Stream<Item = Result<Event, std::convert::Infallible>>> {
        let stream = tokio_stream::wrappers::BroadcastStream::new(shared.sender.subscribe())
            .filter_map(|item| async move {
                item.ok().map(|event| {
                    Ok(Event::default()
                        .id(event.0.to_string())
                        .event("clinic")
                        .data(event.1.clone()))
                })
            });
        Sse::new(stream).keep_alive(KeepAlive::default())
    }

    async fn publish(axum::extract::State(shared): axum::extract::State<Shared>) -> String {
        let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let payload = json!({"seq": seq, "event": {"type": "room_state_changed", "room": "exam-9", "to": {"state": "out_of_service", "reason": "bench"}, "at": Utc::now()}});
        let _ = shared.sender.send(Arc::new((seq, payload.to_string())));
        seq.to_string()
    }
}
