//! The browser side of live sync: fetch the snapshot, then follow `/api/v1/events` with an
//! `EventSource`. The browser reconnects by itself after a network drop and sends
//! `Last-Event-ID`; when it gives up (the hub answered with an error, for example because the
//! device was revoked or the tablet locked), we ask for a new snapshot, which says why. A
//! stream that stays silent for two heartbeats (a frozen hub, a half-open connection, which
//! the browser never reports) is closed and opened again from the last sequence number.

use super::local::{IndexedDb, Kept, LocalStore, EVENTS_BEFORE_NEW_SNAPSHOT};
use super::outbox::{Next, Outbox};
use super::{Access, Applied, Connection, HubClient, LiveClinic};
use crate::api_types::{ApiFailure, ErrorKind, Heartbeat};
use crate::domain::SequencedEvent;
use chrono::Utc;
use dioxus::prelude::*;
use futures::channel::mpsc;
use futures::StreamExt;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

enum StreamMessage {
    Opened,
    Event(String),
    Heartbeat(String),
    ScheduleSync(String),
    Failed { closed: bool },
}

/// Why following one stream ended: what to do before following the next.
enum Ended {
    /// Silent for too long: open a new stream from the last sequence number.
    Stalled,
    /// An event is missing, the hub refused the stream, or the screen lost its access: take a
    /// new snapshot (which also says why access was lost).
    NeedsSnapshot,
    /// The page opened on its kept copy: ask who this screen is, then follow the stream from
    /// the copy's sequence number (a snapshot only if the person or the device changed).
    Restored,
}

/// The page's local store, when the browser gives it one (it may not: a private window with
/// storage blocked), else the page works from memory alone.
#[derive(Clone)]
struct Local(Option<IndexedDb>);

impl Local {
    async fn keep_snapshot(&self, live: &LiveClinic) {
        if let (Some(store), Some(snapshot)) = (&self.0, live.to_keep(Utc::now())) {
            store.keep_snapshot(&snapshot).await;
        }
    }
}

/// Runs for the page's lifetime: opens the local store, shows what it kept, then keeps the
/// clinic in step with the hub and sends the outbox whenever the hub is reachable.
pub async fn run(mut live: Signal<LiveClinic>, mut outbox: Signal<Outbox>) {
    register_service_worker();
    let started = js_sys::Date::now();
    let local = Local(IndexedDb::open().await.ok());
    let mut ended = Ended::NeedsSnapshot;
    if let Some(store) = &local.0 {
        let kept = store.load().await;
        outbox.set(kept.outbox.clone());
        match LiveClinic::restored(&kept, Utc::now()) {
            Some(restored) => {
                live.set(restored);
                ended = Ended::Restored;
                // How long the kept copy took to come back (read by the browser tests).
                mark_body("restoredMs", js_sys::Date::now() - started);
            }
            // Another day's copy is not shown: forget it.
            None if kept != Kept::default() => store.wipe().await,
            None => {}
        }
    }
    futures::join!(
        follow_hub(live, outbox, local.clone(), ended),
        send_outbox(live, outbox, local)
    );
}

/// Silence longer than two heartbeats (and a second for the network) means the hub is gone.
const SILENCE: Duration = Duration::from_secs(2 * crate::api_types::HEARTBEAT_SECONDS + 1);

/// Installs the service worker that keeps the app shell for opening offline. Browsers allow
/// one only in a secure context: the hub's TLS mode, or `localhost`.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if !window.is_secure_context() {
        return;
    }
    let container = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("serviceWorker"))
        .ok()
        .filter(|c| !c.is_undefined());
    let Some(container) = container else {
        return;
    };
    let register = js_sys::Reflect::get(&container, &JsValue::from_str("register"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(register) = register {
        let _ = register.call1(&container, &JsValue::from_str("/sw.js"));
    }
}

fn mark_body(name: &str, value: f64) {
    let body = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body());
    if let Some(body) = body {
        let _ = body.dataset().set(name, &format!("{value:.0}"));
    }
}

