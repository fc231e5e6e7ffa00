//! Self check-in through the API, as the kiosk and a patient's phone use it: every outcome, the
//! date-of-birth step and its flag for staff, "no code?" by last name and date of birth, walk-ins
//! (double taps included), languages, and throttled, audited guessing.

use crate::common;

use anyhow::{Context, Result};
use clinicflow::api_types::{CheckInRequest, Outcome};
use clinicflow::domain::{Command, DeviceRole};
use clinicflow::sync::HubClient;
use common::{visit_id, TestHub, BIRTH_DATE};
use serde_json::{json, Value};

async fn post(
    client: &reqwest::Client,
    hub: &TestHub,
    path: &str,
    body: Value,
) -> Result<(u16, Value)> {
    let response = client.post(hub.url(path)).json(&body).send().await?;
    Ok((response.status().as_u16(), response.json().await?))
}

#[tokio::test]
async fn a_kiosk_check_in_confirms_the_date_of_birth_and_answers_every_outcome() -> Result<()> {
    let hub = TestHub::start_with(common::midday_clinic()).await?;
    let kiosk = hub.screen(DeviceRole::Kiosk, "Lobby kiosk").await?;
    let check_in = |body: Value| post(&kiosk, &hub, "/api/v1/check-in", body);
    let (_, code) = hub.schedule("Ana", 10).await?;

    let url = format!(
        "http://hub.local/c/{}",
        code.replace('-', "").to_lowercase()
    );
    let (status, first) = check_in(json!({ "code": url })).await?;
    assert_eq!(
        (status, first["outcome"].as_str()),
        (200, Some("confirm_identity"))
    );
    assert!(
        first.get("name").is_none(),
        "nothing about the patient before the date of birth"
    );
    let (_, checked) = check_in(json!({ "code": code, "date_of_birth": BIRTH_DATE })).await?;
    assert_eq!(checked["outcome"], "checked_in");
    assert_eq!(checked["name"], "Ana T.");
    assert_eq!(checked["ticket"], "A-1");
    assert_eq!(checked["message"], "Ana T., you're checked in.");
    assert_eq!(checked["wait"], json!({"ahead": 0, "minutes": 10}));
    let (_, again) = check_in(json!({ "code": code, "date_of_birth": BIRTH_DATE })).await?;
    assert_eq!(again["outcome"], "already_checked_in");
    assert_eq!(again["ticket"], "A-1", "checking in twice keeps the ticket");
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let arrivals = snapshot["state"]["visits"]
        .as_object()
        .unwrap()
        .values()
        .filter(|v| v["state"] == "arrived")
        .count();
    assert_eq!(arrivals, 1, "nothing duplicated");

    let mut typo = code.clone().into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let (_, mistyped) = check_in(json!({ "code": String::from_utf8(typo)? })).await?;
    assert_eq!(mistyped["outcome"], "invalid_code");
    assert_eq!(
        mistyped["message"],
        "That code doesn't look right. Please check it and try again."
    );
    let unknown = clinicflow::domain::CheckInCode::from_random(12345).to_string();
    assert_eq!(
        check_in(json!({ "code": unknown })).await?.1["outcome"],
        "unknown_code"
    );

    let (_, early_code) = hub.schedule("Eva", 3 * 60).await?;
    let (_, early) = check_in(json!({ "code": early_code, "date_of_birth": BIRTH_DATE })).await?;
    assert_eq!(early["outcome"], "too_early");
    assert!(early["opens_at"].is_string());
    assert!(early["message"]
        .as_str()
        .unwrap()
        .starts_with("You're early. Check-in opens at "));

    let (late_visit, late_code) = hub.schedule("Leo", -30).await?;
    let (_, late) = check_in(json!({ "code": late_code, "date_of_birth": BIRTH_DATE })).await?;
    assert_eq!(late["outcome"], "late");
    assert_eq!(
        late["ticket"], "A-2",
        "late patients are checked in by default"
    );
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert_eq!(snapshot["state"]["visits"][&late_visit]["state"], "arrived");

    let (tomorrow, tomorrow_code) = hub.schedule("Ben", 24 * 60 + 60).await?;
    let (_, wrong_day) = check_in(json!({ "code": tomorrow_code })).await?;
    assert_eq!(wrong_day["outcome"], "wrong_day");
    assert!(wrong_day["message"]
        .as_str()
        .unwrap()
        .starts_with("Your appointment is on "));
    let (_, spanish) = check_in(json!({ "code": tomorrow_code, "language": "es" })).await?;
    assert!(
        spanish["message"]
            .as_str()
            .unwrap()
            .starts_with("Su cita es el "),
        "{spanish}"
    );
    hub.run(Command::CancelVisit {
        visit: visit_id(&tomorrow),
        reason: String::new(),
    })
    .await?;
    assert_eq!(
        check_in(json!({ "code": tomorrow_code })).await?.1["outcome"],
        "cancelled"
    );
    Ok(())
}

