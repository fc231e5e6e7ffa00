//! The browser side of live sync: fetch the snapshot, then follow `/api/v1/events` with an
//! `EventSource`. The browser reconnects by itself after a network drop and sends
//! `Last-Event-ID`; when it gives up (the hub answered with an error, for example because the
//! device was revoked or the tablet locked), we ask for a new snapshot, which says why.

use super::{Access, Applied, Connection, HubClient, LiveClinic};
use crate::api_types::{ApiFailure, ErrorKind};
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
    Failed { closed: bool },
}

/// Runs for the page's lifetime, keeping `live` in step with the hub.
pub async fn follow_hub(mut live: Signal<LiveClinic>) {
    loop {
        if live.peek().access != Access::Open {
            // Waiting for someone to sign in on this tablet.
            gloo_timers::future::sleep(Duration::from_millis(300)).await;
            continue;
        }
        let hub = HubClient::same_origin();
        match resync(&hub, &mut live).await {
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
        stream_from(&mut live).await;
        gloo_timers::future::sleep(Duration::from_millis(500)).await;
    }
}

async fn resync(hub: &HubClient, live: &mut Signal<LiveClinic>) -> Result<(), ApiFailure> {
    let snapshot = hub.snapshot().await?;
    let session = hub.session().await.ok();
    let mut live = live.write();
    live.load_snapshot(snapshot, Utc::now());
    live.session = session;
    Ok(())
}

/// Follows one `EventSource` until the browser gives up on it, an event is missing, or the
/// screen lost its access.
async fn stream_from(live: &mut Signal<LiveClinic>) {
    let after = live.peek().seq;
    let Ok(source) = EventSource::new(&format!("/api/v1/events?after={after}")) else {
        return;
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
    while let Some(message) = messages.next().await {
        if live.peek().access != Access::Open {
            break;
        }
        match message {
            StreamMessage::Opened => live.write().connection = Connection::Live,
            StreamMessage::Event(data) => {
                let Ok(event) = serde_json::from_str::<SequencedEvent>(&data) else {
                    continue;
                };
                if live.write().apply(&event, Utc::now()) == Applied::Gap {
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
}
