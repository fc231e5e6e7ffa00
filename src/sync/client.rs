//! The typed client: one method per API call (docs/api.md), taking the shared request types
//! and [`Command`], answering the shared answer types or an [`ApiFailure`]. Screens, the
//! browser's live sync and the integration tests all speak to the hub through it. In the
//! browser it uses `fetch` on the page's own origin (cookies included); natively, reqwest.

use crate::api_types::*;
use crate::domain::{Command, StaffId};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The hub, as a client calls it.
#[derive(Clone)]
pub struct HubClient {
    /// Empty in the browser (same origin), else `http://host:port`.
    base: String,
    #[cfg(all(not(target_arch = "wasm32"), feature = "native-client"))]
    http: reqwest::Client,
}

#[derive(Clone, Copy)]
enum Method {
    Get,
    Post,
    Delete,
}

impl HubClient {
    /// The hub this page was served by (the browser's screens), or the one the native app was
    /// paired with (`sync::native::open`).
    pub fn same_origin() -> HubClient {
        #[cfg(all(live_client, not(target_arch = "wasm32")))]
        if let Some(hub) = super::native::hub() {
            return hub;
        }
        HubClient {
            base: String::new(),
            #[cfg(all(not(target_arch = "wasm32"), feature = "native-client"))]
            http: reqwest::Client::new(),
        }
    }

    /// A hub at `base` (`http://127.0.0.1:8080`), called with `http`, which carries the
    /// credentials (a bearer token, or a paired screen's cookies and Origin) as default headers.
    #[cfg(all(not(target_arch = "wasm32"), feature = "native-client"))]
    pub fn new(base: &str, http: reqwest::Client) -> HubClient {
        HubClient {
            base: base.trim_end_matches('/').to_string(),
            http,
        }
    }

    /// Where the hub is (`http://host:port`; empty in the browser: the page's own origin), to
    /// put before a path a screen links to.
    pub fn address(&self) -> &str {
        &self.base
    }

