//! The lobby kiosk and phone check-in in headless Chromium, against the real hub binary and web
//! bundle: scanner-speed input, the date-of-birth keypad, every outcome screen, "no code?",
//! walk-ins, the language switch, the idle warning and reset (no patient left in the DOM), the
//! arrival showing live on another screen, reminder cards decoded by an independent QR reader,
//! axe-core on every kiosk screen, and screenshots at phone, tablet and TV widths.

use crate::common;

use anyhow::{Context, Result};
use chromiumoxide::Page;
use common::browser::{
    assert_accessible, assert_no_csp_violations, enter_date, screenshot, tap, text, type_keys,
    wait_until, with_chromium, Chromium, DemoHub, BORN, WIDTHS,
};
use serde_json::Value;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);
/// The same date as typed on the English keypad (MM DD YYYY).
const BORN_TYPED: &str = "04011950";

/// Types like a barcode scanner: the whole text with no delay, then Enter.
async fn scan(page: &Page, text: &str) -> Result<()> {
    wait_until(page, "document.getElementById('scan-input') !== null", WAIT).await?;
    page.find_element("#scan-input")
        .await?
        .click()
        .await?
        .type_str(text)
        .await?
        .press_key("Enter")
        .await?;
    Ok(())
}

/// Waits for the outcome screen `outcome`; returns its message.
async fn outcome(page: &Page, outcome: &str) -> Result<String> {
    let found = wait_until(
        page,
        &format!("document.querySelector('[data-outcome=\"{outcome}\"]') !== null"),
        WAIT,
    )
    .await;
    if found.is_err() {
        let shown: String = page
            .evaluate("document.querySelector('main')?.innerText ?? ''")
            .await?
            .into_value()?;
        anyhow::bail!("expected the {outcome} screen; the kiosk shows: {shown}");
    }
    Ok(page
        .evaluate("document.querySelector('.outcome-message').textContent")
        .await?
        .into_value()?)
}

async fn pair_kiosk(hub: &DemoHub, chromium: &Chromium, width: u32, height: u32) -> Result<Page> {
    let page = hub.pair(chromium, "kiosk", width, height).await?;
    // Live: the client has hydrated and follows the hub, so taps reach it.
    wait_until(
        &page,
        "document.querySelector('.badge.live') !== null && document.getElementById('scan-input') !== null",
        WAIT,
    )
    .await
    .context("the kiosk goes live and shows its scan field after pairing")?;
    Ok(page)
}

