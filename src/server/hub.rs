//! The hub: the in-memory clinic state, the single writer that turns commands into durable
//! events (group commit), and the broadcast every live screen listens to.
//!
//! One writer at a time: it makes sequence numbers gap-free, and a rusqlite `Connection` is
//! never held across `.await`. A command that finds nobody writing is decided and committed on
//! its caller's thread: handing it to another thread and the answer back cost two thread
//! wake-ups, which on a 2-core VM were a sixth of a single client's check-in (six runs side
//! by side: 0.45× the raw commit rate with the hand-over, 0.53× without). Commands that arrive
//! while a commit is on disk queue, and the writer thread decides them together and commits
//! them in the next single transaction (group commit: `synchronous=FULL` costs one fsync per
//! transaction); each is acknowledged only after that commit returns.

use super::clock::ClinicClock;
use crate::api_types::ScheduleSync;
use crate::config::ClinicConfig;
use crate::domain::{self, ClinicState, Command, DomainError, SequencedEvent};
use crate::store::{Actor, Anchors, AuditEntry, Batch, KeptStep, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use tokio::sync::{broadcast, oneshot};

/// How many recent events stay in memory for reconnecting screens; older ones come from disk.
const RECENT_EVENTS: usize = 20_000;
/// The most commands decided and committed in one transaction.
const MAX_BATCH: usize = 512;
/// How often committed pages are copied from the WAL into the database file, off the writer.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Why the hub did not carry out a command.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The clinic's rules refused it; nothing changed (HTTP 404/409/422, message shown).
    #[error(transparent)]
    Refused(#[from] DomainError),
    /// The database refused the commit (disk full, read-only); nothing changed (HTTP 503).
    #[error("the hub could not save this change; nothing was changed")]
    NotSaved,
    /// The hub is shutting down (HTTP 503).
    #[error("the hub is shutting down")]
    ShuttingDown,
    /// The step's `Idempotency-Key` was used before by this device for another request
    /// (HTTP 422); nothing changed.
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
}

/// A step that may be sent again (after a lost answer, a timeout or a hub crash) and must take
/// effect once: the device that sent it, its `Idempotency-Key`, and a hash of the request.
#[derive(Debug, Clone, PartialEq)]
pub struct StepKey {
    pub device: String,
    pub key: String,
    pub fingerprint: String,
}

/// What an accepted command produced (kept as JSON for a keyed step).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    /// The sequence number the clinic is at after this command's commit.
    pub seq: u64,
    /// The command's events; empty when it was already done (e.g. checking in twice).
    pub events: Vec<SequencedEvent>,
}

enum Job {
    Command(Box<CommandJob>),
    /// Several commands that take effect together or not at all (a schedule import).
    Together(Box<TogetherJob>),
    /// Runs on the writer thread between batches: account, device and audit writes, so the
    /// hub keeps a single writer.
    Store(Box<dyn FnOnce(&mut Store) + Send>),
}

struct CommandJob {
    command: Command,
    actor: Actor,
    /// Only the demo seeder sets this, to lay down a realistic past; screens never can.
    at: Option<DateTime<Utc>>,
    /// Set for a step that may be retried: a repeat is answered with the kept receipt.
    key: Option<StepKey>,
    reply: oneshot::Sender<Result<Receipt, HubError>>,
}

struct TogetherJob {
    commands: Vec<Command>,
    actor: Actor,
    reply: oneshot::Sender<Result<Together, HubError>>,
}

/// What a set of commands sent together came to.
#[derive(Debug)]
pub enum Together {
    /// All of them were committed, in one transaction.
    Committed(Receipt),
    /// The command at this index was refused, so none of them took effect.
    Refused(usize, DomainError),
}

/// Who holds the writer, and the commands waiting for it.
struct Queue {
    jobs: VecDeque<Job>,
    writer: Holder,
}

#[derive(Clone, Copy, PartialEq)]
enum Holder {
    /// Nobody is writing; the queue is empty.
    Idle,
    /// A caller is carrying out its own command on its own thread.
    Caller,
    /// The writer thread is working through the queue.
    Thread,
    /// The writer panicked (its state could not be reloaded after a failed commit, or a bug):
    /// every command is refused.
    Stopped,
}