/// Keeps `live` in step with the hub, and the local store with `live`.
async fn follow_hub(
    mut live: Signal<LiveClinic>,
    mut outbox: Signal<Outbox>,
    local: Local,
    mut ended: Ended,
) {
    let mut wiped = false;
    loop {
        if live.peek().access != Access::Open {
            // Locked, signed out, revoked: nothing of the clinic stays on the device.
            if !wiped {
                if let Some(store) = &local.0 {
                    store.wipe().await;
                }
                outbox.set(Outbox::default());
                wiped = true;
            }
            // Waiting for someone to sign in on this tablet.
            gloo_timers::future::sleep(Duration::from_millis(300)).await;
            ended = Ended::NeedsSnapshot;
            continue;
        }
        wiped = false;
        if let Ended::Restored = ended {
            let kept_session = live.peek().session.clone();
            match HubClient::same_origin().session().await {
                Ok(session) if Some(&session) == kept_session.as_ref() => {}
                Ok(_) => ended = Ended::NeedsSnapshot,
                Err(_) => {
                    gloo_timers::future::sleep(Duration::from_secs(2)).await;
                    continue;
                }
            }
        }
        if let Ended::NeedsSnapshot = ended {
            let hub = HubClient::same_origin();
            match resync(&hub, &mut live, &local).await {
                Ok(()) => {}
                Err(ApiFailure {
                    kind: kind @ (ErrorKind::SignInRequired | ErrorKind::NotEnrolled),
                    ..
                }) => {
                    let clinic = hub.clinic().await.ok();
                    let mut live = live.write();
                    live.deny(if kind == ErrorKind::SignInRequired {
                        Access::SignInRequired
                    } else {
                        Access::NotEnrolled
                    });
                    live.clinic = clinic;
                    continue;
                }
                Err(_) => {
                    live.write().disconnected(Utc::now());
                    gloo_timers::future::sleep(Duration::from_secs(2)).await;
                    continue;
                }
            }
        }
        ended = stream_from(&mut live, &local).await;
        gloo_timers::future::sleep(Duration::from_millis(500)).await;
    }
}

async fn resync(
    hub: &HubClient,
    live: &mut Signal<LiveClinic>,
    local: &Local,
) -> Result<(), ApiFailure> {
    let snapshot = hub.snapshot().await?;
    let session = hub.session().await.ok();
    {
        let mut live = live.write();
        live.load_snapshot(snapshot, Utc::now());
        live.session = session;
    }
    local.keep_snapshot(&live.peek()).await;
    Ok(())
}

/// Sends the outbox's steps, oldest first, whenever the hub is live and their person is the
/// one signed in; keeps the outbox in the local store whenever it changes.
async fn send_outbox(live: Signal<LiveClinic>, mut outbox: Signal<Outbox>, local: Local) {
    let mut kept = Outbox::default();
    loop {
        gloo_timers::future::sleep(Duration::from_millis(100)).await;
        let current = outbox.peek().clone();
        if current != kept {
            if let Some(store) = &local.0 {
                store.keep_outbox(&current).await;
            }
            kept = current;
        }
        let me = {
            let live = live.peek();
            let live_now =
                matches!(live.connection, Connection::Live) && live.access == Access::Open;
            live.me().cloned().filter(|_| live_now)
        };
        let Some(me) = me else { continue };
        let step = match outbox.peek().next(&me, Utc::now()) {
            Next::Send(step) => step.clone(),
            Next::Ask(_) | Next::Nothing => continue,
        };
        match HubClient::same_origin()
            .command_once(&step.command, &step.key)
            .await
        {
            Ok(_) => outbox.write().sent(&step.key),
            Err(failure) if failure.kind == ErrorKind::Network => {
                gloo_timers::future::sleep(Duration::from_secs(2)).await;
            }
            Err(failure) => outbox.write().refused(&step.key, failure.message),
        }
    }
}

