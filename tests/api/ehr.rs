//! The schedule pulled from an EHR, against a fake FHIR R4 server the tests run: three pages
//! followed by their `next` links, a 500 once, a timeout, a 429 with `Retry-After`, the bearer
//! token from its file; on the next poll a moved, a cancelled and a missing appointment, and a
//! cancellation of a patient who already arrived; a `next` link that loops; an EHR that is down
//! (check-in goes on, the hub says since when); SMART Backend Services with an ES384 and an
//! RS384 key, the assertion checked by the fake token endpoint, and an expired token renewed;
//! an HL7 v2 feed over MLLP (a booking, its repeat, a reschedule, a cancellation, a patient
//! update, a message for an unknown provider, one clinicflow does not take, a malformed one).

use crate::common;

use anyhow::{Context, Result};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use clinicflow::server::ehr::{pull, FhirClient};
use common::TestHub;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the next requests to the fake meet, in order.
#[derive(Clone, Debug)]
enum Fault {
    Status(u16),
    Slow(Duration),
    TooMany { retry_after: u64 },
}

#[derive(Default)]
struct Fake {
    /// The search's pages; page 0 answers the search itself.
    pages: Vec<Value>,
    faults: HashMap<usize, VecDeque<Fault>>,
    /// Tokens the FHIR endpoints accept.
    tokens: Vec<String>,
    issued: u32,
    /// Each request: path and query, and the bearer token it carried.
    log: Vec<(String, String)>,
    client_id: String,
    /// The public key the token endpoint checks assertions with, and its ring algorithm name.
    public_key: Option<(Vec<u8>, &'static str)>,
    seen_jti: Vec<String>,
    down: bool,
}

type Shared = Arc<Mutex<Fake>>;

struct FakeEhr {
    url: String,
    fake: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeEhr {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeEhr {
    async fn start(fake: Fake) -> Result<FakeEhr> {
        let fake = Arc::new(Mutex::new(fake));
        let app = Router::new()
            .route("/fhir/Appointment", get(search))
            .route("/fhir/page", get(page))
            .route(
                "/fhir/.well-known/smart-configuration",
                get(smart_configuration),
            )
            .route("/token", post(token))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeEhr { url, fake, server })
    }

    fn with<T>(&self, change: impl FnOnce(&mut Fake) -> T) -> T {
        change(&mut self.fake.lock().unwrap())
    }
}

async fn search(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    serve_page(
        fake,
        headers,
        0,
        format!("/fhir/Appointment?{}", query.join("&")),
    )
    .await
}

#[derive(serde::Deserialize)]
struct PageQuery {
    n: usize,
}

async fn page(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    serve_page(fake, headers, q.n, format!("/fhir/page?n={}", q.n)).await
}

async fn serve_page(fake: Shared, headers: HeaderMap, n: usize, path: String) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let (fault, accepted, body, down) = {
        let mut fake = fake.lock().unwrap();
        fake.log.push((path, bearer.clone()));
        let fault = fake.faults.get_mut(&n).and_then(VecDeque::pop_front);
        let accepted = fake.tokens.is_empty() || fake.tokens.contains(&bearer);
        (fault, accepted, fake.pages.get(n).cloned(), fake.down)
    };
    if down {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    match fault {
        Some(Fault::Status(code)) => return StatusCode::from_u16(code).unwrap().into_response(),
        Some(Fault::Slow(wait)) => tokio::time::sleep(wait).await,
        Some(Fault::TooMany { retry_after }) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", retry_after.to_string())],
            )
                .into_response()
        }
        None => {}
    }
    if !accepted {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    (
        [("content-type", "application/fhir+json")],
        body.unwrap_or_default().to_string(),
    )
        .into_response()
}

async fn smart_configuration(headers: HeaderMap) -> Json<Value> {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    Json(json!({ "token_endpoint": format!("http://{host}/token") }))
}

/// The token endpoint: checks the assertion as an EHR would, then issues a token.
async fn token(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let mut fake = fake.lock().unwrap();
    let refuse = |why: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_client", "error_description": why })),
        )
            .into_response()
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials")
        || form.get("client_assertion_type").map(String::as_str)
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return refuse("wrong grant");
    }
    let assertion = form.get("client_assertion").cloned().unwrap_or_default();
    let parts: Vec<&str> = assertion.split('.').collect();
    if parts.len() != 3 {
        return refuse("not a JWS");
    }
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap_or_default())
            .unwrap_or_default()
    };
    let (header, claims) = (decode(parts[0]), decode(parts[1]));
    let Some((public_key, alg)) = fake.public_key.clone() else {
        return refuse("no key registered");
    };
    if header["alg"] != alg {
        return refuse("wrong alg");
    }
    let verifier: &dyn ring::signature::VerificationAlgorithm = match alg {
        "ES384" => &ring::signature::ECDSA_P384_SHA384_FIXED,
        _ => &ring::signature::RSA_PKCS1_2048_8192_SHA384,
    };
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap_or_default();
    let signed = format!("{}.{}", parts[0], parts[1]);
    if ring::signature::UnparsedPublicKey::new(verifier, &public_key)
        .verify(signed.as_bytes(), &signature)
        .is_err()
    {
        return refuse("bad signature");
    }
    let now = chrono::Utc::now().timestamp();
    let exp = claims["exp"].as_i64().unwrap_or_default();
    let jti = claims["jti"].as_str().unwrap_or_default().to_string();
    if claims["iss"] != fake.client_id.as_str()
        || claims["sub"] != fake.client_id.as_str()
        || claims["aud"] != format!("http://{host}/token")
        || exp <= now
        || exp > now + 300
        || jti.is_empty()
        || fake.seen_jti.contains(&jti)
    {
        return refuse(&format!("bad claims {claims}"));
    }
    fake.seen_jti.push(jti);
    fake.issued += 1;
    let token = format!("token-{}", fake.issued);
    fake.tokens = vec![token.clone()];
    Json(json!({ "access_token": token, "token_type": "bearer", "expires_in": 300, "scope": form.get("scope") })).into_response()
}

