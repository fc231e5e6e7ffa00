//! Working through a dropped network (issue 18), in headless Chromium against the real hub:
//! with the hub gone a tablet keeps its copy (stale, with its age), claiming steps are
//! disabled, vitals for the patient its person roomed wait in the outbox ("Waiting to send"),
//! survive a reload (the service worker serves the app, IndexedDB the copy) and are saved
//! exactly once when the hub is back, without a full snapshot; the kiosk says check-in is
//! unavailable; after a lock IndexedDB holds no clinic data.

use crate::common;

use anyhow::{Context, Result};
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::Page;
use common::browser::{screenshot, sign_in, tap, wait_until, Chromium, DemoHub, BORN};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const LIVE: &str = "document.querySelector('.badge.live') !== null";
const RECONNECTING: &str = "document.querySelector('.badge.reconnecting') !== null";

/// What IndexedDB holds for this origin: entries in the kept-values and events stores.
const KEPT_ENTRIES: &str = "(async () => { const db = await new Promise((ok, no) => { const r = indexedDB.open('clinicflow', 1); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); }); const count = (name) => new Promise((ok) => { const r = db.transaction(name).objectStore(name).count(); r.onsuccess = () => ok(r.result); }); const n = (await count('kept')) + (await count('events')); db.close(); return n; })()";

fn room_card_with(patient: &str) -> String {
    format!("[...document.querySelectorAll('.room-card')].find(c => c.textContent.includes({patient:?}))")
}

/// Clicks `label` on the room card showing `patient`, once enabled.
async fn card_action(page: &Page, patient: &str, label: &str) -> Result<()> {
    let card = room_card_with(patient);
    let script = format!(
        "(() => {{ const card = {card}; const b = card && [...card.querySelectorAll('button')].find(b => b.textContent.trim() === {label:?} && !b.disabled); if (!b) return false; b.click(); return true; }})()"
    );
    wait_until(page, &script, WAIT)
        .await
        .with_context(|| format!("{label} for {patient}"))
}

fn vitals_events(db: &std::path::Path, visit_last_name: &str) -> Result<i64> {
    let db = rusqlite::Connection::open(db)?;
    let visit: String = db.query_row(
        "SELECT id FROM visits WHERE body LIKE ?1",
        [format!("%\"last_name\":\"{visit_last_name}\"%")],
        |row| row.get(0),
    )?;
    Ok(db.query_row(
        "SELECT count(*) FROM events WHERE kind = 'vitals_recorded' AND body LIKE ?1",
        [format!("%{visit}%")],
        |row| row.get(0),
    )?)
}

