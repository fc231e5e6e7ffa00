//! The HL7 v2 scheduling feed (`ehr.hl7_listen`, off by default): an MLLP listener (each message
//! framed as `0x0B` … `0x1C 0x0D` on a TCP connection the practice-management system keeps
//! open). Each message is read (`message.rs`), reconciled as a schedule file is, and committed
//! before its ACK: `AA` once the change is durable (a repeated message changes nothing and is
//! `AA` again), `AE` with the reason when what it says cannot be taken, `AR` when it is not a
//! message clinicflow reads. Nothing changes on `AE` or `AR`.

mod message;

use super::hub::{Hub, Together};
use crate::api_types::ImportMode;
use crate::domain::Command;
use crate::import::{Parsed, Problem, ScheduleSource};
use crate::store::Actor;
use chrono::{TimeZone, Utc};
use message::{Asked, Refused};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const START: u8 = 0x0b;
const END: [u8; 2] = [0x1c, 0x0d];
/// The largest message taken; a day's SIU message is a few KB.
const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// Starts the listener when the config asks for one; ends when the hub closes.
pub async fn spawn(
    hub: Hub,
) -> Result<Option<(SocketAddr, tokio::task::JoinHandle<()>)>, std::io::Error> {
    let listen = hub.config().ehr.hl7_listen.clone();
    if listen.trim().is_empty() {
        return Ok(None);
    }
    let listener = TcpListener::bind(listen.trim()).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "HL7 v2 (MLLP) listener for the scheduling feed");
    let task = tokio::spawn(async move {
        let closed = hub.closed();
        tokio::pin!(closed);
        loop {
            tokio::select! {
                () = &mut closed => return,
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        tokio::spawn(connection(hub.clone(), stream, peer));
                    }
                    Err(error) => tracing::warn!(%error, "HL7 listener could not accept"),
                },
            }
        }
    });
    Ok(Some((addr, task)))
}

/// One sender's connection: message after message, each answered before the next is read.
async fn connection(hub: Hub, stream: TcpStream, peer: SocketAddr) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    loop {
        let frame = match next_frame(&mut reader).await {
            Ok(Some(frame)) => frame,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%peer, %error, "HL7 connection closed");
                return;
            }
        };
        let text = String::from_utf8_lossy(&frame).to_string();
        let ack = take(&hub, &text, peer).await;
        let mut framed = vec![START];
        framed.extend_from_slice(ack.as_bytes());
        framed.extend_from_slice(&END);
        if writer.write_all(&framed).await.is_err() {
            return;
        }
    }
}

/// The next MLLP frame's content; `None` when the sender closed the connection.
async fn next_frame(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut byte = [0u8; 1];
    // Anything before the start byte (a stray newline) is skipped.
    loop {
        if reader.read(&mut byte).await? == 0 {
            return Ok(None);
        }
        if byte[0] == START {
            break;
        }
    }
    let mut frame = Vec::new();
    loop {
        if reader.read(&mut byte).await? == 0 {
            return Err(std::io::Error::other("connection closed inside a message"));
        }
        frame.push(byte[0]);
        if frame.ends_with(&END) {
            frame.truncate(frame.len() - END.len());
            return Ok(Some(frame));
        }
        if frame.len() > MAX_MESSAGE_BYTES {
            return Err(std::io::Error::other("message larger than 1 MiB"));
        }
    }
}

/// Reads, applies and answers one message.
async fn take(hub: &Hub, text: &str, peer: SocketAddr) -> String {
    let config = &hub.config().ehr;
    let zone = hub.clock().zone;
    let local = move |naive| {
        zone.from_local_datetime(&naive)
            .earliest()
            .map(|at| at.with_timezone(&Utc))
    };
    let outcome = match message::read(text, &local, &config.provider_ids) {
        Ok(read) => apply(hub, read.asked, peer)
            .await
            .map(|()| read.control_id.clone())
            .map_err(|why| Refused {
                code: "AE",
                control_id: read.control_id,
                why,
            }),
        Err(refused) => Err(refused),
    };
    let now = hub.clock().utc();
    match outcome {
        Ok(control_id) => message::ack(text, &control_id, None, now),
        Err(refused) => {
            tracing::warn!(%peer, code = refused.code, why = %refused.why, "HL7 message not taken");
            message::ack(text, &refused.control_id, Some(&refused), now)
        }
    }
}

/// Commits what the message asks (durably, before the ACK), or says why not.
async fn apply(hub: &Hub, asked: Asked, peer: SocketAddr) -> Result<(), String> {
    let actor = Actor {
        actor: "ehr".into(),
        device: format!("HL7 feed from {peer}"),
        staff: None,
    };
    let mut parsed = Parsed::default();
    match asked {
        Asked::Booked(appointment) => parsed.appointments.push((1, *appointment)),
        Asked::Cancelled(id) => parsed.cancelled.push((1, id)),
        Asked::Patient { id, patient } => {
            // Every visit of the patient's, closed days' too: the store has them all.
            let of_patient = id.clone();
            let visits = hub
                .from_store(move |store| store.visits_of_external_patient(&of_patient))
                .await
                .map_err(|error| error.to_string())?;
            let commands: Vec<Command> = visits
                .into_iter()
                .filter(|v| v.patient != patient)
                .map(|v| Command::CorrectPatient {
                    visit: v.id,
                    patient: patient.clone(),
                })
                .collect();
            if commands.is_empty() {
                return Ok(());
            }
            return match hub.execute_together(commands, actor).await {
                Ok(Together::Committed(_)) => Ok(()),
                Ok(Together::Refused(_, refusal)) => Err(refusal.to_string()),
                Err(error) => Err(error.to_string()),
            };
        }
    }
    let state = super::import::planning_state(hub, &parsed)
        .await
        .map_err(|error| error.to_string())?;
    let plan = super::import::plan_parsed(
        &state,
        hub.clock(),
        parsed,
        ScheduleSource::Ehr,
        hub.clock().now(),
    );
    let problem = |problems: &[Problem]| problems.first().map(|p| p.message.clone());
    match super::import::apply(hub, plan, ImportMode::AllOrNothing, actor).await {
        Ok((_, answer)) if answer.applied => Ok(()),
        Ok((_, answer)) => Err(problem(&answer.problems).unwrap_or_else(|| "not applied".into())),
        Err(error) => Err(error.to_string()),
    }
}
