//! Browser tests in headless Chromium against the real hub binary and the real web bundle
//! (`cargo xtask test` builds it and sets CLINICFLOW_BUNDLE): the app hydrates, follows the live
//! stream, shows changes made elsewhere without a reload, and survives a hub crash.

use crate::common;

use anyhow::{Context, Result};
use clinicflow::domain::Command as ClinicCommand;
use common::browser::{
    assert_no_csp_violations, screenshot, sign_in, type_keys, wait_until, Chromium, DemoHub, WIDTHS,
};
use std::process::Command;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn room_state_is(room: &str, text: &str) -> String {
    format!(
        "document.querySelector('[data-room=\"{room}\"] .room-state')?.textContent === '{text}'"
    )
}

#[tokio::test]
async fn the_home_page_shows_a_change_made_through_the_api_live_without_reload() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::start(&dir.path().join("demo.db"), "127.0.0.1:0")?;
    let mut hub = hub;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let page = hub.pair(&chromium, "board", 1280, 900).await?;
        page.goto(format!("{}/", hub.url)).await?;
        wait_until(
            &page,
            "document.querySelector('.badge.live') !== null",
            WAIT,
        )
        .await
        .context("the page goes live")?;
        wait_until(
            &page,
            "document.querySelectorAll('.room-tile').length === 10",
            WAIT,
        )
        .await?;
        page.evaluate("window.notReloaded = true").await?;

        let room = hub.ready_room().await?;
        hub.command(ClinicCommand::TakeOutOfService {
            room: common::room_id(&room),
            reason: "Sink leaking".into(),
        })
        .await?;
        wait_until(&page, &room_state_is(&room, "Out of service"), WAIT)
            .await
            .context("the change appears live")?;
        wait_until(&page, "window.notReloaded === true", WAIT)
            .await
            .context("without a reload")?;
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
        let page = hub.pair(&chromium, "board", 820, 1180).await?;
        page.goto(format!("{}/", hub.url)).await?;
        wait_until(
            &page,
            "document.querySelector('.badge.live') !== null",
            WAIT,
        )
        .await?;
        page.evaluate("window.notReloaded = true").await?;

        hub.kill()?;
        wait_until(
            &page,
            "document.querySelector('.badge.reconnecting')?.textContent.startsWith('Reconnecting')",
            WAIT,
        )
        .await
        .context("the page says it is reconnecting")?;
        screenshot(&page, "home-reconnecting-tablet").await?;

        hub = DemoHub::start(&db, &addr)?;
        let room = hub.ready_room().await?;
        hub.command(ClinicCommand::TakeOutOfService {
            room: common::room_id(&room),
            reason: "Broken light".into(),
        })
        .await?;
        wait_until(&page, &room_state_is(&room, "Out of service"), WAIT)
            .await
            .context("the page catches up after the restart")?;
        wait_until(
            &page,
            "document.querySelector('.badge.live') !== null && window.notReloaded === true",
            WAIT,
        )
        .await?;
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
        let pairing = hub.pair(&chromium, "board", 800, 600).await?;
        pairing.close().await?;
        for (path, name) in [
            ("/", "home"),
            ("/kiosk", "kiosk"),
            ("/floor", "floor"),
            ("/board", "board"),
            ("/lobby", "lobby"),
            ("/desk", "desk"),
            ("/provider", "provider"),
            ("/admin", "admin"),
        ] {
            for (width, height, device) in WIDTHS {
                let page = chromium
                    .open(&format!("{}{path}", hub.url), width, height)
                    .await?;
                wait_until(
                    &page,
                    "document.querySelector('.badge.live') !== null",
                    WAIT,
                )
                .await
                .with_context(|| format!("{path} at {width}px"))?;
                let overflow: bool = page
                    .evaluate("document.documentElement.scrollWidth > window.innerWidth")
                    .await?
                    .into_value()?;
                assert!(!overflow, "{path} scrolls sideways at {width}px");
                screenshot(&page, &format!("{name}-{device}")).await?;
                assert_no_csp_violations(&page).await?;
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

#[tokio::test]
async fn an_unenrolled_browser_is_told_so_and_sees_no_clinic_data() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut hub = DemoHub::start(&dir.path().join("demo.db"), "127.0.0.1:0")?;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let page = chromium.open(&format!("{}/", hub.url), 390, 844).await?;
        wait_until(
            &page,
            "document.body.textContent.includes('This screen is not enrolled')",
            WAIT,
        )
        .await?;
        let tiles: usize = page
            .evaluate("document.querySelectorAll('.room-tile').length")
            .await?
            .into_value()?;
        assert_eq!(tiles, 0);
        screenshot(&page, "not-enrolled-phone").await?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}

#[tokio::test]
async fn an_admin_enrols_a_screen_from_the_admin_page_and_gets_a_qr_code() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut hub = DemoHub::start(&dir.path().join("demo.db"), "127.0.0.1:0")?;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let page = hub.pair(&chromium, "tablet", 820, 1180).await?;
        sign_in(&page, "Alex Morgan", '9', false).await?;
        page.goto(format!("{}/admin", hub.url)).await?;
        let enrol = "[aria-label='Enrol a screen'] .admin-form";
        wait_until(&page, &format!("document.querySelector(\"{enrol} input\") !== null"), WAIT).await?;
        page.find_element(format!("{enrol} input")).await?.click().await?.type_str("Waiting room kiosk").await?;
        page.evaluate(format!("document.querySelector(\"{enrol} select\").value = 'kiosk'; document.querySelector(\"{enrol} select\").dispatchEvent(new Event('change', {{bubbles: true}}))")).await?;
        page.evaluate(format!("document.querySelector(\"{enrol} .button\").click()")).await?;
        wait_until(&page, "document.querySelector('.qr svg') !== null && document.querySelector('.pairing-url').textContent.includes('/pair/')", WAIT).await.context("the pairing link and QR code")?;
        wait_until(&page, "[...document.querySelectorAll('.admin-table td')].some(td => td.textContent === 'Waiting room kiosk')", WAIT).await?;
        screenshot(&page, "admin-enrol-tablet").await?;
        // The day's reminder cards, printable, from the link on the same page.
        let cards: String = page.evaluate("document.querySelector('a[href^=\"/api/v1/cards\"]').href").await?.into_value()?;
        page.goto(cards).await?;
        wait_until(&page, "document.querySelectorAll('.card svg').length > 10", WAIT).await.context("the cards page")?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}

