//! The provider's own screen on a phone and a tablet: my patients, the one ready for me with
//! their vitals (the abnormal one marked, with its value), a banner and the chime within a
//! second of an assistant marking a patient ready, and "Going in" and "Done" from there.

use crate::common::browser::{
    assert_accessible, bundle, screenshot, sign_in, tap, wait_until, Chromium,
};
use crate::common::{self, room_id, visit_id, TestHub};
use anyhow::{Context, Result};
use clinicflow::config::StaffConfig;
use clinicflow::domain::{Command, DeviceRole, VisitState, Vitals};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_provider_sees_their_patients_and_is_told_within_a_second_when_one_is_ready() -> Result<()>
{
    let mut config = common::midday_clinic();
    config.staff.push(StaffConfig {
        id: "dr-okafor".into(),
        name: "Dr. Amara Okafor".into(),
        role: "provider".into(),
    });
    let (hub, _hand) = TestHub::serve_by_hand(config, chrono::Utc::now(), Some(bundle()?)).await?;
    let pin = clinicflow::server::auth::hash_pin("444444");
    hub.running
        .hub
        .with_store(move |store| store.set_pin_hash("dr-okafor", &pin))
        .await??;
    hub.running.hub.reload_staff().await?;
    let mut visits = Vec::new();
    for (name, minutes) in [("Lola", 0), ("Mae", 5), ("Nia", 10)] {
        let (visit, code) = hub.schedule(name, minutes).await?;
        anyhow::ensure!(hub.check_in(&code).await?.0 == 200);
        visits.push(visit_id(&visit));
    }
    let vitals = Vitals {
        systolic_mmhg: Some(182.0),
        diastolic_mmhg: Some(95.0),
        heart_rate_per_min: Some(88.0),
        chief_complaint: "Headache for two days".into(),
        ..Vitals::default()
    };
    hub.run(Command::RoomPatient {
        visit: visits[0].clone(),
        room: room_id("exam-3"),
    })
    .await?;
    hub.run(Command::RecordVitals {
        visit: visits[0].clone(),
        vitals,
        confirm_abnormal: true,
        ready_for_provider: false,
    })
    .await?;

    let chromium = Chromium::launch().await?;
    let outcome = async {
        let enrolled = hub.enrol(DeviceRole::Tablet, "provider phone").await?;
        let page = chromium.open(&enrolled.pairing_url, 390, 844).await?;
        sign_in(&page, "Dr. Amara Okafor", '4', false).await?;
        page.goto(hub.url("/provider")).await?;
        wait_until(&page, "document.querySelector('.provider-lists')?.textContent.includes('Checked in (2)')", WAIT)
            .await
            .context("the provider's lists")?;
        assert!(page.evaluate("document.querySelector('.ready-banner') === null").await?.into_value::<bool>()?);

        let marked = Instant::now();
        hub.run(Command::ReadyForProvider { visit: visits[0].clone() }).await?;
        wait_until(&page, "document.querySelector('.ready-banner')?.textContent.includes('Lola T. is ready for you in Exam 3')", WAIT)
            .await
            .context("the banner")?;
        let took = marked.elapsed();
        assert!(took < Duration::from_secs(1), "the banner came after {took:?}");
        let chimes: String = page.evaluate("document.body.dataset.chimes ?? ''").await?.into_value()?;
        assert_eq!(chimes, "1");
        let card: String = page
            .evaluate(format!("document.querySelector('[data-visit=\"{}\"]').textContent", visits[0]))
            .await?
            .into_value()?;
        for shown in ["Exam 3", "Abnormal: Systolic blood pressure 182 mmHg", "Headache for two days"] {
            assert!(card.contains(shown), "{shown:?} in {card:?}");
        }
        screenshot(&page, "provider-ready-phone").await?;
        assert_accessible(&page, "provider").await?;
        page.execute(chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams::new(820, 1180, 1.0, false)).await?;
        screenshot(&page, "provider-ready-tablet").await?;
        page.execute(chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams::new(1920, 1080, 1.0, false)).await?;
        screenshot(&page, "provider-ready-tv").await?;

        tap(&page, "Going in").await?;
        tap(&page, "Done").await?;
        wait_until(&page, "document.querySelector('.provider-day')?.textContent.includes('1 seen')", WAIT)
            .await
            .context("my day so far")?;
        anyhow::Ok(())
    }
    .await;
    chromium.close().await?;
    outcome?;
    let finished = hub.api().snapshot().await?.state.visits[&visits[0]].state;
    assert_eq!(finished, VisitState::Finished);
    hub.stop().await;
    Ok(())
}