struct Shared {
    state: ClinicState,
    seq: u64,
    recent: VecDeque<Arc<SequencedEvent>>,
}

struct Inner {
    config: ClinicConfig,
    clock: ClinicClock,
    db_path: PathBuf,
    /// Set once by `close`: live streams and the HTTP server end, the writer stops.
    closing: tokio::sync::watch::Sender<bool>,
    /// Dropped by `close` to end the checkpoint thread at once.
    checkpoint_stop: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    /// The writer and checkpoint threads, joined by `close`.
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    shared: RwLock<Shared>,
    live: broadcast::Sender<Arc<SequencedEvent>>,
    queue: Mutex<Queue>,
    /// Wakes the writer thread when the queue is handed to it.
    handed_over: Condvar,
    writer: Mutex<Writer>,
    /// Checkpoints of the audit chain outside the database, and the row last anchored.
    anchors: Anchors,
    anchored: Mutex<Option<i64>>,
    /// The EHR pull's standing (`None` when the clinic pulls nothing), watched by live streams.
    schedule_sync: tokio::sync::watch::Sender<Option<ScheduleSync>>,
}

/// A cheap, cloneable handle to the running hub.
#[derive(Clone)]
pub struct Hub(Arc<Inner>);

impl Hub {
    /// Opens the database, rebuilds the state from it and starts the writer thread.
    pub fn open(
        db_path: &Path,
        config: ClinicConfig,
        clock: ClinicClock,
    ) -> Result<Hub, StoreError> {
        let mut store = Store::open(db_path)?;
        store.leave_checkpoints_to_background()?;
        store.forget_steps_before(clock.utc() - super::steps::KEPT_FOR)?;
        let checkpoints = Store::open_for_checkpoints(db_path)?;
        let today = clock.now().clinic_day;
        let (mut state, seq) = store.load_open(today)?;
        state.turnover = config.turnover_rules();
        let anchors = Anchors::open_or_create(db_path)?;
        let anchored = Mutex::new(anchors.last()?.map(|anchor| anchor.row));
        let (live, _) = broadcast::channel(4096);
        let shared = Shared {
            state: state.clone(),
            seq,
            recent: VecDeque::new(),
        };
        let (checkpoint_stop, stopped) = std::sync::mpsc::channel::<()>();
        let hub = Hub(Arc::new(Inner {
            config,
            clock,
            db_path: db_path.to_path_buf(),
            closing: tokio::sync::watch::Sender::new(false),
            checkpoint_stop: Mutex::new(Some(checkpoint_stop)),
            threads: Mutex::new(Vec::new()),
            shared: RwLock::new(shared),
            live,
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                writer: Holder::Idle,
            }),
            handed_over: Condvar::new(),
            writer: Mutex::new(Writer {
                store: Some(store),
                state,
                seq,
                open_on: today,
            }),
            anchors,
            anchored,
            schedule_sync: tokio::sync::watch::Sender::new(None),
        }));
        let writer_hub = hub.clone();
        let writer = std::thread::Builder::new()
            .name("clinicflow-writer".into())
            .spawn(move || writer_hub.write_queue())
            .expect("spawn writer thread");
        let mut threads = vec![writer];
        // Litestream checkpoints the database itself while it replicates it; a second
        // checkpointer would move the WAL on under it.
        if !hub.0.config.database.litestream {
            let checkpointer = std::thread::Builder::new()
                .name("clinicflow-checkpoint".into())
                .spawn(move || {
                    // Until the hub closes; a failure (a full disk) is retried on the next round.
                    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                        stopped.recv_timeout(CHECKPOINT_EVERY)
                    {
                        if let Err(error) = checkpoints.checkpoint() {
                            tracing::debug!(%error, "background checkpoint did not run");
                        }
                    }
                })
                .expect("spawn checkpoint thread");
            threads.push(checkpointer);
        }
        *hub.0.threads.lock().expect("hub threads lock") = threads;
        Ok(hub)
    }

    /// Stops the hub: live streams end, every queued and later command is refused (503
    /// `unavailable`), the writer and checkpoint threads finish and are joined, and both of
    /// their database connections close.
    pub async fn close(&self) {
        self.0.closing.send_replace(true);
        self.stop();
        self.0
            .checkpoint_stop
            .lock()
            .expect("checkpoint stop lock")
            .take();
        let threads = std::mem::take(&mut *self.0.threads.lock().expect("hub threads lock"));
        let hub = self.clone();
        tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
            // After the writer thread and any caller's commit: the connection closes here.
            let mut writer = hub.0.writer.lock().unwrap_or_else(|e| e.into_inner());
            writer.store = None;
        })
        .await
        .expect("joining the hub's threads");
    }

    /// Resolves once `close` was called: what live streams and the HTTP server wait on.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.0.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    pub fn config(&self) -> &ClinicConfig {
        &self.0.config
    }

    pub fn clock(&self) -> &ClinicClock {
        &self.0.clock
    }

    pub fn db_path(&self) -> &Path {
        &self.0.db_path
    }

    /// Decides, commits and broadcasts one command; returns after the commit is durable.
    pub async fn execute(&self, command: Command, actor: Actor) -> Result<Receipt, HubError> {
        self.execute_at(command, actor, None).await
    }

    /// Like `execute`, for a step that may arrive more than once: with a key, the receipt is
    /// kept in the step's own transaction, and a repeat of the key (even after a crash) is
    /// answered with it instead of being decided again. A refusal is not kept (nothing took
    /// effect): a repeat is decided anew.
    pub async fn execute_once(
        &self,
        command: Command,
        actor: Actor,
        key: Option<StepKey>,
    ) -> Result<Receipt, HubError> {
        self.run(command, actor, None, key).await
    }

    /// Like `execute`, at a given time when `at` is set: for laying down the demo clinic's past.
    pub(crate) async fn execute_at(
        &self,
        command: Command,
        actor: Actor,
        at: Option<DateTime<Utc>>,
    ) -> Result<Receipt, HubError> {
        self.run(command, actor, at, None).await
    }

    async fn run(
        &self,
        command: Command,
        actor: Actor,
        at: Option<DateTime<Utc>>,
        key: Option<StepKey>,
    ) -> Result<Receipt, HubError> {
        let (reply, receipt) = oneshot::channel();
        self.submit(Job::Command(Box::new(CommandJob {
            command,
            actor,
            at,
            key,
            reply,
        })));
        receipt.await.map_err(|_| HubError::ShuttingDown)?
    }

    /// Decides `commands` in order and commits them in one transaction, or, if the domain
    /// refuses one, none of them. The refusal is audited; the others are not tried.
    pub async fn execute_together(
        &self,
        commands: Vec<Command>,
        actor: Actor,
    ) -> Result<Together, HubError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Together(Box::new(TogetherJob {
            commands,
            actor,
            reply,
        })));
        answer.await.map_err(|_| HubError::ShuttingDown)?
    }

    /// Runs `work` on the writer thread with the store (after the commands queued before it).
    pub async fn with_store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Result<T, HubError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Store(Box::new(move |store| {
            let _ = reply.send(work(store));
        })));
        answer.await.map_err(|_| HubError::ShuttingDown)
    }

    /// Re-reads the staff accounts into the state, so steps by people added since the hub
    /// opened are named on screens (new snapshots carry the directory).
    pub async fn reload_staff(&self) -> Result<(), StoreError> {
        let directory = self.from_store(|store| store.staff_directory()).await?;
        let mut writer = self.0.writer.lock().expect("hub writer lock");
        if writer.state.staff == directory {
            return Ok(());
        }
        writer.state.staff = directory.clone();
        self.0.shared.write().expect("hub state lock").state.staff = directory;
        Ok(())
    }

    /// Writes an anchor for the audit chain's newest row, when it moved since the last one (see
    /// `store::anchors`), to the anchor file and to the log.
    pub async fn anchor_audit(&self) -> Result<(), StoreError> {
        let head = self.from_store(|store| store.audit_head()).await?;
        let Some((row, hash)) = head else {
            return Ok(());
        };
        if *self.0.anchored.lock().expect("anchored lock") == Some(row) {
            return Ok(());
        }
        let hub = self.clone();
        let at = self.clock().utc();
        let anchor = tokio::task::spawn_blocking(move || hub.0.anchors.append(row, &hash, at))
            .await
            .expect("audit anchor task")?;
        *self.0.anchored.lock().expect("anchored lock") = Some(row);
        tracing::info!(target: "clinicflow::audit_anchor", row, hash = %anchor.hash, at = %anchor.at, mac = %anchor.mac, "audit chain anchored");
        Ok(())
    }

    /// Reads the state without copying it.
    pub fn read<T>(&self, read: impl FnOnce(&ClinicState, u64) -> T) -> T {
        let shared = self.0.shared.read().expect("hub state lock");
        read(&shared.state, shared.seq)
    }

    /// How the EHR pull stands.
    pub fn schedule_sync(&self) -> Option<ScheduleSync> {
        self.0.schedule_sync.borrow().clone()
    }

    /// Tells every live stream how the EHR pull stands (only when that changed).
    pub fn report_schedule_sync(&self, sync: ScheduleSync) {
        self.0.schedule_sync.send_if_modified(|now| {
            let changed = now.as_ref() != Some(&sync);
            *now = Some(sync);
            changed
        });
    }

    pub fn watch_schedule_sync(&self) -> tokio::sync::watch::Receiver<Option<ScheduleSync>> {
        self.0.schedule_sync.subscribe()
    }

    pub fn seq(&self) -> u64 {
        self.0.shared.read().expect("hub state lock").seq
    }

    /// A receiver of every event committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<SequencedEvent>> {
        self.0.live.subscribe()
    }

    /// The visit with this check-in code: from memory, or from the store for a closed day's.
    pub async fn visit_by_code(
        &self,
        code: domain::CheckInCode,
    ) -> Result<Option<domain::Visit>, StoreError> {
        if let Some(visit) = self.read(|state, _| state.visit_by_code(code).cloned()) {
            return Ok(Some(visit));
        }
        self.from_store(move |store| store.visit_by_code(code))
            .await
    }

    /// The clinic as it stands with every visit of one clinic day (read from the store: memory
    /// holds a closed day's unresolved visits only), each room's history of that day and the
    /// next (a turnover begun before midnight ends after it), and the clinic's providers and
    /// staff.
    pub async fn day(&self, day: NaiveDate) -> Result<ClinicState, StoreError> {
        let visits = self.from_store(move |store| store.visits_on(day)).await?;
        let during =
            self.clock().start_of(day)..self.clock().start_of(day + chrono::Duration::days(2));
        let mut state = self.read(|state, _| state.with_visits_where(|_| false, during));
        state.visits = visits.into_iter().map(|v| (v.id.clone(), v)).collect();
        Ok(state)
    }

    /// The open state, with these visits read back from the store where a closed day holds
    /// them: what a schedule import reconciles against.
    pub async fn state_with(
        &self,
        visits: Vec<domain::VisitId>,
    ) -> Result<ClinicState, StoreError> {
        let mut state = self.read(|state, _| state.clone());
        let missing: Vec<_> = visits
            .into_iter()
            .filter(|id| !state.visits.contains_key(id))
            .collect();
        let found = self
            .from_store(move |store| {
                missing
                    .iter()
                    .filter_map(|id| store.visit(id).transpose())
                    .collect::<Result<Vec<_>, _>>()
            })
            .await?;
        state
            .visits
            .extend(found.into_iter().map(|v| (v.id.clone(), v)));
        Ok(state)
    }

    /// Runs `read` on a read-only connection of its own, off the async workers.
    pub async fn from_store<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let path = self.0.db_path.clone();
        tokio::task::spawn_blocking(move || read(&Store::open_read_only(&path)?))
            .await
            .expect("store read task")
    }

    /// Every event after `after`, up to the current sequence number: from memory when recent,
    /// otherwise from the database.
    pub async fn events_after(&self, after: u64) -> Result<Vec<Arc<SequencedEvent>>, StoreError> {
        let (from_memory, oldest_in_memory) = {
            let shared = self.0.shared.read().expect("hub state lock");
            let oldest = shared.recent.front().map_or(shared.seq + 1, |e| e.seq);
            let skip = (after + 1).saturating_sub(oldest) as usize;
            (
                shared.recent.iter().skip(skip).cloned().collect::<Vec<_>>(),
                oldest,
            )
        };
        if after + 1 >= oldest_in_memory {
            return Ok(from_memory);
        }
        let older = self
            .from_store(move |store| {
                let mut events = Vec::new();
                let mut cursor = after;
                while cursor + 1 < oldest_in_memory {
                    let page = store.events_after(cursor, 10_000)?;
                    let Some(last) = page.last() else { break };
                    cursor = last.seq;
                    events.extend(page.into_iter().filter(|e| e.seq < oldest_in_memory));
                }
                Ok(events)
            })
            .await?;
        Ok(older.into_iter().map(Arc::new).chain(from_memory).collect())
    }

    /// Applies a committed batch to the shared copy, then tells every subscriber. The shared
    /// copy is updated first, so a subscriber that sees an event can always back-fill up to it.
    fn publish(&self, events: Vec<Arc<SequencedEvent>>) {
        if events.is_empty() {
            return;
        }
        {
            let mut shared = self.0.shared.write().expect("hub state lock");
            for event in &events {
                shared.state.apply_event(&event.event);
                shared.seq = event.seq;
                shared.recent.push_back(event.clone());
            }
            let excess = shared.recent.len().saturating_sub(RECENT_EVENTS);
            shared.recent.drain(..excess);
        }
        for event in events {
            // No receivers is fine: nobody is watching.
            let _ = self.0.live.send(event);
        }
    }
}