    /// `GET /api/v1/events` from after sequence number `after` (`Last-Event-ID`), for reading
    /// as a `text/event-stream`; no timeout: it stays open.
    #[cfg(all(not(target_arch = "wasm32"), feature = "native-client"))]
    pub fn event_stream(&self, after: u64) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}/api/v1/events", self.base))
            .header("last-event-id", after.to_string())
            .header("accept", "text/event-stream")
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Result<Health, ApiFailure> {
        self.call(Method::Get, "/healthz", NO_BODY).await
    }

    /// `GET /api/v1/clinic`: name and settings, for any screen.
    pub async fn clinic(&self) -> Result<ClinicInfo, ApiFailure> {
        self.call(Method::Get, "/api/v1/clinic", NO_BODY).await
    }

    /// `GET /api/v1/snapshot`: the clinic as this screen may see it.
    pub async fn snapshot(&self) -> Result<Snapshot, ApiFailure> {
        self.call(Method::Get, "/api/v1/snapshot", NO_BODY).await
    }

    /// `GET /api/v1/days/<date>`: a whole clinic day from the hub's database, for a screen
    /// showing a day its snapshot does not hold.
    pub async fn day(&self, day: NaiveDate) -> Result<DayRecord, ApiFailure> {
        self.call(Method::Get, &format!("/api/v1/days/{day}"), NO_BODY)
            .await
    }

    /// `GET /api/v1/session`: which device this is and who is signed in.
    pub async fn session(&self) -> Result<SessionInfo, ApiFailure> {
        self.call(Method::Get, "/api/v1/session", NO_BODY).await
    }

    /// `POST /api/v1/session`: signs a staff member in on this tablet (PIN or badge).
    pub async fn sign_in(&self, sign_in: &SignIn) -> Result<SessionInfo, ApiFailure> {
        self.call(Method::Post, "/api/v1/session", Some(sign_in))
            .await
    }

    /// `POST /api/v1/session/active`: the screen's person is using it, which keeps their
    /// session from idling out on the hub.
    pub async fn still_here(&self) -> Result<(), ApiFailure> {
        self.call(Method::Post, "/api/v1/session/active", NO_BODY)
            .await
    }

    /// `DELETE /api/v1/session`.
    pub async fn sign_out(&self) -> Result<(), ApiFailure> {
        self.call(Method::Delete, "/api/v1/session", NO_BODY).await
    }

    /// `GET /api/v1/staff`: the tablet's sign-in picker.
    pub async fn staff_picker(&self) -> Result<Vec<StaffInfo>, ApiFailure> {
        self.call(Method::Get, "/api/v1/staff", NO_BODY).await
    }

    /// `GET /api/v1/staff/status`: who is signed in where, who is locked out.
    pub async fn staff_status(&self) -> Result<StaffStatus, ApiFailure> {
        self.call(Method::Get, "/api/v1/staff/status", NO_BODY)
            .await
    }

    /// `GET /api/v1/lockouts`: accounts locked now.
    pub async fn lockouts(&self) -> Result<Vec<StaffInfo>, ApiFailure> {
        self.call(Method::Get, "/api/v1/lockouts", NO_BODY).await
    }

    /// `POST /api/v1/staff/<id>/unlock` (admin).
    pub async fn unlock(&self, staff: &StaffId) -> Result<(), ApiFailure> {
        let path = format!("/api/v1/staff/{}/unlock", segment(staff.as_str()));
        self.call(Method::Post, &path, NO_BODY).await
    }

    /// `GET /api/v1/devices` (admin).
    pub async fn devices(&self) -> Result<Vec<DeviceRow>, ApiFailure> {
        self.call(Method::Get, "/api/v1/devices", NO_BODY).await
    }

    /// `POST /api/v1/devices` (admin): enrols a screen; answers its pairing link.
    pub async fn enrol_device(&self, device: &NewDevice) -> Result<Enrolled, ApiFailure> {
        self.call(Method::Post, "/api/v1/devices", Some(device))
            .await
    }

    /// `POST /api/v1/devices/<id>/revoke` (admin).
    pub async fn revoke_device(&self, device: &str) -> Result<(), ApiFailure> {
        let path = format!("/api/v1/devices/{}/revoke", segment(device));
        self.call(Method::Post, &path, NO_BODY).await
    }

    /// `POST /api/v1/commands`: one screen command, sent again after a lost answer (see
    /// [`HubClient::step`]).
    pub async fn command(&self, command: &Command) -> Result<CommandReceipt, ApiFailure> {
        self.command_once(command, &new_step_key()).await
    }

    /// `POST /api/v1/commands` under a key the caller keeps (a step waiting in the outbox is
    /// sent with the same key however often it is tried).
    pub async fn command_once(
        &self,
        command: &Command,
        key: &str,
    ) -> Result<CommandReceipt, ApiFailure> {
        self.step("/api/v1/commands", command, key).await
    }

    /// `POST /api/v1/check-in`: a scanned or typed code (and the date of birth once asked).
    pub async fn check_in(&self, request: &CheckInRequest) -> Result<CheckInAnswer, ApiFailure> {
        self.step("/api/v1/check-in", request, &new_step_key())
            .await
    }

    /// `GET /api/v1/status/<token>`: one patient's own live status (their phone page).
    pub async fn patient_status(
        &self,
        token: &str,
    ) -> Result<crate::domain::PatientStatus, ApiFailure> {
        let path = format!("/api/v1/status/{}", segment(token));
        self.call(Method::Get, &path, NO_BODY).await
    }

    /// `POST /api/v1/status/<token>/here`: a patient who checked in by phone is in the building.
    pub async fn patient_here(
        &self,
        token: &str,
    ) -> Result<crate::domain::PatientStatus, ApiFailure> {
        let path = format!("/api/v1/status/{}/here", segment(token));
        self.call(Method::Post, &path, NO_BODY).await
    }

    /// `POST /api/v1/check-in/find`: "no code?" by last name and date of birth.
    pub async fn find_appointment(
        &self,
        find: &FindAppointment,
    ) -> Result<FoundAppointments, ApiFailure> {
        self.call(Method::Post, "/api/v1/check-in/find", Some(find))
            .await
    }

    /// `POST /api/v1/appointments`: schedules a visit (front desk).
    pub async fn create_appointment(&self, new: &NewAppointment) -> Result<Created, ApiFailure> {
        self.step("/api/v1/appointments", new, &new_step_key())
            .await
    }

    /// `POST /api/v1/walk-ins`: registers a walk-in, arrived at once with a `W-` ticket.
    pub async fn walk_in(&self, new: &NewWalkIn) -> Result<Created, ApiFailure> {
        self.step("/api/v1/walk-ins", new, &new_step_key()).await
    }

    /// `GET /api/v1/appointments?date=`: a day's visits with their check-in codes.
    pub async fn appointments(&self, day: NaiveDate) -> Result<Vec<AppointmentRow>, ApiFailure> {
        let path = format!("/api/v1/appointments?date={day}");
        self.call(Method::Get, &path, NO_BODY).await
    }

    /// `POST /api/v1/import`: a schedule file (its text as read), previewed or applied as
    /// `mode` says. A list that did not apply because of a bad row (422) is an answer too, with
    /// `applied: false` and every bad row.
    pub async fn import_schedule(
        &self,
        format: ScheduleFormat,
        text: String,
        mode: ImportMode,
    ) -> Result<ImportAnswer, ApiFailure> {
        let path = format!("/api/v1/import{}", mode.query());
        let body = Body {
            text,
            content_type: format.content_type(),
            key: None,
        };
        let (status, text) = self.send(Method::Post, &path, Some(body)).await?;
        let status = if status == 422 { 200 } else { status };
        read_answer(status, &text)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, ApiFailure> {
        let body = body.map(json_body).transpose()?;
        let (status, text) = self.send(method, path, body).await?;
        read_answer(status, &text)
    }

    /// A step that changes something, `POST`ed with `Idempotency-Key: key`. When its answer is
    /// lost (the network dropped, the hub did not answer in time, or it was restarting: 503)
    /// it is sent again with the same key, after 0.5, 1, 2, 4… seconds, until
    /// [`STEP_RETRY_SECONDS`] have passed: the hub applies it once and answers every copy
    /// alike. A refusal is answered at once.
    async fn step<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &(impl Serialize + ?Sized),
        key: &str,
    ) -> Result<T, ApiFailure> {
        let started = now_millis();
        let mut pause = 500;
        loop {
            let mut body = json_body(body)?;
            body.key = Some(key.to_string());
            let answer =
                self.send(Method::Post, path, Some(body))
                    .await
                    .and_then(|(status, text)| match status {
                        503 => Err(ApiFailure::network("the hub is restarting")),
                        _ => read_answer(status, &text),
                    });
            let lost = matches!(&answer, Err(failure) if failure.kind == ErrorKind::Network);
            if !lost || now_millis() - started + pause > STEP_RETRY_SECONDS * 1000 {
                return answer;
            }
            super::pause(std::time::Duration::from_millis(pause)).await;
            pause = (pause * 2).min(4000);
        }
    }

    #[cfg(target_arch = "wasm32")]
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Body>,
    ) -> Result<(u16, String), ApiFailure> {
        use wasm_bindgen::JsCast;
        let js = |e: wasm_bindgen::JsValue| ApiFailure::network(format!("{e:?}"));
        let init = web_sys::RequestInit::new();
        init.set_method(method.name());
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        if let Some(body) = body {
            init.set_body(&wasm_bindgen::JsValue::from_str(&body.text));
            let headers = web_sys::Headers::new().map_err(js)?;
            headers.set("content-type", body.content_type).map_err(js)?;
            if let Some(key) = &body.key {
                headers.set(STEP_KEY_HEADER, key).map_err(js)?;
            }
            init.set_headers(&headers);
        }
        // A frozen hub or a half-open connection would leave the person waiting forever.
        let abort = web_sys::AbortController::new().map_err(js)?;
        init.set_signal(Some(&abort.signal()));
        let url = format!("{}{path}", self.base);
        let request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(js)?;
        let window = web_sys::window().ok_or_else(|| ApiFailure::network("no window"))?;
        let exchange = async {
            let response: web_sys::Response =
                wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request))
                    .await
                    .map_err(js)?
                    .dyn_into()
                    .map_err(js)?;
            let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(js)?)
                .await
                .map_err(js)?
                .as_string()
                .unwrap_or_default();
            Ok((response.status(), text))
        };
        let timeout = gloo_timers::future::sleep(std::time::Duration::from_secs(
            crate::api_types::REQUEST_TIMEOUT_SECONDS,
        ));
        futures::pin_mut!(exchange, timeout);
        match futures::future::select(exchange, timeout).await {
            futures::future::Either::Left((answer, _)) => answer,
            futures::future::Either::Right(_) => {
                abort.abort();
                Err(ApiFailure::no_answer())
            }
        }
    }

    #[cfg(all(not(target_arch = "wasm32"), feature = "native-client"))]
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Body>,
    ) -> Result<(u16, String), ApiFailure> {
        let url = format!("{}{path}", self.base);
        let request = match method {
            Method::Get => self.http.get(url),
            Method::Post => self.http.post(url),
            Method::Delete => self.http.delete(url),
        };
        let request = match body {
            Some(Body {
                text,
                content_type,
                key,
            }) => {
                let request = request.header("content-type", content_type);
                match key {
                    Some(key) => request.header(STEP_KEY_HEADER, key),
                    None => request,
                }
                .body(text)
            }
            None => request,
        };
        // A frozen hub or a half-open connection would leave the person waiting forever.
        let lost = |error: reqwest::Error| match error.is_timeout() {
            true => ApiFailure::no_answer(),
            false => ApiFailure::network(error),
        };
        let timeout = std::time::Duration::from_secs(crate::api_types::REQUEST_TIMEOUT_SECONDS);
        let response = request.timeout(timeout).send().await.map_err(lost)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(lost)?;
        Ok((status, text))
    }

    /// Without a transport (server-side rendering): nothing is ever sent from here.
    #[cfg(all(not(target_arch = "wasm32"), not(feature = "native-client")))]
    async fn send(
        &self,
        _method: Method,
        _path: &str,
        _body: Option<Body>,
    ) -> Result<(u16, String), ApiFailure> {
        let _ = &self.base;
        Err(ApiFailure::network("not in a browser"))
    }
}