const IDLE_CONFIG: &str = r#"
name = "Idle Test Clinic"
[security]
idle_lock_seconds = 4
[[rooms]]
id = "exam-1"
name = "Exam 1"
pod = "North"
[[providers]]
id = "dr-okafor"
name = "Dr. Amara Okafor"
pod = "North"
[[staff]]
id = "ma-lee"
name = "Michelle Lee"
role = "assistant"
"#;

#[tokio::test]
async fn a_tablet_signs_in_with_the_keypad_then_locks_itself_when_idle_and_clears_the_clinic(
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("idle.toml"), IDLE_CONFIG)?;
    let config = dir.path().join("idle.toml");
    let mut hub = DemoHub::start_with(
        &dir.path().join("demo.db"),
        "127.0.0.1:0",
        &["--config", config.to_str().unwrap()],
    )?;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let page = hub.pair(&chromium, "tablet", 820, 1180).await?;
        sign_in(&page, "Michelle Lee", '1', true).await?;
        page.goto(format!("{}/", hub.url)).await?;
        wait_until(
            &page,
            "document.querySelectorAll('.room-tile').length === 1",
            WAIT,
        )
        .await
        .context("the clinic shows once signed in")?;
        wait_until(
            &page,
            "document.querySelector('.staff-button') !== null",
            Duration::from_secs(15),
        )
        .await
        .context("the tablet locks itself")?;
        let left: usize = page
            .evaluate("document.querySelectorAll('.room-tile, .tile').length")
            .await?
            .into_value()?;
        assert_eq!(left, 0, "no clinic data left in the DOM after the lock");
        let seq: String = page
            .evaluate("document.querySelector('.badge').dataset.seq")
            .await?
            .into_value()?;
        assert_eq!(seq, "0", "the page forgot the clinic state");
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}

#[tokio::test]
async fn a_badge_scanned_at_scanner_speed_signs_in_without_losing_a_keystroke() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("demo.db");
    let mut hub = DemoHub::start(&db, "127.0.0.1:0")?;
    let output = Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args(["staff", "badge", "--id", "ma-chen", "--db"])
        .arg(&db)
        .output()?;
    let text = String::from_utf8(output.stdout)?;
    let badge = text
        .lines()
        .find_map(|line| line.strip_prefix("Badge text (for a badge printer): "))
        .context("badge text")?
        .to_string();
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let page = hub.pair(&chromium, "tablet", 390, 844).await?;
        wait_until(&page, "document.getElementById('badge-input') !== null", WAIT).await?;
        // A scanner types the ~80-character badge text with no delay, then Enter.
        page.evaluate("window.notReloaded = true").await?;
        page.find_element("#badge-input").await?.click().await?.type_str(&badge).await?.press_key("Enter").await?;
        let signed_in = wait_until(&page, "document.querySelector('.signed-in')?.textContent === 'Wendy Chen' && window.notReloaded === true", WAIT).await;
        assert_no_csp_violations(&page).await?;
        if signed_in.is_err() {
            let shown: String = page.evaluate("document.querySelector('main').textContent").await?.into_value()?;
            anyhow::bail!("not signed in by badge; the page shows: {shown}");
        }
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}

/// Regression: a PIN typed on a keyboard (a tablet with a keyboard cover, a desk PC) did not
/// register; only the on-screen keypad did.
#[tokio::test]
async fn a_pin_typed_on_a_keyboard_signs_in() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let page = hub.pair(&chromium, "tablet", 1280, 900).await?;
        wait_until(&page, "document.querySelector('.staff-button') !== null", WAIT).await?;
        page.evaluate("[...document.querySelectorAll('.staff-button')].find(b => b.textContent.startsWith('Nisha Patel')).click()")
            .await?;
        wait_until(&page, "document.querySelectorAll('.key').length === 12", WAIT).await?;
        // The front desk's PIN, typed: six 6s, then Enter.
        type_keys(&page, "666666").await?;
        wait_until(&page, "document.querySelector('.signed-in')?.textContent === 'Nisha Patel'", WAIT)
            .await
            .context("signed in from the keyboard")?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    outcome
}