impl Hub {
    /// Carries out `job` on this thread when nobody is writing; otherwise queues it for the
    /// writer thread, which is working through the queue or is about to be handed it.
    fn submit(&self, job: Job) {
        let mut queue = self.0.queue.lock().expect("hub queue lock");
        match queue.writer {
            Holder::Idle => queue.writer = Holder::Caller,
            Holder::Caller | Holder::Thread => return queue.jobs.push_back(job),
            // Dropping the job drops its reply: the caller hears that the hub is shutting down.
            Holder::Stopped => return,
        }
        drop(queue);
        let _holding = Holding(self);
        blocking(|| self.write(vec![job]));
        let mut queue = self.0.queue.lock().expect("hub queue lock");
        if queue.writer == Holder::Caller {
            if queue.jobs.is_empty() {
                queue.writer = Holder::Idle;
            } else {
                queue.writer = Holder::Thread;
                self.0.handed_over.notify_one();
            }
        }
    }

    /// The writer thread: works through the queue whenever a caller hands it over, until the
    /// hub stops.
    fn write_queue(&self) {
        loop {
            let jobs: Vec<Job> = {
                let mut queue = self.0.queue.lock().expect("hub queue lock");
                loop {
                    match queue.writer {
                        Holder::Thread if queue.jobs.is_empty() => queue.writer = Holder::Idle,
                        Holder::Thread => break,
                        Holder::Stopped => return,
                        Holder::Idle | Holder::Caller => {}
                    }
                    queue = self.0.handed_over.wait(queue).expect("hub queue lock");
                }
                let count = queue.jobs.len().min(MAX_BATCH);
                queue.jobs.drain(..count).collect()
            };
            let _holding = Holding(self);
            self.write(jobs);
        }
    }

