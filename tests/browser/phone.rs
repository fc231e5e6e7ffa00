//! The patient's live page on a 390 px phone: after checking in with the reminder's link it
//! shows the place in line and a range, "I'm here" until the patient taps it, changes as the
//! patient ahead is roomed, and says "Please come to Exam 3" within a second of the call (in
//! Spanish too); the stream it follows carries nothing of any other patient (its bytes are read
//! and checked).

use crate::common::browser::{
    assert_accessible, bundle, enter_date, screenshot, tap, wait_until, Chromium,
};
use crate::common::{self, room_id, visit_id, TestHub};
use anyhow::{Context, Result};
use clinicflow::domain::Command;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

fn step_is(step: &str, needle: &str) -> String {
    format!(
        "(() => {{ const s = document.querySelector('.live-status[data-step={step:?}]'); return !!s && s.textContent.includes({needle:?}); }})()"
    )
}

#[tokio::test]
async fn a_phone_follows_its_place_in_line_and_hears_its_call_within_a_second() -> Result<()> {
    let mut config = common::midday_clinic();
    config.check_in.confirm_date_of_birth = false;
    let (hub, hand) = TestHub::serve_by_hand(config, chrono::Utc::now(), Some(bundle()?)).await?;
    let catch_up = || hand.advance(chrono::Utc::now() - hand.time());
    let (ahead, ahead_code) = hub.schedule("Annabel", 5).await?;
    anyhow::ensure!(hub.check_in(&ahead_code).await?.0 == 200);
    let (pia, pia_code) = hub.schedule("Pia", 10).await?;

    let chromium = Chromium::launch().await?;
    let outcome = async {
        let page = chromium
            .open(&hub.url(&format!("/c/{pia_code}")), 390, 844)
            .await?;
        enter_date(&page, "07141961").await?;
        catch_up();
        tap(&page, "Continue").await?;
        wait_until(
            &page,
            &step_is("waiting", "1 person is ahead of you."),
            WAIT,
        )
        .await
        .context("the place in line")?;
        let range: String = page
            .evaluate("document.querySelector('.status-range').textContent")
            .await?
            .into_value()?;
        assert!(
            range.starts_with("About ") || range.starts_with("Less than"),
            "{range}"
        );
        screenshot(&page, "phone-live-waiting-phone").await?;
        assert_accessible(&page, "phone live page").await?;

        // Checked in from the phone: not yet here until the patient says so.
        let away = hub.api().snapshot().await?.state.visits[&visit_id(&pia)].checked_in_by_phone;
        assert!(
            away.is_some(),
            "staff see 'checked in by phone, not yet here'"
        );
        tap(&page, "I'm here").await?;
        wait_until(&page, "document.querySelector('.im-here') === null", WAIT).await?;
        let away = hub.api().snapshot().await?.state.visits[&visit_id(&pia)].checked_in_by_phone;
        assert!(away.is_none());

        // The same stream the page follows, read as bytes from here.
        let (_, answer) = hub.check_in(&pia_code).await?;
        let path = answer["status_path"]
            .as_str()
            .context("status_path")?
            .to_string();
        let token = path.trim_start_matches("/s/").to_string();
        let stream = reqwest::Client::new()
            .get(hub.url(&format!("/api/v1/status/{token}/live")))
            .send()
            .await?;
        let mut bytes = stream.bytes_stream();
        use futures::StreamExt;
        let reader = tokio::spawn(async move {
            let mut seen = Vec::new();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(6);
            while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, bytes.next()).await {
                seen.extend_from_slice(&chunk);
            }
            seen
        });

        catch_up();
        let room = room_id("exam-1");
        hub.run(Command::RoomPatient {
            visit: visit_id(&ahead),
            room,
        })
        .await?;
        wait_until(&page, &step_is("waiting", "You are next."), WAIT)
            .await
            .context("moved up when the patient ahead was roomed")?;

        catch_up();
        let called = Instant::now();
        hub.run(Command::CallPatient {
            visit: visit_id(&pia),
            room: room_id("exam-3"),
        })
        .await?;
        wait_until(
            &page,
            &step_is("called", "Please come to Exam 3 now."),
            WAIT,
        )
        .await?;
        let took = called.elapsed();
        assert!(
            took < Duration::from_secs(1),
            "the call reached the phone in {took:?}"
        );
        let chimes: String = page
            .evaluate("document.body.dataset.chimes ?? ''")
            .await?
            .into_value()?;
        assert_eq!(chimes, "1", "the phone played the call's chime once");
        screenshot(&page, "phone-live-called-phone").await?;
        tap(&page, "Español").await?;
        wait_until(
            &page,
            &step_is("called", "Por favor, pase ahora a Exam 3."),
            WAIT,
        )
        .await?;
        screenshot(&page, "phone-live-called-spanish-phone").await?;
        for (width, height, name) in [(820, 1180, "tablet"), (1920, 1080, "tv")] {
            let metrics = chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams::new(width, height, 1.0, false);
            page.execute(metrics).await?;
            screenshot(&page, &format!("phone-live-called-{name}")).await?;
        }

        let seen = String::from_utf8(reader.await?)?;
        assert!(
            seen.contains("Exam 3"),
            "the stream carried the call: {seen}"
        );
        let other = hub.api().snapshot().await?.state.visits[&visit_id(&ahead)].clone();
        for secret in [
            "Annabel".to_string(),
            "Testperson".to_string(),
            other.id.to_string(),
            other.ticket.map(|t| t.to_string()).context("ticket")?,
            ahead_code.clone(),
            pia_code.clone(),
        ] {
            assert!(
                !seen.contains(&secret),
                "{secret:?} reached the phone's stream: {seen}"
            );
        }
        let text: String = page
            .evaluate("document.body.innerText")
            .await?
            .into_value()?;
        assert!(!text.contains("Annabel"), "{text}");
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    outcome?;
    hub.stop().await;
    Ok(())
}
