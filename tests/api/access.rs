//! Access control through the API: every role against every route, public screens never
//! receiving personal data (checked on the bytes), PIN lockout and unlock, revocation ending
//! an open live connection, pairing links, CSRF and headers, and the tamper-evident audit trail.

use crate::common;

use anyhow::Result;
use clinicflow::api_types::{ErrorKind, SignIn};
use clinicflow::domain::Command;
use clinicflow::domain::DeviceRole;
use common::{client_with, room_id, SseReader, TestHub};
use serde_json::{json, Value};
use std::time::Duration;

const LAST_NAME: &str = "Testperson";
const BIRTH_DATE: &str = "1961-07-14";

pub(crate) struct Who {
    pub name: &'static str,
    pub client: reqwest::Client,
}

pub(crate) async fn everyone(hub: &TestHub) -> Result<Vec<Who>> {
    Ok(vec![
        Who {
            name: "anonymous",
            client: client_with(&[("origin", hub.running.url())])?,
        },
        Who {
            name: "kiosk",
            client: hub.screen(DeviceRole::Kiosk, "kiosk").await?,
        },
        Who {
            name: "lobby",
            client: hub.screen(DeviceRole::Lobby, "lobby").await?,
        },
        Who {
            name: "board",
            client: hub.screen(DeviceRole::Board, "board").await?,
        },
        Who {
            name: "tablet",
            client: hub.screen(DeviceRole::Tablet, "tablet").await?,
        },
        Who {
            name: "assistant",
            client: hub.signed_in_tablet("ma-lee", "111111").await?,
        },
        Who {
            name: "charge_nurse",
            client: hub.signed_in_tablet("rn-walsh", "555555").await?,
        },
        Who {
            name: "front_desk",
            client: hub.signed_in_tablet("fd-patel", "666666").await?,
        },
        Who {
            name: "admin",
            client: hub.signed_in_tablet("admin", "999999").await?,
        },
        Who {
            name: "integration",
            client: hub.client.clone(),
        },
    ])
}