const NO_BODY: Option<&()> = None;

/// A request body and its content type.
// Without a transport (server-side rendering, the fuzz targets) nothing reads it.
#[cfg_attr(
    not(any(target_arch = "wasm32", feature = "native-client")),
    allow(dead_code)
)]
struct Body {
    text: String,
    content_type: &'static str,
    /// The step's `Idempotency-Key`, for steps that change something.
    key: Option<String>,
}

fn json_body(body: &(impl Serialize + ?Sized)) -> Result<Body, ApiFailure> {
    Ok(Body {
        text: serde_json::to_string(body).map_err(ApiFailure::bad_answer)?,
        content_type: "application/json",
        key: None,
    })
}

/// The header a retried step carries (the IETF HTTP APIs working group's draft names it).
#[cfg_attr(
    not(any(target_arch = "wasm32", feature = "native-client")),
    allow(dead_code)
)]
const STEP_KEY_HEADER: &str = "idempotency-key";

/// A step whose answer was lost is sent again for this long before the screen says it may not
/// have been saved.
pub const STEP_RETRY_SECONDS: u64 = 10;

/// A fresh `Idempotency-Key`: about 106 random bits as hex (it must be unique, not secret: the
/// hub scopes it to the device).
pub fn new_step_key() -> String {
    #[cfg(target_arch = "wasm32")]
    let halves = [(); 2].map(|_| (js_sys::Math::random() * (1u64 << 53) as f64) as u64);
    #[cfg(not(target_arch = "wasm32"))]
    let halves = {
        use std::hash::BuildHasher;
        static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Each RandomState is seeded from the system's randomness.
        [(); 2].map(|_| std::collections::hash_map::RandomState::new().hash_one(n) >> 11)
    };
    format!("{:014x}{:014x}", halves[0], halves[1])
}

