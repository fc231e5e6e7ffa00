//! Rooms safe to reuse, on the screens: after airborne patients the floor and the overview show
//! each room's air-clearing countdown, "Room ready" appears only when it ends (the hub's clock
//! set so the hold ends during the test), and a charge nurse releases another room early with a
//! reason, which the audit trail keeps.

use crate::common::browser::{
    assert_accessible, bundle, screenshot, sign_in, wait_until, Chromium,
};
use crate::common::{self, room_id, visit_id, TestHub};
use anyhow::{Context, Result};
use chromiumoxide::Page;
use clinicflow::domain::{DeviceRole, Needs, Precaution, Precautions};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
/// How long after the tablets open the first room's air has cleared.
const HOLD_LEFT: i64 = 40;

fn card_with(room: &str, needle: &str) -> String {
    format!(
        "[...document.querySelectorAll('[data-room={room:?}]')].some(c => c.textContent.includes({needle:?}))"
    )
}

async fn tap_in_room(page: &Page, room: &str, label: &str) -> Result<()> {
    let script = format!(
        "(() => {{ const card = document.querySelector('.room-card[data-room={room:?}]'); const b = card && [...card.querySelectorAll('button')].find(b => b.textContent.trim() === {label:?} && !b.disabled); if (!b) return false; b.click(); return true; }})()"
    );
    wait_until(page, &script, WAIT)
        .await
        .with_context(|| format!("{label} on {room}"))
}

/// Two airborne patients seen in Exam 1 and Exam 2 and gone, both rooms being cleaned, all at
/// the hub's `now`.
async fn two_airborne_visits(hub: &TestHub) -> Result<()> {
    for (name, room) in [("Ada", "exam-1"), ("Bea", "exam-2")] {
        let needs = Needs {
            isolation: Precautions::from_iter([Precaution::Airborne]),
            ..Needs::default()
        };
        // The appointment at the hub's time, which stands 69 minutes behind the browser's.
        let (visit, code) = hub.schedule_needing(name, -69, needs).await?;
        let (visit, room) = (visit_id(&visit), room_id(room));
        anyhow::ensure!(hub.check_in(&code).await?.0 == 200, "check-in");
        hub.see_and_start_cleaning(&visit, &room).await?;
    }
    Ok(())
}

/// A device paired in the browser on `host` (each host keeps its own device cookie).
async fn open_paired(
    hub: &TestHub,
    chromium: &Chromium,
    (role, name, host): (DeviceRole, &str, &str),
    (width, height): (u32, u32),
) -> Result<Page> {
    let enrolled = hub.enrol(role, name).await?;
    let url = enrolled.pairing_url.replace("127.0.0.1", host);
    chromium.open(&url, width, height).await
}

#[tokio::test]
async fn an_airborne_room_counts_down_on_the_floor_and_a_charge_nurse_may_release_one_early(
) -> Result<()> {
    let mut config = common::midday_clinic();
    config.security.idle_lock_seconds = 3600;
    let cleared = chrono::Utc::now() + chrono::Duration::seconds(HOLD_LEFT);
    let (hub, hand) = TestHub::serve_by_hand(
        config,
        cleared - chrono::Duration::minutes(69),
        Some(bundle()?),
    )
    .await?;
    two_airborne_visits(&hub).await?;
    // From here the hub keeps the browser's time.
    let catch_up = || hand.advance(chrono::Utc::now() - hand.time());
    catch_up();

    let chromium = Chromium::launch().await?;
    let outcome = async {
        let floor = open_paired(&hub, &chromium, (DeviceRole::Tablet, "charge tablet", "127.0.0.1"), (820, 1180)).await?;
        sign_in(&floor, "Kathleen Walsh", '5', false).await?;
        wait_until(&floor, &card_with("exam-1", "Air clearing: 1 min left"), WAIT)
            .await
            .context("the countdown on the floor")?;
        assert!(floor.evaluate(card_with("exam-1", "Isolation: airborne")).await?.into_value::<bool>()?);
        let offered: bool = floor
            .evaluate(card_with("exam-1", "room ready"))
            .await?
            .into_value()?;
        assert!(!offered, "no 'Room ready' while the air clears");
        screenshot(&floor, "floor-air-clearing-tablet").await?;
        assert_accessible(&floor, "floor with an air hold").await?;

        let board = open_paired(&hub, &chromium, (DeviceRole::Board, "overview tv", "localhost"), (1920, 1080)).await?;
        wait_until(&board, &card_with("exam-1", "Air clearing"), WAIT)
            .await
            .context("the countdown on the overview")?;
        screenshot(&board, "board-air-clearing-tv").await?;
        board.close().await?;

        tap_in_room(&floor, "exam-2", "Release early…").await?;
        floor
            .evaluate("(() => { const field = document.querySelector('#release-exam-2'); field.value = 'Portable HEPA filter ran 45 min'; field.dispatchEvent(new Event('input', { bubbles: true })); })()")
            .await?;
        tap_in_room(&floor, "exam-2", "Release room").await?;
        wait_until(&floor, "document.querySelector('.room-card[data-room=\"exam-2\"]')?.classList.contains('state-ready')", WAIT)
            .await
            .context("exam-2 released")?;

        floor.execute(chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams::new(390, 844, 2.0, true)).await?;
        screenshot(&floor, "floor-air-clearing-phone").await?;

        // The countdown ends by the browser's own clock; the hub's hand follows it.
        let button = "Isolation clean done: room ready";
        wait_until(&floor, &card_with("exam-1", button), Duration::from_secs(HOLD_LEFT as u64 + 30))
            .await
            .context("'Room ready' once the air has cleared")?;
        catch_up();
        tap_in_room(&floor, "exam-1", button).await?;
        wait_until(&floor, "document.querySelector('.room-card[data-room=\"exam-1\"]')?.classList.contains('state-ready')", WAIT)
            .await
            .context("exam-1 ready")?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    outcome?;

    let db = rusqlite::Connection::open(hub.db())?;
    let released: i64 = db.query_row(
        "SELECT COUNT(*) FROM audit WHERE actor = 'rn-walsh' AND command LIKE '%Portable HEPA filter ran 45 min%'",
        [],
        |row| row.get(0),
    )?;
    assert_eq!(released, 1, "the early release is audited with its reason");
    hub.stop().await;
    Ok(())
}