#[tokio::test]
async fn every_role_against_every_route_is_allowed_or_refused_and_refusals_leak_nothing(
) -> Result<()> {
    let hub = TestHub::start().await?;
    let (visit, code) = hub.schedule("Ana", 5).await?;
    let staff = [
        "assistant",
        "charge_nurse",
        "front_desk",
        "admin",
        "integration",
    ];
    let new_visit = json!({"patient": {"first_name": "Ben", "last_name": LAST_NAME, "date_of_birth": BIRTH_DATE}, "provider": "dr-okafor", "start": chrono::Utc::now(), "visit_type": "Follow-up"});
    let walk_in = json!({"patient": {"first_name": "Cy", "last_name": LAST_NAME, "date_of_birth": BIRTH_DATE}, "provider": "dr-okafor", "visit_type": "Sick visit"});
    let routes: Vec<(&str, &str, Option<Value>, Vec<&str>)> = vec![
        (
            "GET",
            "/api/v1/snapshot",
            None,
            vec![
                "kiosk",
                "lobby",
                "board",
                "assistant",
                "charge_nurse",
                "front_desk",
                "admin",
                "integration",
            ],
        ),
        (
            "GET",
            "/api/v1/events",
            None,
            vec![
                "kiosk",
                "lobby",
                "board",
                "assistant",
                "charge_nurse",
                "front_desk",
                "admin",
                "integration",
            ],
        ),
        (
            "POST",
            "/api/v1/commands",
            Some(json!({"type": "start_cleaning", "room": "exam-1"})),
            vec!["assistant", "charge_nurse", "admin", "integration"],
        ),
        (
            "POST",
            "/api/v1/commands",
            Some(json!({"type": "take_out_of_service", "room": "exam-2", "reason": "test"})),
            vec!["charge_nurse", "admin", "integration"],
        ),
        (
            "POST",
            "/api/v1/commands",
            Some(json!({"type": "mark_no_show", "visit": visit})),
            // The desk marks no-shows too (since the front-desk screen, December 2026).
            vec![
                "assistant",
                "charge_nurse",
                "front_desk",
                "admin",
                "integration",
            ],
        ),
        (
            "POST",
            "/api/v1/appointments",
            Some(new_visit),
            vec!["front_desk", "admin", "integration"],
        ),
        (
            "GET",
            "/api/v1/appointments",
            None,
            vec!["front_desk", "admin", "integration"],
        ),
        (
            "POST",
            "/api/v1/check-in",
            Some(json!({"code": code})),
            vec![
                // A patient's phone opening the reminder link (the answer asks for the date of
                // birth before anything else).
                "anonymous",
                "kiosk",
                "assistant",
                "charge_nurse",
                "front_desk",
                "admin",
                "integration",
            ],
        ),
        (
            "POST",
            "/api/v1/walk-ins",
            Some(walk_in),
            vec![
                "kiosk",
                "assistant",
                "charge_nurse",
                "front_desk",
                "admin",
                "integration",
            ],
        ),
        ("GET", "/api/v1/devices", None, vec!["admin", "integration"]),
        (
            "GET",
            "/api/v1/lockouts",
            None,
            vec!["charge_nurse", "admin", "integration"],
        ),
        (
            "POST",
            "/api/v1/import",
            Some(json!({"resourceType": "Bundle", "entry": []})),
            vec!["front_desk", "admin", "integration"],
        ),
        (
            "GET",
            "/api/v1/staff/status",
            None,
            vec!["board", "charge_nurse", "admin", "integration"],
        ),
        (
            "GET",
            "/api/v1/staff",
            None,
            vec![
                "tablet",
                "assistant",
                "charge_nurse",
                "front_desk",
                "admin",
                "integration",
            ],
        ),
    ];
    let callers = everyone(&hub).await?;
    for (method, path, body, allowed) in &routes {
        for who in &callers {
            let mut request = if *method == "GET" {
                who.client.get(hub.url(path))
            } else {
                who.client.post(hub.url(path))
            };
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await?;
            let status = response.status().as_u16();
            let expected = allowed.contains(&who.name);
            if *path == "/api/v1/events" {
                assert_eq!(
                    status == 200,
                    expected,
                    "{} {method} {path}: {status}",
                    who.name
                );
                continue;
            }
            let text = response.text().await?;
            if expected {
                assert!(
                    ![401, 403].contains(&status),
                    "{} may {method} {path}, got {status}: {text}",
                    who.name
                );
            } else {
                assert!(
                    [401, 403].contains(&status),
                    "{} may not {method} {path}, got {status}: {text}",
                    who.name
                );
                assert!(
                    !text.contains(LAST_NAME) && !text.contains(BIRTH_DATE),
                    "a refusal leaked data: {text}"
                );
            }
        }
        assert!(staff
            .iter()
            .all(|s| allowed.contains(s) || *path != "/api/v1/snapshot"));
    }
    Ok(())
}