    /// Decides and commits `jobs` in order: commands together in one transaction, each store
    /// job after the commands before it.
    fn write(&self, jobs: Vec<Job>) {
        let mut writer = self.0.writer.lock().expect("hub writer lock");
        writer.forget_closed_days(self);
        let mut batch = Vec::new();
        for job in jobs {
            match job {
                Job::Command(command) => batch.push(*command),
                Job::Together(job) => {
                    writer.commit_batch(self, std::mem::take(&mut batch));
                    writer.commit_together(self, *job);
                }
                Job::Store(work) => {
                    writer.commit_batch(self, std::mem::take(&mut batch));
                    // A closed hub has no store: dropping the work tells its caller.
                    if let Some(store) = writer.store.as_mut() {
                        work(store);
                    }
                }
            }
        }
        writer.commit_batch(self, batch);
    }

    /// Refuses every queued and future command, for a writer that cannot go on.
    fn stop(&self) {
        let mut queue = self.0.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.writer = Holder::Stopped;
        queue.jobs.clear();
        self.0.handed_over.notify_all();
    }
}

/// Stops the hub if the writer panics while this is held, rather than leave every later
/// command waiting for a writer that is gone.
struct Holding<'a>(&'a Hub);

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// Runs blocking work (a commit) from async code: on a multi-threaded runtime the worker's
/// other tasks move to another thread meanwhile; elsewhere (a current-thread runtime, as in
/// tests) it simply runs.
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// The writer's own state: the store (until the hub closes) and the committed clinic state.
/// Like the shared copy, it holds the open days (`Store::load_open`); a closed day's visit
/// comes back from the store when a command names it.
struct Writer {
    store: Option<Store>,
    state: ClinicState,
    seq: u64,
    /// The clinic day the memory holds the open state of.
    open_on: NaiveDate,
}

