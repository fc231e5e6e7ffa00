//! The assistant tablet in headless Chromium, two tablets (two browsers) and a kiosk at once,
//! against the real hub binary and web bundle: a whole visit from the kiosk through rooming,
//! vitals (a refused and a confirmed-abnormal value), the provider and turnover, with every
//! tablet showing each step live; and two tablets grabbing the same room at the same moment.

use crate::common;

use anyhow::{Context, Result};
use chromiumoxide::Page;
use common::browser::{
    assert_accessible, assert_no_csp_violations, screenshot, sign_in, tablet, tap, text,
    wait_until, Chromium, DemoHub,
};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// The JS expression for the room card of `room_name` containing `needle`.
fn room_shows(room_name: &str, needle: &str) -> String {
    format!(
        "[...document.querySelectorAll('.room-card')].some(c => c.querySelector('.room-name').textContent === {room_name:?} && c.textContent.includes({needle:?}))"
    )
}

/// Clicks `label` on the room card of `room_name`.
async fn room_action(page: &Page, room_name: &str, label: &str) -> Result<()> {
    let script = format!(
        "(() => {{ const card = [...document.querySelectorAll('.room-card')].find(c => c.querySelector('.room-name').textContent === {room_name:?}); const b = card && [...card.querySelectorAll('button')].find(b => b.textContent.trim() === {label:?} && !b.disabled); if (!b) return false; b.click(); return true; }})()"
    );
    wait_until(page, &script, WAIT)
        .await
        .with_context(|| format!("{label} on {room_name}"))
}

/// Opens the room picker for the queue row showing `patient`.
async fn room_patient(page: &Page, patient: &str) -> Result<()> {
    let script = format!(
        "(() => {{ const row = [...document.querySelectorAll('.queue-row')].find(r => r.textContent.includes({patient:?})); const b = row && [...row.querySelectorAll('button')].find(b => b.textContent.trim() === 'Room…' && !b.disabled); if (!b) return false; b.click(); return true; }})()"
    );
    wait_until(page, &script, WAIT)
        .await
        .with_context(|| format!("Room… for {patient}"))
}