#[tokio::test]
async fn a_patient_scans_enters_their_birth_date_and_gets_a_ticket_at_every_width() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    with_chromium(|chromium| async {
        let outcome = async {
            // The overview on another screen (another host name, so its own device cookie).
            let board = hub.enrol("board", "Overview")?;
            let board_url = board["pairing_url"].as_str().context("url")?.replace("127.0.0.1", "localhost");
            let overview = chromium.open(&board_url, 1280, 900).await?;
            wait_until(&overview, "location.pathname === '/board'", WAIT).await?;
            overview.goto(board_url.split("/pair/").next().context("hub url")?.to_string() + "/").await?;
            let waiting = "[...document.querySelectorAll('.tile')].find(t => t.textContent.includes('Waiting to be roomed'))?.querySelector('.tile-value')?.textContent";
            wait_until(&overview, &format!("{waiting} !== undefined"), WAIT).await?;
            let before: String = overview.evaluate(waiting).await?.into_value()?;
            let before: usize = before.parse()?;

            for (n, (width, height, device)) in WIDTHS.into_iter().enumerate() {
                let code = hub.schedule( &format!("Rosa{n}"), "Delgado", 5).await?;
                let page = pair_kiosk(&hub, &chromium, width, height).await?;
                screenshot(&page, &format!("kiosk-welcome-{device}")).await?;
                assert_accessible(&page, "kiosk welcome").await?;
                let started = Instant::now();
                scan(&page, &format!("{}/c/{code}", hub.url)).await?;
                enter_date(&page, &BORN_TYPED[..4]).await?;
                assert_eq!(text(&page, ".date-display").await?, "04 / 01 / YYYY");
                screenshot(&page, &format!("kiosk-birth-date-{device}")).await?;
                assert_accessible(&page, "kiosk date of birth").await?;
                enter_date(&page, &BORN_TYPED[4..]).await?;
                tap(&page, "Continue").await?;
                let message = outcome(&page, "checked_in").await?;
                let took = started.elapsed();
                assert_eq!(message, format!("Rosa{n} D., you're checked in."));
                assert!(took < Duration::from_secs(20), "scan to ticket took {took:?}");
                let ticket = text(&page, ".ticket-number").await?;
                assert!(ticket.starts_with("A-"), "{ticket}");
                assert!(text(&page, ".outcome").await?.contains("Estimated wait"));
                screenshot(&page, &format!("kiosk-checked-in-{device}")).await?;
                assert_accessible(&page, "kiosk checked in").await?;
                let overflow: bool = page
                    .evaluate("document.documentElement.scrollWidth > window.innerWidth")
                    .await?
                    .into_value()?;
                assert!(!overflow, "the kiosk scrolls sideways at {width}px");
                assert_no_csp_violations(&page).await?;
                tap(&page, "Done").await?;
                wait_until(&page, "document.getElementById('scan-input') !== null", WAIT).await?;
                page.close().await?;
                // The arrival shows on the overview without a reload.
                wait_until(&overview, &format!("{waiting} === '{}'", before + n + 1), WAIT)
                    .await
                    .context("the overview shows the arrival live")?;
            }
            anyhow::Ok(())
        }
        .await;
        (chromium, outcome)
    })
    .await
}

#[tokio::test]
async fn twenty_scans_at_scanner_speed_each_check_in_exactly_the_right_patient() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |config| config.check_in.confirm_date_of_birth = false)?;
    with_chromium(|chromium| async {
        let outcome = async {
            let page = pair_kiosk(&hub, &chromium, 1920, 1080).await?;
            for n in 0..20 {
                let name = format!("Scan{n:02}");
                let code = hub.schedule(&name, "Quick", 5).await?;
                // The URL as a QR code carries it, typed with no delay between keys, + Enter.
                let url = format!("{}/c/{}", hub.url, code.replace('-', ""));
                scan(&page, &url).await?;
                let message = outcome(&page, "checked_in").await?;
                assert_eq!(
                    message,
                    format!("{name} Q., you're checked in."),
                    "scan {n}: {url}"
                );
                tap(&page, "Done").await?;
            }
            assert_no_csp_violations(&page).await?;
            anyhow::Ok(())
        }
        .await;
        (chromium, outcome)
    })
    .await
}