/// Follows one `EventSource` until the browser gives up on it, it falls silent, an event is
/// missing, or the screen lost its access. Folded events go to the local store too.
async fn stream_from(live: &mut Signal<LiveClinic>, local: &Local) -> Ended {
    let after = live.peek().seq;
    let mut kept_since_snapshot = 0;
    let Ok(source) = EventSource::new(&format!("/api/v1/events?after={after}")) else {
        return Ended::NeedsSnapshot;
    };
    let (sender, mut messages) = mpsc::unbounded::<StreamMessage>();
    let on_event = {
        let sender = sender.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            if let Some(data) = message.data().as_string() {
                let _ = sender.unbounded_send(StreamMessage::Event(data));
            }
        })
    };
    let on_heartbeat = {
        let sender = sender.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            let data = message.data().as_string().unwrap_or_default();
            let _ = sender.unbounded_send(StreamMessage::Heartbeat(data));
        })
    };
    let on_sync = {
        let sender = sender.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            if let Some(data) = message.data().as_string() {
                let _ = sender.unbounded_send(StreamMessage::ScheduleSync(data));
            }
        })
    };
    let on_open = {
        let sender = sender.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let _ = sender.unbounded_send(StreamMessage::Opened);
        })
    };
    let on_error = {
        let source = source.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let closed = source.ready_state() == EventSource::CLOSED;
            let _ = sender.unbounded_send(StreamMessage::Failed { closed });
        })
    };
    let _ = source.add_event_listener_with_callback("clinic", on_event.as_ref().unchecked_ref());
    let _ =
        source.add_event_listener_with_callback("heartbeat", on_heartbeat.as_ref().unchecked_ref());
    let _ =
        source.add_event_listener_with_callback("schedule_sync", on_sync.as_ref().unchecked_ref());
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let ended = loop {
        let silence = gloo_timers::future::sleep(SILENCE);
        let message = match futures::future::select(messages.next(), silence).await {
            futures::future::Either::Left((Some(message), _)) => message,
            futures::future::Either::Left((None, _)) => break Ended::NeedsSnapshot,
            futures::future::Either::Right(_) => {
                live.write().disconnected(Utc::now());
                break Ended::Stalled;
            }
        };
        if live.peek().access != Access::Open {
            break Ended::NeedsSnapshot;
        }
        match message {
            StreamMessage::Opened => live.write().heard_from_hub(Utc::now()),
            StreamMessage::Heartbeat(data) => {
                // A hub behind this screen's copy (restored from a backup) cannot continue it.
                let hub_seq = serde_json::from_str::<Heartbeat>(&data).map(|h| h.seq);
                if hub_seq.is_ok_and(|seq| seq < live.peek().seq) {
                    break Ended::NeedsSnapshot;
                }
                live.write().heard_from_hub(Utc::now());
                if let Some(store) = &local.0 {
                    store.keep_contact(Utc::now()).await;
                }
            }
            StreamMessage::ScheduleSync(data) => {
                if let Ok(standing) = serde_json::from_str(&data) {
                    let mut live = live.write();
                    live.schedule_sync = Some(standing);
                    live.heard_from_hub(Utc::now());
                }
            }
            StreamMessage::Event(data) => {
                let Ok(event) = serde_json::from_str::<SequencedEvent>(&data) else {
                    continue;
                };
                match live.write().apply(&event, Utc::now()) {
                    Applied::Gap => break Ended::NeedsSnapshot,
                    Applied::Duplicate => continue,
                    Applied::Folded => {}
                }
                kept_since_snapshot += 1;
                if kept_since_snapshot >= EVENTS_BEFORE_NEW_SNAPSHOT {
                    local.keep_snapshot(&live.peek()).await;
                    kept_since_snapshot = 0;
                } else if let Some(store) = &local.0 {
                    store.keep_events(std::slice::from_ref(&event)).await;
                }
            }
            StreamMessage::Failed { closed } => {
                live.write().disconnected(Utc::now());
                if closed {
                    break Ended::NeedsSnapshot;
                }
            }
        }
    };
    source.close();
    ended
}

/// Follows one patient's live page (`/api/v1/status/<token>/live`) for the page's lifetime:
/// `status` holds the latest answer, `online` whether the stream is heard from; a stream silent
/// for two heartbeats is opened again.
pub async fn follow_status(
    token: String,
    mut status: Signal<Option<crate::domain::PatientStatus>>,
    mut online: Signal<bool>,
) {
    loop {
        let url = format!("/api/v1/status/{}/live", super::client::segment(&token));
        let Ok(source) = EventSource::new(&url) else {
            return;
        };
        let (sender, mut messages) = mpsc::unbounded::<Option<String>>();
        let on_status = {
            let sender = sender.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
                let _ = sender.unbounded_send(message.data().as_string());
            })
        };
        let on_heartbeat = {
            let sender = sender.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
                let _ = sender.unbounded_send(None);
            })
        };
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {});
        let _ =
            source.add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref());
        let _ = source
            .add_event_listener_with_callback("heartbeat", on_heartbeat.as_ref().unchecked_ref());
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        loop {
            let silence = gloo_timers::future::sleep(SILENCE);
            match futures::future::select(messages.next(), silence).await {
                futures::future::Either::Left((Some(message), _)) => {
                    online.set(true);
                    if let Some(parsed) = message.and_then(|data| serde_json::from_str(&data).ok())
                    {
                        status.set(Some(parsed));
                    }
                }
                _ => {
                    online.set(false);
                    break;
                }
            }
        }
        source.close();
        gloo_timers::future::sleep(Duration::from_millis(500)).await;
    }
}