fn patient(id: &str, first: &str, last: &str) -> Value {
    json!({"resourceType": "Patient", "id": id, "name": [{"family": last, "given": [first]}], "birthDate": "1961-07-14"})
}

fn appointment(id: &str, minutes: i64, provider: &str, patient: &str, status: &str) -> Value {
    let start = chrono::Utc::now() + chrono::Duration::minutes(minutes);
    json!({"resourceType": "Appointment", "id": id, "status": status,
        "start": start.to_rfc3339(), "end": (start + chrono::Duration::minutes(20)).to_rfc3339(),
        "participant": [
            {"actor": {"reference": format!("Patient/{patient}")}, "status": "accepted"},
            {"actor": {"reference": format!("Practitioner/{provider}")}, "status": "accepted"}]})
}

/// A searchset page with `resources`, linking to page `next`.
fn page_of(resources: Vec<Value>, next: Option<usize>) -> Value {
    let entry: Vec<Value> = resources
        .into_iter()
        .map(|r| json!({ "resource": r }))
        .collect();
    let mut bundle = json!({"resourceType": "Bundle", "type": "searchset", "entry": entry});
    if let Some(n) = next {
        bundle["link"] =
            json!([{"relation": "next", "url": format!("PLACEHOLDER/fhir/page?n={n}")}]);
    }
    bundle
}

/// Three pages of today's schedule, six appointments.
fn three_pages(base: &str) -> Vec<Value> {
    let pages = vec![
        page_of(
            vec![
                appointment("e1", 30, "dr-okafor", "p1", "booked"),
                patient("p1", "Ada", "Ehr"),
                appointment("e2", 40, "dr-brooks", "p2", "booked"),
                patient("p2", "Bo", "Ehr"),
            ],
            Some(1),
        ),
        page_of(
            vec![
                appointment("e3", 50, "dr-okafor", "p3", "booked"),
                patient("p3", "Cy", "Ehr"),
                appointment("e4", 20, "dr-brooks", "p4", "booked"),
                patient("p4", "Di", "Ehr"),
            ],
            Some(2),
        ),
        page_of(
            vec![
                appointment("e5", 25, "dr-okafor", "p5", "booked"),
                patient("p5", "Ed", "Ehr"),
                appointment("e6", 80, "ehr-999", "p6", "booked"),
                patient("p6", "Flo", "Ehr"),
            ],
            None,
        ),
    ];
    pages
        .into_iter()
        .map(|p| serde_json::from_str(&p.to_string().replace("PLACEHOLDER", base)).unwrap())
        .collect()
}