#[tokio::test]
async fn every_other_outcome_ends_on_a_clear_screen_in_either_language() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    with_chromium(|chromium| async {
        let outcome = async {
            let page = pair_kiosk(&hub, &chromium, 820, 1180).await?;
            let code = hub.schedule( "Ana", "Lopez", 0).await?;

            // A wrong date of birth: told how many tries are left, still on the keypad.
            scan(&page, &code).await?;
            enter_date(&page, "04021950").await?;
            tap(&page, "Continue").await?;
            wait_until(&page, "document.querySelector('.birth-date .problem')?.textContent.includes('2 more tries')", WAIT).await?;
            screenshot(&page, "kiosk-identity-mismatch-tablet").await?;
            assert_accessible(&page, "kiosk identity mismatch").await?;
            // A date that cannot be is caught on the kiosk.
            enter_date(&page, "02301990").await?;
            tap(&page, "Continue").await?;
            wait_until(&page, "document.querySelector('.birth-date .problem')?.textContent.includes('not a real date')", WAIT).await?;
            tap(&page, "Clear").await?;
            enter_date(&page, BORN_TYPED).await?;
            tap(&page, "Continue").await?;
            outcome(&page, "checked_in").await?;
            tap(&page, "Done").await?;

            // Scanned again: already checked in, same ticket.
            scan(&page, &code.to_lowercase()).await?;
            enter_date(&page, BORN_TYPED).await?;
            tap(&page, "Continue").await?;
            let again = outcome(&page, "already_checked_in").await?;
            assert!(again.contains("already checked in"), "{again}");
            tap(&page, "Done").await?;

            let mut typo = code.clone().into_bytes();
            typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
            scan(&page, &String::from_utf8(typo)?).await?;
            assert_eq!(outcome(&page, "invalid_code").await?, "That code doesn't look right. Please check it and try again.");
            screenshot(&page, "kiosk-invalid-code-tablet").await?;
            assert_accessible(&page, "kiosk invalid code").await?;
            tap(&page, "Done").await?;

            scan(&page, &clinicflow::domain::CheckInCode::from_random(99).to_string()).await?;
            outcome(&page, "unknown_code").await?;
            tap(&page, "Done").await?;

            let early = hub.schedule( "Eva", "Early", 3 * 60).await?;
            scan(&page, &early).await?;
            // Nothing about the patient is shown, so no date of birth is needed to say so.
            assert!(outcome(&page, "too_early").await?.starts_with("You're early. Check-in opens at "));
            tap(&page, "Done").await?;

            let late = hub.schedule( "Leo", "Late", -40).await?;
            scan(&page, &late).await?;
            enter_date(&page, BORN_TYPED).await?;
            tap(&page, "Continue").await?;
            assert!(outcome(&page, "late").await?.contains("after your appointment time"));
            assert!(text(&page, ".ticket-number").await?.starts_with("A-"));
            tap(&page, "Done").await?;

            // In Spanish: switched on the welcome screen, kept through the flow.
            let tomorrow = hub.schedule( "Ben", "Manana", 24 * 60).await?;
            tap(&page, "Español").await?;
            wait_until(&page, "document.querySelector('.welcome h2')?.textContent.startsWith('Bienvenido')", WAIT).await?;
            screenshot(&page, "kiosk-welcome-spanish-tablet").await?;
            scan(&page, &tomorrow).await?;
            let wrong_day = outcome(&page, "wrong_day").await?;
            assert!(wrong_day.starts_with("Su cita es el "), "{wrong_day}");
            screenshot(&page, "kiosk-wrong-day-spanish-tablet").await?;
            assert_accessible(&page, "kiosk wrong day (Spanish)").await?;
            // Switching language on an outcome screen re-words it.
            tap(&page, "English").await?;
            wait_until(&page, "document.querySelector('.outcome-message').textContent.startsWith('Your appointment is on ')", WAIT).await?;
            tap(&page, "Done").await?;

            let visit = common::visit_id(&visit_of(&hub, &tomorrow).await?);
            hub.command(clinicflow::domain::Command::CancelVisit { visit, reason: String::new() }).await?;
            scan(&page, &tomorrow).await?;
            outcome(&page, "cancelled").await?;
            tap(&page, "Done").await?;

            // Three wrong dates of birth: to the desk, and the code stops working here.
            let guarded = hub.schedule( "Gus", "Guarded", 0).await?;
            scan(&page, &guarded).await?;
            for _ in 0..3 {
                enter_date(&page, "12311999").await?;
                tap(&page, "Continue").await?;
                wait_until(&page, "document.querySelector('.birth-date .problem, [data-outcome]') !== null", WAIT).await?;
            }
            outcome(&page, "see_front_desk").await?;
            screenshot(&page, "kiosk-see-front-desk-tablet").await?;
            assert_no_csp_violations(&page).await?;
            anyhow::Ok(())
        }
        .await;
        (chromium, outcome)
    })
    .await
}