async fn type_into(page: &Page, selector: &str, value: &str) -> Result<()> {
    page.find_element(selector)
        .await?
        .click()
        .await?
        .type_str(value)
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_whole_visit_runs_from_the_kiosk_through_two_tablets_to_a_ready_room() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |config| config.check_in.confirm_date_of_birth = false)?;
    let first = Chromium::launch().await?;
    let second = Chromium::launch().await?;
    let outcome = async {
        let lee = tablet(&hub, &first, "localhost", "Michelle Lee", '1', (820, 1180)).await?;
        let chen = tablet(&hub, &second, "127.0.0.1", "Wendy Chen", '3', (1180, 820)).await?;
        let code = hub.schedule("Flora", "Floor", 0).await?;

        // The patient checks in at the kiosk; both tablets have her in the queue.
        let kiosk = hub.pair(&first, "kiosk", 1920, 1080).await?;
        wait_until(&kiosk, "document.querySelector('.badge.live') !== null", WAIT).await?;
        kiosk.find_element("#scan-input").await?.click().await?.type_str(&code).await?.press_key("Enter").await?;
        wait_until(&kiosk, "document.querySelector('[data-outcome=\"checked_in\"]') !== null", WAIT).await?;
        for page in [&lee, &chen] {
            wait_until(page, "[...document.querySelectorAll('.queue-row')].some(r => r.textContent.includes('Flora F.'))", WAIT)
                .await
                .context("the arrival in every tablet's queue")?;
        }
        // Michelle works with Dr. Okafor today: "My patients" shows Flora, not Dr. Brooks's walk-in.
        tap(&lee, "My providers…").await?;
        wait_until(&lee, "document.getElementById('assign-heading') !== null", WAIT).await?;
        lee.evaluate("[...document.querySelectorAll('.sheet .check')].find(l => l.textContent.includes('Dr. Amara Okafor')).querySelector('input').click()").await?;
        tap(&lee, "Save").await?;
        wait_until(&lee, "[...document.querySelectorAll('.filter select option')].some(o => o.value === 'mine')", WAIT).await?;
        lee.evaluate("(() => { const s = document.querySelector('.filter select'); s.value = 'mine'; s.dispatchEvent(new Event('change', { bubbles: true })); })()").await?;
        wait_until(
            &lee,
            "(() => { const rows = [...document.querySelectorAll('.queue-row')].map(r => r.textContent); return rows.some(r => r.includes('Flora F.')) && !rows.some(r => r.includes('Oscar L.')); })()",
            WAIT,
        )
        .await
        .context("my patients only")?;
        screenshot(&lee, "floor-queue-tablet").await?;
        screenshot(&chen, "floor-landscape-tablet").await?;
        assert_accessible(&lee, "floor").await?;

        // Michelle rooms her, takes it back (wrong room) within two minutes, then rooms her again.
        room_patient(&lee, "Flora F.").await?;
        wait_until(&lee, "document.querySelector('.pick-row.suggested') !== null", WAIT).await?;
        lee.evaluate("[...document.querySelector('.pick-row.suggested').querySelectorAll('button')].find(b => b.textContent === 'Room here').click()").await?;
        wait_until(&chen, "![...document.querySelectorAll('.queue-row')].some(r => r.textContent.includes('Flora F.'))", WAIT).await?;
        wait_until(&lee, "document.querySelector('.undo-bar')?.textContent.includes('You: Roomed · Flora F.')", WAIT).await?;
        screenshot(&lee, "floor-undo-tablet").await?;
        tap(&lee, "Undo").await?;
        tap(&lee, "Wrong room").await?;
        for page in [&lee, &chen] {
            wait_until(page, "[...document.querySelectorAll('.queue-row')].some(r => r.textContent.includes('Flora F.'))", WAIT)
                .await
                .context("back in the queue after the undo")?;
        }
        room_patient(&lee, "Flora F.").await?;
        wait_until(&lee, "document.querySelector('.pick-row.suggested') !== null", WAIT).await?;
        screenshot(&lee, "floor-room-picker-tablet").await?;
        assert_accessible(&lee, "room picker").await?;
        let room: String = lee
            .evaluate("document.querySelector('.pick-row.suggested .pick-room').firstChild.textContent.trim()")
            .await?
            .into_value()?;
        lee.evaluate("[...document.querySelector('.pick-row.suggested').querySelectorAll('button')].find(b => b.textContent === 'Room here').click()").await?;
        for page in [&lee, &chen] {
            wait_until(page, &room_shows(&room, "Roomed by M. Lee"), WAIT).await.context("roomed on every tablet")?;
        }

        // Vitals: a typo is refused naming the limit; an abnormal value needs a confirming tap.
        room_action(&lee, &room, "Vitals…").await?;
        wait_until(&lee, "document.getElementById('vital-heart-rate') !== null", WAIT).await?;
        type_into(&lee, "#vital-heart-rate", "720").await?;
        tap(&lee, "Save, ready for provider").await?;
        wait_until(&lee, "document.querySelector('.vitals-form .problem')?.textContent.includes('Heart rate must be between 20 and 300')", WAIT).await?;
        lee.evaluate("document.getElementById('vital-heart-rate').value = ''").await?;
        type_into(&lee, "#vital-heart-rate", "72").await?;
        type_into(&lee, "#vital-systolic", "182").await?;
        type_into(&lee, "#vital-diastolic", "95").await?;
        type_into(&lee, "#vital-temperature", "98.6").await?;
        tap(&lee, "Temperature in °F").await?;
        type_into(&lee, "#vital-height", "170").await?;
        type_into(&lee, "#vital-weight", "70").await?;
        wait_until(&lee, "document.querySelector('.bmi').textContent.includes('24.2')", WAIT).await?;
        tap(&lee, "Save, ready for provider").await?;
        wait_until(&lee, "document.querySelector('.confirm')?.textContent.includes('Systolic blood pressure 182')", WAIT).await?;
        screenshot(&lee, "floor-vitals-confirm-tablet").await?;
        assert_accessible(&lee, "vitals form").await?;
        tap(&lee, "Confirm abnormal values and save").await?;
        for page in [&lee, &chen] {
            wait_until(page, &room_shows(&room, "Ready for provider"), WAIT).await?;
            wait_until(page, &room_shows(&room, "Abnormal vitals"), WAIT).await?;
        }

        // Wendy takes it from there: provider in, finish, and the turnover.
        room_action(&chen, &room, "Provider in").await?;
        wait_until(&lee, &room_shows(&room, "With provider"), WAIT).await?;
        room_action(&chen, &room, "Finish visit").await?;
        for page in [&lee, &chen] {
            wait_until(page, &room_shows(&room, "Needs cleaning"), WAIT).await?;
        }
        room_action(&lee, &room, "Start cleaning").await?;
        wait_until(&chen, &room_shows(&room, "Cleaning"), WAIT).await?;
        room_action(&chen, &room, "Room ready").await?;
        for page in [&lee, &chen] {
            wait_until(page, &room_shows(&room, "Room a patient here"), WAIT).await.context("the room is ready again")?;
        }
        let snapshot = hub.snapshot().await?;
        let visit = snapshot["state"]["visits"]
            .as_object()
            .context("visits")?
            .values()
            .find(|v| v["patient"]["first_name"] == "Flora")
            .context("the visit")?;
        assert_eq!(visit["state"], "finished");
        assert_eq!(visit["vitals"]["temperature_c"], 37.0, "stored in °C");
        assert_eq!(visit["abnormal"][0]["measure"], "systolic");
        for page in [&lee, &chen] {
            assert_no_csp_violations(page).await?;
        }
        anyhow::Ok(())
    }
    .await;
    first.close().await?;
    second.close().await?;
    outcome
}

