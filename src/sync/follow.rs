//! Following the hub, the same on every live screen: take a snapshot (or show the kept copy),
//! then fold the event stream, keep the local store in step and send the outbox. The platform
//! gives the stream (the browser's `EventSource`, reqwest natively) and the store (IndexedDB, a
//! SQLite file). A stream that stays silent for two heartbeats (a frozen hub, a half-open
//! connection, which neither platform reports) is closed and opened again from the last
//! sequence number.

use super::local::{Kept, LocalStore, EVENTS_BEFORE_NEW_SNAPSHOT};
use super::outbox::{Next, Outbox};
use super::{pause, Access, Applied, Connection, HubClient, LiveClinic};
use crate::api_types::{ApiFailure, ErrorKind, Heartbeat};
use crate::domain::SequencedEvent;
use chrono::Utc;
use dioxus::core::ReactiveContext;
use dioxus::prelude::*;
use futures::{Stream, StreamExt};
use std::time::Duration;

/// What an open event stream delivers.
pub(super) enum StreamMessage {
    Opened,
    Event(String),
    Heartbeat(String),
    ScheduleSync(String),
    /// The connection failed; `closed`: for good (the hub refused the stream), else it may
    /// come back by itself.
    Failed {
        closed: bool,
    },
}

/// Why following one stream ended: what to do before following the next.
enum Ended {
    /// Silent for too long, or the connection dropped: open a new stream from the last
    /// sequence number.
    Stalled,
    /// An event is missing, the hub refused the stream, or the screen lost its access: take a
    /// new snapshot (which also says why access was lost).
    NeedsSnapshot,
    /// The screen opened on its kept copy: ask who this screen is, then follow the stream from
    /// the copy's sequence number (a snapshot only if the person or the device changed).
    Restored,
}

/// Silence longer than two heartbeats (and a second for the network) means the hub is gone.
pub(super) const SILENCE: Duration =
    Duration::from_secs(2 * crate::api_types::HEARTBEAT_SECONDS + 1);

/// The screen's local store, when the platform gives it one (a browser may not: a private
/// window with storage blocked); else the screen works from memory alone.
pub(super) struct Local<'a, S>(pub Option<&'a S>);

impl<S> Clone for Local<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Local<'_, S> {}

impl<S: LocalStore> Local<'_, S> {
    async fn keep_snapshot(self, live: &LiveClinic) {
        if let (Some(store), Some(snapshot)) = (self.0, live.to_keep(Utc::now())) {
            store.keep_snapshot(&snapshot).await;
        }
    }
}

/// Runs for the screen's lifetime: shows what the store kept (`restored` is told when it did),
/// then keeps the clinic in step with the hub, whose events `open` streams from a sequence
/// number, and sends the outbox whenever the hub is reachable.
pub(super) async fn run<S, E>(
    mut live: Signal<LiveClinic>,
    mut outbox: Signal<Outbox>,
    local: Local<'_, S>,
    open: impl Fn(u64) -> E,
    restored: impl FnOnce(),
) where
    S: LocalStore,
    E: Stream<Item = StreamMessage> + Unpin,
{
    let mut ended = Ended::NeedsSnapshot;
    if let Some(store) = local.0 {
        let kept = store.load().await;
        outbox.set(kept.outbox.clone());
        match LiveClinic::restored(&kept, Utc::now()) {
            Some(copy) => {
                live.set(copy);
                ended = Ended::Restored;
                restored();
            }
            // Another day's copy is not shown: forget it.
            None if kept != Kept::default() => store.wipe().await,
            None => {}
        }
    }
    futures::join!(
        follow_hub(live, outbox, local, open, ended),
        send_outbox(live, outbox, local)
    );
}

/// Keeps `live` in step with the hub, and the local store with `live`.
async fn follow_hub<S: LocalStore, E: Stream<Item = StreamMessage> + Unpin>(
    mut live: Signal<LiveClinic>,
    mut outbox: Signal<Outbox>,
    local: Local<'_, S>,
    open: impl Fn(u64) -> E,
    mut ended: Ended,
) {
    let mut wiped = false;
    loop {
        if live.peek().access != Access::Open {
            // Locked, signed out, revoked: nothing of the clinic stays on the device.
            if !wiped {
                if let Some(store) = local.0 {
                    store.wipe().await;
                }
                outbox.set(Outbox::default());
                wiped = true;
            }
            // Waiting for someone to sign in on this tablet.
            pause(Duration::from_millis(300)).await;
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
                    pause(Duration::from_secs(2)).await;
                    continue;
                }
            }
        }
        if let Ended::NeedsSnapshot = ended {
            let hub = HubClient::same_origin();
            match resync(&hub, &mut live, local).await {
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
                    pause(Duration::from_secs(2)).await;
                    continue;
                }
            }
        }
        let events = open(live.peek().seq);
        ended = stream_from(events, &mut live, local).await;
        pause(Duration::from_millis(500)).await;
    }
}

