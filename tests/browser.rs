//! Browser tests in headless Chromium against the real hub binary and the real web bundle
//! (`cargo xtask test` builds it and sets CLINICFLOW_BUNDLE): the app hydrates, follows the live
//! stream, shows changes made elsewhere without a reload, and survives a hub crash.

mod common;

use anyhow::{Context, Result};
use common::browser::{screenshot, wait_until, Chromium, WIDTHS};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn bundle() -> Result<PathBuf> {
    let bundle = PathBuf::from(std::env::var("CLINICFLOW_BUNDLE").context("CLINICFLOW_BUNDLE is not set: run the browser tests with `cargo xtask test`")?);
    anyhow::ensure!(bundle.join("index.html").exists(), "no web bundle in {}: run `cargo xtask bundle`", bundle.display());
    Ok(bundle)
}

struct DemoHub {
    child: Child,
    url: String,
}

impl DemoHub {
    fn start(db: &Path, addr: &str) -> Result<DemoHub> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_clinicflow"))
            .args(["serve", "--demo", "--addr", addr, "--db"])
            .arg(db)
            .arg("--bundle")
            .arg(bundle()?)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("hub stdout")?).read_line(&mut line)?;
        let url = line.trim().rsplit(' ').next().context("listening line")?.to_string();
        anyhow::ensure!(url.starts_with("http://"), "hub did not start: {line:?}");
        Ok(DemoHub { child, url })
    }

    async fn command(&self, body: Value) -> Result<Value> {
        let response = reqwest::Client::new().post(format!("{}/api/v1/commands", self.url)).json(&body).send().await?;
        anyhow::ensure!(response.status().is_success(), "{body}: {}", response.text().await?);
        Ok(response.json().await?)
    }

    async fn ready_room(&self) -> Result<String> {
        let snapshot: Value = reqwest::get(format!("{}/api/v1/snapshot", self.url)).await?.json().await?;
        let rooms = snapshot["state"]["rooms"].as_object().context("rooms")?;
        let (id, _) = rooms.iter().find(|(_, room)| room["state"]["state"] == "ready").context("a ready room")?;
        Ok(id.clone())
    }

    fn kill(&mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

fn room_state_is(room: &str, text: &str) -> String {
    format!("document.querySelector('[data-room=\"{room}\"] .room-state')?.textContent === '{text}'")
}

#[tokio::test]
async fn the_home_page_shows_a_change_made_through_the_api_live_without_reload() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::start(&dir.path().join("demo.db"), "127.0.0.1:0")?;
    let mut hub = hub;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let page = chromium.open(&format!("{}/", hub.url), 1280, 900).await?;
        wait_until(&page, "document.querySelector('.badge.live') !== null", WAIT).await.context("the page goes live")?;
        wait_until(&page, "document.querySelectorAll('.room-tile').length === 10", WAIT).await?;
        page.evaluate("window.notReloaded = true").await?;

        let room = hub.ready_room().await?;
        hub.command(json!({"type": "take_out_of_service", "room": room, "reason": "Sink leaking"})).await?;
        wait_until(&page, &room_state_is(&room, "Out of service"), WAIT).await.context("the change appears live")?;
        wait_until(&page, "window.notReloaded === true", WAIT).await.context("without a reload")?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}

#[tokio::test]
async fn after_a_hub_crash_the_page_says_so_then_catches_up_by_itself() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("demo.db");
    let mut hub = DemoHub::start(&db, "127.0.0.1:0")?;
    let addr = hub.url.trim_start_matches("http://").to_string();
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let page = chromium.open(&format!("{}/", hub.url), 820, 1180).await?;
        wait_until(&page, "document.querySelector('.badge.live') !== null", WAIT).await?;
        page.evaluate("window.notReloaded = true").await?;

        hub.kill()?;
        wait_until(&page, "document.querySelector('.badge.reconnecting')?.textContent.startsWith('Reconnecting')", WAIT)
            .await
            .context("the page says it is reconnecting")?;
        screenshot(&page, "home-reconnecting-tablet").await?;

        hub = DemoHub::start(&db, &addr)?;
        let room = hub.ready_room().await?;
        hub.command(json!({"type": "take_out_of_service", "room": room, "reason": "Broken light"})).await?;
        wait_until(&page, &room_state_is(&room, "Out of service"), WAIT).await.context("the page catches up after the restart")?;
        wait_until(&page, "document.querySelector('.badge.live') !== null && window.notReloaded === true", WAIT).await?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}

#[tokio::test]
async fn every_screen_renders_at_phone_tablet_and_tv_widths() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut hub = DemoHub::start(&dir.path().join("demo.db"), "127.0.0.1:0")?;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        for (path, name) in [("/", "home"), ("/kiosk", "kiosk"), ("/floor", "floor"), ("/board", "board"), ("/lobby", "lobby")] {
            for (width, height, device) in WIDTHS {
                let page = chromium.open(&format!("{}{path}", hub.url), width, height).await?;
                wait_until(&page, "document.querySelector('.badge.live') !== null", WAIT).await.with_context(|| format!("{path} at {width}px"))?;
                let overflow: bool = page.evaluate("document.documentElement.scrollWidth > window.innerWidth").await?.into_value()?;
                assert!(!overflow, "{path} scrolls sideways at {width}px");
                screenshot(&page, &format!("{name}-{device}")).await?;
                page.close().await?;
            }
        }
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}