#[tokio::test]
async fn two_tablets_grabbing_the_same_room_at_once_get_one_winner_and_a_clear_message(
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    let first = Chromium::launch().await?;
    let second = Chromium::launch().await?;
    let outcome = async {
        let lee = tablet(&hub, &first, "localhost", "Michelle Lee", '1', (820, 1180)).await?;
        let chen = tablet(&hub, &second, "127.0.0.1", "Wendy Chen", '3', (390, 844)).await?;
        for (first_name, last_name) in [("Gina", "Grab"), ("Hugo", "Grab")] {
            let code = hub.schedule(first_name, last_name, 0).await?;
            let body = serde_json::json!({ "code": code, "date_of_birth": common::browser::BORN });
            hub.client().await?.post(format!("{}/api/v1/check-in", hub.url)).json(&body).send().await?;
        }
        room_patient(&lee, "Gina G.").await?;
        room_patient(&chen, "Hugo G.").await?;
        for page in [&lee, &chen] {
            wait_until(page, "document.querySelector('.pick-row.suggested') !== null", WAIT).await?;
        }
        let room: String = lee
            .evaluate("document.querySelector('.pick-row.suggested .pick-room').firstChild.textContent.trim()")
            .await?
            .into_value()?;
        let click = format!(
            "[...document.querySelectorAll('.pick-row')].find(r => r.querySelector('.pick-room').firstChild.textContent.trim() === {room:?}).querySelectorAll('button')[1].click()"
        );
        let (a, b) = tokio::join!(lee.evaluate(click.as_str()), chen.evaluate(click.as_str()));
        a?;
        b?;
        // Exactly one of them roomed a patient there; the other is told who was quicker.
        let message = "document.querySelector('.notice')?.textContent ?? ''";
        wait_until(&lee, &room_shows(&room, "Roomed by"), WAIT).await?;
        let mut notices = Vec::new();
        for page in [&lee, &chen] {
            tokio::time::sleep(Duration::from_millis(300)).await;
            notices.push(page.evaluate(message).await?.into_value::<String>()?);
        }
        let told: Vec<&String> = notices.iter().filter(|n| !n.is_empty()).collect();
        assert_eq!(told.len(), 1, "one loser: {notices:?}");
        assert!(told[0].contains(&format!("{room} was just taken by")), "{notices:?}");
        let snapshot = hub.snapshot().await?;
        let states: Vec<&str> = snapshot["state"]["visits"]
            .as_object()
            .context("visits")?
            .values()
            .filter(|v| v["patient"]["last_name"] == "Grab")
            .map(|v| v["state"].as_str().unwrap_or_default())
            .collect();
        let mut sorted = states.clone();
        sorted.sort();
        assert_eq!(sorted, vec!["arrived", "roomed"], "nothing half-written: {states:?}");
        screenshot(&chen, "floor-conflict-phone").await?;
        anyhow::Ok(())
    }
    .await;
    first.close().await?;
    second.close().await?;
    outcome
}

