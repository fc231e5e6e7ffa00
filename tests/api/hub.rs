//! The hub through its HTTP API: health, commands and their typed errors,

use crate::common;

use anyhow::Result;
use clinicflow::api_types::ErrorKind;
use clinicflow::domain::{Command, ProviderId, RoomId, StaffId, VisitId, Vitals};
use common::{room_id, visit_id, SseReader, TestHub};
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn health_reports_status_sequence_and_version() -> Result<()> {
    let hub = TestHub::start().await?;
    let (status, health) = hub.get("/healthz").await?;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    // Four rooms and two providers from the config, one event each.
    assert_eq!(health["seq"], 6);
    let anonymous: Value = reqwest::get(hub.url("/healthz")).await?.json().await?;
    assert_eq!(
        anonymous, health,
        "health needs no credentials and says nothing private"
    );
    Ok(())
}

#[tokio::test]
async fn an_event_reaches_a_live_subscriber_with_its_sequence_number_as_id() -> Result<()> {
    let hub = TestHub::start().await?;
    let mut stream = SseReader::open(&hub.client, &hub.url("/api/v1/events"), None).await?;
    let answer = hub
        .run(Command::TakeOutOfService {
            room: room_id("exam-2"),
            reason: "Sink leaking".into(),
        })
        .await?;
    let event = stream.next(WAIT).await?;
    assert_eq!(event.id, Some(answer.seq));
    assert_eq!(event.event.as_deref(), Some("clinic"));
    assert_eq!(event.data["event"]["type"], "room_state_changed");
    assert_eq!(event.data["event"]["to"]["reason"], "Sink leaking");
    Ok(())
}

#[tokio::test]
async fn resuming_with_last_event_id_delivers_exactly_the_missed_events() -> Result<()> {
    let hub = TestHub::start().await?;
    let (_, health) = hub.get("/healthz").await?;
    let start = health["seq"].as_u64().unwrap();
    for room in ["exam-1", "exam-2", "exam-3", "exam-4"] {
        hub.run(Command::TakeOutOfService {
            room: room_id(room),
            reason: "Deep clean".into(),
        })
        .await?;
    }
    let mut stream =
        SseReader::open(&hub.client, &hub.url("/api/v1/events"), Some(start + 1)).await?;
    let missed: Vec<u64> = [
        stream.next(WAIT).await?,
        stream.next(WAIT).await?,
        stream.next(WAIT).await?,
    ]
    .iter()
    .map(|e| e.id.unwrap())
    .collect();
    assert_eq!(missed, vec![start + 2, start + 3, start + 4]);
    hub.run(Command::ReturnToService {
        room: room_id("exam-1"),
    })
    .await?;
    assert_eq!(
        stream.next(WAIT).await?.id,
        Some(start + 5),
        "the next live event follows without a gap or a repeat"
    );
    Ok(())
}

#[tokio::test]
async fn resuming_from_before_what_memory_holds_reads_the_database() -> Result<()> {
    let first = TestHub::start().await?;
    // A restarted hub holds no events in memory: everything before now comes from disk.
    let options = common::options(first.db(), common::small_clinic());
    let restarted = clinicflow::server::start(options).await?;
    let url = format!("{}/api/v1/events?after=0", restarted.url());
    let mut stream = SseReader::open(&first.client, &url, None).await?;
    for expected in 1..=6 {
        assert_eq!(stream.next(WAIT).await?.id, Some(expected));
    }
    Ok(())
}

#[tokio::test]
async fn an_idle_stream_gets_a_heartbeat_within_two_intervals() -> Result<()> {
    let hub = TestHub::start().await?;
    let mut stream = SseReader::open(&hub.client, &hub.url("/api/v1/events"), None).await?;
    let interval = clinicflow::api_types::HEARTBEAT_SECONDS;
    let waited = stream.next(Duration::from_secs(2 * interval + 1)).await;
    assert!(waited.is_err(), "no clinic event was expected");
    assert!(
        stream.heartbeats >= 1,
        "a heartbeat arrives within two intervals ({} s)",
        2 * interval
    );
    Ok(())
}

