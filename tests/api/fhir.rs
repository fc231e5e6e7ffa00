//! The day as FHIR R4, proven by an independent implementation: a scripted day (a finished visit
//! with every vital sign, an undone rooming, a patient who left unseen, an urgent one, a visit
//! from the EHR with its ids) exported by `GET /api/v1/fhir/Encounter` and by `clinicflow export
//! fhir`, the Bundle `import::to_fhir` prints, and every FHIR fixture the tests import, each
//! validated by PyPI `fhir.resources` 6.4.0 (the last R4 release) through
//! `tests/fhir/validate.py`; and who may read it.

use crate::common;

use anyhow::{Context, Result};
use clinicflow::domain::{Command, DeviceRole, Priority, Vitals};
use common::{room_id, visit_id, TestHub};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The python that has `fhir.resources` (`cargo xtask test` installs it and says where).
fn validator() -> Result<PathBuf> {
    if let Ok(python) = std::env::var("CLINICFLOW_FHIR_PYTHON") {
        return Ok(python.into());
    }
    let installed = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fhir-venv/bin/python");
    anyhow::ensure!(
        installed.exists(),
        "the FHIR validator is not installed: run the tests with `cargo xtask test`"
    );
    Ok(installed)
}

/// Runs the validator on `files`; answers its report, failing the test on any problem.
fn assert_valid(files: &[PathBuf], references: bool) -> Result<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fhir/validate.py");
    let mut command = std::process::Command::new(validator()?);
    command.arg(script);
    if references {
        command.arg("--references");
    }
    let output = command.args(files).output()?;
    let report = String::from_utf8_lossy(&output.stdout).to_string();
    anyhow::ensure!(
        output.status.success(),
        "not valid FHIR R4:\n{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(report)
}