async fn resync<S: LocalStore>(
    hub: &HubClient,
    live: &mut Signal<LiveClinic>,
    local: Local<'_, S>,
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
/// one signed in; keeps the outbox in the local store whenever it changes. With no step
/// waiting and the store up to date it sleeps until the outbox changes (a board that never
/// keeps a step wakes for nothing).
async fn send_outbox<S: LocalStore>(
    live: Signal<LiveClinic>,
    mut outbox: Signal<Outbox>,
    local: Local<'_, S>,
) {
    let mut kept = Outbox::default();
    let (watch, mut changed) = ReactiveContext::new();
    loop {
        let settled = watch.reset_and_run_in(|| {
            let outbox = outbox.read();
            outbox.waiting.is_empty() && *outbox == kept
        });
        if settled {
            changed.next().await;
        }
        pause(Duration::from_millis(100)).await;
        let current = outbox.peek().clone();
        if current != kept {
            if let Some(store) = local.0 {
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
                pause(Duration::from_secs(2)).await;
            }
            Err(failure) => outbox.write().refused(&step.key, failure.message),
        }
    }
}

/// Follows one stream until it ends, falls silent, an event is missing, or the screen lost its
/// access. Folded events go to the local store too.
async fn stream_from<S: LocalStore>(
    mut events: impl Stream<Item = StreamMessage> + Unpin,
    live: &mut Signal<LiveClinic>,
    local: Local<'_, S>,
) -> Ended {
    let mut kept_since_snapshot = 0;
    loop {
        let silence = pause(SILENCE);
        futures::pin_mut!(silence);
        let message = match futures::future::select(events.next(), silence).await {
            futures::future::Either::Left((Some(message), _)) => message,
            futures::future::Either::Left((None, _)) | futures::future::Either::Right(_) => {
                live.write().disconnected(Utc::now());
                return Ended::Stalled;
            }
        };
        if live.peek().access != Access::Open {
            return Ended::NeedsSnapshot;
        }
        match message {
            StreamMessage::Opened => live.write().heard_from_hub(Utc::now()),
            StreamMessage::Heartbeat(data) => {
                // A hub behind this screen's copy (restored from a backup) cannot continue it.
                let hub_seq = serde_json::from_str::<Heartbeat>(&data).map(|h| h.seq);
                if hub_seq.is_ok_and(|seq| seq < live.peek().seq) {
                    return Ended::NeedsSnapshot;
                }
                let now = Utc::now();
                let quiet = {
                    let live = live.peek();
                    let closed = live.clinic.as_ref().is_some_and(|clinic| {
                        let today = clinic.today(now);
                        live.holds_closed_days(today, clinic.start_of(today))
                    });
                    matches!(live.connection, Connection::Live) && !closed
                };
                if quiet {
                    // Nothing a live screen shows changes: note the contact without rendering
                    // every part of the screen again (every five seconds, on a whole board);
                    // what shows the contact's age renders on its own clock.
                    #[allow(deprecated)]
                    live.write_silent().heard_from_hub(now);
                } else {
                    let mut live = live.write();
                    live.heard_from_hub(now);
                    if let Some(clinic) = live.clinic.clone() {
                        let today = clinic.today(now);
                        live.forget_closed_days(today, clinic.start_of(today));
                    }
                }
                if let Some(store) = local.0 {
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
                    Applied::Gap | Applied::NotHeld => return Ended::NeedsSnapshot,
                    Applied::Duplicate => continue,
                    Applied::Folded => {}
                }
                // The screen shows the event first: keeping it (a store transaction) waits for
                // the next turn of the screen's event loop.
                pause(Duration::ZERO).await;
                kept_since_snapshot += 1;
                if kept_since_snapshot >= EVENTS_BEFORE_NEW_SNAPSHOT {
                    local.keep_snapshot(&live.peek()).await;
                    kept_since_snapshot = 0;
                } else if let Some(store) = local.0 {
                    store.keep_events(std::slice::from_ref(&event)).await;
                }
            }
            StreamMessage::Failed { closed } => {
                live.write().disconnected(Utc::now());
                if closed {
                    return Ended::NeedsSnapshot;
                }
            }
        }
    }
}