#[tokio::test]
async fn a_called_patient_holds_their_room_and_a_colleagues_next_step_ends_the_undo() -> Result<()>
{
    // Regressions seen on a tablet: the queue said "Called to exam-8" (the room's id), the
    // called patient's room still offered "Room a patient here", and the undo bar offered to
    // undo a step a colleague had already moved past.
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    let first = Chromium::launch().await?;
    let second = Chromium::launch().await?;
    let outcome = async {
        let lee = tablet(&hub, &first, "localhost", "Michelle Lee", '1', (820, 1180)).await?;
        let chen = tablet(&hub, &second, "127.0.0.1", "Wendy Chen", '3', (390, 844)).await?;
        let code = hub.schedule("Cora", "Called", 0).await?;
        let body = serde_json::json!({ "code": code, "date_of_birth": common::browser::BORN });
        hub.client()
            .await?
            .post(format!("{}/api/v1/check-in", hub.url))
            .json(&body)
            .send()
            .await?;
        let snapshot = hub.snapshot().await?;
        let (visit, ticket) = snapshot["state"]["visits"]
            .as_object()
            .context("visits")?
            .values()
            .find(|v| v["patient"]["first_name"] == "Cora")
            .map(|v| {
                (
                    v["id"].as_str().unwrap_or_default().to_string(),
                    v["ticket"].clone(),
                )
            })
            .context("Cora's visit")?;
        let ticket: clinicflow::domain::Ticket = serde_json::from_value(ticket)?;
        let room = hub.ready_room().await?;
        let room_name = snapshot["state"]["rooms"][&room]["name"]
            .as_str()
            .context("room name")?
            .to_string();
        hub.command(clinicflow::domain::Command::CallPatient { visit: common::visit_id(&visit), room: common::room_id(&room) })
            .await?;

        let row = format!("document.querySelector('[data-visit=\"{visit}\"]')?.textContent ?? ''");
        wait_until(
            &lee,
            &format!("({row}).includes('Called to {room_name}')"),
            WAIT,
        )
        .await
        .context("the queue names the room")?;
        wait_until(
            &lee,
            &room_shows(&room_name, &format!("Held for {ticket}")),
            WAIT,
        )
        .await
        .context("the room says whom it is held for")?;
        let offers_any: bool = lee
            .evaluate(room_shows(&room_name, "Room a patient here"))
            .await?
            .into_value()?;
        anyhow::ensure!(!offers_any, "a held room offers only its called patient");
        screenshot(&lee, "floor-called-tablet").await?;
        screenshot(&chen, "floor-called-phone").await?;

        // Michelle rooms her there with one tap; Wendy moves the visit on at once: Michelle's
        // undo bar goes, because the hub would refuse her undo now.
        room_action(&lee, &room_name, &format!("Room {ticket} here")).await?;
        wait_until(&lee, "document.querySelector('.undo-bar') !== null", WAIT)
            .await
            .context("Michelle's undo bar")?;
        // Asking why (the bar wraps to two lines at 820 px) and scrolled to the end, the undo bar
        // covers no button (it covered the last row's when it was fixed to the window's bottom).
        lee.evaluate("[...document.querySelectorAll('.undo-bar button')].find(b => b.textContent.trim() === 'Undo').click()").await?;
        wait_until(&lee, "document.querySelector('.undo-why') !== null", WAIT).await.context("asking why")?;
        let uncovered = "(() => { window.scrollTo(0, document.documentElement.scrollHeight); \
            const bar = document.querySelector('.undo-bar').getBoundingClientRect(); \
            return [...document.querySelectorAll('.room-card button, .queue-row button')] \
              .every(b => { const r = b.getBoundingClientRect(); return r.bottom <= bar.top || r.top >= bar.bottom; }); })()";
        wait_until(&lee, uncovered, WAIT).await.context("the undo bar covers a button")?;
        screenshot(&lee, "floor-undo-why-tablet").await?;
        lee.evaluate("[...document.querySelectorAll('.undo-bar button')].find(b => b.textContent.trim() === 'Keep it').click()").await?;
        wait_until(&chen, &room_shows(&room_name, "Roomed by M. Lee"), WAIT).await?;
        room_action(&chen, &room_name, "Ready for provider").await?;
        wait_until(&lee, "document.querySelector('.undo-bar') === null", WAIT)
            .await
            .context("no undo offered past a colleague's step")?;
        anyhow::Ok(())
    }
    .await;
    first.close().await?;
    second.close().await?;
    outcome
}