fn ehr_visits(snapshot: &Value) -> HashMap<String, Value> {
    snapshot["state"]["visits"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, v)| {
            Some((
                v["external"]["appointment"].as_str()?.to_string(),
                v.clone(),
            ))
        })
        .collect()
}

/// The check-in code of a visit as the snapshot shows it.
fn code_of(hub: &TestHub, visit: &Value) -> Result<String> {
    let id = common::visit_id(visit["id"].as_str().context("visit id")?);
    let code = hub.running.hub.read(|state, _| state.visits[&id].code);
    Ok(code.context("a code")?.to_string())
}

async fn wait_for_sync(hub: &TestHub, what: &str, done: impl Fn(&Value) -> bool) -> Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, health) = hub.get("/healthz").await?;
        if done(&health["ehr"]) {
            return Ok(health);
        }
        anyhow::ensure!(Instant::now() < deadline, "{what}: /healthz says {health}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_schedule_follows_the_ehr_through_paging_faults_changes_and_downtime() -> Result<()> {
    let ehr = FakeEhr::start(Fake::default()).await?;
    ehr.with(|fake| {
        fake.pages = three_pages(&ehr.url);
        fake.tokens = vec!["secret-1".into()];
        fake.faults.insert(1, VecDeque::from([Fault::Status(500)]));
        fake.faults.insert(
            2,
            VecDeque::from([
                Fault::TooMany { retry_after: 1 },
                Fault::Slow(Duration::from_secs(3)),
            ]),
        );
    });
    let dir = tempfile::tempdir()?;
    let token_file = dir.path().join("ehr-token");
    std::fs::write(&token_file, "secret-1\n")?;
    let mut config = common::midday_clinic();
    config.ehr.fhir_base = format!("{}/fhir", ehr.url);
    config.ehr.token_file = token_file.to_string_lossy().into();
    config.ehr.timeout_seconds = 1;
    config
        .ehr
        .provider_ids
        .insert("ehr-999".into(), "dr-brooks".into());
    let started = Instant::now();
    let hub = TestHub::start_with(config.clone()).await?;
    let health = wait_for_sync(&hub, "the first pull", |ehr| !ehr["synced_at"].is_null()).await?;
    let took = started.elapsed();
    println!("ehr: first pull through a 500, a 429 (Retry-After 1) and a timeout took {took:.1?}");
    assert!(health["ehr"]["failing_since"].is_null(), "{health}");
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let visits = ehr_visits(&snapshot);
    assert_eq!(visits.len(), 6, "every page followed: {:?}", visits.keys());
    assert_eq!(
        visits["e6"]["provider"], "dr-brooks",
        "the EHR's practitioner id mapped"
    );
    assert_eq!(visits["e1"]["external"]["patient"], "p1");
    let log = ehr.with(|fake| fake.log.clone());
    let page2 = log.iter().filter(|(path, _)| path.ends_with("n=1")).count();
    let page3 = log.iter().filter(|(path, _)| path.ends_with("n=2")).count();
    assert_eq!(
        (page2, page3),
        (2, 3),
        "the 500 retried once; the 429 and the timeout each once: {log:?}"
    );
    assert!(log.iter().all(|(_, token)| token == "secret-1"), "{log:?}");
    let search = &log[0].0;
    for part in [
        "date=ge",
        "date=lt",
        "_include=Appointment:patient",
        "_include=Appointment:actor",
        "_count=100",
    ] {
        assert!(search.contains(part), "{search}");
    }

    // The next poll: e1 moved, e2 cancelled, e3 gone from the list, e4 cancelled after its
    // patient arrived; the token file rotated.
    let (status, answer) = hub.check_in(&code_of(&hub, &visits["e4"])?).await?;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (200, Some("checked_in")),
        "{answer}"
    );
    std::fs::write(&token_file, "secret-2")?;
    ehr.with(|fake| {
        fake.tokens = vec!["secret-2".into()];
        fake.pages = vec![page_of(
            vec![
                appointment("e1", 95, "dr-okafor", "p1", "booked"),
                patient("p1", "Ada", "Ehr"),
                appointment("e2", 40, "dr-brooks", "p2", "cancelled"),
                appointment("e4", 20, "dr-brooks", "p4", "cancelled"),
                appointment("e5", 25, "dr-okafor", "p5", "booked"),
                patient("p5", "Ed", "Ehr"),
            ],
            None,
        )];
    });
    let mut client = FhirClient::new(&config.ehr)?;
    let notes = pull(&hub.running.hub, &config.ehr, &mut client).await?;
    assert!(notes.is_empty(), "{notes:?}");
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    let after = ehr_visits(&snapshot);
    assert_ne!(
        after["e1"]["appointment"], visits["e1"]["appointment"],
        "moved"
    );
    assert_eq!(after["e2"]["state"], "cancelled");
    assert_eq!(after["e2"]["cancel_reason"], "cancelled in the EHR");
    assert_eq!(
        after["e3"]["state"], "scheduled",
        "missing from one poll is not a cancellation"
    );
    assert_eq!(
        after["e4"]["state"], "arrived",
        "an arrived patient is never cancelled from outside"
    );

    // A next link that leads back: the pull stops there and says so.
    ehr.with(|fake| {
        let mut looping = page_of(
            vec![
                appointment("e5", 25, "dr-okafor", "p5", "booked"),
                patient("p5", "Ed", "Ehr"),
            ],
            Some(0),
        );
        looping["link"][0]["url"] = json!(format!("{}/fhir/page?n=0", ehr.url));
        fake.pages = vec![looping];
    });
    let notes = pull(&hub.running.hub, &config.ehr, &mut client).await?;
    assert!(notes.iter().any(|n| n.contains("led back")), "{notes:?}");

    // The EHR goes down: the hub says so (the board's live stream too), and check-in goes on.
    let board = hub
        .screen(clinicflow::domain::DeviceRole::Board, "board")
        .await?;
    let mut stream = common::SseReader::open(&board, &hub.url("/api/v1/events"), None).await?;
    ehr.with(|fake| fake.down = true);
    let down = pull(&hub.running.hub, &config.ehr, &mut client).await;
    assert!(
        matches!(&down, Err(error) if error.to_string().contains("HTTP 503")),
        "{down:?}"
    );
    clinicflow::server::ehr::report(&hub.running.hub, down);
    let (_, health) = hub.get("/healthz").await?;
    assert!(!health["ehr"]["failing_since"].is_null(), "{health}");
    assert!(
        !health["ehr"]["synced_at"].is_null(),
        "the last good pull is kept: {health}"
    );
    assert!(
        health["ehr"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("503")),
        "{health}"
    );
    let told = stream.next(Duration::from_secs(5)).await?;
    assert_eq!(told.event.as_deref(), Some("schedule_sync"));
    assert_eq!(
        told.data["failing_since"], health["ehr"]["failing_since"],
        "{:?}",
        told.data
    );
    let (status, answer) = hub.check_in(&code_of(&hub, &after["e5"])?).await?;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (200, Some("checked_in")),
        "{answer}"
    );
    hub.stop().await;
    Ok(())
}