#[tokio::test]
async fn vitals_made_offline_survive_a_reload_and_a_restart_and_are_saved_once() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut hub = DemoHub::midday(&dir, |_| {})?;
    let addr = hub.url.trim_start_matches("http://").to_string();
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let enrolled = hub.enrol("tablet", "Michelle Lee's tablet")?;
        let pairing = enrolled["pairing_url"].as_str().context("pairing_url")?.replace("127.0.0.1", "localhost");
        let lee = chromium.open_with_workers(&pairing, 820, 1180).await?;
        sign_in(&lee, "Michelle Lee", '1', false).await?;
        wait_until(&lee, "navigator.serviceWorker.controller !== null && document.querySelector('.floor-lists') !== null", WAIT)
            .await
            .context("the service worker controls the reopened page")?;
        wait_until(
            &lee,
            "caches.open('clinicflow-shell-v1').then(c => c.match('/wasm/clinicflow_bg.wasm')).then(r => !!r)",
            WAIT,
        )
        .await
        .context("the app shell is kept")?;
        let olive = hub.schedule("Olive", "Offline", 0).await?;
        let quinn = hub.schedule("Quinn", "Queued", 5).await?;
        for code in [&olive, &quinn] {
            assert_eq!(hub.check_in(code, BORN).await?["outcome"], "checked_in");
        }
        let row = "[...document.querySelectorAll('.queue-row')].find(r => r.textContent.includes('Olive O.'))";
        wait_until(&lee, &format!("(() => {{ const b = {row} && [...{row}.querySelectorAll('button')].find(b => b.textContent.trim() === 'Room…'); if (!b) return false; b.click(); return true; }})()"), WAIT)
            .await
            .context("Room… for Olive")?;
        wait_until(&lee, "document.querySelector('.pick-row.suggested') !== null", WAIT).await?;
        lee.evaluate("[...document.querySelector('.pick-row.suggested').querySelectorAll('button')].find(b => b.textContent === 'Room here').click()").await?;
        wait_until(&lee, &format!("!!{}", room_card_with("Olive O.")), WAIT)
            .await
            .context("Olive roomed")?;

        hub.kill()?;
        wait_until(&lee, RECONNECTING, WAIT).await.context("the tablet sees the hub gone")?;
        // Claiming needs the hub: rooming Quinn is disabled; Olive's vitals are not.
        let claim_disabled: bool = lee
            .evaluate("[...document.querySelectorAll('.queue-row')].filter(r => r.textContent.includes('Quinn Q.')).every(r => [...r.querySelectorAll('button')].every(b => b.disabled))")
            .await?
            .into_value()?;
        assert!(claim_disabled, "rooming is disabled offline");
        card_action(&lee, "Olive O.", "Vitals…").await?;
        wait_until(&lee, "document.getElementById('vital-heart-rate') !== null", WAIT).await?;
        for (field, value) in [("systolic", "118"), ("diastolic", "76"), ("heart-rate", "72")] {
            lee.find_element(format!("#vital-{field}").as_str())
                .await?
                .click()
                .await?
                .type_str(value)
                .await?;
        }
        tap(&lee, "Save, ready for provider").await?;
        wait_until(&lee, "document.querySelector('.outbox-title')?.dataset.waiting === '1'", WAIT)
            .await
            .context("Waiting to send (1)")?;
        screenshot(&lee, "floor-offline-outbox-tablet").await?;
        lee.execute(SetDeviceMetricsOverrideParams::new(390, 844, 1.0, true)).await?;
        screenshot(&lee, "floor-offline-outbox-phone").await?;
        lee.execute(SetDeviceMetricsOverrideParams::new(820, 1180, 1.0, false)).await?;

        // Reloaded with the hub still gone: the app from the service worker, the copy from
        // IndexedDB, stale with its age, the step still waiting.
        lee.reload().await?;
        wait_until(&lee, &format!("!!{} && document.querySelector('.outbox-title')?.dataset.waiting === '1'", room_card_with("Olive O.")), WAIT)
            .await
            .context("the stale copy and the outbox after a reload")?;
        let restored: String = lee.evaluate("document.body.dataset.restoredMs ?? ''").await?.into_value()?;
        let shown: f64 = lee.evaluate("performance.now()").await?.into_value()?;
        println!("reloaded offline: kept copy back {restored} ms after the client started (page {shown:.0} ms old when checked)");
        let restored: f64 = restored.parse().context("restoredMs")?;
        assert!(restored < 300.0, "the kept copy took {restored} ms");
        wait_until(&lee, RECONNECTING, WAIT).await.context("marked stale")?;
        let ready_shown: bool = lee
            .evaluate("[...document.querySelectorAll('.room-card')].some(c => c.classList.contains('state-ready'))")
            .await?
            .into_value()?;
        assert!(!ready_shown, "a stale copy shows no room as ready");
        screenshot(&lee, "floor-offline-reloaded-tablet").await?;

        // The hub back (restarted on its file): the step is sent by itself, once, and the
        // tablet follows on from its copy without a snapshot.
        hub = DemoHub::start_in(&dir, &addr)?;
        wait_until(&lee, &format!("{LIVE} && document.querySelector('.outbox') === null"), WAIT)
            .await
            .context("the outbox is sent when the hub is back")?;
        wait_until(&lee, &format!("{}?.textContent.includes('Ready for provider')", room_card_with("Olive O.")), WAIT)
            .await
            .context("the vitals' step shows")?;
        let snapshots: u32 = lee
            .evaluate("performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/snapshot')).length")
            .await?
            .into_value()?;
        assert_eq!(snapshots, 0, "caught up from its copy, without a full snapshot");
        assert_eq!(vitals_events(&hub.db, "Offline")?, 1, "saved exactly once");
        screenshot(&lee, "floor-offline-caught-up-tablet").await?;

        // Locking the tablet leaves no clinic data in IndexedDB.
        assert!(lee.evaluate(KEPT_ENTRIES).await?.into_value::<u32>()? > 0);
        tap(&lee, "Switch user").await?;
        wait_until(&lee, &format!("{KEPT_ENTRIES}.then(n => n === 0)"), WAIT)
            .await
            .context("IndexedDB wiped on lock")?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}

#[tokio::test]
async fn an_offline_kiosk_says_check_in_is_unavailable_and_keeps_nothing() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut hub = DemoHub::midday(&dir, |_| {})?;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let kiosk = hub.pair(&chromium, "kiosk", 1920, 1080).await?;
        wait_until(&kiosk, LIVE, WAIT).await?;
        let code = hub.schedule("Kim", "Kiosk", 0).await?;
        hub.kill()?;
        wait_until(&kiosk, RECONNECTING, WAIT).await.context("the kiosk sees the hub gone")?;
        let started = std::time::Instant::now();
        kiosk.find_element("#scan-input").await?.type_str(&code).await?.press_key("Enter").await?;
        wait_until(&kiosk, "document.querySelector('[data-outcome=notice]')?.textContent.includes('Check-in is unavailable: please see the front desk')", WAIT)
            .await
            .context("the kiosk says check-in is unavailable")?;
        println!("offline kiosk answered a scan in {:?}", started.elapsed());
        assert!(started.elapsed() < Duration::from_secs(2), "answered at once, not after retries");
        screenshot(&kiosk, "kiosk-offline-tv").await?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}