const LIVE: &str = "document.querySelector('.badge.live') !== null";
const RECONNECTING: &str =
    "document.querySelector('.badge.reconnecting')?.textContent.startsWith('Reconnecting') === true";

/// Regression (hardening finding 12): with the hub stopped by SIGSTOP every screen stayed
/// "Live", a tap did nothing visible and landed seconds later.
#[tokio::test]
async fn a_frozen_hub_is_shown_on_every_screen_a_tap_is_answered_and_all_catch_up_after(
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    let (chromium, second) = (Chromium::launch().await?, Chromium::launch().await?);
    let outcome = async {
        let lee = tablet(&hub, &chromium, "127.0.0.1", "Michelle Lee", '1', (820, 1180)).await?;
        // Device cookies are per host name: each screen needs its own host or browser.
        let lobby = screen_on(&hub, &chromium, "lobby", "localhost").await?;
        let board = screen_on(&hub, &second, "board", "127.0.0.1").await?;
        let kiosk = screen_on(&hub, &second, "kiosk", "localhost").await?;
        let screens = [("floor", &lee), ("lobby", &lobby), ("board", &board), ("kiosk", &kiosk)];
        for (name, page) in screens {
            wait_until(page, LIVE, WAIT).await.with_context(|| format!("{name} live"))?;
            page.evaluate("window.notReloaded = true").await?;
        }
        let code = hub.schedule("Fran", "Freeze", 0).await?;
        let body = serde_json::json!({ "code": code, "date_of_birth": common::browser::BORN });
        hub.client().await?.post(format!("{}/api/v1/check-in", hub.url)).json(&body).send().await?;
        let scanned = hub.schedule("Kim", "Kiosk", 0).await?;
        room_patient(&lee, "Fran F.").await?;
        wait_until(&lee, "document.querySelector('.pick-row.suggested') !== null", WAIT).await?;

        hub.signal("STOP")?;
        let frozen = std::time::Instant::now();
        lee.evaluate("[...document.querySelector('.pick-row.suggested').querySelectorAll('button')].find(b => b.textContent === 'Room here').click()").await?;
        wait_until(&lee, "document.querySelector('.notice')?.textContent.includes('did not answer') === true", WAIT)
            .await
            .context("the tap is answered on screen")?;
        let answered = frozen.elapsed();
        for (name, page) in screens {
            wait_until(page, RECONNECTING, Duration::from_secs(25).saturating_sub(frozen.elapsed()))
                .await
                .with_context(|| format!("{name} says the hub is gone"))?;
        }
        let noticed = frozen.elapsed();
        println!("frozen hub: tap answered after {answered:.1?}, every screen reconnecting after {noticed:.1?}");
        screenshot(&lee, "floor-frozen-hub-tablet").await?;
        screenshot(&lobby, "lobby-frozen-hub-tv").await?;
        // A patient scanning during the freeze is told to see the desk, not left waiting.
        kiosk
            .find_element("#scan-input")
            .await?
            .type_str(&scanned)
            .await?
            .press_key("Enter")
            .await?;
        wait_until(&kiosk, "document.querySelector('[data-outcome=notice]') !== null", WAIT)
            .await
            .context("the kiosk answers a scan during the freeze")?;
        screenshot(&kiosk, "kiosk-frozen-hub-tv").await?;

        hub.signal("CONT")?;
        for (name, page) in screens {
            wait_until(page, &format!("{LIVE} && window.notReloaded === true"), WAIT)
                .await
                .with_context(|| format!("{name} back live without a reload"))?;
        }
        let snapshot = hub.snapshot().await?;
        let (visit, found) = snapshot["state"]["visits"]
            .as_object()
            .context("visits")?
            .iter()
            .find(|(_, v)| v["patient"]["last_name"] == "Freeze")
            .context("the visit")?;
        println!("after the freeze the hub has the visit {}", found["state"]);
        if found["state"] != "roomed" {
            // The step never reached the hub: it may be tried again, once.
            room_patient(&lee, "Fran F.").await?;
            tap(&lee, "Room here").await?;
        }
        let wait = wait_until(&lee, "[...document.querySelectorAll('.room-card')].some(c => c.textContent.includes('Fran F.'))", WAIT)
            .await
            .context("the tablet shows the patient roomed");
        screenshot(&lee, "floor-after-frozen-hub-tablet").await?;
        wait?;
        let db = rusqlite::Connection::open(&hub.db)?;
        let roomings: i64 = db.query_row(
            "SELECT count(*) FROM events WHERE kind = 'patient_roomed' AND body LIKE ?1",
            [format!("%{visit}%")],
            |row| row.get(0),
        )?;
        assert_eq!(roomings, 1, "the step was applied exactly once");
        anyhow::Ok(())
    }
    .await;
    let _ = hub.signal("CONT");
    chromium.close().await?;
    second.close().await?;
    outcome
}