fn now_millis() -> u64 {
    chrono::Utc::now().timestamp_millis().max(0) as u64
}

#[cfg(target_arch = "wasm32")]
impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// A 2xx answer as `T` (an empty one as JSON `null`, which `()` reads), else the refusal.
fn read_answer<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiFailure> {
    let text = if text.trim().is_empty() { "null" } else { text };
    if (200..300).contains(&status) {
        return serde_json::from_str(text).map_err(ApiFailure::bad_answer);
    }
    match serde_json::from_str::<ErrorBody>(text) {
        Ok(body) => Err(body.error),
        Err(_) => Err(ApiFailure {
            kind: ErrorKind::Unknown,
            message: format!("The hub refused this (HTTP {status})."),
        }),
    }
}

/// Percent-encodes one path segment (staff and device ids are chosen by people).
pub(super) fn segment(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_read_with_its_payload_and_an_unknown_code_is_still_a_refusal() {
        let body = r#"{"error": {"code": "confirm_abnormal", "message": "abnormal: Systolic blood pressure 182 mmHg; confirm these values to save them", "abnormal": [{"measure": "systolic", "value": 182.0}]}}"#;
        let refused: Result<(), ApiFailure> = read_answer(409, body);
        let failure = refused.unwrap_err();
        match &failure.kind {
            ErrorKind::ConfirmAbnormal { abnormal } => assert_eq!(abnormal.len(), 1),
            other => panic!("read as {other:?}"),
        }
        assert!(failure.message.contains("182 mmHg"));
        let newer: Result<(), ApiFailure> = read_answer(
            409,
            r#"{"error": {"code": "from_the_future", "message": "later"}}"#,
        );
        assert_eq!(newer.unwrap_err().kind, ErrorKind::Unknown);
        let empty: Result<(), ApiFailure> = read_answer(204, "");
        assert!(empty.is_ok());
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(segment("ma-lee"), "ma-lee");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
    }
}