#[tokio::test]
async fn a_whole_visit_runs_through_the_api_and_leaves_the_room_dirty() -> Result<()> {
    let hub = TestHub::start().await?;
    let (visit, code) = hub.schedule("Maria", 5).await?;
    let (_, answer) = hub.check_in(&code).await?;
    assert_eq!(answer["outcome"], "checked_in");
    assert_eq!(answer["name"], "Maria T.");
    assert_eq!(answer["ticket"], "A-1");
    let (visit_id, room) = (VisitId::parse(&visit)?, RoomId::parse("exam-1")?);
    for step in [
        Command::RoomPatient {
            visit: visit_id.clone(),
            room,
        },
        Command::ReadyForProvider {
            visit: visit_id.clone(),
        },
        Command::ProviderIn {
            visit: visit_id.clone(),
        },
        Command::FinishVisit { visit: visit_id },
    ] {
        let receipt = hub.api().command(&step).await?;
        assert_eq!(receipt.events.len(), 1, "{step:?}");
    }
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert_eq!(snapshot["state"]["visits"][&visit]["state"], "finished");
    assert_eq!(
        snapshot["state"]["rooms"]["exam-1"]["state"]["state"],
        "needs_cleaning"
    );
    Ok(())
}

#[tokio::test]
async fn two_assistants_rooming_into_the_same_room_at_once_exactly_one_wins() -> Result<()> {
    let hub = TestHub::start().await?;
    let (first, first_code) = hub.schedule("Ana", 0).await?;
    let (second, second_code) = hub.schedule("Ben", 0).await?;
    for code in [first_code, second_code] {
        hub.check_in(&code).await?;
    }
    let room = |visit: &str| {
        hub.post(
            "/api/v1/commands",
            json!({"type": "room_patient", "visit": visit, "room": "exam-3"}),
        )
    };
    let (a, b) = tokio::join!(room(&first), room(&second));
    let mut statuses = [a?, b?];
    statuses.sort_by_key(|(status, _)| *status);
    assert_eq!(statuses[0].0, 200);
    assert_eq!(statuses[1].0, 409);
    assert_eq!(statuses[1].1["error"]["code"], "room_not_ready");
    assert_eq!(
        statuses[1].1["error"]["message"],
        "Exam 3 is occupied, not ready"
    );
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let roomed = [&first, &second]
        .iter()
        .filter(|v| snapshot["state"]["visits"][v.as_str()]["state"] == "roomed")
        .count();
    assert_eq!(
        roomed, 1,
        "the loser's patient is still waiting, nothing half-written"
    );
    Ok(())
}

