//! The browser side of live sync: the hub's event stream as an `EventSource`, the local store
//! in IndexedDB ([`follow`](super::follow) does the rest), the service worker, and one
//! patient's own live page.

use super::follow::{self, Local, StreamMessage, SILENCE};
use super::local::IndexedDb;
use super::outbox::Outbox;
use super::LiveClinic;
use dioxus::prelude::*;
use futures::channel::mpsc;
use futures::{Stream, StreamExt};
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// Runs for the page's lifetime: opens the local store, shows what it kept, then keeps the
/// clinic in step with the hub and sends the outbox whenever the hub is reachable.
pub async fn run(live: Signal<LiveClinic>, outbox: Signal<Outbox>) {
    register_service_worker();
    let started = js_sys::Date::now();
    let store = IndexedDb::open().await.ok();
    // How long the kept copy took to come back (read by the browser tests).
    let restored = move || mark_body("restoredMs", js_sys::Date::now() - started);
    follow::run(live, outbox, Local(store.as_ref()), event_source, restored).await;
}

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

/// The hub's event stream after `after`, as an `EventSource` (which reconnects by itself after
/// a network drop, sending `Last-Event-ID`); closed when dropped.
struct EventStream {
    source: Option<EventSource>,
    messages: mpsc::UnboundedReceiver<StreamMessage>,
    _listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

fn event_source(after: u64) -> EventStream {
    let (sender, messages) = mpsc::unbounded::<StreamMessage>();
    let Ok(source) = EventSource::new(&format!("/api/v1/events?after={after}")) else {
        // Only a malformed address fails here: the stream ends at once and is tried again.
        return EventStream {
            source: None,
            messages,
            _listeners: Vec::new(),
        };
    };
    let data = |event: &web_sys::Event| {
        event
            .dyn_ref::<MessageEvent>()
            .and_then(|message| message.data().as_string())
    };
    let mut listeners = Vec::new();
    for (name, make) in [
        (
            "clinic",
            StreamMessage::Event as fn(String) -> StreamMessage,
        ),
        ("heartbeat", StreamMessage::Heartbeat),
        ("schedule_sync", StreamMessage::ScheduleSync),
    ] {
        let sender = sender.clone();
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let _ = sender.unbounded_send(make(data(&event).unwrap_or_default()));
        });
        let _ = source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        listeners.push(listener);
    }
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
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    listeners.extend([on_open, on_error]);
    EventStream {
        source: Some(source),
        messages,
        _listeners: listeners,
    }
}

impl Stream for EventStream {
    type Item = StreamMessage;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<StreamMessage>> {
        self.messages.poll_next_unpin(cx)
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        if let Some(source) = &self.source {
            source.close();
        }
    }
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
