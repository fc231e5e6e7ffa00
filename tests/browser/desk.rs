//! The front desk in headless Chromium at 1920 and 820 px, against the real hub: a kiosk's
//! failed identity check reaches the desk within a second and desk check-in puts the patient in
//! the floor's queue; a rescheduled visit's scan names the new day, a cancelled one's says
//! cancelled; a no-show waits for the grace; a check-out keeps its follow-up; an appointment
//! booked and a walk-in registered at the desk.

use crate::common;

use anyhow::{Context, Result};
use chromiumoxide::Page;
use common::browser::{
    assert_accessible, screenshot, tablet, tap, text, wait_until, Chromium, DemoHub, BORN,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

/// A desk screen: a tablet on `host` with `name` signed in, opened at `/desk`.
async fn desk(
    hub: &DemoHub,
    chromium: &Chromium,
    host: &str,
    name: &str,
    digit: char,
    size: (u32, u32),
) -> Result<Page> {
    let page = tablet(hub, chromium, host, name, digit, size).await?;
    page.goto(format!("{}/desk", hub.url.replace("127.0.0.1", host)))
        .await?;
    wait_until(&page, "document.querySelector('.desk-grid') !== null", WAIT)
        .await
        .context("the desk")?;
    Ok(page)
}

/// The JS expression for "the desk row of `last_name` shows `needle`".
fn row_shows(last_name: &str, needle: &str) -> String {
    format!("[...document.querySelectorAll('.desk-row')].some(r => r.querySelector('.patient-name').textContent.endsWith({last_name:?}) && r.textContent.includes({needle:?}))")
}

/// Clicks `label` in the desk row of `last_name`.
async fn row_action(page: &Page, last_name: &str, label: &str) -> Result<()> {
    let script = format!(
        "(() => {{ const row = [...document.querySelectorAll('.desk-row')].find(r => r.querySelector('.patient-name').textContent.endsWith({last_name:?})); const b = row && [...row.querySelectorAll('button')].find(b => b.textContent.trim() === {label:?} && !b.disabled); if (!b) return false; b.click(); return true; }})()"
    );
    wait_until(page, &script, WAIT)
        .await
        .with_context(|| format!("{label} for {last_name}"))
}

/// Sets a form field's value as a person's typing would, so the page hears it.
async fn set_value(page: &Page, selector: &str, value: &str) -> Result<()> {
    let script = format!(
        "(() => {{ const i = document.querySelector({selector:?}); const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set; set.call(i, {value:?}); i.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()"
    );
    page.evaluate(script).await?;
    Ok(())
}

async fn check_in(hub: &DemoHub, code: &str, born: &str) -> Result<Value> {
    let body = json!({ "code": code, "date_of_birth": born });
    Ok(hub
        .client()
        .await?
        .post(format!("{}/api/v1/check-in", hub.url))
        .json(&body)
        .send()
        .await?
        .json()
        .await?)
}

#[tokio::test]
async fn the_desk_sees_who_the_kiosk_sent_checks_them_in_and_runs_the_days_changes() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let front = desk(&hub, &chromium, "127.0.0.1", "Nisha Patel", '6', (1920, 1080)).await?;
        let lee = tablet(&hub, &chromium, "localhost", "Michelle Lee", '1', (820, 1180)).await?;
        assert_accessible(&front, "desk").await?;

        let code = hub.schedule("Ida", "Identity", 0).await?;
        for _ in 0..3 {
            check_in(&hub, &code, "1999-12-31").await?;
        }
        let flagged = Instant::now();
        wait_until(&front, "document.querySelector('.desk-sent')?.textContent.includes('Ida Identity') === true", WAIT)
            .await
            .context("the kiosk's failed identity check on the desk")?;
        let shown_after = flagged.elapsed();
        println!("desk: a failed kiosk identity check showed after {shown_after:.0?}");
        assert!(shown_after < Duration::from_secs(1), "took {shown_after:?}");
        screenshot(&front, "desk-sent-tv").await?;
        front
            .evaluate("[...document.querySelectorAll('.desk-sent-row')].find(r => r.textContent.includes('Ida Identity')).querySelector('button').click()")
            .await?;
        wait_until(&lee, "[...document.querySelectorAll('.queue-row')].some(r => r.textContent.includes('Ida I.') && /A-\\d+/.test(r.textContent))", WAIT)
            .await
            .context("the patient in the floor's queue with a ticket")?;
        wait_until(&front, "!document.querySelector('.desk-sent').textContent.includes('Ida Identity')", WAIT).await?;
        let snapshot = hub.snapshot().await?;
        let ida = snapshot["state"]["visits"]
            .as_object()
            .context("visits")?
            .values()
            .find(|v| v["patient"]["last_name"] == "Identity")
            .context("Ida's visit")?;
        assert_eq!(ida["identity_confirmed"]["by"], "fd-patel");
        assert!(ida["identity_flagged"].is_null());

        // Too early at the kiosk: the desk sees why, and may check them in anyway.
        let early = hub.schedule("Tia", "Tooearly", 120).await?;
        assert_eq!(check_in(&hub, &early, BORN).await?["outcome"], "too_early");
        wait_until(&front, "document.querySelector('.desk-sent')?.textContent.includes('Tia Tooearly · came before check-in opened') === true", WAIT)
            .await
            .context("the too-early patient on the desk, with the reason")?;
        front
            .evaluate("[...document.querySelectorAll('.desk-sent-row')].find(r => r.textContent.includes('Tia Tooearly')).querySelector('button').click()")
            .await?;
        wait_until(&lee, "[...document.querySelectorAll('.queue-row')].some(r => r.textContent.includes('Tia T.'))", WAIT)
            .await
            .context("checked in at the desk before the kiosk's window")?;

        // Rescheduled to tomorrow: today's scan names the new day.
        let moved = hub.schedule("Rex", "Reschedule", 30).await?;
        row_action(&front, "Reschedule", "Reschedule…").await?;
        let tomorrow: String = front
            .evaluate("(() => { const i = [...document.querySelectorAll('input[type=datetime-local]')][0]; const d = new Date(i.value); d.setDate(d.getDate() + 1); const v = i.value.replace(/^\\d{4}-\\d{2}-\\d{2}/, d.toISOString().slice(0, 10)); const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set; set.call(i, v); i.dispatchEvent(new Event('input', { bubbles: true })); return v.slice(0, 10); })()")
            .await?
            .into_value()?;
        row_action(&front, "Reschedule", "Move appointment").await?;
        wait_until(&front, "document.querySelector('.desk-row .patient-name') !== null && ![...document.querySelectorAll('.patient-name')].some(n => n.textContent.endsWith('Reschedule'))", WAIT)
            .await
            .context("a visit moved to tomorrow leaves today's schedule")?;
        let scanned = check_in(&hub, &moved, BORN).await?;
        assert_eq!(scanned["outcome"], "wrong_day", "{scanned}");
        assert_eq!(scanned["day"], tomorrow.as_str(), "{scanned}");

        // Cancelled: the scan says so.
        let cancelled = hub.schedule("Cal", "Cancel", 45).await?;
        row_action(&front, "Cancel", "Cancel visit…").await?;
        wait_until(&front, "document.querySelector('[id^=cancel-]') !== null", WAIT).await?;
        front.find_element("[id^=cancel-]").await?.click().await?.type_str("called, rebooking").await?;
        row_action(&front, "Cancel", "Cancel visit").await?;
        wait_until(&front, &row_shows("Cancel", "cancelled: called, rebooking"), WAIT).await?;
        assert_eq!(check_in(&hub, &cancelled, BORN).await?["outcome"], "cancelled");

        // A no-show waits for the grace after the appointment.
        hub.schedule("Nel", "Noshow", 0).await?;
        wait_until(&front, &row_shows("Noshow", "No-show from"), WAIT).await?;
        let enabled: bool = front
            .evaluate("[...[...document.querySelectorAll('.desk-row')].find(r => r.textContent.includes('Noshow')).querySelectorAll('button')].some(b => b.textContent === 'No-show' && !b.disabled)")
            .await?
            .into_value()?;
        assert!(!enabled, "no-show offered before the grace");
        screenshot(&front, "desk-schedule-tv").await?;

        // A finished visit checks out with a follow-up to book.
        row_action(&front, "Garcia", "Check out…").await?;
        wait_until(&front, "document.querySelector('[id^=follow-up-]') !== null", WAIT).await?;
        front.find_element("[id^=follow-up-]").await?.click().await?.type_str("in 2 weeks with Dr. Brooks").await?;
        row_action(&front, "Garcia", "Check out").await?;
        wait_until(&front, &row_shows("Garcia", "Follow-up to book: in 2 weeks with Dr. Brooks"), WAIT)
            .await
            .context("the follow-up kept on the visit")?;
        wait_until(&front, &row_shows("Garcia", "checked out"), WAIT).await?;

        // A new appointment from the desk, and a walk-in who is checked in at once.
        tap(&front, "New appointment…").await?;
        wait_until(&front, "document.getElementById('new-first') !== null", WAIT).await?;
        for (field, value) in [("#new-first", "Bea"), ("#new-last", "Booked"), ("#new-born", "1970-05-06"), ("#new-type", "Follow-up")] {
            set_value(&front, field, value).await?;
        }
        let later: String = front
            .evaluate("(() => { const i = document.querySelector('input[type=date]#desk-day').value; return i + 'T16:55'; })()")
            .await?
            .into_value()?;
        set_value(&front, "#new-start", &later).await?;
        screenshot(&front, "desk-new-appointment-tv").await?;
        tap(&front, "Book appointment").await?;
        wait_until(&front, &row_shows("Booked", "16:55"), WAIT)
            .await
            .context("the new appointment in today's schedule")?;
        wait_until(&front, "document.querySelector('.notice')?.textContent.includes('check-in code') === true", WAIT).await?;
        tap(&front, "Walk-in…").await?;
        wait_until(&front, "document.getElementById('new-first') !== null", WAIT).await?;
        for (field, value) in [("#new-first", "Wally"), ("#new-last", "Walkin"), ("#new-born", "1980-01-02"), ("#new-type", "Sick visit")] {
            set_value(&front, field, value).await?;
        }
        tap(&front, "Register and check in").await?;
        wait_until(&lee, "[...document.querySelectorAll('.queue-row')].some(r => r.textContent.includes('Wally W.') && /W-\\d+/.test(r.textContent))", WAIT)
            .await
            .context("the walk-in in the floor's queue")?;

        let narrow = Chromium::launch().await?;
        let walsh = desk(&hub, &narrow, "127.0.0.1", "Kathleen Walsh", '5', (820, 1180)).await?;
        let overflow: bool = walsh
            .evaluate("document.documentElement.scrollWidth > window.innerWidth")
            .await?
            .into_value()?;
        screenshot(&walsh, "desk-tablet").await?;
        narrow.close().await?;
        assert!(!overflow, "the desk scrolls sideways at 820 px");
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    outcome
}