#[tokio::test]
async fn bad_requests_get_typed_json_errors() -> Result<()> {
    let hub = TestHub::start().await?;
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"type": "start_cleaning", "room": "exam-9"}),
            404,
            "unknown_room",
        ),
        (
            json!({"type": "start_cleaning", "room": "exam-1"}),
            409,
            "wrong_room_state",
        ),
        (
            json!({"type": "start_cleaning", "room": "Exam 1"}),
            422,
            "invalid_input",
        ),
        (json!({"type": "launch_rockets"}), 422, "invalid_input"),
        (
            json!({"type": "take_out_of_service", "room": "exam-1", "reason": "  "}),
            422,
            "invalid_input",
        ),
    ];
    for (body, status, code) in cases {
        let (got_status, answer) = hub.post("/api/v1/commands", body.clone()).await?;
        assert_eq!(
            (got_status, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        assert!(answer["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let not_json = hub
        .client
        .post(hub.url("/api/v1/commands"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await?;
    assert_eq!(not_json.status().as_u16(), 422);
    let (status, missing) = hub.get("/api/v1/nothing-here").await?;
    assert_eq!(
        (status, missing["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    Ok(())
}

/// As the hub runs (a multi-threaded runtime), a command finding the writer idle is carried out
/// on its caller's thread and the others queue for the writer thread: sixteen clients at once,
/// so that commands meet a busy writer and the queue is handed over.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commands_from_many_clients_at_once_are_each_saved_once_in_order() -> Result<()> {
    let hub = TestHub::start().await?;
    let (_, health) = hub.get("/healthz").await?;
    let start = health["seq"].as_u64().unwrap();
    let clients = (0..16).map(|client| {
        let hub = &hub;
        async move {
            let mut visits = Vec::new();
            for n in 0..12 {
                visits.push(hub.schedule(&format!("P{client}x{n}"), 30).await?.0);
            }
            anyhow::Ok(visits)
        }
    });
    // A command left in the queue with nobody to write it would wait for ever.
    let mut visits: Vec<String> = tokio::time::timeout(
        Duration::from_secs(60),
        futures::future::try_join_all(clients),
    )
    .await??
    .concat();
    visits.sort();
    visits.dedup();
    assert_eq!(visits.len(), 16 * 12);

    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert_eq!(
        snapshot["seq"].as_u64(),
        Some(start + 16 * 12),
        "one event per appointment, no gap, none twice"
    );
    for visit in &visits {
        assert_eq!(snapshot["state"]["visits"][visit]["state"], "scheduled");
    }
    let store = clinicflow::store::Store::open_read_only(&hub.db())?;
    let (projected, seq) = store.load()?;
    assert_eq!(seq, start + 16 * 12);
    assert_eq!(projected, store.replay()?.0);
    assert_eq!(serde_json::to_value(&projected)?, snapshot["state"]);
    Ok(())
}

#[tokio::test]
async fn restarting_on_the_same_database_keeps_everything_and_projections_match_the_log(
) -> Result<()> {
    let hub = TestHub::start().await?;
    let (visit, code) = hub.schedule("Ana", 0).await?;
    hub.check_in(&code).await?;
    hub.run(Command::RoomPatient {
        visit: visit_id(&visit),
        room: room_id("exam-2"),
    })
    .await?;
    hub.run(Command::AssignAssistant {
        staff: StaffId::parse("ma-lee")?,
        providers: vec![ProviderId::parse("dr-okafor")?],
    })
    .await?;
    hub.run(Command::AcknowledgeAlert {
        alert: "dirty_room:exam-1:1772438400".into(),
    })
    .await?;
    let (_, before) = hub.get("/api/v1/snapshot").await?;
    assert_eq!(
        before["state"]["acknowledged"]["dirty_room:exam-1:1772438400"]["by"],
        json!(null),
        "an integration client acknowledges without a person's name"
    );
    assert!(before["state"]["acknowledged"]
        .get("dirty_room:exam-1:1772438400")
        .is_some());
    assert_eq!(
        before["state"]["assignments"]["ma-lee"],
        json!(["dr-okafor"])
    );

    let store = clinicflow::store::Store::open_read_only(&hub.db())?;
    let (projected, seq) = store.load()?;
    let (replayed, replayed_seq) = store.replay()?;
    assert_eq!(
        projected, replayed,
        "projections equal a replay of the event log"
    );
    assert_eq!(seq, replayed_seq);

    let options = common::options(hub.db(), common::small_clinic());
    let again = clinicflow::server::start(options).await?;
    let after: Value = hub
        .client
        .get(format!("{}/api/v1/snapshot", again.url()))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(after["state"], before["state"]);
    assert_eq!(
        after["seq"], before["seq"],
        "no config re-applied, nothing duplicated"
    );
    Ok(())
}

#[tokio::test]
async fn a_database_from_a_newer_clinicflow_is_refused_with_a_clear_message() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("future.db");
    rusqlite::Connection::open(&db)?.pragma_update(None, "user_version", 99)?;
    let options = common::options(db, common::small_clinic());
    let refused = clinicflow::server::start(options)
        .await
        .err()
        .expect("a newer schema is refused");
    let message = refused.to_string();
    assert!(
        message.contains("schema version 99") && message.contains("upgrade clinicflow"),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn every_command_is_audited_with_actor_device_and_outcome() -> Result<()> {
    let hub = TestHub::start().await?;
    let tablet = hub.signed_in_tablet("rn-walsh", "555555").await?;
    let send = |body: Value| tablet.post(hub.url("/api/v1/commands")).json(&body).send();
    send(json!({"type": "take_out_of_service", "room": "exam-4", "reason": "Light broken"}))
        .await?;
    send(json!({"type": "start_cleaning", "room": "exam-4"})).await?;
    let db = rusqlite::Connection::open(hub.db())?;
    let rows: Vec<(String, String, String)> = db
        .prepare("SELECT actor, device, outcome FROM audit WHERE actor = 'rn-walsh' AND command LIKE '{%' ORDER BY id")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].1.starts_with("tablet for rn-walsh ") && rows[0].1.contains(" (d-"),
        "{}",
        rows[0].1
    );
    assert_eq!(rows[0].2, "accepted");
    assert!(rows[1].2.starts_with("rejected: "), "{}", rows[1].2);
    let tampering = db.execute("UPDATE audit SET outcome = 'accepted'", []);
    assert!(tampering.is_err(), "audit rows are append-only");
    Ok(())
}

#[tokio::test]
async fn the_codes_command_prints_the_days_appointments_as_json() -> Result<()> {
    let hub = TestHub::start().await?;
    let (visit, code) = hub.schedule("Ana", 30).await?;
    let start = chrono::Utc::now() + chrono::Duration::minutes(30);
    let day = hub.running.hub.clock().day_of(start);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args(["codes", "--json", "--date", &day.to_string(), "--db"])
        .arg(hub.db())
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout)?;
    let row = rows
        .iter()
        .find(|row| row["appointment_id"] == visit.as_str())
        .expect("the visit is listed");
    assert_eq!(row["code"], code.as_str());
    assert_eq!(row["patient_initials"], "A. T.");
    assert_eq!(row["date_of_birth"], "1961-07-14");
    assert_eq!(row["provider"], "Dr. Amara Okafor");
    assert!(chrono::DateTime::parse_from_rfc3339(row["start"].as_str().unwrap()).is_ok());
    Ok(())
}

/// Makes a file immutable (`chattr +i`, which stops even root) until dropped.
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn new(path: std::path::PathBuf) -> Result<Immutable> {
        let status = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&path)
            .status()?;
        anyhow::ensure!(
            status.success(),
            "chattr +i failed (needs root and a filesystem with file attributes)"
        );
        Ok(Immutable(path))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[tokio::test]
async fn a_read_only_database_is_refused_at_start_with_a_clear_message() -> Result<()> {
    let hub = TestHub::start().await?;
    let _frozen = Immutable::new(hub.db())?;
    let options = common::options(hub.db(), common::small_clinic());
    let refused = clinicflow::server::start(options)
        .await
        .err()
        .expect("a read-only database is refused");
    assert!(refused.to_string().contains("is read-only"), "{refused}");
    let (_, health) = hub.get("/healthz").await?;
    assert_eq!(
        health["status"], "ok",
        "the running hub's data is untouched"
    );
    Ok(())
}

#[tokio::test]
async fn the_typed_client_hears_who_was_quicker_and_which_values_to_confirm() -> Result<()> {
    let hub = TestHub::start().await?;
    let lee = hub.client_for(hub.signed_in_tablet("ma-lee", "111111").await?);
    let walsh = hub.client_for(hub.signed_in_tablet("rn-walsh", "555555").await?);
    let (visit, code) = hub.schedule("Vera", 0).await?;
    let (other, other_code) = hub.schedule("Otto", 0).await?;
    hub.check_in(&code).await?;
    hub.check_in(&other_code).await?;
    let (visit, other) = (VisitId::parse(&visit)?, VisitId::parse(&other)?);
    let room = |visit: &VisitId, room: &str| -> Result<Command> {
        Ok(Command::RoomPatient {
            visit: visit.clone(),
            room: RoomId::parse(room)?,
        })
    };
    lee.command(&room(&visit, "exam-1")?).await?;
    let taken = walsh.command(&room(&other, "exam-1")?).await.unwrap_err();
    assert_eq!(
        taken.kind,
        ErrorKind::RoomNotReady {
            by: Some("M. Lee".into())
        }
    );
    assert_eq!(taken.message, "Exam 1 was just taken by M. Lee");
    let again = walsh.command(&room(&visit, "exam-2")?).await.unwrap_err();
    assert_eq!(
        again.kind,
        ErrorKind::WrongVisitState {
            by: Some("M. Lee".into())
        }
    );
    let vitals = Command::RecordVitals {
        visit: visit.clone(),
        vitals: Vitals {
            systolic_mmhg: Some(182.0),
            diastolic_mmhg: Some(90.0),
            ..Vitals::default()
        },
        confirm_abnormal: false,
        ready_for_provider: false,
    };
    match lee.command(&vitals).await.unwrap_err().kind {
        ErrorKind::ConfirmAbnormal { abnormal } => {
            assert_eq!(abnormal.len(), 1);
            assert_eq!(abnormal[0].value, 182.0);
        }
        other => panic!("expected confirm_abnormal, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn vitals_are_checked_confirmed_when_abnormal_and_conflicts_name_who_was_quicker(
) -> Result<()> {
    let hub = TestHub::start().await?;
    let lee = hub.signed_in_tablet("ma-lee", "111111").await?;
    let walsh = hub.signed_in_tablet("rn-walsh", "555555").await?;
    let (visit, code) = hub.schedule("Vera", 0).await?;
    let (other, other_code) = hub.schedule("Otto", 0).await?;
    hub.check_in(&code).await?;
    hub.check_in(&other_code).await?;
    let send = |client: &reqwest::Client, body: Value| {
        let request = client.post(hub.url("/api/v1/commands")).json(&body);
        async move {
            let response = request.send().await?;
            anyhow::Ok((response.status().as_u16(), response.json::<Value>().await?))
        }
    };
    let (status, _) = send(
        &lee,
        json!({"type": "room_patient", "visit": visit, "room": "exam-1"}),
    )
    .await?;
    assert_eq!(status, 200);
    let (status, taken) = send(
        &walsh,
        json!({"type": "room_patient", "visit": other, "room": "exam-1"}),
    )
    .await?;
    assert_eq!(
        (status, taken["error"]["message"].as_str()),
        (409, Some("Exam 1 was just taken by M. Lee"))
    );
    let (_, again) = send(
        &walsh,
        json!({"type": "room_patient", "visit": visit, "room": "exam-2"}),
    )
    .await?;
    assert_eq!(
        again["error"]["message"],
        "this patient is already roomed (M. Lee); that step is not possible now"
    );

    let vitals = |systolic: f64, heart_rate: f64, confirm: bool| {
        json!({"type": "record_vitals", "visit": visit, "confirm_abnormal": confirm, "ready_for_provider": true,
               "vitals": {"systolic_mmhg": systolic, "diastolic_mmhg": 90.0, "heart_rate_per_min": heart_rate,
                          "temperature_c": 37.0, "chief_complaint": " Headache "}})
    };
    let (status, typo) = send(&lee, vitals(140.0, 720.0, false)).await?;
    assert_eq!(
        (status, typo["error"]["code"].as_str()),
        (422, Some("invalid_vitals"))
    );
    assert_eq!(
        typo["error"]["message"],
        "Heart rate must be between 20 and 300 /min"
    );
    let (status, abnormal) = send(&lee, vitals(182.0, 72.0, false)).await?;
    assert_eq!(
        (status, abnormal["error"]["code"].as_str()),
        (409, Some("confirm_abnormal"))
    );
    assert!(abnormal["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Systolic blood pressure 182 mmHg"));
    let (status, _) = send(&lee, vitals(182.0, 72.0, true)).await?;
    assert_eq!(status, 200);
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let saved = &snapshot["state"]["visits"][&visit];
    assert_eq!(saved["state"], "ready_for_provider");
    assert_eq!(saved["vitals"]["chief_complaint"], "Headache");
    assert_eq!(
        saved["abnormal"],
        json!([{"measure": "systolic", "value": 182.0}])
    );
    // Steps carry the staff id (they carried "M. Lee" before staff were known by id); the
    // snapshot's staff directory names them.
    assert_eq!(
        saved["history"].as_array().unwrap().last().unwrap()["by"],
        "ma-lee"
    );
    assert_eq!(snapshot["state"]["staff"]["ma-lee"]["name"], "Michelle Lee");

    // A public screen gets neither the vitals, the needs nor who did what; the board keeps the
    // abnormal flag.
    let with_needs = json!({
        "patient": { "first_name": "Nell", "last_name": "Needs", "date_of_birth": "1950-01-01" },
        "provider": "dr-okafor", "start": chrono::Utc::now(), "visit_type": "Rash",
        "needs": { "interpreter": "Spanish", "isolation": true },
    });
    let (status, _) = hub.post("/api/v1/appointments", with_needs).await?;
    assert_eq!(status, 201);
    let lobby = hub
        .screen(clinicflow::domain::DeviceRole::Lobby, "lobby")
        .await?;
    let public: Value = lobby
        .get(hub.url("/api/v1/snapshot"))
        .send()
        .await?
        .json()
        .await?;
    let public_visit = public["state"]["visits"][&visit].to_string();
    let everything = public.to_string();
    assert!(
        !everything.contains("Spanish") && !everything.contains("isolation"),
        "needs are not for the lobby"
    );
    assert!(
        !public_visit.contains("Headache")
            && !public_visit.contains("M. Lee")
            && !public_visit.contains("ma-lee")
            && !public_visit.contains("systolic"),
        "{public_visit}"
    );
    let board = hub
        .screen(clinicflow::domain::DeviceRole::Board, "board")
        .await?;
    let overview: Value = board
        .get(hub.url("/api/v1/snapshot"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(
        overview["state"]["visits"][&visit]["abnormal"][0]["measure"],
        "systolic"
    );
    assert!(overview["state"]["visits"][&visit].get("vitals").is_none());
    Ok(())
}

#[tokio::test]
async fn an_appointment_list_imports_once_however_often_it_is_sent_and_names_its_bad_rows(
) -> Result<()> {
    let hub = TestHub::start().await?;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%d");
    let csv = format!(
        "id,start,provider,first_name,last_name,date_of_birth,isolation\n\
         EHR-1,{tomorrow} 09:00,dr-okafor,Ana,Imported,1950-04-01,no\n\
         EHR-2,{tomorrow} 09:20,dr-nobody,Ben,Imported,1960-01-01,no\n\
         EHR-3,{tomorrow} 09:40,dr-brooks,Cy,Imported,1970-13-01,no\n\
         EHR-4,{tomorrow} 10:00,dr-brooks,Di,Imported,1980-05-05,yes\n"
    );
    let post = |query: &'static str, body: String, content_type: &'static str| {
        hub.client
            .post(hub.url(&format!("/api/v1/import{query}")))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    // By default a list with a bad row applies nothing (since 2026-12; before, the good rows
    // were booked), and names every bad row.
    let refused = post("", csv.clone(), "text/csv").await?;
    assert_eq!(refused.status(), 422);
    let refused: Value = refused.json().await?;
    assert_eq!(
        (&refused["applied"], &refused["scheduled"]),
        (&json!(false), &json!(2))
    );
    assert_eq!(
        refused["problems"].as_array().unwrap().len(),
        2,
        "{refused}"
    );
    let preview: Value = post("?dry_run=true", csv.clone(), "text/csv")
        .await?
        .json()
        .await?;
    assert_eq!(preview["applied"], false, "{preview}");
    let send =
        |body: String, content_type: &'static str| post("?skip_bad_rows=true", body, content_type);
    let first: Value = send(csv.clone(), "text/csv").await?.json().await?;
    assert_eq!(
        (&first["scheduled"], &first["already_scheduled"]),
        (&json!(2), &json!(0)),
        "{first}"
    );
    let rows: Vec<&Value> = first["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["row"])
        .collect();
    assert_eq!(rows, vec![&json!(3), &json!(4)], "{first}");
    assert!(first["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("dr-nobody"));

    let again: Value = send(csv, "text/csv").await?.json().await?;
    assert_eq!(
        (&again["scheduled"], &again["already_scheduled"]),
        (&json!(0), &json!(2)),
        "{again}"
    );

    // A valid R4 Bundle (tests/api/fhir.rs validates it), moved to tomorrow.
    let bundle = include_str!("../fixtures/fhir/one-appointment.json")
        .replace("2026-03-02", &tomorrow.to_string());
    let fhir: Value = send(bundle, "application/fhir+json").await?.json().await?;
    assert_eq!(fhir["scheduled"], 1, "{fhir}");

    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let imported: Vec<&Value> = snapshot["state"]["visits"]
        .as_object()
        .unwrap()
        .values()
        .filter(|v| {
            ["Imported", "Fhir"].contains(&v["patient"]["last_name"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(imported.len(), 3);
    assert!(imported.iter().any(|v| v["needs"]["isolation"] == true));
    Ok(())
}

#[tokio::test]
async fn a_database_from_before_staff_ids_opens_and_replays_to_the_same_clinic() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("clinic.db");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(fixtures.join("clinic-8033854.db"), &db)?;

    let store = clinicflow::store::Store::open(&db)?;
    let (projected, seq) = store.load()?;
    let (replayed, replayed_seq) = store.replay()?;
    assert_eq!((seq, replayed_seq), (152, 152));
    assert_eq!(
        projected, replayed,
        "the migrated log replays to the projections"
    );

    // The old hub's own snapshot, with each display name read as the one account it names.
    let old = std::fs::read_to_string(fixtures.join("clinic-8033854.snapshot.json"))?
        .replace(r#""by": "M. Lee""#, r#""by": "ma-lee""#)
        .replace(r#""by": "K. Walsh""#, r#""by": "rn-walsh""#);
    let old: clinicflow::api_types::Snapshot = serde_json::from_str(&old)?;
    assert_eq!(old.seq, seq);
    let mut expected = old.state;
    expected.staff = projected.staff.clone();
    assert_eq!(projected, expected, "the same clinic, steps owned by ids");

    let roomed_by: Vec<String> = projected
        .visits
        .values()
        .filter_map(|v| v.moved_by(clinicflow::domain::VisitState::Roomed))
        .map(|staff| format!("{staff} = {}", projected.staff_name(staff)))
        .collect();
    assert_eq!(roomed_by, ["ma-lee = M. Lee"; 2].to_vec());
    Ok(())
}

#[tokio::test]
async fn the_desk_prints_one_patients_reminder_card_alone() -> Result<()> {
    let hub = TestHub::start().await?;
    let (ana, code) = hub.schedule("Ana", 5).await?;
    let (ben, _) = hub.schedule("Ben", 6).await?;
    let day_of = |visit: &str| {
        let visit = common::visit_id(visit);
        hub.running.hub.read(|state, _| state.visits[&visit].day)
    };
    let day = day_of(&ana);
    let desk = hub.signed_in_tablet("fd-patel", "666666").await?;
    let cards = |query: String| {
        let request = desk.get(hub.url(&format!("/api/v1/cards?date={day}{query}")));
        async move { anyhow::Ok(request.send().await?.text().await?) }
    };
    let every = cards(String::new()).await?;
    let same_day = if day_of(&ben) == day { 2 } else { 1 };
    assert_eq!(every.matches("<article class=\"card\">").count(), same_day);
    let one = cards(format!("&visit={ana}")).await?;
    assert_eq!(one.matches("<article class=\"card\">").count(), 1);
    assert!(
        one.contains(&code) && one.contains("<svg"),
        "the card shows Ana's code and QR"
    );
    Ok(())
}

fn clinicflow_cli(args: &[&std::ffi::OsStr]) -> Result<std::process::Output> {
    Ok(std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args(args)
        .output()?)
}

#[tokio::test]
async fn the_terminal_import_previews_applies_all_or_nothing_and_waits_for_a_stopped_hub(
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("clinic.db");
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%d");
    let header = "id,start,provider,first_name,last_name,date_of_birth,duration\n";
    let good = format!(
        "{header}T-1,{tomorrow}T09:00:00-06:00,dr-okafor,Ana,Terminal,1950-04-01,20\n\
         T-2,{tomorrow}T09:20:00-06:00,dr-brooks,Ben,Terminal,1960-01-01,30\n"
    );
    let bad = format!(
        "{good}T-3,{tomorrow}T09:40:00-06:00,dr-nobody,Cy,Terminal,1970-01-01,20\n\
         T-4,{tomorrow}T10:00:00-06:00,dr-okafor,Di,Terminal,1980-02-30,20\n"
    );
    let (good_file, bad_file) = (dir.path().join("good.csv"), dir.path().join("bad.csv"));
    std::fs::write(&good_file, &good)?;
    std::fs::write(&bad_file, &bad)?;
    let import = |file: &std::path::Path, flags: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["import".as_ref(), "--db".as_ref()];
        args.push(db.as_os_str());
        args.push(file.as_os_str());
        args.extend(flags.iter().map(|f| std::ffi::OsStr::new(f)));
        clinicflow_cli(&args)
    };
    let terminal_visits = |db: &std::path::Path| -> Result<usize> {
        let (state, _) = clinicflow::store::Store::open_read_only(db)?.load()?;
        Ok(state
            .visits
            .values()
            .filter(|v| v.patient.last_name == "Terminal")
            .count())
    };

    let serve = [
        "--addr".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--demo".as_ref(),
        "--db".as_ref(),
        db.as_os_str(),
    ];
    let (mut child, _) = common::spawn_hub::<_, &std::ffi::OsStr>(serve)?;
    let second = common::spawn_hub::<_, &std::ffi::OsStr>(serve);
    let under_a_hub = import(&good_file, &[])?;
    let preview = import(&good_file, &["--dry-run"])?;
    child.kill()?;
    child.wait()?;
    if let Ok((mut second, _)) = second {
        second.kill()?;
        second.wait()?;
        anyhow::bail!("a second hub started on the same database");
    }
    let stderr = String::from_utf8_lossy(&under_a_hub.stderr);
    assert!(
        !under_a_hub.status.success() && stderr.contains("already serving"),
        "{stderr}"
    );
    let preview_text = String::from_utf8_lossy(&preview.stdout);
    assert!(preview.status.success(), "{preview_text}");
    assert!(
        preview_text.starts_with("2 new, 0 changed"),
        "{preview_text}"
    );
    assert!(
        preview_text.contains("Dry run: nothing applied."),
        "{preview_text}"
    );

    let refused = import(&bad_file, &[])?;
    let refused_text = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{refused_text}");
    assert!(
        refused_text.contains("row    4  BAD: ") && refused_text.contains("dr-nobody"),
        "{refused_text}"
    );
    assert!(
        refused_text.contains("row    5  BAD: ") && refused_text.contains("1980-02-30"),
        "{refused_text}"
    );
    assert!(refused_text.contains("Nothing applied"), "{refused_text}");
    assert_eq!(terminal_visits(&db)?, 0);

    let applied = import(&good_file, &[])?;
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert_eq!(terminal_visits(&db)?, 2);
    let again = import(&bad_file, &["--skip-bad-rows"])?;
    let again_text = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{again_text}");
    assert!(
        again_text.starts_with("0 new, 0 changed, 0 cancelled, 2 unchanged"),
        "{again_text}"
    );
    assert!(
        again_text.contains("Applied without the bad rows"),
        "{again_text}"
    );
    assert_eq!(terminal_visits(&db)?, 2);
    common::assert_database_sound(&db)?;
    Ok(())
}

#[tokio::test]
async fn commands_sent_together_take_effect_all_or_not_at_all() -> Result<()> {
    let hub = TestHub::start().await?;
    let (visit, _) = hub.schedule("Ana", 30).await?;
    let visit = visit_id(&visit);
    let seq = hub.running.hub.seq();
    let actor = clinicflow::store::Actor {
        actor: "test".into(),
        device: "test".into(),
        staff: None,
    };
    let together = vec![
        Command::CheckIn {
            visit: visit.clone(),
            identity_confirmed: false,
        },
        Command::FinishVisit {
            visit: visit_id("v-nobody"),
        },
    ];
    let outcome = hub.running.hub.execute_together(together, actor).await?;
    assert!(
        matches!(outcome, clinicflow::server::hub::Together::Refused(1, _)),
        "{outcome:?}"
    );
    assert_eq!(hub.running.hub.seq(), seq, "nothing was committed");
    let state = hub.running.hub.read(|state, _| state.visits[&visit].state);
    assert_eq!(state, clinicflow::domain::VisitState::Scheduled);
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert_eq!(
        snapshot["state"]["visits"][visit.as_str()]["state"],
        "scheduled"
    );
    Ok(())
}