struct Decided {
    job: CommandJob,
    /// When it was decided, by the hub's clock.
    at: DateTime<Utc>,
    result: Result<Vec<SequencedEvent>, DomainError>,
}

impl Writer {
    /// Once a clinic day, lets go of the visits of the days that closed: the hub's memory stays
    /// the size of the open days however long the clinic has been running.
    fn forget_closed_days(&mut self, hub: &Hub) {
        let today = hub.clock().now().clinic_day;
        if today == self.open_on {
            return;
        }
        self.open_on = today;
        self.state.keep_open(today);
        hub.0
            .shared
            .write()
            .expect("hub state lock")
            .state
            .keep_open(today);
    }

    /// Brings back from the store the visit `command` names, or the visit holding the code it
    /// would give a new visit, when a closed day holds it: the domain decides on everything it
    /// names (an old visit is checked out, a re-used id or code is refused).
    fn recall(&mut self, hub: &Hub, command: &Command) {
        let Some(store) = self.store.as_ref() else {
            return;
        };
        let named = command
            .visit()
            .filter(|id| !self.state.visits.contains_key(*id))
            .map(|id| store.visit(id));
        let coded = command
            .new_code()
            .filter(|code| self.state.visit_by_code(*code).is_none())
            .map(|code| store.visit_by_code(code));
        for found in named.into_iter().chain(coded) {
            match found {
                Ok(Some(visit)) => {
                    let mut shared = hub.0.shared.write().expect("hub state lock");
                    shared.state.visits.insert(visit.id.clone(), visit.clone());
                    self.state.visits.insert(visit.id.clone(), visit);
                }
                Ok(None) => {}
                // The commit on the same connection fails too, and refuses the command.
                Err(error) => tracing::error!(%error, "could not read a visit back from the store"),
            }
        }
    }