/// A PEM "PRIVATE KEY" block.
fn pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

async fn pull_with_smart(algorithm: &str, key_pem: String, public_key: Vec<u8>) -> Result<()> {
    let ehr = FakeEhr::start(Fake {
        client_id: "clinicflow-test".into(),
        public_key: Some((
            public_key,
            if algorithm == "ES384" {
                "ES384"
            } else {
                "RS384"
            },
        )),
        ..Fake::default()
    })
    .await?;
    ehr.with(|fake| {
        fake.pages = vec![page_of(
            vec![
                appointment("s1", 30, "dr-okafor", "p1", "booked"),
                patient("p1", "Sam", "Smart"),
            ],
            None,
        )];
        // Nothing is accepted until the token endpoint issued a token.
        fake.tokens = vec!["none yet".into()];
    });
    let dir = tempfile::tempdir()?;
    let key = dir.path().join("key.pem");
    std::fs::write(&key, key_pem)?;
    let mut config = common::midday_clinic();
    config.ehr.fhir_base = format!("{}/fhir", ehr.url);
    config.ehr.client_id = "clinicflow-test".into();
    config.ehr.private_key_file = key.to_string_lossy().into();
    config.ehr.algorithm = algorithm.into();
    let hub = TestHub::start_with(common::midday_clinic()).await?;
    let mut client = FhirClient::new(&config.ehr)?;
    pull(&hub.running.hub, &config.ehr, &mut client)
        .await
        .context("the first pull")?;
    assert_eq!(ehr.with(|fake| fake.issued), 1);
    // The EHR forgets the token early: the next request is refused, a new token fixes it.
    ehr.with(|fake| fake.tokens = vec!["expired".into()]);
    pull(&hub.running.hub, &config.ehr, &mut client)
        .await
        .context("after the token expired")?;
    assert_eq!(ehr.with(|fake| fake.issued), 2, "a new token after the 401");
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert!(ehr_visits(&snapshot).contains_key("s1"));
    hub.stop().await;
    Ok(())
}

