//! The native kiosk app (`clinicflow-kiosk`, Dioxus desktop) under Xvfb, used as a lobby kiosk is:
//! paired by typing its pairing link, a scanner's keystrokes typed with xdotool without clicking
//! anything, the date of birth on the keyboard. What it shows is read back from screenshots with
//! tesseract (no WebDriver reaches a Dioxus desktop webview), what it did from the hub's state.
//! Needs `CLINICFLOW_KIOSK_APP` (the built app) and Xvfb, xdotool, ImageMagick's `import` and
//! tesseract on PATH: `cargo xtask test` builds and installs them.

#[path = "../common/mod.rs"]
mod common;

use anyhow::{bail, Context, Result};
use common::browser::{DemoHub, BORN};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An X server of its own for the test, 1920×1080 like a lobby screen.
struct Display {
    xvfb: Child,
    name: String,
}

impl Display {
    fn start() -> Result<Display> {
        for _ in 0..20 {
            let number = 100 + rand::random::<u16>() % 800;
            let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
            if socket.exists() {
                continue;
            }
            let name = format!(":{number}");
            let xvfb = Command::new("Xvfb")
                .args([&name, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("starting Xvfb (apt-get install xvfb, or run `cargo xtask test`)")?;
            let mut display = Display { xvfb, name };
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if socket.exists() {
                    return Ok(display);
                }
                if display.xvfb.try_wait()?.is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = display.xvfb.kill();
        }
        bail!("Xvfb did not start")
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("DISPLAY", &self.name);
        command
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<String> {
        let output = self
            .command(program)
            .args(args)
            .output()
            .with_context(|| format!("running {program}"))?;
        anyhow::ensure!(
            output.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(String::from_utf8_lossy(&output.stdout).to_string())
    }

    /// The whole screen saved as `target/screenshots/<name>.png`, and its text as tesseract
    /// reads it from a copy at `scale` (small type reads far better at 200%, slower).
    fn read_at(&self, name: &str, scale: &str) -> Result<String> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        let path = path.to_str().context("utf-8 path")?;
        self.run("import", &["-window", "root", path])?;
        let large = format!("{path}.ocr.png");
        self.run("convert", &[path, "-resize", scale, &large])?;
        let text = self.run("tesseract", &[&large, "-", "--psm", "3"]);
        let _ = std::fs::remove_file(&large);
        Ok(text?.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Waits until the screen reads `wanted` (case-insensitive), saving it as `name`.
    fn wait_to_read(&self, name: &str, wanted: &str, timeout: Duration) -> Result<String> {
        let wanted = wanted.to_lowercase();
        self.wait_until_read(
            name,
            "100%",
            |text| text.to_lowercase().contains(&wanted),
            timeout,
        )
        .with_context(|| format!("waiting for {wanted:?}"))
    }

    /// Waits until what the screen reads (at `scale`) passes `check`, saving it as `name`.
    fn wait_until_read(
        &self,
        name: &str,
        scale: &str,
        check: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Result<String> {
        let started = Instant::now();
        loop {
            let text = self.read_at(name, scale)?;
            if check(&text) {
                return Ok(text);
            }
            if started.elapsed() > timeout {
                bail!("the kiosk never showed what was expected; it shows: {text}");
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Gives the kiosk's window the keyboard, as the session does on a kiosk PC (Xvfb has no
    /// window manager to do it).
    fn focus_kiosk(&self) -> Result<()> {
        self.run(
            "xdotool",
            &[
                "search",
                "--sync",
                "--name",
                "clinicflow kiosk",
                "windowfocus",
                "--sync",
            ],
        )?;
        Ok(())
    }

    /// Types `text` and Enter as a barcode scanner does: fast, into whatever has the focus.
    fn scan(&self, text: &str) -> Result<()> {
        self.run("xdotool", &["type", "--delay", "4", text])?;
        self.run("xdotool", &["key", "Return"])?;
        Ok(())
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// The app, stopped with the test.
struct App(Child);

impl App {
    fn start(display: &Display, data: &std::path::Path) -> Result<App> {
        let app = std::env::var("CLINICFLOW_KIOSK_APP").context(
            "CLINICFLOW_KIOSK_APP is not set: run the desktop test with `cargo xtask test`",
        )?;
        let child = display
            .command(&app)
            .arg("--data")
            .arg(data)
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the kiosk app")?;
        Ok(App(child))
    }

    /// Memory of the app and the WebKit processes it started, in MiB: resident (shared pages
    /// counted in each process) and proportional (shared pages split between them).
    fn memory_mib(&self) -> (f64, f64) {
        let mut pids = vec![self.0.id()];
        let mut index = 0;
        while index < pids.len() {
            let children =
                std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", pids[index]))
                    .unwrap_or_default();
            pids.extend(
                children
                    .split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
            index += 1;
        }
        let sum = |field: &str| -> f64 {
            let kib: u64 = pids
                .iter()
                .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok())
                .filter_map(|rollup| {
                    let line = rollup.lines().find(|l| l.starts_with(field))?.to_string();
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                })
                .sum();
            kib as f64 / 1024.0
        };
        (sum("Rss:"), sum("Pss:"))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn visit_state(snapshot: &Value, last_name: &str) -> Option<String> {
    snapshot["state"]["visits"]
        .as_object()?
        .values()
        .find(|visit| visit["patient"]["last_name"] == last_name)?["state"]
        .as_str()
        .map(String::from)
}

async fn wait_for_state(hub: &DemoHub, last_name: &str, wanted: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        let state = visit_state(&hub.snapshot().await?, last_name);
        if state.as_deref() == Some(wanted) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(20) {
            bail!("{last_name} is {state:?}, not {wanted}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The date of birth as typed on the kiosk (MM DD YYYY).
fn born_digits() -> String {
    let (year, rest) = BORN.split_at(4);
    format!("{}{}{year}", &rest[1..3], &rest[4..6])
}

const WAIT: Duration = Duration::from_secs(30);

/// The kiosk answered a scan: it asks for the date of birth, or sends the patient to the desk.
fn answered(text: &str) -> bool {
    let text = text.to_lowercase();
    text.contains("date of birth") || text.contains("front desk")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_native_kiosk_pairs_checks_in_sends_patients_to_the_desk_while_the_hub_is_down_and_recovers(
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut hub = DemoHub::midday(&dir, |_| {})?;
    let address = hub.url.trim_start_matches("http://").to_string();
    let first = hub.schedule("Kit", "Native", 5).await?;
    let second = hub.schedule("Lou", "Later", 10).await?;
    let third = hub.schedule("Ty", "Thawed", 15).await?;
    let link = hub.enrol("kiosk", "Native kiosk")?["pairing_url"]
        .as_str()
        .context("pairing link")?
        .to_string();
    let display = Display::start()?;
    let data = tempfile::tempdir()?;
    let started = Instant::now();
    let app = App::start(&display, data.path())?;
    display.run(
        "xdotool",
        &["search", "--sync", "--name", "clinicflow kiosk"],
    )?;
    let window = started.elapsed();

    // First start: it asks for its pairing link, which is typed (or scanned) in.
    display.wait_to_read("desktop-kiosk-pairing", "Pair this kiosk", WAIT)?;
    let shown = started.elapsed();
    display.focus_kiosk()?;
    display.scan(&link)?;
    display.wait_to_read(
        "desktop-kiosk-welcome",
        "Welcome to Demo Family Practice",
        WAIT,
    )?;

    // Staff: five quick taps in the top-left corner show the hub and the kiosk's state; a tap
    // beside the panel closes it.
    display.run(
        "xdotool",
        &[
            "mousemove",
            "20",
            "20",
            "click",
            "--repeat",
            "5",
            "--delay",
            "150",
            "1",
        ],
    )?;
    // Read without spaces: tesseract splits the address in places.
    let port = address.rsplit(':').next().context("port")?.to_string();
    let shows_all = |text: &str| {
        let read = text.replace(' ', "");
        [
            port.as_str(),
            "Kioskstatus",
            "Nativekiosk",
            "Live",
            "DemoFamilyPractice",
        ]
        .iter()
        .all(|shown| read.contains(shown))
    };
    display
        .wait_until_read("desktop-kiosk-staff-panel", "200%", shows_all, WAIT)
        .context("the staff panel with the hub's port, the kiosk's name and Live")?;
    display.run("xdotool", &["click", "1"])?;
    display.wait_to_read("desktop-kiosk-welcome", "Scan the QR code", WAIT)?;

    // A reminder's QR code scanned without touching the screen, then the date of birth typed.
    display.scan(&format!("{}/c/{first}", hub.url))?;
    display.wait_to_read("desktop-kiosk-date-of-birth", "date of birth", WAIT)?;
    display.scan(&born_digits())?;
    wait_for_state(&hub, "Native", "arrived").await?;
    display.wait_to_read("desktop-kiosk-checked-in", "checked in", WAIT)?;
    let (rss, pss) = app.memory_mib();

    // The hub goes away: a scan is answered at once, and nothing is kept to send later.
    hub.kill()?;
    std::thread::sleep(Duration::from_secs(2));
    display.wait_to_read("desktop-kiosk-back-to-welcome", "Welcome", WAIT)?;
    display.scan(&format!("{}/c/{second}", hub.url))?;
    display.wait_to_read("desktop-kiosk-hub-down", "please see the front desk", WAIT)?;

    // The hub comes back at the same address: the kiosk follows it again by itself.
    let hub = DemoHub::start_in(&dir, &address)?;
    assert_eq!(
        visit_state(&hub.snapshot().await?, "Later").as_deref(),
        Some("scheduled")
    );
    let back = Instant::now();
    loop {
        display.wait_to_read(
            "desktop-kiosk-recovered",
            "Welcome",
            Duration::from_secs(60),
        )?;
        display.scan(&format!("{}/c/{second}", hub.url))?;
        // A scan right as the hub comes back may take a few seconds (sent again with its key).
        let text =
            display.wait_until_read("desktop-kiosk-after-recovery", "100%", answered, WAIT)?;
        if text.to_lowercase().contains("date of birth") {
            break;
        }
        anyhow::ensure!(
            back.elapsed() < Duration::from_secs(90),
            "the kiosk did not recover: {text}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    display.scan(&born_digits())?;
    wait_for_state(&hub, "Later", "arrived").await?;

    // A frozen hub (connections open, nothing answers) is noticed from its missing heartbeats.
    hub.signal("STOP")?;
    let frozen = Instant::now();
    display.wait_to_read("desktop-kiosk-welcome-before-freeze", "Welcome", WAIT)?;
    std::thread::sleep(Duration::from_secs(12).saturating_sub(frozen.elapsed()));
    display.scan(&format!("{}/c/{third}", hub.url))?;
    display.wait_to_read(
        "desktop-kiosk-hub-frozen",
        "please see the front desk",
        WAIT,
    )?;
    hub.signal("CONT")?;
    let thawed = Instant::now();
    loop {
        display.wait_to_read("desktop-kiosk-thawed", "Welcome", Duration::from_secs(60))?;
        display.scan(&format!("{}/c/{third}", hub.url))?;
        let text = display.wait_until_read("desktop-kiosk-after-thaw", "100%", answered, WAIT)?;
        if text.to_lowercase().contains("date of birth") {
            break;
        }
        anyhow::ensure!(
            thawed.elapsed() < Duration::from_secs(90),
            "the kiosk did not recover from the frozen hub: {text}"
        );
    }
    display.scan(&born_digits())?;
    wait_for_state(&hub, "Thawed", "arrived").await?;

    // Restarted, it is still paired and opens on the welcome screen.
    drop(app);
    let restarted = Instant::now();
    let app = App::start(&display, data.path())?;
    display.wait_to_read(
        "desktop-kiosk-restarted",
        "Welcome to Demo Family Practice",
        Duration::from_secs(60),
    )?;
    let welcome_again = restarted.elapsed();
    eprintln!(
        "desktop kiosk: window on screen {:.1} s after start, first screen readable {:.1} s (OCR-polled); paired restart to the welcome screen {:.1} s; \
         memory after a check-in {rss:.0} MiB RSS, {pss:.0} MiB PSS (app + WebKit processes)",
        window.as_secs_f64(),
        shown.as_secs_f64(),
        welcome_again.as_secs_f64()
    );
    drop(app);
    Ok(())
}
