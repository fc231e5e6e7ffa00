//! The browser side of live sync: fetch the snapshot, then follow `/api/v1/events` with an
//! `EventSource`. The browser reconnects by itself and sends `Last-Event-ID`; when it gives up
//! (the hub answered with an error), we open a new stream from the last seq we hold.

use super::{Applied, LiveClinic};
use crate::api_types::Snapshot;
use crate::domain::SequencedEvent;
use chrono::Utc;
use dioxus::prelude::*;
use futures::channel::mpsc;
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

enum StreamMessage {
    Opened,
    Event(String),
    Failed { closed: bool },
}

/// Runs for the page's lifetime, keeping `live` in step with the hub.
pub async fn follow_hub(mut live: Signal<LiveClinic>) {
    let mut needs_snapshot = true;
    loop {
        if needs_snapshot {
            if let Err(error) = resync(&mut live).await {
                tracing::warn!("snapshot failed: {error:?}");
                live.write().disconnected(Utc::now());
                gloo_timers::future::sleep(std::time::Duration::from_secs(2)).await;
                continue;
            }
        }
        // A closed stream resumes from the last seq held; only a gap needs a new snapshot.
        needs_snapshot = stream_from(&mut live).await == StreamEnd::Gap;
        gloo_timers::future::sleep(std::time::Duration::from_secs(1)).await;
    }
}

#[derive(PartialEq)]
enum StreamEnd {
    Gap,
    Closed,
}

async fn resync(live: &mut Signal<LiveClinic>) -> Result<(), JsValue> {
    let text = fetch_text("/api/v1/snapshot").await?;
    let snapshot: Snapshot = serde_json::from_str(&text).map_err(|e| JsValue::from_str(&e.to_string()))?;
    live.write().load_snapshot(snapshot, Utc::now());
    Ok(())
}

/// Follows one `EventSource` until the browser gives up on it or an event is missing.
async fn stream_from(live: &mut Signal<LiveClinic>) -> StreamEnd {
    let after = live.peek().seq;
    let Ok(source) = EventSource::new(&format!("/api/v1/events?after={after}")) else { return StreamEnd::Closed };
    let (sender, mut messages) = mpsc::unbounded::<StreamMessage>();
    let on_event = {
        let sender = sender.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            if let Some(data) = message.data().as_string() {
                let _ = sender.unbounded_send(StreamMessage::Event(data));
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
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let mut end = StreamEnd::Closed;
    while let Some(message) = messages.next().await {
        match message {
            StreamMessage::Opened => {
                let mut live = live.write();
                live.connection = super::Connection::Live;
            }
            StreamMessage::Event(data) => {
                let Ok(event) = serde_json::from_str::<SequencedEvent>(&data) else { continue };
                if live.write().apply(&event, Utc::now()) == Applied::Gap {
                    end = StreamEnd::Gap;
                    break;
                }
            }
            StreamMessage::Failed { closed } => {
                live.write().disconnected(Utc::now());
                if closed {
                    break;
                }
            }
        }
    }
    source.close();
    end
}

async fn fetch_text(url: &str) -> Result<String, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url)).await?.dyn_into()?;
    if !response.ok() {
        return Err(JsValue::from_str(&format!("HTTP {}", response.status())));
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text()?).await?;
    text.as_string().ok_or_else(|| JsValue::from_str("response is not text"))
}