#[tokio::test]
async fn three_wrong_dates_of_birth_send_the_patient_to_the_desk_and_flag_the_visit() -> Result<()>
{
    let hub = TestHub::start_with(common::midday_clinic()).await?;
    let kiosk = hub.screen(DeviceRole::Kiosk, "Lobby kiosk").await?;
    let (visit, code) = hub.schedule("Ana", 0).await?;
    let wrong = json!({ "code": code, "date_of_birth": "1961-07-15" });
    for tries_left in [2, 1] {
        let (_, answer) = post(&kiosk, &hub, "/api/v1/check-in", wrong.clone()).await?;
        assert_eq!(answer["outcome"], "identity_mismatch");
        assert_eq!(answer["tries_left"], tries_left);
        assert!(answer.get("name").is_none());
    }
    let (_, third) = post(&kiosk, &hub, "/api/v1/check-in", wrong).await?;
    assert_eq!(third["outcome"], "see_front_desk");
    let right = json!({ "code": code, "date_of_birth": BIRTH_DATE });
    let (_, after) = post(&kiosk, &hub, "/api/v1/check-in", right).await?;
    assert_eq!(
        after["outcome"], "see_front_desk",
        "the kiosk no longer takes this code"
    );
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let flagged = &snapshot["state"]["visits"][&visit];
    assert!(
        flagged["identity_flagged"].is_string(),
        "staff see the flag: {flagged}"
    );
    assert_eq!(flagged["state"], "scheduled");
    // The front desk checks the patient in after looking at their ID.
    hub.run(Command::CheckIn {
        visit: visit_id(&visit),
        identity_confirmed: false,
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn wrong_dates_of_birth_are_remembered_across_a_hub_restart() -> Result<()> {
    // Regression: the tries were counted in the hub's memory, so a restart reset them.
    let folder = tempfile::tempdir()?;
    let db = folder.path().join("clinic.db");
    let hub = TestHub::start_on(db.clone(), common::midday_clinic()).await?;
    let enrolled = hub.enrol(DeviceRole::Kiosk, "Lobby kiosk").await?;
    let token = hub.pair(&enrolled.pairing_url).await?;
    let (visit, code) = hub.schedule("Ana", 0).await?;
    let kiosk_of = |hub: &TestHub| -> Result<HubClient> {
        let http = common::client_with(&[
            ("cookie", format!("cf_device={token}")),
            ("origin", hub.running.url()),
        ])?;
        Ok(hub.client_for(http))
    };
    let wrong = CheckInRequest {
        code: code.clone(),
        date_of_birth: Some(chrono::NaiveDate::from_ymd_opt(1961, 7, 15).unwrap()),
        language: None,
    };
    let first = kiosk_of(&hub)?.check_in(&wrong).await?;
    assert_eq!(
        (first.outcome, first.tries_left),
        (Outcome::IdentityMismatch, Some(2))
    );
    hub.stop().await;

    let hub = TestHub::start_on(db, common::midday_clinic()).await?;
    let kiosk = kiosk_of(&hub)?;
    let second = kiosk.check_in(&wrong).await?;
    assert_eq!(
        (second.outcome, second.tries_left),
        (Outcome::IdentityMismatch, Some(1))
    );
    let third = kiosk.check_in(&wrong).await?;
    assert_eq!(third.outcome, Outcome::SeeFrontDesk);
    let snapshot = hub.api().snapshot().await?;
    let flagged = &snapshot.state.visits[&clinicflow::domain::VisitId::parse(&visit)?];
    assert!(flagged.identity_flagged.is_some());
    assert_eq!(flagged.identity_misses.len(), 3);
    Ok(())
}

#[tokio::test]
async fn no_code_finds_todays_appointment_by_last_name_and_date_of_birth() -> Result<()> {
    let hub = TestHub::start_with(common::midday_clinic()).await?;
    let kiosk = hub.screen(DeviceRole::Kiosk, "Lobby kiosk").await?;
    let (_, later) = hub.schedule("Ana", 45).await?;
    let (_, sooner) = hub.schedule("Ben", 15).await?;
    let find = |last_name: &str, born: &str| {
        post(
            &kiosk,
            &hub,
            "/api/v1/check-in/find",
            json!({ "last_name": last_name, "date_of_birth": born }),
        )
    };
    let (status, found) = find(" TESTPERSON ", BIRTH_DATE).await?;
    assert_eq!(status, 200);
    let choices = found["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 2, "{found}");
    assert_eq!(choices[0]["code"], sooner.as_str(), "by time");
    assert_eq!(choices[1]["code"], later.as_str());
    assert_eq!(choices[0]["provider"], "Dr. Amara Okafor");
    let text = found.to_string();
    assert!(
        !text.contains("Ana") && !text.contains("Ben"),
        "no names: {text}"
    );
    let (_, none) = find("Testperson", "1961-07-15").await?;
    assert_eq!(none["choices"], json!([]));
    let (_, checked) = post(
        &kiosk,
        &hub,
        "/api/v1/check-in",
        json!({ "code": choices[0]["code"], "date_of_birth": BIRTH_DATE }),
    )
    .await?;
    assert_eq!(checked["name"], "Ben T.");
    Ok(())
}

#[tokio::test]
async fn a_walk_in_from_the_kiosk_gets_a_ticket_once_however_often_it_is_sent() -> Result<()> {
    let hub = TestHub::start_with(common::midday_clinic()).await?;
    let kiosk = hub.screen(DeviceRole::Kiosk, "Lobby kiosk").await?;
    let body = json!({
        "patient": { "first_name": "Walter", "last_name": "Inn", "date_of_birth": "1980-02-03" },
        "visit_type": "Injury",
    });
    let (a, b) = tokio::join!(
        post(&kiosk, &hub, "/api/v1/walk-ins", body.clone()),
        post(&kiosk, &hub, "/api/v1/walk-ins", body.clone())
    );
    let (mut first, mut second) = (a?, b?);
    if first.0 != 201 {
        std::mem::swap(&mut first, &mut second);
    }
    assert_eq!(first.0, 201, "{first:?}");
    assert_eq!(
        second.0, 200,
        "the double tap answers the same visit: {second:?}"
    );
    assert_eq!(first.1["visit"], second.1["visit"]);
    assert_eq!(first.1["ticket"], "W-1");
    assert_eq!(first.1["wait"]["ahead"], 0);
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let visit = &snapshot["state"]["visits"][first.1["visit"].as_str().unwrap()];
    assert_eq!(visit["state"], "arrived");
    assert_eq!(visit["visit_type"], "Injury");
    assert!(["dr-okafor", "dr-brooks"].contains(&visit["provider"].as_str().unwrap()));

    let mut closed = common::midday_clinic();
    closed.check_in.walk_ins = false;
    let hub = TestHub::start_with(closed).await?;
    let kiosk = hub.screen(DeviceRole::Kiosk, "Lobby kiosk").await?;
    let (status, refused) = post(&kiosk, &hub, "/api/v1/walk-ins", body).await?;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    Ok(())
}

#[tokio::test]
async fn guessing_codes_is_throttled_per_kiosk_and_audited() -> Result<()> {
    let hub = TestHub::start_with(common::midday_clinic()).await?;
    let kiosk = hub.screen(DeviceRole::Kiosk, "Lobby kiosk").await?;
    let other = hub.screen(DeviceRole::Kiosk, "Second kiosk").await?;
    for n in 0..10 {
        let guess = clinicflow::domain::CheckInCode::from_random(1000 + n).to_string();
        let (status, answer) =
            post(&kiosk, &hub, "/api/v1/check-in", json!({ "code": guess })).await?;
        assert_eq!(
            (status, answer["outcome"].as_str()),
            (200, Some("unknown_code"))
        );
    }
    let (_, code) = hub.schedule("Ana", 0).await?;
    let (status, answer) = post(&kiosk, &hub, "/api/v1/check-in", json!({ "code": code })).await?;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
    let (status, _) = post(&other, &hub, "/api/v1/check-in", json!({ "code": code })).await?;
    assert_eq!(status, 200, "another kiosk is not held up");

    let store = clinicflow::store::Store::open_read_only(&hub.db())?;
    let rows = store.audit_between(
        chrono::Utc::now() - chrono::Duration::hours(1),
        chrono::Utc::now() + chrono::Duration::hours(1),
    )?;
    let failures = rows
        .iter()
        .filter(|r| r.command == "check_in" && r.device.starts_with("Lobby kiosk"))
        .collect::<Vec<_>>();
    assert_eq!(
        failures
            .iter()
            .filter(|r| r.outcome == "unknown_code")
            .count(),
        10
    );
    assert!(failures.iter().any(|r| r.outcome.contains("too many")));
    Ok(())
}

#[tokio::test]
async fn a_phone_checks_in_with_the_reminder_link_and_always_confirms_the_date_of_birth(
) -> Result<()> {
    let mut config = common::midday_clinic();
    config.check_in.confirm_date_of_birth = false;
    let hub = TestHub::start_with(config).await?;
    let kiosk = hub.screen(DeviceRole::Kiosk, "Lobby kiosk").await?;
    let phone = common::client_with(&[("origin", hub.running.url())])?;
    let (_, code) = hub.schedule("Ana", 0).await?;
    let (_, kiosk_answer) = post(&kiosk, &hub, "/api/v1/check-in", json!({ "code": code })).await?;
    assert_eq!(
        kiosk_answer["outcome"], "checked_in",
        "this clinic's kiosk skips the date of birth"
    );

    let (_, phone_code) = hub.schedule("Ben", 0).await?;
    let (_, first) = post(
        &phone,
        &hub,
        "/api/v1/check-in",
        json!({ "code": phone_code }),
    )
    .await?;
    assert_eq!(
        first["outcome"], "confirm_identity",
        "a phone always confirms"
    );
    let (_, checked) = post(
        &phone,
        &hub,
        "/api/v1/check-in",
        json!({ "code": phone_code, "date_of_birth": BIRTH_DATE, "language": "es" }),
    )
    .await?;
    assert_eq!(checked["outcome"], "checked_in");
    assert_eq!(checked["message"], "Ben T., ya está registrado.");
    let walk_in = json!({
        "patient": { "first_name": "Walter", "last_name": "Inn", "date_of_birth": "1980-02-03" },
        "visit_type": "Injury",
    });
    let (status, _) = post(&phone, &hub, "/api/v1/walk-ins", walk_in).await?;
    assert_eq!(status, 401, "phones check in; nothing else");

    let mut closed = common::midday_clinic();
    closed.check_in.phone = false;
    let hub = TestHub::start_with(closed).await?;
    let (status, answer) = post(&phone, &hub, "/api/v1/check-in", json!({ "code": code })).await?;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("not_enrolled"))
    );
    Ok(())
}

#[tokio::test]
async fn a_clinic_can_send_late_patients_to_the_front_desk_instead() -> Result<()> {
    let mut config = common::midday_clinic();
    config.check_in.late_action = clinicflow::config::LateAction::FrontDesk;
    let hub = TestHub::start_with(config).await?;
    let (visit, code) = hub.schedule("Leo", -30).await?;
    let (_, late) = hub.check_in(&code).await?;
    assert_eq!(late["outcome"], "late");
    assert!(late.get("ticket").is_none(), "not checked in: {late}");
    assert_eq!(
        late["message"],
        "Your appointment time has passed. Please see the front desk."
    );
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert_eq!(snapshot["state"]["visits"][&visit]["state"], "scheduled");
    Ok(())
}

#[tokio::test]
async fn an_unknown_code_at_a_kiosk_tells_the_desk_someone_is_coming_but_a_phones_does_not(
) -> Result<()> {
    let hub = TestHub::start_with(common::midday_clinic()).await?;
    let kiosk = hub.screen(DeviceRole::Kiosk, "Lobby kiosk").await?;
    let unknown = clinicflow::domain::CheckInCode::from_random(4242).to_string();
    for _ in 0..2 {
        let (_, answer) =
            post(&kiosk, &hub, "/api/v1/check-in", json!({ "code": unknown })).await?;
        assert_eq!(answer["outcome"], "unknown_code");
    }
    let phone = reqwest::Client::new();
    post(&phone, &hub, "/api/v1/check-in", json!({ "code": unknown })).await?;
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let scans = snapshot["state"]["unknown_codes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        scans.len(),
        1,
        "two tries at one kiosk are one person: {scans:?}"
    );
    assert_eq!(
        (&scans[0]["kiosk"], &scans[0]["count"]),
        (&json!("Lobby kiosk"), &json!(2))
    );

    // Only the hub's check-in says so; the desk clears it.
    let (status, forged) = hub
        .post(
            "/api/v1/commands",
            json!({ "type": "unknown_code_at_kiosk", "kiosk": "Lobby kiosk" }),
        )
        .await?;
    assert_eq!(
        (status, &forged["error"]["code"]),
        (422, &json!("invalid_input")),
        "{forged}"
    );
    let desk = hub.signed_in_tablet("fd-patel", "666666").await?;
    let first: chrono::DateTime<chrono::Utc> = serde_json::from_value(scans[0]["first"].clone())?;
    hub.client_for(desk)
        .command(&clinicflow::domain::Command::ClearUnknownCode {
            kiosk: "Lobby kiosk".into(),
            first,
        })
        .await?;
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert!(
        snapshot["state"].get("unknown_codes").is_none(),
        "{}",
        snapshot["state"]
    );
    Ok(())
}

#[tokio::test]
async fn a_phone_checks_in_within_its_window_and_is_not_here_until_the_patient_says_so(
) -> Result<()> {
    let hub = TestHub::start().await?;
    let phone = common::client_with(&[("origin", hub.running.url())])?;
    let with_birth = |code: &str| json!({ "code": code, "date_of_birth": BIRTH_DATE });
    let (_, early) = hub.schedule("Early", 45).await?;
    let (_, answer) = post(&phone, &hub, "/api/v1/check-in", with_birth(&early)).await?;
    assert_eq!(
        answer["outcome"], "too_early",
        "a phone's window opens 30 minutes before"
    );
    let (_, answer) = hub.check_in(&early).await?;
    assert_eq!(
        answer["outcome"], "checked_in",
        "the kiosk's opens 60 before"
    );

    let (visit, code) = hub.schedule("Paz", 20).await?;
    let (_, answer) = post(&phone, &hub, "/api/v1/check-in", with_birth(&code)).await?;
    assert_eq!(answer["outcome"], "checked_in");
    let path = answer["status_path"].as_str().context("status_path")?;
    let token = path.trim_start_matches("/s/");
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert!(
        snapshot["state"]["visits"][&visit]["checked_in_by_phone"].is_string(),
        "staff see 'checked in by phone, not yet here'"
    );
    let status = hub.api().patient_here(token).await?;
    assert!(!status.away);
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert!(snapshot["state"]["visits"][&visit]
        .get("checked_in_by_phone")
        .is_none());

    // Scanning the reminder at the kiosk says so too.
    let (visit, code) = hub.schedule("Rio", 20).await?;
    post(&phone, &hub, "/api/v1/check-in", with_birth(&code)).await?;
    let (_, answer) = hub.check_in(&code).await?;
    assert_eq!(answer["outcome"], "already_checked_in");
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert!(snapshot["state"]["visits"][&visit]
        .get("checked_in_by_phone")
        .is_none());
    assert_eq!(
        hub.api()
            .patient_status("no-such-token")
            .await
            .unwrap_err()
            .kind,
        clinicflow::api_types::ErrorKind::NotFound
    );
    Ok(())
}