#[tokio::test]
async fn smart_backend_services_signs_es384_assertions_and_renews_an_expired_token() -> Result<()> {
    use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P384_SHA384_FIXED_SIGNING};
    let random = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &random)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, pkcs8.as_ref(), &random)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    pull_with_smart(
        "ES384",
        pem(pkcs8.as_ref()),
        key.public_key().as_ref().to_vec(),
    )
    .await
}

#[tokio::test]
async fn smart_backend_services_signs_rs384_assertions() -> Result<()> {
    use ring::signature::RsaKeyPair;
    // ring cannot make RSA keys; openssl (on every Debian and Ubuntu) can.
    let dir = tempfile::tempdir()?;
    let key = dir.path().join("rsa.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&key)
        .output()
        .context("openssl is needed to make the test's RSA key")?;
    anyhow::ensure!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let text = std::fs::read_to_string(&key)?;
    let der: Vec<u8> = STANDARD.decode(
        text.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>(),
    )?;
    let pair = RsaKeyPair::from_pkcs8(&der).map_err(|e| anyhow::anyhow!("{e}"))?;
    pull_with_smart("RS384", text, pair.public().as_ref().to_vec()).await
}

/// An MLLP client, as a practice-management system's interface engine is.
struct Mllp(tokio::net::TcpStream);

impl Mllp {
    /// Sends one message (segments on lines) and answers the ACK's MSA-1 and MSA-3.
    async fn send(&mut self, message: &str) -> Result<(String, String)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let body = message.trim().replace('\n', "\r");
        let mut framed = vec![0x0b];
        framed.extend_from_slice(body.as_bytes());
        framed.extend_from_slice(&[0x1c, 0x0d]);
        self.0.write_all(&framed).await?;
        let mut answer = Vec::new();
        let mut byte = [0u8; 1];
        while !answer.ends_with(&[0x1c, 0x0d]) {
            anyhow::ensure!(
                self.0.read(&mut byte).await? == 1,
                "the hub closed the connection"
            );
            answer.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&answer[1..answer.len() - 2]).to_string();
        let msa = text
            .split('\r')
            .find(|s| s.starts_with("MSA|"))
            .context("no MSA")?;
        let fields: Vec<&str> = msa.split('|').collect();
        Ok((
            fields.get(1).unwrap_or(&"").to_string(),
            fields.get(3).unwrap_or(&"").to_string(),
        ))
    }
}