/// The visit id behind a code, from the day's list.
async fn visit_of(hub: &DemoHub, code: &str) -> Result<String> {
    let day = chrono::Utc::now() + chrono::Duration::days(1);
    let rows: Vec<Value> = hub
        .client()
        .await?
        .get(format!(
            "{}/api/v1/appointments?date={}",
            hub.url,
            day.format("%Y-%m-%d")
        ))
        .send()
        .await?
        .json()
        .await?;
    let row = rows
        .iter()
        .find(|r| r["code"] == code)
        .context("the appointment")?;
    Ok(row["appointment_id"].as_str().context("id")?.to_string())
}

#[tokio::test]
async fn without_a_code_a_patient_finds_their_appointment_or_walks_in() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    with_chromium(|chromium| async {
        let outcome = async {
            let page = pair_kiosk(&hub, &chromium, 390, 844).await?;
            // Two appointments today for the same last name and birth date (twins): chosen by
            // time and provider, nothing else shown.
            hub.schedule( "Iris", "Twin", 30).await?;
            hub.schedule( "Ivy", "Twin", 60).await?;
            tap(&page, "I don't have my code").await?;
            wait_until(&page, "document.getElementById('name-last-name') !== null", WAIT).await?;
            assert_accessible(&page, "kiosk find by name").await?;
            page.find_element("#name-last-name").await?.click().await?.type_str("twin").await?;
            tap(&page, "Continue").await?;
            enter_date(&page, BORN_TYPED).await?;
            tap(&page, "Continue").await?;
            wait_until(&page, "document.querySelector('.kiosk-card h2')?.textContent === 'Which appointment is yours?'", WAIT).await?;
            let choices: Vec<String> = page
                .evaluate("[...document.querySelectorAll('.kiosk-choices button')].map(b => b.textContent)")
                .await?
                .into_value()?;
            assert_eq!(choices.len(), 2, "{choices:?}");
            assert!(choices.iter().all(|c| c.contains("with Dr. Amara Okafor") && !c.contains("Iris") && !c.contains("Ivy")), "{choices:?}");
            screenshot(&page, "kiosk-choose-phone").await?;
            assert_accessible(&page, "kiosk choose appointment").await?;
            let second = choices[1].clone();
            tap(&page, &second).await?;
            assert_eq!(outcome(&page, "checked_in").await?, "Ivy T., you're checked in.");
            tap(&page, "Done").await?;

            tap(&page, "I don't have my code").await?;
            wait_until(&page, "document.getElementById('name-last-name') !== null", WAIT).await?;
            page.find_element("#name-last-name").await?.click().await?.type_str("Nobody").await?;
            tap(&page, "Continue").await?;
            enter_date(&page, BORN_TYPED).await?;
            tap(&page, "Continue").await?;
            outcome(&page, "not_found").await?;
            tap(&page, "Done").await?;

            tap(&page, "I don't have an appointment").await?;
            wait_until(&page, "document.getElementById('name-first-name') !== null", WAIT).await?;
            tap(&page, "Continue").await?;
            wait_until(&page, "document.querySelector('.names .problem') !== null", WAIT).await?;
            page.find_element("#name-first-name").await?.click().await?.type_str("Walter").await?;
            page.find_element("#name-last-name").await?.click().await?.type_str("Inn").await?;
            screenshot(&page, "kiosk-walk-in-phone").await?;
            assert_accessible(&page, "kiosk walk-in").await?;
            tap(&page, "Continue").await?;
            enter_date(&page, "02031980").await?;
            tap(&page, "Continue").await?;
            wait_until(&page, "document.querySelector('.kiosk-card h2')?.textContent === 'What brings you in today?'", WAIT).await?;
            assert_accessible(&page, "kiosk walk-in reason").await?;
            tap(&page, "Injury").await?;
            assert_eq!(outcome(&page, "checked_in").await?, "Walter I., you're checked in.");
            assert!(text(&page, ".ticket-number").await?.starts_with("W-"));
            screenshot(&page, "kiosk-walk-in-ticket-phone").await?;
            anyhow::Ok(())
        }
        .await;
        (chromium, outcome)
    })
    .await
}