    fn commit_batch(&mut self, hub: &Hub, jobs: Vec<CommandJob>) {
        // A closed hub has no store: dropping the jobs answers their callers "unavailable".
        if jobs.is_empty() || self.store.is_none() {
            return;
        }
        let first_seq = self.seq;
        let mut decided: Vec<Decided> = Vec::with_capacity(jobs.len());
        // Repeats of a step decided earlier in this batch, answered with it after the commit.
        let mut echoes: Vec<(CommandJob, usize)> = Vec::new();
        let mut keyed_here: HashMap<(String, String), (String, usize)> = HashMap::new();
        for job in jobs {
            let Some(key) = job.key.clone() else {
                decided.push(self.decide(hub, job));
                continue;
            };
            let slot = (key.device.clone(), key.key.clone());
            if let Some((fingerprint, index)) = keyed_here.get(&slot) {
                match *fingerprint == key.fingerprint {
                    true => echoes.push((job, *index)),
                    false => drop(job.reply.send(Err(HubError::KeyReused))),
                }
                continue;
            }
            let store = self.store.as_ref().expect("checked above");
            match kept_receipt(store, &key) {
                Some(answer) => drop(job.reply.send(answer)),
                None => {
                    keyed_here.insert(slot, (key.fingerprint, decided.len()));
                    decided.push(self.decide(hub, job));
                }
            }
        }
        let events: Vec<SequencedEvent> = decided
            .iter()
            .flat_map(|d| d.result.iter().flatten().cloned())
            .collect();
        let audit: Vec<AuditEntry> = decided
            .iter()
            .map(|d| audit_entry(d.at, &d.job.actor, &d.job.command, &d.result))
            .collect();
        let seq = self.seq;
        let kept: Vec<KeptStep> = decided
            .iter()
            .filter_map(|d| {
                let (key, events) = (d.job.key.as_ref()?, d.result.as_ref().ok()?);
                let receipt = Receipt {
                    seq,
                    events: events.clone(),
                };
                Some(KeptStep {
                    device: key.device.clone(),
                    key: key.key.clone(),
                    fingerprint: key.fingerprint.clone(),
                    at: d.at,
                    answer: serde_json::to_string(&receipt).ok()?,
                })
            })
            .collect();
        let store = self.store.as_mut().expect("checked above");
        match store.commit(
            Batch {
                events: &events,
                audit: &audit,
                kept: &kept,
            },
            &self.state,
        ) {
            Ok(()) => {
                hub.publish(events.into_iter().map(Arc::new).collect());
                let answer = |result: &Result<Vec<SequencedEvent>, DomainError>| {
                    result
                        .clone()
                        .map(|events| Receipt { seq, events })
                        .map_err(HubError::from)
                };
                for (job, index) in echoes {
                    let _ = job.reply.send(answer(&decided[index].result));
                }
                for Decided { job, result, .. } in decided {
                    let _ = job.reply.send(answer(&result));
                }
            }
            Err(error) => {
                tracing::error!(%error, "commit failed; {} command(s) refused, state reloaded", decided.len());
                let replies = decided
                    .into_iter()
                    .map(|d| d.job)
                    .chain(echoes.into_iter().map(|(job, _)| job));
                for job in replies {
                    let _ = job.reply.send(Err(HubError::NotSaved));
                }
                self.reload(first_seq);
            }
        }
    }