#[tokio::test]
async fn the_close_of_day_lists_what_is_open_and_resolves_it_from_the_desk_and_the_overview(
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    // Closing time at midnight: the close-out list shows at once.
    let hub = DemoHub::midday(&dir, |config| config.desk.closes_at = "00:00".into())?;
    let chromium = Chromium::launch().await?;
    let outcome = async {
        let absent = hub.schedule("Abe", "Absent", -40).await?;
        let waiting = hub.schedule("Wanda", "Waits", -5).await?;
        check_in(&hub, &waiting, BORN).await?;
        let front = desk(&hub, &chromium, "127.0.0.1", "Nisha Patel", '6', (1920, 1080)).await?;
        wait_until(&front, "document.querySelector('.close-out')?.textContent.includes('Abe A.') === true", WAIT)
            .await
            .context("the never-arrived appointment on the close-out list")?;
        assert!(text(&front, ".close-out").await?.contains("Wanda W."), "the open visit listed");
        screenshot(&front, "desk-close-of-day-tv").await?;
        front
            .evaluate("[...document.querySelectorAll('.close-out button')].find(b => b.textContent.startsWith('Mark all')).click()")
            .await?;
        wait_until(&front, "!document.querySelector('.close-out').textContent.includes('Abe A.')", WAIT)
            .await
            .context("marked a no-show")?;
        let nurse = Chromium::launch().await?;
        let board = tablet(&hub, &nurse, "127.0.0.1", "Kathleen Walsh", '5', (1920, 1080)).await?;
        board.goto(format!("{}/board", hub.url)).await?;
        let resolve = "(() => { const row = [...document.querySelectorAll('.close-out .close-row')].find(r => r.textContent.includes('Wanda W.')); const b = row && [...row.querySelectorAll('button')].find(b => b.textContent === 'Left without being seen'); if (!b) return false; b.click(); return true; })()";
        let resolved = wait_until(&board, resolve, WAIT).await;
        if resolved.is_ok() {
            wait_until(&board, "!document.querySelector('.close-out').textContent.includes('Wanda W.')", WAIT).await?;
            screenshot(&board, "board-close-of-day-tv").await?;
        }
        nurse.close().await?;
        resolved.context("the charge nurse resolves an open visit on the overview")?;
        let snapshot = hub.snapshot().await?;
        let state_of = |last: &str| {
            snapshot["state"]["visits"]
                .as_object()
                .and_then(|visits| visits.values().find(|v| v["patient"]["last_name"] == last))
                .map(|v| v["state"].clone())
        };
        assert_eq!(state_of("Absent"), Some(json!("no_show")), "{absent}");
        assert_eq!(state_of("Waits"), Some(json!("left_without_being_seen")));
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    outcome
}