#[tokio::test]
async fn a_kiosk_left_alone_warns_then_forgets_the_patient() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |config| {
        config.privacy.idle_reset_seconds = 5;
        config.privacy.idle_warning_seconds = 4;
    })?;
    with_chromium(|chromium| async {
        let outcome = async {
            let page = pair_kiosk(&hub, &chromium, 1920, 1080).await?;
            tap(&page, "Español").await?;
            tap(&page, "No tengo cita").await?;
            wait_until(
                &page,
                "document.getElementById('name-first-name') !== null",
                WAIT,
            )
            .await?;
            page.find_element("#name-first-name")
                .await?
                .click()
                .await?
                .type_str("Secretfirst")
                .await?;
            page.find_element("#name-last-name")
                .await?
                .click()
                .await?
                .type_str("Secretlast")
                .await?;
            tap(&page, "Continuar").await?;
            enter_date(&page, "1402").await?;
            wait_until(
                &page,
                "document.querySelector('.idle-overlay') !== null",
                Duration::from_secs(10),
            )
            .await?;
            let warning = text(&page, ".idle-overlay").await?;
            assert!(warning.contains("¿Sigue ahí?"), "{warning}");
            screenshot(&page, "kiosk-idle-warning-tv").await?;
            assert_accessible(&page, "kiosk idle warning").await?;
            tap(&page, "Necesito más tiempo").await?;
            wait_until(
                &page,
                "document.querySelector('.idle-overlay') === null",
                WAIT,
            )
            .await?;
            assert_eq!(
                text(&page, ".date-display").await?,
                "14 / 02 / AAAA",
                "nothing lost by asking for more time"
            );
            // Then left alone for good: back to welcome, in the clinic's language, no trace.
            wait_until(
                &page,
                "document.querySelector('.idle-overlay') !== null",
                Duration::from_secs(10),
            )
            .await?;
            wait_until(
                &page,
                "document.getElementById('scan-input') !== null",
                Duration::from_secs(10),
            )
            .await?;
            let html: String = page
                .evaluate("document.documentElement.outerHTML")
                .await?
                .into_value()?;
            for trace in ["Secretfirst", "Secretlast", "14 / 02", "Sigue"] {
                assert!(!html.contains(trace), "{trace} is still in the page");
            }
            assert!(text(&page, ".welcome h2").await?.starts_with("Welcome"));
            anyhow::Ok(())
        }
        .await;
        (chromium, outcome)
    })
    .await
}

#[tokio::test]
async fn a_reminder_link_opened_on_a_phone_checks_in_after_the_birth_date() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    with_chromium(|chromium| async {
        let outcome = async {
            let code = hub.schedule("Pia", "Phone", 10).await?;
            // Not enrolled, not signed in: a patient's own phone.
            let page = chromium
                .open(&format!("{}/c/{code}", hub.url), 390, 844)
                .await?;
            wait_until(
                &page,
                "document.querySelector('.date-keypad') !== null",
                WAIT,
            )
            .await?;
            screenshot(&page, "phone-check-in-phone").await?;
            assert_accessible(&page, "phone check-in").await?;
            enter_date(&page, BORN_TYPED).await?;
            tap(&page, "Continue").await?;
            assert_eq!(
                outcome(&page, "checked_in").await?,
                "Pia P., you're checked in."
            );
            screenshot(&page, "phone-checked-in-phone").await?;
            assert_no_csp_violations(&page).await?;
            anyhow::Ok(())
        }
        .await;
        (chromium, outcome)
    })
    .await
}