    fn commit_together(&mut self, hub: &Hub, job: TogetherJob) {
        let first_seq = self.seq;
        let now = hub.clock().now();
        for command in &job.commands {
            self.recall(hub, command);
        }
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let decided = decide_together(
            &mut self.state,
            &mut self.seq,
            &job.commands,
            &job.actor,
            now,
        );
        let (events, audit) = match decided {
            Ok(decided) => decided,
            Err((index, refusal, refused)) => {
                let no_events = Batch {
                    events: &[],
                    audit: std::slice::from_ref(&refused),
                    kept: &[],
                };
                if let Err(error) = store.commit(no_events, &self.state) {
                    tracing::error!(%error, "could not audit a refused import");
                }
                let _ = job.reply.send(Ok(Together::Refused(index, refusal)));
                return;
            }
        };
        match store.commit(
            Batch {
                events: &events,
                audit: &audit,
                kept: &[],
            },
            &self.state,
        ) {
            Ok(()) => {
                hub.publish(events.iter().cloned().map(Arc::new).collect());
                let receipt = Receipt {
                    seq: self.seq,
                    events,
                };
                let _ = job.reply.send(Ok(Together::Committed(receipt)));
            }
            Err(error) => {
                tracing::error!(%error, "commit failed; {} command(s) sent together refused, state reloaded", job.commands.len());
                let _ = job.reply.send(Err(HubError::NotSaved));
                self.reload(first_seq);
            }
        }
    }

