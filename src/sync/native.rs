//! The native app's side of the hub (the desktop kiosk): pairing once from a pairing link, the
//! typed client carrying the device's credential, and (on a live screen) the event stream over
//! reqwest, resumed with `Last-Event-ID`, with the local store in a SQLite file.

use super::HubClient;
use crate::api_types::{ApiFailure, ErrorKind};
use std::time::Duration;

/// The hub this app is paired with and the device credential it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing {
    /// `http://host:port`
    pub hub: String,
    pub token: String,
}

/// Pairs this app from a pairing link (`http://hub:8080/pair/<code>`, as `clinicflow device
/// add` or /admin print it): the hub answers with the device's credential as a cookie, which
/// the app keeps and sends as a bearer token from then on. `http` carries the clinic's
/// certificate when the hub uses TLS.
pub async fn pair(link: &str, http: reqwest::Client) -> Result<Pairing, ApiFailure> {
    let link = link.trim();
    let (hub, _code) = split_pairing_link(link).ok_or_else(|| ApiFailure {
        kind: ErrorKind::InvalidInput,
        message: "That is not a pairing link: it looks like http://<hub>:8080/pair/<code> \
                  (clinicflow device add --role kiosk prints one)."
            .into(),
    })?;
    let unreachable = |error: reqwest::Error| ApiFailure {
        kind: ErrorKind::Network,
        message: format!("The hub at {hub} cannot be reached ({error})."),
    };
    let response = http.get(link).send().await.map_err(unreachable)?;
    let token = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|cookie| {
            let value = cookie.split(';').next()?.trim();
            value.strip_prefix("cf_device=").map(String::from)
        });
    match token {
        Some(token) if response.status().is_redirection() => Ok(Pairing { hub, token }),
        _ => Err(ApiFailure {
            kind: ErrorKind::Unknown,
            message: "This pairing link is not valid: it was used already, it expired, or the \
                      device was revoked. Ask an administrator for a new link."
                .into(),
        }),
    }
}

/// `("http://host:port", code)` from a pairing link.
fn split_pairing_link(link: &str) -> Option<(String, String)> {
    let (scheme, rest) = link.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let (host, path) = rest.split_once('/')?;
    let code = path.strip_prefix("pair/")?.trim_end_matches('/');
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic() && c != '/');
    (plain(host) && plain(code)).then(|| (format!("{scheme}://{host}"), code.to_string()))
}

/// An HTTP client for the hub: never follows a redirect (the pairing answer is one), gives up
/// connecting after 5 s, trusts `certificate` (PEM: the clinic's, for a hub in TLS mode)
/// besides the usual roots, and sends `token` as the bearer credential when given.
pub fn http_client(
    certificate: Option<&[u8]>,
    token: Option<&str>,
) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5));
    if let Some(pem) = certificate {
        let certificate = reqwest::Certificate::from_pem(pem)
            .map_err(|e| format!("the certificate file is not a PEM certificate: {e}"))?;
        builder = builder.add_root_certificate(certificate);
    }
    if let Some(token) = token {
        let bearer = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| "the kept credential is damaged: pair this app again".to_string())?;
        let headers = [(reqwest::header::AUTHORIZATION, bearer)]
            .into_iter()
            .collect();
        builder = builder.default_headers(headers);
    }
    builder.build().map_err(|e| e.to_string())
}

/// The typed client for the paired hub, its credential on every request.
pub fn paired_client(pairing: &Pairing, certificate: Option<&[u8]>) -> Result<HubClient, String> {
    let http = http_client(certificate, Some(&pairing.token))?;
    Ok(HubClient::new(&pairing.hub, http))
}

/// One message of a `text/event-stream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseFrame {
    pub event: String,
    pub data: String,
}

/// Reads a `text/event-stream` as its bytes arrive, in chunks cut anywhere (WHATWG HTML
/// §9.2.6: `event:`, `data:` lines, `:` comments, a blank line ends a message; `id:` and
/// `retry:` are not needed: the app resumes from the sequence number it folded).
#[derive(Debug, Default)]
pub struct SseReader {
    pending: Vec<u8>,
    event: String,
    data: Vec<String>,
}

impl SseReader {
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseFrame> {
        self.pending.extend_from_slice(chunk);
        let mut frames = Vec::new();
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches('\n').trim_end_matches('\r');
            if line.is_empty() {
                if !self.data.is_empty() {
                    frames.push(SseFrame {
                        event: match std::mem::take(&mut self.event) {
                            e if e.is_empty() => "message".into(),
                            e => e,
                        },
                        data: std::mem::take(&mut self.data).join("\n"),
                    });
                }
                self.event.clear();
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => self.event = value.to_string(),
                "data" => self.data.push(value.to_string()),
                _ => {}
            }
        }
        frames
    }
}

#[cfg(live_client)]
pub(super) use live::{forget_kept, hub};
#[cfg(live_client)]
pub use live::{open, pair_with, paired, run};

#[cfg(live_client)]
mod live {
    use super::super::follow::{self, Local, StreamMessage};
    use super::super::local::SqliteFile;
    use super::super::outbox::Outbox;
    use super::super::{HubClient, LiveClinic};
    use super::{Pairing, SseReader};
    use crate::api_types::ApiFailure;
    use dioxus::prelude::*;
    use futures::{stream, Stream, StreamExt};
    use std::pin::Pin;
    use std::sync::{OnceLock, RwLock};

    struct App {
        store: SqliteFile,
        certificate: Option<Vec<u8>>,
        /// The paired hub, with the credential; `None` until paired.
        hub: RwLock<Option<HubClient>>,
    }

    static APP: OnceLock<App> = OnceLock::new();

