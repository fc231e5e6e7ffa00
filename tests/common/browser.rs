//! Headless Chromium for browser tests, driven with chromiumoxide. Every test closes and waits
//! for its browser so no Chromium process outlives it.

use anyhow::{Context, Result};
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page;
use clinicflow::api_types::CommandReceipt;
use clinicflow::domain::Command as ClinicCommand;
use futures::StreamExt;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

pub struct Chromium {
    browser: Browser,
    handler: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

/// Phone, tablet and kiosk/TV widths every screen is looked at.
pub const WIDTHS: [(u32, u32, &str); 3] = [
    (390, 844, "phone"),
    (820, 1180, "tablet"),
    (1920, 1080, "tv"),
];

impl Chromium {
    pub async fn launch() -> Result<Chromium> {
        let executable =
            std::env::var("CLINICFLOW_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let profile = tempfile::tempdir()?;
        let config = BrowserConfig::builder()
            .chrome_executable(executable)
            .no_sandbox()
            .user_data_dir(profile.path())
            .args([
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .build()
            .map_err(anyhow::Error::msg)?;
        let (browser, mut events) = Browser::launch(config)
            .await
            .context("launching Chromium (set CLINICFLOW_CHROMIUM or run `cargo xtask test`)")?;
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        Ok(Chromium {
            browser,
            handler,
            _profile: profile,
        })
    }

    /// A page at `width`×`height` showing `url` (opened from about:blank, which never hangs).
    pub async fn open(&self, url: &str, width: u32, height: u32) -> Result<Page> {
        let page = self.browser.new_page("about:blank").await?;
        page.execute(SetDeviceMetricsOverrideParams::new(
            width,
            height,
            1.0,
            width < 700,
        ))
        .await?;
        page.goto(url).await?;
        Ok(page)
    }

    /// Like `open`, with service workers allowed to start: chromiumoxide attaches to every new
    /// target paused until a debugger resumes it and never resumes workers, so a page's
    /// service worker would wait forever.
    pub async fn open_with_workers(&self, url: &str, width: u32, height: u32) -> Result<Page> {
        let page = self.open("about:blank", width, height).await?;
        page.execute(
            chromiumoxide::cdp::browser_protocol::target::SetAutoAttachParams::new(false, false),
        )
        .await?;
        page.goto(url).await?;
        Ok(page)
    }

    pub async fn close(mut self) -> Result<()> {
        self.browser.close().await?;
        self.browser.wait().await?;
        self.handler.abort();
        Ok(())
    }
}

/// Evaluates `expression` until it returns true, or fails after `timeout`.
pub async fn wait_until(page: &Page, expression: &str, timeout: Duration) -> Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let done: bool = page
            .evaluate(expression)
            .await?
            .into_value()
            .unwrap_or(false);
        if done {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("timed out waiting for `{expression}`");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Saves a full-page screenshot to `target/screenshots/<name>.png` for people to look at. The
/// page keeps its emulated width (Chromium's own full-page capture resets it to the window's).
pub async fn screenshot(page: &Page, name: &str) -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.png"));
    let (width, height, full): (u32, u32, u32) = page
        .evaluate("[window.innerWidth, window.innerHeight, document.documentElement.scrollHeight]")
        .await?
        .into_value()?;
    let metrics =
        |height: u32| SetDeviceMetricsOverrideParams::new(width, height, 1.0, width < 700);
    page.execute(metrics(full.max(height))).await?;
    let taken = page
        .save_screenshot(ScreenshotParams::builder().build(), &path)
        .await;
    page.execute(metrics(height)).await?;
    taken?;
    Ok(path)
}

/// Fails if the page broke its Content-Security-Policy since it loaded.
pub async fn assert_no_csp_violations(page: &Page) -> Result<()> {
    let violations: Vec<String> = page
        .evaluate("window.cspViolations ?? []")
        .await?
        .into_value()?;
    anyhow::ensure!(
        violations.is_empty(),
        "Content-Security-Policy violations: {violations:?}"
    );
    Ok(())
}

pub fn bundle() -> Result<PathBuf> {
    let bundle =
        PathBuf::from(std::env::var("CLINICFLOW_BUNDLE").context(
            "CLINICFLOW_BUNDLE is not set: run the browser tests with `cargo xtask test`",
        )?);
    anyhow::ensure!(
        bundle.join("index.html").exists(),
        "no web bundle in {}: run `cargo xtask bundle`",
        bundle.display()
    );
    Ok(bundle)
}

pub struct DemoHub {
    child: Child,
    pub url: String,
    pub db: PathBuf,
    /// An integration client's bearer token, for changes "made elsewhere".
    pub token: String,
}

/// The date of birth of every patient `DemoHub::schedule` makes.
pub const BORN: &str = "1950-04-01";

impl DemoHub {
    /// A demo hub whose clinic is at about noon now (so appointments an hour or three away are
    /// still today whenever the tests run), with `tweak` applied to its config.
    pub fn midday(
        dir: &tempfile::TempDir,
        tweak: impl FnOnce(&mut clinicflow::config::ClinicConfig),
    ) -> Result<DemoHub> {
        use chrono::Timelike;
        let offset = 12 - chrono::Utc::now().hour() as i32;
        DemoHub::at_offset(dir, offset, tweak)
    }

    /// A demo hub in `dir` whose clinic is `offset` hours ahead of UTC (-12 to +14), with
    /// `tweak` applied to its config; started again on the same database with a later offset,
    /// it is the clinic's next day without a fake clock.
    pub fn at_offset(
        dir: &tempfile::TempDir,
        offset: i32,
        tweak: impl FnOnce(&mut clinicflow::config::ClinicConfig),
    ) -> Result<DemoHub> {
        let mut config = clinicflow::server::demo::config();
        config.time_zone = format!("Etc/GMT{:+}", -offset);
        tweak(&mut config);
        std::fs::write(dir.path().join("clinic.toml"), toml::to_string(&config)?)?;
        DemoHub::start_in(dir, "127.0.0.1:0")
    }

    /// The hub on `dir`'s database and config (as `at_offset` wrote them) at `addr`: started
    /// again at the same address after a kill, open pages reconnect to it.
    pub fn start_in(dir: &tempfile::TempDir, addr: &str) -> Result<DemoHub> {
        let config = dir.path().join("clinic.toml");
        DemoHub::start_with(
            &dir.path().join("kiosk.db"),
            addr,
            &["--config", config.to_str().context("utf-8 path")?],
        )
    }

    /// Checks `code` in through the API, as a kiosk would, with the date of birth `born`;
    /// answers the check-in's answer.
    pub async fn check_in(&self, code: &str, born: &str) -> Result<Value> {
        let body = json!({ "code": code, "date_of_birth": born });
        Ok(self
            .client()
            .await?
            .post(format!("{}/api/v1/check-in", self.url))
            .json(&body)
            .send()
            .await?
            .json()
            .await?)
    }

    /// Schedules an appointment `minutes` from now through the API; returns its check-in code.
    pub async fn schedule(&self, first: &str, last: &str, minutes: i64) -> Result<String> {
        let body = json!({
            "patient": { "first_name": first, "last_name": last, "date_of_birth": BORN },
            "provider": "dr-okafor",
            "start": chrono::Utc::now() + chrono::Duration::minutes(minutes),
            "visit_type": "Follow-up",
        });
        let response = self
            .client()
            .await?
            .post(format!("{}/api/v1/appointments", self.url))
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(
            response.status().as_u16() == 201,
            "{}",
            response.text().await?
        );
        let created: Value = response.json().await?;
        Ok(created["code"].as_str().context("code")?.to_string())
    }

    pub fn start(db: &Path, addr: &str) -> Result<DemoHub> {
        Self::start_with(db, addr, &[])
    }

    pub fn start_with(db: &Path, addr: &str, extra: &[&str]) -> Result<DemoHub> {
        let bundle = bundle()?;
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "--demo".as_ref(),
            "--addr".as_ref(),
            addr.as_ref(),
            "--db".as_ref(),
            db.as_os_str(),
        ];
        args.extend(["--bundle".as_ref(), bundle.as_os_str()]);
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        let (child, url) = super::spawn_hub(args)?;
        let mut hub = DemoHub {
            child,
            url,
            db: db.to_path_buf(),
            token: String::new(),
        };
        hub.token = hub.enrol(
            "integration",
            &format!("browser test changes {}", rand::random::<u32>()),
        )?["token"]
            .as_str()
            .context("token")?
            .to_string();
        Ok(hub)
    }

    /// Enrols a device with the CLI, as an administrator would.
    pub fn enrol(&self, role: &str, name: &str) -> Result<Value> {
        let output = Command::new(env!("CARGO_BIN_EXE_clinicflow"))
            .args([
                "device", "add", "--json", "--role", role, "--name", name, "--url", &self.url,
                "--db",
            ])
            .arg(&self.db)
            .output()?;
        anyhow::ensure!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(serde_json::from_slice(&output.stdout)?)
    }

    /// Pairs the browser as a screen of `role` (its pairing link sets the device cookie).
    pub async fn pair(
        &self,
        chromium: &Chromium,
        role: &str,
        width: u32,
        height: u32,
    ) -> Result<chromiumoxide::Page> {
        let enrolled = self.enrol(role, &format!("{role} {}", rand::random::<u32>()))?;
        chromium
            .open(
                enrolled["pairing_url"].as_str().context("pairing_url")?,
                width,
                height,
            )
            .await
    }

    /// The integration client, once the hub has picked up its enrolment (it re-reads enrolled
    /// devices every second).
    pub async fn client(&self) -> Result<reqwest::Client> {
        let client = super::client_with(&[("authorization", format!("Bearer {}", self.token))])?;
        for _ in 0..50 {
            let session: Value = client
                .get(format!("{}/api/v1/session", self.url))
                .send()
                .await?
                .json()
                .await?;
            if !session["device"].is_null() {
                return Ok(client);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("the hub never accepted the integration token")
    }

    /// A command the hub must accept, through the typed client with full access.
    pub async fn command(&self, command: ClinicCommand) -> Result<CommandReceipt> {
        let hub = clinicflow::sync::HubClient::new(&self.url, self.client().await?);
        hub.command(&command)
            .await
            .with_context(|| format!("{command:?}"))
    }

    /// The clinic as the integration client sees it (everything).
    pub async fn snapshot(&self) -> Result<Value> {
        Ok(self
            .client()
            .await?
            .get(format!("{}/api/v1/snapshot", self.url))
            .send()
            .await?
            .json()
            .await?)
    }

    pub async fn ready_room(&self) -> Result<String> {
        let snapshot = self.snapshot().await?;
        let rooms = snapshot["state"]["rooms"].as_object().context("rooms")?;
        let (id, _) = rooms
            .iter()
            .find(|(_, room)| room["state"]["state"] == "ready")
            .context("a ready room")?;
        Ok(id.clone())
    }

    /// Freezes (`STOP`) or thaws (`CONT`) the hub process, as a hung box or a half-open
    /// network would look to the screens: connections stay open, nothing answers.
    pub fn signal(&self, signal: &str) -> Result<()> {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()?;
        anyhow::ensure!(status.success(), "kill -{signal} failed");
        Ok(())
    }

    pub fn kill(&mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

/// No hub outlives its test, whichever way the test ends.
impl Drop for DemoHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs axe-core (WCAG 2.x A/AA rules) on the page as it is now; fails on any serious or
/// critical violation, naming the rule and the elements.
pub async fn assert_accessible(page: &Page, screen: &str) -> Result<()> {
    let script = std::env::var("CLINICFLOW_AXE")
        .context("CLINICFLOW_AXE is not set: run the browser tests with `cargo xtask test`")?;
    let source = std::fs::read_to_string(&script).with_context(|| format!("reading {script}"))?;
    page.evaluate(source.as_str()).await?;
    let problems: Vec<String> = page
        .evaluate(
            "axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] })
                .then(r => r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`))",
        )
        .await?
        .into_value()?;
    anyhow::ensure!(
        problems.is_empty(),
        "accessibility violations on {screen}: {problems:#?}"
    );
    Ok(())
}

/// Types into whatever has the focus, key by key, then Enter, as a barcode scanner or a
/// keyboard does (no click on a field first).
pub async fn type_keys(page: &Page, text: &str) -> Result<()> {
    use chromiumoxide::cdp::browser_protocol::input::{
        DispatchKeyEventParams, DispatchKeyEventType,
    };
    let key = |kind: DispatchKeyEventType, key: &str, text: Option<&str>| {
        let mut event = DispatchKeyEventParams::builder().r#type(kind).key(key);
        if let Some(text) = text {
            event = event.text(text);
        }
        if key == "Enter" {
            event = event.code("Enter").windows_virtual_key_code(13);
        }
        event.build().map_err(anyhow::Error::msg)
    };
    for c in text.chars() {
        let c = c.to_string();
        page.execute(key(DispatchKeyEventType::KeyDown, &c, Some(&c))?)
            .await?;
        page.execute(key(DispatchKeyEventType::KeyUp, &c, None)?)
            .await?;
    }
    page.execute(key(DispatchKeyEventType::KeyDown, "Enter", Some("\r"))?)
        .await?;
    page.execute(key(DispatchKeyEventType::KeyUp, "Enter", None)?)
        .await?;
    Ok(())
}

const SIGN_IN_WAIT: Duration = Duration::from_secs(20);

/// Signs in on the tablet's keypad: picks `name`, taps `digit` six times, taps Sign in.
pub async fn sign_in(page: &Page, name: &str, digit: char, screenshots: bool) -> Result<()> {
    wait_until(
        page,
        "document.querySelector('.staff-button') !== null",
        SIGN_IN_WAIT,
    )
    .await
    .context("the sign-in picker")?;
    if screenshots {
        screenshot(page, "sign-in-picker-tablet").await?;
    }
    page.evaluate(format!("[...document.querySelectorAll('.staff-button')].find(b => b.textContent.startsWith('{name}')).click()")).await?;
    wait_until(
        page,
        "document.querySelectorAll('.key').length === 12",
        SIGN_IN_WAIT,
    )
    .await?;
    for _ in 0..6 {
        page.evaluate(format!(
            "[...document.querySelectorAll('.key')].find(k => k.textContent === '{digit}').click()"
        ))
        .await?;
    }
    wait_until(
        page,
        "document.querySelector('.pin-display').textContent.length === 6",
        SIGN_IN_WAIT,
    )
    .await?;
    if screenshots {
        screenshot(page, "sign-in-pin-tablet").await?;
    }
    page.evaluate("[...document.querySelectorAll('.sign-in-actions .button')].find(b => b.textContent === 'Sign in').click()").await?;
    wait_until(
        page,
        &format!("document.querySelector('.signed-in')?.textContent === '{name}'"),
        SIGN_IN_WAIT,
    )
    .await
    .context("signed in")
}

/// A tablet paired on `host` (the hub's own address or `localhost`, so two tablets in one
/// browser keep their own cookies) with `name` signed in.
pub async fn tablet(
    hub: &DemoHub,
    chromium: &Chromium,
    host: &str,
    name: &str,
    digit: char,
    (width, height): (u32, u32),
) -> Result<Page> {
    let enrolled = hub.enrol("tablet", &format!("{name}'s tablet"))?;
    let url = enrolled["pairing_url"]
        .as_str()
        .context("pairing_url")?
        .replace("127.0.0.1", host);
    let page = chromium.open(&url, width, height).await?;
    sign_in(&page, name, digit, false).await?;
    wait_until(
        &page,
        "document.querySelector('.floor-lists') !== null",
        SIGN_IN_WAIT,
    )
    .await
    .context("the floor after signing in")?;
    Ok(page)
}

/// Types a date on the kiosk's date keypad, digit by digit, once it is on screen.
pub async fn enter_date(page: &Page, digits: &str) -> Result<()> {
    wait_until(
        page,
        "document.querySelector('.date-keypad') !== null",
        Duration::from_secs(20),
    )
    .await?;
    for digit in digits.chars() {
        tap(page, &digit.to_string()).await?;
    }
    Ok(())
}

/// Taps the button whose text is `label` once it is on screen.
pub async fn tap(page: &Page, label: &str) -> Result<()> {
    let script = format!(
        "(() => {{ const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === {label:?} && !b.disabled); if (!b) return false; b.click(); return true; }})()"
    );
    wait_until(page, &script, Duration::from_secs(20))
        .await
        .with_context(|| format!("tapping {label:?}"))
}

/// The text of the first element matching `selector` (empty when there is none).
pub async fn text(page: &Page, selector: &str) -> Result<String> {
    Ok(page
        .evaluate(format!(
            "document.querySelector({selector:?})?.textContent ?? ''"
        ))
        .await?
        .into_value()?)
}

/// Runs `body` with a fresh browser and closes it whatever happens.
pub async fn with_chromium<F, Fut>(body: F) -> Result<()>
where
    F: FnOnce(Chromium) -> Fut,
    Fut: std::future::Future<Output = (Chromium, Result<()>)>,
{
    let chromium = Chromium::launch().await?;
    let (chromium, outcome) = body(chromium).await;
    chromium.close().await?;
    outcome
}