    fn decide(&mut self, hub: &Hub, job: CommandJob) -> Decided {
        let now = match job.at {
            Some(at) => hub.clock().at(at),
            None => hub.clock().now(),
        };
        let now = domain::Now {
            by: job.actor.staff.as_ref(),
            ..now
        };
        self.recall(hub, &job.command);
        let result = domain::execute(&mut self.state, &job.command, now)
            .map(|events| sequenced(&mut self.seq, events));
        let at = now.at;
        Decided { job, at, result }
    }

    /// After a failed commit the in-memory state holds undone changes: take it back from disk.
    fn reload(&mut self, expected_seq: u64) {
        let Some(store) = &self.store else { return };
        match store.load_open(self.open_on) {
            Ok((state, seq)) => {
                debug_assert_eq!(seq, expected_seq);
                self.state = state;
                self.seq = seq;
            }
            Err(error) => {
                // Without a trustworthy state the writer must not decide anything more: the
                // panic stops the hub (see `Holding`), which then refuses every command.
                tracing::error!(%error, "cannot reload state after a failed commit; refusing further commands");
                panic!("clinicflow writer cannot reload its state: {error}");
            }
        }
    }
}

/// Decides `commands` in order on `state`, numbering their events on from `seq`: the events
/// and audit rows of all of them, or the first refusal (its index, the refusal and its audit
/// row) with `state` and `seq` as they were. For `Hub::execute_together` and the terminal's
/// import, which commits to a stopped hub's store.
pub fn decide_together(
    state: &mut ClinicState,
    seq: &mut u64,
    commands: &[Command],
    actor: &Actor,
    now: domain::Now<'_>,
) -> Result<(Vec<SequencedEvent>, Vec<AuditEntry>), (usize, DomainError, AuditEntry)> {
    let (before, first_seq) = (state.clone(), *seq);
    let now = domain::Now {
        by: actor.staff.as_ref(),
        ..now
    };
    let mut events = Vec::new();
    let mut audit = Vec::new();
    for (index, command) in commands.iter().enumerate() {
        let result = domain::execute(state, command, now).map(|done| sequenced(seq, done));
        let entry = audit_entry(now.at, actor, command, &result);
        match result {
            Ok(done) => events.extend(done),
            Err(refusal) => {
                (*state, *seq) = (before, first_seq);
                return Err((index, refusal, entry));
            }
        }
        audit.push(entry);
    }
    Ok((events, audit))
}

/// The receipt kept for a repeated step (or why it cannot be answered), `None` when the key is
/// new.
fn kept_receipt(store: &Store, key: &StepKey) -> Option<Result<Receipt, HubError>> {
    let kept = match store.kept_step(&key.device, &key.key) {
        Ok(kept) => kept?,
        Err(error) => {
            tracing::error!(%error, "could not read a kept step");
            return Some(Err(HubError::NotSaved));
        }
    };
    if kept.fingerprint != key.fingerprint {
        return Some(Err(HubError::KeyReused));
    }
    Some(serde_json::from_str(&kept.answer).map_err(|error| {
        tracing::error!(%error, "a kept step's receipt does not parse");
        HubError::NotSaved
    }))
}

/// Numbers `events` on from `seq`, which it leaves at the last.
fn sequenced(seq: &mut u64, events: Vec<domain::Event>) -> Vec<SequencedEvent> {
    events
        .into_iter()
        .map(|event| {
            *seq += 1;
            SequencedEvent { seq: *seq, event }
        })
        .collect()
}

fn audit_entry(
    at: DateTime<Utc>,
    actor: &Actor,
    command: &Command,
    result: &Result<Vec<SequencedEvent>, DomainError>,
) -> AuditEntry {
    let (outcome, seqs) = match result {
        Ok(events) if events.is_empty() => ("already_done".to_string(), None),
        Ok(events) => (
            "accepted".to_string(),
            Some((events[0].seq, events[events.len() - 1].seq)),
        ),
        Err(refusal) => (format!("rejected: {refusal}"), None),
    };
    AuditEntry {
        at,
        actor: actor.clone(),
        command: serde_json::to_string(command).unwrap_or_default(),
        outcome,
        seqs,
    }
}
