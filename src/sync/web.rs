//! The browser side of live sync: fetch the snapshot, then follow `/api/v1/events` with an
//! `EventSource`. The browser reconnects by itself after a network drop and sends
//! `Last-Event-ID`; when it gives up (the hub answered with an error, for example because the
//! device was revoked or the tablet locked), we ask for a new snapshot, which says why. A
//! stream that stays silent for two heartbeats (a frozen hub, a half-open connection, which
//! the browser never reports) is closed and opened again from the last sequence number.

use super::{Access, Applied, HubClient, LiveClinic};
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
    Heartbeat,
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
}

/// Silence longer than two heartbeats (and a second for the network) means the hub is gone.
const SILENCE: Duration = Duration::from_secs(2 * crate::api_types::HEARTBEAT_SECONDS + 1);

/// Runs for the page's lifetime, keeping `live` in step with the hub.
pub async fn follow_hub(mut live: Signal<LiveClinic>) {
    let mut ended = Ended::NeedsSnapshot;
    loop {
        if live.peek().access != Access::Open {
            // Waiting for someone to sign in on this tablet.
            gloo_timers::future::sleep(Duration::from_millis(300)).await;
            ended = Ended::NeedsSnapshot;
            continue;
        }
        if let Ended::NeedsSnapshot = ended {
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
        }
        ended = stream_from(&mut live).await;
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

/// Follows one `EventSource` until the browser gives up on it, it falls silent, an event is
/// missing, or the screen lost its access.
async fn stream_from(live: &mut Signal<LiveClinic>) -> Ended {
    let after = live.peek().seq;
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
        Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
            let _ = sender.unbounded_send(StreamMessage::Heartbeat);
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
            StreamMessage::Opened | StreamMessage::Heartbeat => {
                live.write().heard_from_hub(Utc::now())
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
                if live.write().apply(&event, Utc::now()) == Applied::Gap {
                    break Ended::NeedsSnapshot;
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