    /// Opens the app on its local store (and the clinic's certificate for a hub in TLS mode):
    /// the hub it was paired with, if any, is the one its screens speak to
    /// ([`HubClient::same_origin`]). Once, before the screens start.
    pub fn open(store: SqliteFile, certificate: Option<Vec<u8>>) -> Result<(), String> {
        let hub = match store.pairing() {
            Some(pairing) => Some(super::paired_client(&pairing, certificate.as_deref())?),
            None => None,
        };
        let app = App {
            store,
            certificate,
            hub: RwLock::new(hub),
        };
        APP.set(app)
            .map_err(|_| "the app was opened twice".to_string())
    }

    /// Whether the app has a hub to speak to.
    pub fn paired() -> bool {
        hub().is_some()
    }

    /// Pairs the app from a pairing link and keeps the credential (forgetting the copy of the
    /// clinic from any earlier pairing).
    pub async fn pair_with(link: &str) -> Result<(), ApiFailure> {
        let app = APP.get().expect("native::open runs first");
        let failed = |message: String| ApiFailure::network(message);
        let http = super::http_client(app.certificate.as_deref(), None).map_err(failed)?;
        let pairing: Pairing = super::pair(link, http).await?;
        let hub = super::paired_client(&pairing, app.certificate.as_deref()).map_err(failed)?;
        app.store
            .keep_pairing(&pairing)
            .map_err(|e| ApiFailure::network(format!("the pairing could not be kept: {e}")))?;
        *app.hub.write().unwrap_or_else(|e| e.into_inner()) = Some(hub);
        Ok(())
    }

    pub(in crate::sync) fn hub() -> Option<HubClient> {
        let app = APP.get()?;
        app.hub.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(in crate::sync) async fn forget_kept() {
        if let Some(app) = APP.get() {
            super::super::local::LocalStore::wipe(&app.store).await;
        }
    }

    /// Runs for the app's lifetime, like the browser's live sync, over reqwest.
    pub async fn run(live: Signal<LiveClinic>, outbox: Signal<Outbox>) {
        let Some(app) = APP.get() else {
            tracing::error!("the app is not paired: nothing to follow");
            return;
        };
        let open = |after| events(HubClient::same_origin(), after);
        follow::run(live, outbox, Local(Some(&app.store)), open, || {}).await;
    }

    /// The hub's event stream after `after`: `Opened` once the hub answered, each message,
    /// then `Failed` when the connection drops (the stream then ends and is opened again).
    fn events(hub: HubClient, after: u64) -> Pin<Box<dyn Stream<Item = StreamMessage> + Send>> {
        let opened = async move { hub.event_stream(after).send().await };
        stream::once(opened)
            .flat_map(|answer| match answer {
                Ok(response) if response.status().is_success() => {
                    let mut reader = SseReader::default();
                    let messages = response.bytes_stream().flat_map(move |chunk| {
                        let messages: Vec<StreamMessage> = match chunk {
                            Ok(bytes) => reader
                                .push(&bytes)
                                .into_iter()
                                .filter_map(|frame| match frame.event.as_str() {
                                    "clinic" => Some(StreamMessage::Event(frame.data)),
                                    "heartbeat" => Some(StreamMessage::Heartbeat(frame.data)),
                                    "schedule_sync" => {
                                        Some(StreamMessage::ScheduleSync(frame.data))
                                    }
                                    _ => None,
                                })
                                .collect(),
                            Err(_) => vec![StreamMessage::Failed { closed: false }],
                        };
                        stream::iter(messages)
                    });
                    stream::once(async { StreamMessage::Opened })
                        .chain(messages)
                        .boxed()
                }
                // Refused (revoked, not enrolled): a snapshot says why.
                Ok(_) => stream::iter([StreamMessage::Failed { closed: true }]).boxed(),
                Err(_) => stream::iter([StreamMessage::Failed { closed: false }]).boxed(),
            })
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stream_cut_anywhere_reads_the_same() {
        let text = ": hello\nevent: clinic\nid: 7\ndata: {\"seq\":7}\n\nevent: heartbeat\r\ndata: {\"seq\":7,\"at\":\"é\"}\r\n\r\ndata: a\ndata: b\n\n";
        let whole = SseReader::default().push(text.as_bytes());
        let expected = vec![
            SseFrame {
                event: "clinic".into(),
                data: "{\"seq\":7}".into(),
            },
            SseFrame {
                event: "heartbeat".into(),
                data: "{\"seq\":7,\"at\":\"é\"}".into(),
            },
            SseFrame {
                event: "message".into(),
                data: "a\nb".into(),
            },
        ];
        assert_eq!(whole, expected);
        // Cut between every pair of bytes, even inside the two-byte 'é'.
        for cut in 1..text.len() {
            let mut reader = SseReader::default();
            let mut frames = reader.push(&text.as_bytes()[..cut]);
            frames.extend(reader.push(&text.as_bytes()[cut..]));
            assert_eq!(frames, expected, "cut at {cut}");
        }
    }

    #[test]
    fn pairing_links_are_read_and_anything_else_is_refused() {
        assert_eq!(
            split_pairing_link("http://10.0.0.5:8080/pair/AbC123"),
            Some(("http://10.0.0.5:8080".into(), "AbC123".into()))
        );
        assert_eq!(
            split_pairing_link("https://hub.clinic.local/pair/x/"),
            Some(("https://hub.clinic.local".into(), "x".into()))
        );
        for bad in [
            "",
            "10.0.0.5:8080/pair/abc",
            "ftp://hub/pair/abc",
            "http://hub/kiosk",
            "http://hub/pair/",
            "http:///pair/abc",
        ] {
            assert_eq!(split_pairing_link(bad), None, "{bad:?}");
        }
    }
}