/// A day with every path the export maps.
async fn scripted_day(hub: &TestHub) -> Result<()> {
    let lee = hub.client_for(hub.signed_in_tablet("ma-lee", "111111").await?);
    let (seen, _) = hub.schedule("Ana", 5).await?;
    let (unseen, _) = hub.schedule("Ben", 10).await?;
    let (urgent, _) = hub.schedule("Cy", 15).await?;
    let (seen, unseen, urgent) = (visit_id(&seen), visit_id(&unseen), visit_id(&urgent));
    for visit in [&seen, &unseen, &urgent] {
        lee.command(&Command::CheckIn {
            visit: visit.clone(),
            identity_confirmed: false,
        })
        .await?;
    }
    let vitals = Vitals {
        systolic_mmhg: Some(128.0),
        diastolic_mmhg: Some(82.0),
        heart_rate_per_min: Some(72.0),
        respiratory_rate_per_min: Some(16.0),
        temperature_c: Some(36.8),
        spo2_percent: Some(98.0),
        height_cm: Some(170.0),
        weight_kg: Some(72.5),
        pain: Some(3.0),
        ..Vitals::default()
    };
    let steps = [
        Command::RoomPatient {
            visit: seen.clone(),
            room: room_id("exam-1"),
        },
        Command::Undo {
            visit: Some(seen.clone()),
            room: None,
            reason: "Wrong room".into(),
        },
        Command::RoomPatient {
            visit: seen.clone(),
            room: room_id("exam-2"),
        },
        Command::RecordVitals {
            visit: seen.clone(),
            vitals,
            confirm_abnormal: false,
            ready_for_provider: true,
        },
        Command::ProviderIn {
            visit: seen.clone(),
        },
        Command::FinishVisit {
            visit: seen.clone(),
        },
        Command::LeftWithoutBeingSeen { visit: unseen },
        Command::SetPriority {
            visit: urgent.clone(),
            priority: Priority::Urgent,
            reason: "chest pain".into(),
        },
        Command::RoomPatient {
            visit: urgent,
            room: room_id("exam-3"),
        },
    ];
    for step in steps {
        lee.command(&step)
            .await
            .with_context(|| format!("{step:?}"))?;
    }
    // From the EHR, with its appointment and patient ids.
    let today = hub.running.hub.clock().now().clinic_day;
    let start = (chrono::Utc::now() + chrono::Duration::minutes(20)).to_rfc3339();
    let bundle = include_str!("../fixtures/fhir/one-appointment.json")
        .replace("2026-03-02T15:00:00Z", &start)
        .replace(
            "2026-03-02T15:30:00Z",
            &(chrono::Utc::now() + chrono::Duration::minutes(50)).to_rfc3339(),
        );
    let answer: Value = hub
        .client
        .post(hub.url("/api/v1/import"))
        .header("content-type", "application/fhir+json")
        .body(bundle)
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(answer["applied"] == true, "{answer}");
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let from_ehr = snapshot["state"]["visits"]
        .as_object()
        .context("visits")?
        .values()
        .find(|v| v["external"]["appointment"] == "fhir-1")
        .context("the EHR's visit")?;
    anyhow::ensure!(from_ehr["day"] == today.to_string(), "{from_ehr}");
    lee.command(&Command::CheckIn {
        visit: visit_id(from_ehr["id"].as_str().context("id")?),
        identity_confirmed: false,
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn the_days_export_is_valid_fhir_r4_by_an_independent_validator() -> Result<()> {
    let hub = TestHub::start_with(common::midday_clinic()).await?;
    scripted_day(&hub).await?;
    let dir = tempfile::tempdir()?;
    let today = hub.running.hub.clock().now().clinic_day;

    let searchset: Value = hub
        .client
        .get(hub.url(&format!("/api/v1/fhir/Encounter?date={today}")))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(searchset["type"], "searchset");
    assert_eq!(searchset["total"], 4, "four visits arrived");
    let entries = searchset["entry"].as_array().context("entries")?;
    let resource = |kind: &str, id_part: &str| {
        entries.iter().map(|e| &e["resource"]).find(|r| {
            r["resourceType"] == kind && r["id"].as_str().unwrap_or_default().contains(id_part)
        })
    };
    let encounters: Vec<&Value> = entries
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Encounter")
        .collect();
    let finished = encounters
        .iter()
        .find(|e| e["status"] == "finished")
        .context("finished")?;
    let statuses: Vec<&str> = finished["statusHistory"]
        .as_array()
        .context("history")?
        .iter()
        .map(|s| s["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        statuses,
        ["arrived", "triaged", "in-progress", "finished"],
        "the undone rooming is collapsed"
    );
    assert_eq!(finished["location"].as_array().map(Vec::len), Some(1));
    assert_eq!(finished["location"][0]["location"]["display"], "Exam 2");
    assert!(
        encounters.iter().any(|e| e["status"] == "cancelled"),
        "left without being seen"
    );
    assert!(encounters
        .iter()
        .any(|e| e["priority"]["coding"][0]["code"] == "UR"));
    let from_ehr = encounters
        .iter()
        .find(|e| e["appointment"][0]["identifier"]["value"] == "fhir-1")
        .context("the EHR's appointment id on its encounter")?;
    assert_eq!(
        from_ehr["subject"]["reference"], "Patient/p1",
        "the EHR's patient id"
    );
    assert!(resource("Patient", "p1").is_some());
    assert!(resource("Observation", "-bp")
        .is_some_and(|bp| bp["component"].as_array().map(Vec::len) == Some(2)));
    for part in [
        "-hr", "-rr", "-temp", "-spo2", "-height", "-weight", "-bmi", "-pain",
    ] {
        assert!(resource("Observation", part).is_some(), "{part}");
    }
    let api_file = dir.path().join("searchset.json");
    std::fs::write(&api_file, searchset.to_string())?;

    let cli_file = dir.path().join("collection.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args([
            "export",
            "fhir",
            "--date",
            &today.to_string(),
            "--url",
            "http://clinic.example:8080",
            "--db",
        ])
        .arg(hub.db())
        .arg("--out")
        .arg(&cli_file)
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("4 encounter(s)"));
    let collection: Value = serde_json::from_str(&std::fs::read_to_string(&cli_file)?)?;
    assert_eq!(collection["type"], "collection");
    assert!(collection["entry"][0]["fullUrl"]
        .as_str()
        .is_some_and(|url| url.starts_with("http://clinic.example:8080/api/v1/fhir/Encounter/")));

    let printed = dir.path().join("printed.json");
    let fixture = include_str!("../fixtures/fhir/appointments.json");
    let listed = clinicflow::import::from_fhir(fixture).appointments();
    std::fs::write(&printed, clinicflow::import::to_fhir(&listed))?;

    let report = assert_valid(&[api_file, cli_file], true)?;
    println!("export: {report}");
    let mut fixtures = vec![printed];
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir");
    for file in std::fs::read_dir(&folder)? {
        let path = file?.path();
        if path.extension().is_some_and(|e| e == "json") {
            fixtures.push(path);
        }
    }
    let report = assert_valid(&fixtures, false)?;
    println!("fixtures: {report}");

    // The validator is not a rubber stamp: the Bundle as some EHRs send it fails it.
    let sloppy = folder.join("sloppy/as-some-ehrs-send-it.json");
    assert!(assert_valid(&[sloppy], false).is_err());
    hub.stop().await;
    Ok(())
}

#[tokio::test]
async fn the_fhir_export_is_for_the_charge_nurse_admin_and_integrations_only() -> Result<()> {
    let hub = TestHub::start_with(common::midday_clinic()).await?;
    let path = "/api/v1/fhir/Encounter";
    let status = |client: reqwest::Client| {
        let url = hub.url(path);
        async move { anyhow::Ok(client.get(url).send().await?.status().as_u16()) }
    };
    assert_eq!(
        status(hub.signed_in_tablet("rn-walsh", "555555").await?).await?,
        200
    );
    assert_eq!(
        status(hub.signed_in_tablet("admin", "999999").await?).await?,
        200
    );
    assert_eq!(
        status(hub.signed_in_tablet("ma-lee", "111111").await?).await?,
        403
    );
    assert_eq!(
        status(hub.signed_in_tablet("fd-patel", "666666").await?).await?,
        403
    );
    assert_eq!(
        status(hub.screen(DeviceRole::Board, "board").await?).await?,
        403
    );
    assert_eq!(status(reqwest::Client::new()).await?, 401);
    let empty: Value = hub.client.get(hub.url(path)).send().await?.json().await?;
    assert_eq!(
        (&empty["total"], empty.get("entry")),
        (&serde_json::json!(0), None)
    );
    hub.stop().await;
    Ok(())
}