/// A TV screen of `role` paired on `host`, at 1080p.
async fn screen_on(hub: &DemoHub, chromium: &Chromium, role: &str, host: &str) -> Result<Page> {
    let enrolled = hub.enrol(role, &format!("{role} {}", rand::random::<u32>()))?;
    let url = enrolled["pairing_url"]
        .as_str()
        .context("pairing_url")?
        .replace("127.0.0.1", host);
    chromium.open(&url, 1920, 1080).await
}

#[tokio::test]
async fn after_a_hub_restart_mid_visit_the_tablet_stays_signed_in_and_catches_up() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut hub = DemoHub::midday(&dir, |_| {})?;
    let addr = hub.url.trim_start_matches("http://").to_string();
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let lee = tablet(&hub, &chromium, "127.0.0.1", "Michelle Lee", '1', (820, 1180)).await?;
        let code = hub.schedule("Rita", "Restart", 0).await?;
        let body = serde_json::json!({ "code": code, "date_of_birth": common::browser::BORN });
        hub.client().await?.post(format!("{}/api/v1/check-in", hub.url)).json(&body).send().await?;
        room_patient(&lee, "Rita R.").await?;
        wait_until(&lee, "document.querySelector('.pick-row.suggested') !== null", WAIT).await?;
        let room: String = lee
            .evaluate("document.querySelector('.pick-row.suggested .pick-room').firstChild.textContent.trim()")
            .await?
            .into_value()?;
        lee.evaluate("[...document.querySelector('.pick-row.suggested').querySelectorAll('button')].find(b => b.textContent === 'Room here').click()").await?;
        wait_until(&lee, &room_shows(&room, "Roomed by M. Lee"), WAIT).await?;
        lee.evaluate("window.notReloaded = true").await?;
        // A half-filled vitals form when the hub goes away.
        room_action(&lee, &room, "Vitals…").await?;
        wait_until(&lee, "document.getElementById('vital-systolic') !== null", WAIT).await?;
        type_into(&lee, "#vital-systolic", "120").await?;
        type_into(&lee, "#vital-diastolic", "80").await?;

        hub.kill()?;
        wait_until(&lee, "document.querySelector('.badge.reconnecting')?.textContent.startsWith('Reconnecting')", WAIT)
            .await
            .context("the tablet says it is reconnecting")?;
        // What needs the hub is disabled; since the outbox (December 2026) the steps on Rita,
        // whom this tablet's person roomed, stay enabled: they wait to be sent.
        let card = format!("[...document.querySelectorAll('.room-card')].find(c => c.querySelector('.room-name').textContent === {room:?})");
        wait_until(&lee, &format!("[...document.querySelectorAll('.room-card')].filter(c => c !== {card}).every(c => [...c.querySelectorAll('button')].every(b => b.disabled))"), WAIT)
            .await
            .context("actions it cannot guarantee are disabled")?;
        let waiting: Vec<String> = lee
            .evaluate(format!("[...{card}.querySelectorAll('button')].filter(b => !b.disabled).map(b => b.textContent.trim())"))
            .await?
            .into_value()?;
        assert_eq!(waiting, ["Vitals…", "Ready for provider"], "the steps that may wait");
        assert!(text(&lee, "main").await?.contains("Rita R."), "what was on screen stays");
        screenshot(&lee, "floor-reconnecting-tablet").await?;

        hub = DemoHub::start_in(&dir, &addr)?;
        wait_until(&lee, "document.querySelector('.badge.live') !== null && window.notReloaded === true", WAIT)
            .await
            .context("back live without a reload")?;
        assert_eq!(text(&lee, ".signed-in").await?, "Michelle Lee", "still signed in");
        // The draft survived: saving it now moves the visit on.
        assert_eq!(
            lee.evaluate("document.getElementById('vital-systolic').value").await?.into_value::<String>()?,
            "120"
        );
        tap(&lee, "Save, ready for provider").await?;
        wait_until(&lee, &room_shows(&room, "Ready for provider"), WAIT).await?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    hub.kill()?;
    outcome
}