#[tokio::test]
async fn printed_reminder_cards_carry_qr_codes_an_independent_decoder_reads_back() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    let mut codes = Vec::new();
    for (first, minutes) in [("Carla", 60), ("Dario", 90), ("Elena", 120)] {
        codes.push(hub.schedule(first, "Card", minutes).await?);
    }
    let out = dir.path().join("cards.html");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args(["cards", "--url", "http://clinic-hub.local:8080", "--out"])
        .arg(&out)
        .arg("--config")
        .arg(dir.path().join("clinic.toml"))
        .arg("--db")
        .arg(&hub.db)
        .output()?;
    anyhow::ensure!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let html = std::fs::read_to_string(&out)?;
    assert!(
        html.contains("Demo Family Practice")
            && html.contains("Carla C.")
            && html.contains("Dr. Amara Okafor")
    );
    assert!(
        !html.contains("Card<") && !html.contains(BORN),
        "no last name or birth date"
    );
    with_chromium(|chromium| async {
        let outcome = async {
            let page = chromium
                .open(&format!("file://{}", out.display()), 1280, 900)
                .await?;
            wait_until(
                &page,
                "document.querySelectorAll('.card svg').length > 0",
                WAIT,
            )
            .await?;
            let png = screenshot(&page, "reminder-cards").await?;
            let zbar = std::env::var("CLINICFLOW_ZBARIMG").unwrap_or_else(|_| "zbarimg".into());
            let decoded = std::process::Command::new(&zbar)
                .args(["--raw", "-q"])
                .arg(&png)
                .output()
                .with_context(|| format!("running {zbar} (apt-get install zbar-tools)"))?;
            let urls: Vec<String> = String::from_utf8(decoded.stdout)?
                .lines()
                .map(String::from)
                .collect();
            // One card per appointment of the day (the demo's and ours), every QR readable.
            let cards: usize = page
                .evaluate("document.querySelectorAll('.card').length")
                .await?
                .into_value()?;
            assert_eq!(urls.len(), cards, "every card's QR code decodes: {urls:?}");
            for code in &codes {
                let url = format!("http://clinic-hub.local:8080/c/{}", code.replace('-', ""));
                assert!(urls.contains(&url), "{url} not among {urls:?}");
            }
            anyhow::Ok(())
        }
        .await;
        (chromium, outcome)
    })
    .await
}

/// Regression: a patient who tapped "Español" and then scanned lost the scan, and the
/// scanner's Enter pressed the language button again (the kiosk flipped back to English).
#[tokio::test]
async fn a_scan_right_after_tapping_espanol_checks_in_in_spanish() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = DemoHub::midday(&dir, |_| {})?;
    with_chromium(|chromium| async {
        let outcome = async {
            let page = pair_kiosk(&hub, &chromium, 1920, 1080).await?;
            let code = hub.schedule("Inés", "Escaneo", 5).await?;
            // A real tap: the button takes the focus, as on the touch screen.
            let mut tapped = false;
            for button in page.find_elements("button").await? {
                if button.inner_text().await?.as_deref().map(str::trim) == Some("Español") {
                    button.click().await?;
                    tapped = true;
                    break;
                }
            }
            anyhow::ensure!(tapped, "no Español button");
            wait_until(
                &page,
                "document.querySelector('.welcome h2')?.textContent.startsWith('Bienvenido')",
                WAIT,
            )
            .await?;
            let focused: String = page
                .evaluate("document.activeElement.tagName")
                .await?
                .into_value()?;
            assert_eq!(
                focused, "BUTTON",
                "the language button has the focus, as after a tap"
            );
            type_keys(&page, &format!("{}/c/{code}", hub.url)).await?;
            // The keypad in Spanish reads day, month, year.
            enter_date(&page, "01041950").await?;
            tap(&page, "Continuar").await?;
            let message = outcome(&page, "checked_in").await?;
            assert_eq!(message, "Inés E., ya está registrado.");
            screenshot(&page, "kiosk-espanol-then-scan-tv").await?;
            anyhow::Ok(())
        }
        .await;
        (chromium, outcome)
    })
    .await
}