#[tokio::test]
async fn public_screens_never_receive_names_dates_of_birth_or_codes_in_snapshot_or_stream(
) -> Result<()> {
    let hub = TestHub::start().await?;
    let (_, code) = hub.schedule("Ana", 5).await?;
    let compact_code = code.replace('-', "");
    for (role, shows_first_name) in [
        (DeviceRole::Kiosk, false),
        (DeviceRole::Lobby, false),
        (DeviceRole::Board, true),
    ] {
        let screen = hub.screen(role, &format!("{role:?}")).await?;
        let snapshot = screen
            .get(hub.url("/api/v1/snapshot"))
            .send()
            .await?
            .text()
            .await?;
        for secret in [LAST_NAME, BIRTH_DATE, &code, &compact_code] {
            assert!(
                !snapshot.contains(secret),
                "{role:?} snapshot holds {secret}"
            );
        }
        assert_eq!(
            snapshot.contains("\"Ana\""),
            shows_first_name,
            "{role:?} first name"
        );

        let mut stream = SseReader::open(&screen, &hub.url("/api/v1/events?after=0"), None).await?;
        hub.schedule("Zed", 10).await?;
        let mut raw = String::new();
        for _ in 0..8 {
            raw.push_str(&stream.next(Duration::from_secs(5)).await?.data.to_string());
        }
        assert!(
            raw.contains("appointment_scheduled"),
            "the stream carried the new appointments"
        );
        for secret in [LAST_NAME, BIRTH_DATE, &code, &compact_code] {
            assert!(!raw.contains(secret), "{role:?} stream holds {secret}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn five_wrong_pins_lock_the_account_until_an_admin_unlocks_it() -> Result<()> {
    let hub = TestHub::start().await?;
    let tablet = hub.screen(DeviceRole::Tablet, "shared tablet").await?;
    let sign_in = |pin: &str| {
        tablet
            .post(hub.url("/api/v1/session"))
            .json(&json!({"staff": "ma-lee", "pin": pin}))
            .send()
    };
    for attempt in 1..=4 {
        assert_eq!(
            sign_in("000000").await?.status().as_u16(),
            401,
            "wrong PIN {attempt}"
        );
    }
    let fifth = sign_in("000000").await?;
    assert_eq!(
        fifth.status().as_u16(),
        423,
        "the fifth wrong PIN locks the account"
    );
    assert_eq!(
        sign_in("111111").await?.status().as_u16(),
        423,
        "even the right PIN is refused while locked"
    );

    let charge_nurse = hub.signed_in_tablet("rn-walsh", "555555").await?;
    let lockouts: Value = charge_nurse
        .get(hub.url("/api/v1/lockouts"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(
        lockouts[0]["id"], "ma-lee",
        "the charge nurse sees the lockout"
    );
    let status: Value = charge_nurse
        .get(hub.url("/api/v1/staff/status"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(
        (&status["locked"][0]["id"], &status["locked"][0]["name"]),
        (&json!("ma-lee"), &json!("M. Lee")),
        "the overview's alert names who is locked out: {status}"
    );
    let on: Vec<&str> = status["on"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["staff"]["name"].as_str())
        .collect();
    assert_eq!(on, vec!["Kathleen Walsh"], "who is signed in now");

    let admin = hub.signed_in_tablet("admin", "999999").await?;
    assert_eq!(
        admin
            .post(hub.url("/api/v1/staff/ma-lee/unlock"))
            .send()
            .await?
            .status()
            .as_u16(),
        204
    );
    assert_eq!(sign_in("111111").await?.status().as_u16(), 200);

    let db = rusqlite::Connection::open(hub.db())?;
    let locked_rows: i64 = db.query_row(
        "SELECT COUNT(*) FROM audit WHERE outcome LIKE '%account locked until%'",
        [],
        |row| row.get(0),
    )?;
    let unlock_rows: i64 = db.query_row(
        "SELECT COUNT(*) FROM audit WHERE command = 'unlock ma-lee' AND actor = 'admin'",
        [],
        |row| row.get(0),
    )?;
    assert_eq!(
        (locked_rows, unlock_rows),
        (1, 1),
        "lockout and unlock are audited"
    );
    Ok(())
}

#[tokio::test]
async fn a_lockout_ends_by_itself_after_its_minutes_on_the_hub_clock() -> Result<()> {
    let (hub, hand) = TestHub::start_by_hand(common::small_clinic()).await?;
    let tablet = hub.client_for(hub.screen(DeviceRole::Tablet, "shared tablet").await?);
    let sign_in = |pin: &str| {
        let request = SignIn {
            staff: "ma-lee".into(),
            pin: pin.into(),
            badge: None,
        };
        let tablet = tablet.clone();
        async move {
            tablet
                .sign_in(&request)
                .await
                .map_err(|failure| failure.kind)
        }
    };
    for _ in 1..=4 {
        assert_eq!(sign_in("000000").await, Err(ErrorKind::WrongPin));
    }
    assert_eq!(sign_in("000000").await, Err(ErrorKind::AccountLocked));
    hand.advance(chrono::Duration::minutes(14));
    assert_eq!(
        sign_in("111111").await,
        Err(ErrorKind::AccountLocked),
        "locked for the configured 15 minutes"
    );
    hand.advance(chrono::Duration::minutes(2));
    let session = sign_in("111111").await.expect("unlocked by time");
    assert_eq!(
        session.staff.map(|s| s.id.to_string()),
        Some("ma-lee".into())
    );
    Ok(())
}

#[tokio::test]
async fn a_device_slowed_down_for_guessing_may_try_again_a_minute_later() -> Result<()> {
    let (hub, hand) = TestHub::start_by_hand(common::small_clinic()).await?;
    let tablet = hub.client_for(hub.screen(DeviceRole::Tablet, "guessing tablet").await?);
    let mut last = None;
    for attempt in 0..11 {
        let request = SignIn {
            staff: ["ma-lee", "rn-walsh", "fd-patel", "admin"][attempt % 4].into(),
            pin: "000000".into(),
            badge: None,
        };
        last = tablet
            .sign_in(&request)
            .await
            .err()
            .map(|failure| failure.kind);
    }
    assert_eq!(last, Some(ErrorKind::TooManyAttempts));
    hand.advance(chrono::Duration::seconds(61));
    let request = SignIn {
        staff: "admin".into(),
        pin: "999999".into(),
        badge: None,
    };
    assert!(tablet.sign_in(&request).await.is_ok(), "a minute later");
    Ok(())
}

#[tokio::test]
async fn one_device_guessing_pins_is_slowed_down_whatever_the_account() -> Result<()> {
    let hub = TestHub::start().await?;
    let tablet = hub.screen(DeviceRole::Tablet, "guessing tablet").await?;
    let mut statuses = Vec::new();
    for attempt in 0..11 {
        let staff = ["ma-lee", "rn-walsh", "fd-patel", "admin"][attempt % 4];
        statuses.push(
            tablet
                .post(hub.url("/api/v1/session"))
                .json(&json!({"staff": staff, "pin": "000000"}))
                .send()
                .await?
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    Ok(())
}

#[tokio::test]
async fn a_revoked_device_is_refused_at_once_and_its_open_stream_ends() -> Result<()> {
    let hub = TestHub::start().await?;
    let enrolled = hub.enrol(DeviceRole::Board, "board tv").await?;
    let token = hub.pair(&enrolled.pairing_url).await?;
    let board = client_with(&[("cookie", format!("cf_device={token}"))])?;
    let mut stream = SseReader::open(&board, &hub.url("/api/v1/events"), None).await?;

    let answer = hub
        .client
        .post(hub.url(&format!("/api/v1/devices/{}/revoke", enrolled.id)))
        .send()
        .await?;
    assert_eq!(answer.status().as_u16(), 204);
    assert_eq!(
        board
            .get(hub.url("/api/v1/snapshot"))
            .send()
            .await?
            .status()
            .as_u16(),
        401
    );
    let ended = stream.next(Duration::from_secs(3)).await;
    assert!(
        ended.is_err_and(|e| e.to_string().contains("stream ended")),
        "the open stream is closed"
    );
    Ok(())
}

#[tokio::test]
async fn a_pairing_link_works_once() -> Result<()> {
    let hub = TestHub::start().await?;
    let enrolled = hub.enrol(DeviceRole::Kiosk, "lobby kiosk").await?;
    let token = hub.pair(&enrolled.pairing_url).await?;
    assert_ne!(token, enrolled.token, "pairing issues a fresh credential");
    let again = reqwest::get(&enrolled.pairing_url).await?;
    assert_eq!(again.status().as_u16(), 404);
    assert!(again
        .text()
        .await?
        .contains("This pairing link is not valid"));
    Ok(())
}

/// A shift change pairs many screens at once: each is known the moment its pairing link
/// answers, however the hub's device refreshes interleave (an older list read before one
/// pairing committed once replaced the newer one, and that tablet's sign-in was refused).
#[tokio::test]
async fn screens_paired_at_once_are_each_known_as_soon_as_paired() -> Result<()> {
    let hub = TestHub::start().await?;
    let pair_and_ask = |n: usize| {
        let hub = &hub;
        async move {
            let enrolled = hub
                .enrol(DeviceRole::Tablet, &format!("tablet {n}"))
                .await?;
            let token = hub.pair(&enrolled.pairing_url).await?;
            let who: Value = client_with(&[("cookie", format!("cf_device={token}"))])?
                .get(hub.url("/api/v1/session"))
                .send()
                .await?
                .json()
                .await?;
            anyhow::Ok(who["device"]["name"] == json!(format!("tablet {n}")))
        }
    };
    let known = futures::future::try_join_all((0..40).map(pair_and_ask)).await?;
    assert!(known.iter().all(|k| *k), "paired but unknown: {known:?}");
    hub.stop().await;
    Ok(())
}

#[tokio::test]
async fn signing_out_or_sitting_idle_ends_a_tablet_session() -> Result<()> {
    let mut config = common::small_clinic();
    config.security.idle_lock_seconds = 1;
    let (hub, hand) = TestHub::start_by_hand(config).await?;
    let tablet = hub.signed_in_tablet("ma-lee", "111111").await?;
    assert_eq!(
        tablet
            .get(hub.url("/api/v1/snapshot"))
            .send()
            .await?
            .status()
            .as_u16(),
        200
    );
    hand.advance(chrono::Duration::milliseconds(1500));
    let idle = tablet.get(hub.url("/api/v1/snapshot")).send().await?;
    assert_eq!(idle.status().as_u16(), 401);
    assert_eq!(
        idle.json::<Value>().await?["error"]["code"],
        "sign_in_required"
    );

    let hub = TestHub::start().await?;
    let tablet = hub.signed_in_tablet("ma-lee", "111111").await?;
    assert_eq!(
        tablet
            .delete(hub.url("/api/v1/session"))
            .send()
            .await?
            .status()
            .as_u16(),
        204
    );
    assert_eq!(
        tablet
            .get(hub.url("/api/v1/snapshot"))
            .send()
            .await?
            .status()
            .as_u16(),
        401
    );
    Ok(())
}

#[tokio::test]
async fn cookie_changes_from_another_site_are_refused_and_headers_are_hardened() -> Result<()> {
    let hub = TestHub::start().await?;
    let enrolled = hub.enrol(DeviceRole::Kiosk, "kiosk").await?;
    let token = hub.pair(&enrolled.pairing_url).await?;
    let body = json!({"code": "0000-0000-0000"});
    for origin in [Some("http://evil.example"), None] {
        let mut headers = vec![("cookie", format!("cf_device={token}"))];
        if let Some(origin) = origin {
            headers.push(("origin", origin.to_string()));
        }
        let answer = client_with(&headers)?
            .post(hub.url("/api/v1/check-in"))
            .json(&body)
            .send()
            .await?;
        assert_eq!(answer.status().as_u16(), 403, "origin {origin:?}");
        assert_eq!(answer.json::<Value>().await?["error"]["code"], "bad_origin");
    }
    let page = reqwest::get(hub.url("/")).await?;
    let csp = page.headers()["content-security-policy"]
        .to_str()?
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
        "{csp}"
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let api = hub.client.get(hub.url("/api/v1/snapshot")).send().await?;
    assert_eq!(api.headers()["cache-control"], "no-store");
    let huge = "x".repeat(100 * 1024);
    let too_big = hub
        .client
        .post(hub.url("/api/v1/check-in"))
        .json(&json!({ "code": huge }))
        .send()
        .await?;
    assert_eq!(too_big.status().as_u16(), 413, "request bodies are limited");
    Ok(())
}

#[tokio::test]
async fn a_tampered_audit_row_is_found_by_audit_verify() -> Result<()> {
    let hub = TestHub::start().await?;
    hub.run(Command::TakeOutOfService {
        room: room_id("exam-3"),
        reason: "Leak".into(),
    })
    .await?;
    let verify = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
            .args(["audit", "verify", "--db"])
            .arg(hub.db())
            .output()
    };
    let intact = verify()?;
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout).contains("chain intact"));

    let db = rusqlite::Connection::open(hub.db())?;
    db.execute_batch("DROP TRIGGER audit_is_append_only_update")?;
    let target: i64 = db.query_row(
        "SELECT id FROM audit WHERE command LIKE '%take_out_of_service%'",
        [],
        |row| row.get(0),
    )?;
    db.execute(
        "UPDATE audit SET actor = 'someone-else' WHERE id = ?1",
        [target],
    )?;
    let broken = verify()?;
    assert!(!broken.status.success());
    assert!(
        String::from_utf8_lossy(&broken.stderr).contains(&format!("BROKEN at row {target}")),
        "{}",
        String::from_utf8_lossy(&broken.stderr)
    );

    let export = std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args([
            "audit",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--db",
        ])
        .arg(hub.db())
        .output()?;
    let csv = String::from_utf8(export.stdout)?;
    assert!(
        csv.starts_with("id,at,actor,device,command,outcome,hash\n")
            && csv.contains("someone-else")
    );
    Ok(())
}

/// A self-signed certificate and its key for `localhost`, made with openssl in `dir`.
pub(crate) fn self_signed(
    dir: &std::path::Path,
) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()?;
    anyhow::ensure!(
        made.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    Ok((cert, key))
}

/// Issues a badge with the CLI; returns the text its QR code holds.
fn issue_badge(hub: &TestHub, staff: &str) -> Result<String> {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args(["staff", "badge", "--id", staff, "--db"])
        .arg(hub.db())
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout)?;
    Ok(stdout
        .lines()
        .find_map(|line| line.strip_prefix("Badge text (for a badge printer): "))
        .expect("badge text")
        .to_string())
}

#[tokio::test]
async fn a_scanned_badge_signs_in_and_a_replaced_badge_does_not() -> Result<()> {
    let hub = TestHub::start().await?;
    let first = issue_badge(&hub, "ma-lee")?;
    let tablet = hub.screen(DeviceRole::Tablet, "badge tablet").await?;
    let sign_in = |badge: String| {
        tablet
            .post(hub.url("/api/v1/session"))
            .json(&json!({ "badge": badge }))
            .send()
    };
    let answer = sign_in(first.clone()).await?;
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.json::<Value>().await?["staff"]["id"], "ma-lee");

    let second = issue_badge(&hub, "ma-lee")?;
    let old = sign_in(first).await?;
    assert_eq!(
        old.status().as_u16(),
        401,
        "a replaced badge no longer works"
    );
    assert_eq!(old.json::<Value>().await?["error"]["code"], "wrong_badge");
    assert_eq!(sign_in(second).await?.status().as_u16(), 200);
    assert_eq!(
        sign_in("cfbadge:ma-lee:guess".into())
            .await?
            .status()
            .as_u16(),
        401
    );
    Ok(())
}

#[tokio::test]
async fn with_a_certificate_the_hub_serves_https_and_marks_credentials_secure() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (cert, key) = self_signed(dir.path())?;
    let db = dir.path().join("tls.db");
    let args = [
        "--addr".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--tls-cert".as_ref(),
        cert.as_os_str(),
        "--tls-key".as_ref(),
        key.as_os_str(),
        "--db".as_ref(),
        db.as_os_str(),
    ];
    let (mut child, url) = common::spawn_hub::<_, &std::ffi::OsStr>(args)?;
    let outcome = (|| -> Result<()> {
        anyhow::ensure!(url.starts_with("https://"), "listening on {url}");
        let curl = |args: &[&str]| {
            std::process::Command::new("curl")
                .args(["-sk", "--max-time", "10"])
                .args(args)
                .output()
        };
        let health = curl(&[&format!("{url}/healthz")])?;
        assert!(
            String::from_utf8_lossy(&health.stdout).contains("\"status\":\"ok\""),
            "{health:?}"
        );
        let plain = curl(&[&format!("{}/healthz", url.replace("https://", "http://"))])?;
        assert!(
            !String::from_utf8_lossy(&plain.stdout).contains("\"status\""),
            "no plain HTTP on the TLS port"
        );
        let enrolled = std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
            .args([
                "device", "add", "--json", "--role", "board", "--name", "tv", "--url", &url, "--db",
            ])
            .arg(&db)
            .output()?;
        let enrolled: Value = serde_json::from_slice(&enrolled.stdout)?;
        let pairing = curl(&[
            "-D",
            "-",
            "-o",
            "/dev/null",
            enrolled["pairing_url"].as_str().unwrap(),
        ])?;
        let headers = String::from_utf8_lossy(&pairing.stdout).to_lowercase();
        let cookie = headers
            .lines()
            .find(|l| l.starts_with("set-cookie: cf_device="))
            .unwrap_or_default()
            .to_string();
        assert!(
            cookie.contains("; secure") && cookie.contains("httponly"),
            "{headers}"
        );
        Ok(())
    })();
    child.kill()?;
    child.wait()?;
    outcome
}

/// Regression: the hub once cached the chain's last hash, so a row the CLI appended while the
/// hub ran broke the chain at the hub's next row.
#[tokio::test]
async fn the_audit_chain_stays_intact_when_the_cli_writes_while_the_hub_runs() -> Result<()> {
    let hub = TestHub::start().await?;
    issue_badge(&hub, "ma-lee")?;
    hub.run(Command::TakeOutOfService {
        room: room_id("exam-1"),
        reason: "Leak".into(),
    })
    .await?;
    issue_badge(&hub, "rn-walsh")?;
    hub.run(Command::ReturnToService {
        room: room_id("exam-1"),
    })
    .await?;
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_clinicflow"))
        .args(["audit", "verify", "--db"])
        .arg(hub.db())
        .output()?;
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    Ok(())
}

#[tokio::test]
async fn a_hub_restart_keeps_tablets_signed_in_but_not_idle_or_signed_out_ones() -> Result<()> {
    let mut config = common::small_clinic();
    config.security.idle_lock_seconds = 3;
    let (hub, hand) = TestHub::start_by_hand(config.clone()).await?;
    // Both later hubs read the same hand-moved clock.
    let on_the_same_clock = |config| clinicflow::server::HubOptions {
        clock: Some(hub.running.hub.clock().clone()),
        ..common::options(hub.db(), config)
    };
    let lee = hub.signed_in_tablet("ma-lee", "111111").await?;
    let walsh = hub.signed_in_tablet("rn-walsh", "555555").await?;
    let (status, _) = {
        let response = walsh.delete(hub.url("/api/v1/session")).send().await?;
        (response.status().as_u16(), ())
    };
    assert_eq!(status, 204);

    // The same database opened by a new hub process, as after a crash or an update.
    let again = clinicflow::server::start(on_the_same_clock(config.clone())).await?;
    let whoami: Value = lee
        .get(format!("{}/api/v1/session", again.url()))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(whoami["staff"]["id"], "ma-lee", "still signed in: {whoami}");
    let snapshot = lee
        .get(format!("{}/api/v1/snapshot", again.url()))
        .send()
        .await?;
    assert_eq!(snapshot.status().as_u16(), 200);
    let signed_out = walsh
        .get(format!("{}/api/v1/snapshot", again.url()))
        .send()
        .await?;
    assert_eq!(
        signed_out.status().as_u16(),
        401,
        "a signed-out session stays out"
    );
    again.shutdown().await;

    // Idle past the limit while the hub was down: signed out.
    hand.advance(chrono::Duration::milliseconds(3500));
    let later = clinicflow::server::start(on_the_same_clock(config)).await?;
    let idle = lee
        .get(format!("{}/api/v1/snapshot", later.url()))
        .send()
        .await?;
    assert_eq!(idle.status().as_u16(), 401);
    later.shutdown().await;
    Ok(())
}