#[tokio::test]
async fn wait_timers_show_the_right_minutes_and_colours_under_a_fixed_clock() -> Result<()> {
    let dir = tempfile::tempdir()?;
    // Clock jumps of half an hour are not idleness: the tablet's idle lock is set beyond them.
    let hub = DemoHub::midday(&dir, |config| config.security.idle_lock_seconds = 4 * 3600)?;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let code = hub.schedule("Tina", "Timer", 0).await?;
        let body = serde_json::json!({ "code": code, "date_of_birth": common::browser::BORN });
        hub.client().await?.post(format!("{}/api/v1/check-in", hub.url)).json(&body).send().await?;
        let snapshot = hub.snapshot().await?;
        let visit = snapshot["state"]["visits"].as_object().context("visits")?.values().find(|v| v["patient"]["first_name"] == "Tina").context("visit")?;
        let arrived: chrono::DateTime<chrono::Utc> = visit["history"].as_array().context("history")?.last().context("arrived")?["at"].as_str().context("at")?.parse()?;
        let at = |minutes: f64| arrived.timestamp_millis() as f64 + minutes * 60_000.0;

        // The tablet's clock, fixed: 17.5 minutes after the arrival (amber is 15, red 30).
        let enrolled = hub.enrol("tablet", "clock tablet")?;
        let page = chromium.open("about:blank", 820, 1180).await?;
        page.evaluate_on_new_document(format!(
            "window.__fixedNow = {}; const RealDate = Date; window.Date = class extends RealDate {{ constructor(...a) {{ if (a.length === 0) super(window.__fixedNow); else super(...a); }} static now() {{ return window.__fixedNow; }} }};",
            at(17.5)
        ))
        .await?;
        page.goto(enrolled["pairing_url"].as_str().context("url")?).await?;
        sign_in(&page, "Michelle Lee", '1', false).await?;
        let timer = "[...document.querySelectorAll('.queue-row')].find(r => r.textContent.includes('Tina T.'))?.querySelector('.timer')";
        wait_until(&page, &format!("{timer}?.textContent === '17 min' && {timer}.classList.contains('amber')"), WAIT)
            .await
            .context("17 minutes, amber")?;
        let later = |minutes: f64| format!("window.__fixedNow = {}", at(minutes));
        page.evaluate(later(31.2)).await?;
        wait_until(&page, &format!("{timer}?.textContent === '31 min' && {timer}.classList.contains('red')"), WAIT)
            .await
            .context("31 minutes, red")?;
        page.evaluate(later(64.5)).await?;
        wait_until(&page, &format!("{timer}?.textContent === '1 h 04 min'"), WAIT).await?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    outcome
}