/// An SIU message of `trigger` for appointment `id`, `minutes` from now, with `provider`.
fn siu(trigger: &str, control: &str, id: &str, minutes: i64, provider: &str) -> String {
    let start = (chrono::Utc::now() + chrono::Duration::minutes(minutes)).format("%Y%m%d%H%M+0000");
    format!(
        "MSH|^~\\&|PM|CLINIC|clinicflow|CLINIC|20261202080000||SIU^{trigger}|{control}|P|2.5.1\n\
         SCH|P-{id}|{id}|||||Routine|^Follow-up|20|MIN|^^^{start}\n\
         PID|1||MRN-{id}^^^HOSP^MR||Feed^Hana||19610714\n\
         AIP|1||{provider}^Doc|||{start}"
    )
}

#[tokio::test]
async fn an_hl7_feed_books_moves_and_cancels_and_acks_each_message_only_once_it_is_saved(
) -> Result<()> {
    let mut config = common::midday_clinic();
    config.ehr.hl7_listen = "127.0.0.1:0".into();
    let hub = TestHub::start_with(config).await?;
    let addr = hub.running.hl7_addr.context("the HL7 listener")?;
    let mut feed = Mllp(tokio::net::TcpStream::connect(addr).await?);
    let saved = |id: &str| -> Result<Option<Value>> {
        // Read from the database file, not the hub's memory: an AA means it is on disk.
        let (state, _) = clinicflow::store::Store::open_read_only(&hub.db())?.load()?;
        let visit = state
            .visits
            .values()
            .find(|v| v.external.as_ref().is_some_and(|e| e.appointment == id));
        Ok(visit.map(serde_json::to_value).transpose()?)
    };

    assert_eq!(
        feed.send(&siu("S12", "m1", "H-1", 20, "dr-okafor"))
            .await?
            .0,
        "AA"
    );
    let booked = saved("H-1")?.context("booked before the ACK")?;
    assert_eq!(booked["patient"]["last_name"], "Feed");
    assert_eq!(booked["duration_minutes"], 20);
    // The interface engine did not hear the ACK and sends the message again.
    assert_eq!(
        feed.send(&siu("S12", "m1", "H-1", 20, "dr-okafor"))
            .await?
            .0,
        "AA"
    );
    let (_, snapshot) = hub.get("/api/v1/snapshot").await?;
    assert_eq!(
        ehr_visits(&snapshot).len(),
        1,
        "a repeated message books once"
    );

    assert_eq!(
        feed.send(&siu("S13", "m2", "H-1", 45, "dr-brooks"))
            .await?
            .0,
        "AA"
    );
    let moved = saved("H-1")?.context("H-1")?;
    assert_eq!(moved["provider"], "dr-brooks");
    assert_ne!(moved["appointment"], booked["appointment"]);

    let seq = hub.running.hub.seq();
    let (code, why) = feed
        .send(&siu("S12", "m3", "H-2", 30, "DOC-UNKNOWN"))
        .await?;
    assert_eq!(code, "AE");
    assert!(why.contains("DOC-UNKNOWN"), "{why}");
    let (code, _) = feed
        .send("MSH|^~\\&|PM|CLINIC|||20261202080000||ORM^O01|m4|P|2.5.1")
        .await?;
    assert_eq!(code, "AR");
    let (code, why) = feed
        .send(&siu("S12", "m5", "H-3", 30, "dr-okafor").replace("Feed^Hana", ""))
        .await?;
    assert_eq!(code, "AE", "{why}");
    assert_eq!(hub.running.hub.seq(), seq, "nothing changed on AE or AR");

    // The patient's details change in the registration system.
    let update = "MSH|^~\\&|PM|CLINIC|||20261202080000||ADT^A08|m6|P|2.5.1\nPID|1||MRN-H-1^^^HOSP^MR||Feed-Ito^Hana||19610714";
    assert_eq!(feed.send(update).await?.0, "AA");
    assert_eq!(
        saved("H-1")?.context("H-1")?["patient"]["last_name"],
        "Feed-Ito"
    );

    assert_eq!(
        feed.send(&siu("S15", "m7", "H-1", 45, "dr-brooks"))
            .await?
            .0,
        "AA"
    );
    let cancelled = saved("H-1")?.context("H-1")?;
    assert_eq!(
        (&cancelled["state"], &cancelled["cancel_reason"]),
        (&json!("cancelled"), &json!("cancelled in the EHR"))
    );
    hub.stop().await;
    Ok(())
}
