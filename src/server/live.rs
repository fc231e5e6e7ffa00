//! The live event stream: `GET /api/v1/events`, Server-Sent Events with `id: <seq>`. A client
//! resumes with `Last-Event-ID` (browsers send it by themselves on reconnect) or `?after=<seq>`
//! and gets exactly the events it missed, then every new one, in order, never twice. After
//! [`HEARTBEAT_SECONDS`] without an event the stream sends a `heartbeat` event, so a screen can
//! tell a quiet clinic from a frozen hub or a half-open connection. Staff screens and boards also
//! get a `schedule_sync` event whenever the EHR pull's standing changes.

use super::auth::Caller;
use super::error::{ApiError, Params};
use super::hub::Hub;
use super::AppState;
use crate::api_types::{Heartbeat, ScheduleSync, HEARTBEAT_SECONDS};
use crate::domain::SequencedEvent;
use crate::domain::{Action, Visibility};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use futures::Stream;
use futures::StreamExt;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use tokio::sync::watch;

/// Heartbeats also keep proxies and Wi-Fi power saving from dropping an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(HEARTBEAT_SECONDS);

/// What the stream sends: a clinic event, or word that the hub is alive.
enum Item {
    Clinic(Arc<SequencedEvent>),
    Heartbeat,
    ScheduleSync(ScheduleSync),
}

#[derive(serde::Deserialize)]
pub struct Resume {
    after: Option<u64>,
}

pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Params(resume): Params<Resume>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller.require(Action::ReadClinic)?;
    // Reading the clinic needs an enrolled device, so every stream has one to count against.
    // Integration clients (full access, server to server, often several feeds) are not capped.
    let slot = match caller.device.as_ref() {
        Some(device) if device.role != crate::domain::DeviceRole::Integration => {
            let limit = state.hub.config().security.streams_per_device as usize;
            let slot = state.streams.take(&device.id, limit);
            Some(slot.ok_or(ApiError::TooManyStreams)?)
        }
        _ => None,
    };
    let hub = state.hub.clone();
    let visibility = caller.visibility(&hub);
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // A browser's own reconnect carries Last-Event-ID, which is newer than the ?after= the
    // page first connected with.
    let resuming = last_event_id.or(resume.after);
    let after = resuming.unwrap_or_else(|| hub.seq());
    let idle = super::auth::idle_limit(&hub);
    let revoked = async move {
        while state.access.still_valid(&caller, idle) {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };
    // The stream ends within a second of the device being revoked or the session ending, and
    // at once when the hub shuts down.
    let closed = hub.closed();
    let sync = (visibility != Visibility::TicketOnly).then(|| {
        // A screen following on from a sequence number (its kept copy, with no snapshot) hears
        // the standing first.
        let mut receiver = hub.watch_schedule_sync();
        if resuming.is_some() && receiver.borrow().is_some() {
            receiver.mark_changed();
        }
        receiver
    });
    let stream = with_heartbeats(follow(hub.clone(), after), sync)
        .take_until(Box::pin(revoked))
        .take_until(Box::pin(closed))
        .map(move |item| {
            let _held = &slot;
            Ok(sse(item, &hub, visibility))
        });
    Ok(Sse::new(stream))
}

/// The clinic's events, with a heartbeat after every [`HEARTBEAT`] of silence and the EHR
/// pull's standing whenever it changes (when `sync` is given); ends when the events end.
fn with_heartbeats(
    events: impl Stream<Item = Arc<SequencedEvent>> + Send + 'static,
    sync: Option<watch::Receiver<Option<ScheduleSync>>>,
) -> impl Stream<Item = Item> {
    futures::stream::unfold(
        (Box::pin(events), sync),
        |(mut events, mut sync)| async move {
            let changed = async {
                match sync.as_mut() {
                    Some(receiver) => match receiver.changed().await {
                        Ok(()) => receiver.borrow_and_update().clone(),
                        // The hub is closing: the events end too.
                        Err(_) => std::future::pending().await,
                    },
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                event = events.next() => event.map(|event| (Item::Clinic(event), (events, sync))),
                Some(standing) = changed => Some((Item::ScheduleSync(standing), (events, sync))),
                () = tokio::time::sleep(HEARTBEAT) => Some((Item::Heartbeat, (events, sync))),
            }
        },
    )
}

/// One Server-Sent Event: `clinic` (redacted for this reader, `id:` its sequence number) or
/// `heartbeat`.
fn sse(item: Item, hub: &Hub, visibility: Visibility) -> Event {
    match item {
        Item::Clinic(event) => {
            let event = SequencedEvent {
                seq: event.seq,
                event: event.event.redacted(visibility),
            };
            let data = serde_json::to_string(&event).expect("events serialize");
            Event::default()
                .id(event.seq.to_string())
                .event("clinic")
                .data(data)
        }
        Item::Heartbeat => {
            let beat = Heartbeat {
                seq: hub.seq(),
                server_time: hub.clock().utc(),
            };
            let data = serde_json::to_string(&beat).expect("heartbeats serialize");
            Event::default().event("heartbeat").data(data)
        }
        Item::ScheduleSync(standing) => {
            let data = serde_json::to_string(&standing).expect("schedule sync serializes");
            Event::default().event("schedule_sync").data(data)
        }
    }
}

/// Every event after `after`, in order and without gaps: back-filled from the hub's memory or
/// the database, then followed live. Subscribing before back-filling closes the race in which
/// an event is committed between the two.
pub fn follow(hub: Hub, after: u64) -> impl Stream<Item = Arc<SequencedEvent>> {
    let receiver = hub.subscribe();
    futures::stream::unfold(
        (hub, receiver, after, VecDeque::new()),
        |(hub, mut receiver, mut last, mut pending)| async move {
            loop {
                if let Some(event) = pending.pop_front() {
                    let event: Arc<SequencedEvent> = event;
                    if event.seq <= last {
                        continue;
                    }
                    last = event.seq;
                    return Some((event, (hub, receiver, last, pending)));
                }
                if hub.seq() > last {
                    match hub.events_after(last).await {
                        Ok(events) if !events.is_empty() => {
                            pending.extend(events);
                            continue;
                        }
                        Ok(_) => {}
                        Err(error) => {
                            tracing::error!(%error, "event back-fill failed; closing the stream so the client reconnects");
                            return None;
                        }
                    }
                }
                match next_live(&mut receiver).await? {
                    Some(event) if event.seq == last + 1 => pending.push_back(event),
                    // Older: already sent. Newer with a gap: the back-fill above fetches the gap.
                    Some(_) | None => {}
                }
            }
        },
    )
}

/// The next broadcast event; `Some(None)` after falling behind (the caller back-fills),
/// `None` when the hub is gone.
async fn next_live(
    receiver: &mut Receiver<Arc<SequencedEvent>>,
) -> Option<Option<Arc<SequencedEvent>>> {
    match receiver.recv().await {
        Ok(event) => Some(Some(event)),
        Err(RecvError::Lagged(_)) => Some(None),
        Err(RecvError::Closed) => None,
    }
}
