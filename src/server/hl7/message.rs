//! Reading one HL7 v2 scheduling or registration message (parsed with `hl7-parser`) into what
//! clinicflow does with it: SIU^S12 (new), S13 (reschedule) and S14 (modification) book or move
//! an appointment, S15 (cancellation), S17 (deletion) and S26 (no-show) cancel it, ADT^A04 and
//! A08 correct a patient's name and date of birth; and the ACK each one is answered with.

use crate::domain::{Needs, Patient, ProviderId, DURATION_MINUTES};
use crate::import::{Imported, LocalTime};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use hl7_parser::datetime::TimeStamp;
use hl7_parser::Message;
use std::collections::BTreeMap;

/// What a message asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Asked {
    /// S12, S13, S14: the appointment as it now stands.
    Booked(Box<Imported>),
    /// S15, S17, S26: the appointment (its outside id) is off.
    Cancelled(String),
    /// A04, A08: the patient with this outside id is now called this.
    Patient { id: String, patient: Patient },
}

/// A message read: its control id (MSH-10, echoed in the ACK) and what it asks.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub control_id: String,
    pub asked: Asked,
}

/// Why a message cannot be taken, and how the ACK says it: `AR` (rejected: not a message
/// clinicflow reads) or `AE` (an error in what it says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub control_id: String,
    pub why: String,
}

/// Reads `text` (segments separated by `\r`, or by newlines from a sloppy sender).
/// `provider_ids` maps the sender's provider ids that are not clinicflow's.
pub fn read(
    text: &str,
    local: LocalTime<'_>,
    provider_ids: &BTreeMap<String, String>,
) -> Result<Read, Refused> {
    let message = Message::parse_with_lenient_newlines(text.trim(), true).map_err(|e| Refused {
        code: "AR",
        control_id: String::new(),
        why: format!("not an HL7 v2 message: {e}"),
    })?;
    let get = |query: &str| value(&message, query);
    let control_id = get("MSH.10");
    let error = |code, why: String| Refused {
        code,
        control_id: control_id.clone(),
        why,
    };
    let (kind, trigger) = (get("MSH.9.1"), get("MSH.9.2"));
    let asked = match (kind.as_str(), trigger.as_str()) {
        ("SIU", "S12" | "S13" | "S14") => Asked::Booked(Box::new(
            appointment(&message, local, provider_ids).map_err(|why| error("AE", why))?,
        )),
        ("SIU", "S15" | "S17" | "S26") => Asked::Cancelled(
            appointment_id(&message).ok_or_else(|| error("AE", "SCH-2 and SCH-1 are empty: which appointment?".into()))?,
        ),
        ("ADT", "A04" | "A08") => {
            let id = get("PID.3.1");
            if id.is_empty() {
                return Err(error("AE", "PID-3 is empty: which patient?".into()));
            }
            Asked::Patient {
                id,
                patient: patient(&message).map_err(|why| error("AE", why))?,
            }
        }
        _ => {
            return Err(error(
                "AR",
                format!("{kind}^{trigger} is not a message clinicflow takes (SIU S12, S13, S14, S15, S17, S26; ADT A04, A08)"),
            ))
        }
    };
    Ok(Read { control_id, asked })
}

/// A field, component or subcomponent with its escapes decoded ("" when absent).
fn value(message: &Message<'_>, query: &str) -> String {
    message
        .query(query)
        .map(|found| found.display(&message.separators).to_string())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The filler's id (SCH-2, the stable one), else the placer's (SCH-1).
fn appointment_id(message: &Message<'_>) -> Option<String> {
    [value(message, "SCH.2.1"), value(message, "SCH.1.1")]
        .into_iter()
        .find(|id| !id.is_empty())
}

fn appointment(
    message: &Message<'_>,
    local: LocalTime<'_>,
    provider_ids: &BTreeMap<String, String>,
) -> Result<Imported, String> {
    let get = |query: &str| value(message, query);
    let id = appointment_id(message).ok_or("SCH-2 and SCH-1 are empty: which appointment?")?;
    // v2.5 moved the timing to TQ1; older senders put it in SCH-11.
    let start = [
        get("TQ1.7.1"),
        get("SCH.11.4"),
        get("AIS.4.1"),
        get("AIP.6.1"),
    ]
    .into_iter()
    .find(|raw| !raw.is_empty())
    .ok_or(format!("appointment {id}: no start (TQ1-7 or SCH-11.4)"))?;
    let start = instant(&start, local).ok_or(format!(
        "appointment {id}: start {start:?} is not an HL7 time"
    ))?;
    let end = [get("TQ1.8.1"), get("SCH.11.5")]
        .into_iter()
        .find(|raw| !raw.is_empty())
        .and_then(|raw| instant(&raw, local));
    let minutes = match (get("SCH.9"), get("SCH.10.1").to_ascii_uppercase().as_str()) {
        (raw, "" | "MIN" | "M") if !raw.is_empty() => raw.parse::<u32>().ok(),
        (raw, "H" | "HR" | "HOUR") if !raw.is_empty() => raw.parse::<u32>().ok().map(|h| h * 60),
        _ => end.map(|end| (end - start).num_minutes().max(0) as u32),
    };
    let duration_minutes = match minutes {
        Some(minutes) if !DURATION_MINUTES.contains(&minutes) => {
            return Err(format!(
                "appointment {id}: {minutes} minutes is not 5 to 480"
            ))
        }
        other => other,
    };
    let outside = [get("AIP.3.1"), get("PV1.7.1")]
        .into_iter()
        .find(|raw| !raw.is_empty())
        .ok_or(format!("appointment {id}: no provider (AIP-3 or PV1-7)"))?;
    let provider = provider_ids.get(&outside).unwrap_or(&outside);
    let provider = ProviderId::parse(provider).map_err(|_| {
        format!("appointment {id}: provider {outside:?} is not one of the clinic's")
    })?;
    let visit_type = [
        get("SCH.8.2"),
        get("SCH.8.1"),
        get("SCH.7.2"),
        get("AIS.3.2"),
    ]
    .into_iter()
    .find(|raw| !raw.is_empty())
    .unwrap_or_else(|| "Appointment".into());
    let language = get("PID.15.1");
    Ok(Imported {
        external_id: id,
        start,
        duration_minutes,
        provider,
        patient: patient(message)?,
        patient_id: Some(get("PID.3.1")).filter(|id| !id.is_empty()),
        visit_type,
        needs: Needs {
            interpreter: Some(language).filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case("en")),
            ..Needs::default()
        },
    })
}

fn patient(message: &Message<'_>) -> Result<Patient, String> {
    let get = |query: &str| value(message, query);
    let (last, first) = (get("PID.5.1"), get("PID.5.2"));
    if last.is_empty() || first.is_empty() {
        return Err("PID-5 needs a family and a given name".into());
    }
    let born = get("PID.7.1");
    let date_of_birth = born
        .get(..8)
        .and_then(|digits| NaiveDate::parse_from_str(digits, "%Y%m%d").ok())
        .ok_or(format!("PID-7 date of birth {born:?} is not YYYYMMDD"))?;
    Ok(Patient {
        first_name: first,
        last_name: last,
        date_of_birth: Some(date_of_birth),
    })
}

/// An HL7 time (`YYYYMMDDHHMM[SS][+/-ZZZZ]`): with its offset, or in clinic time without one.
fn instant(raw: &str, local: LocalTime<'_>) -> Option<DateTime<Utc>> {
    let stamp: TimeStamp = raw.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(stamp.year.into(), stamp.month?.into(), stamp.day?.into())?;
    let naive = date.and_hms_opt(
        stamp.hour?.into(),
        stamp.minute.unwrap_or(0).into(),
        stamp.second.unwrap_or(0).into(),
    )?;
    match stamp.offset {
        Some(offset) => {
            let minutes = i32::from(offset.hours.unsigned_abs()) * 60 + i32::from(offset.minutes);
            let east = if offset.hours < 0 || raw.contains('-') {
                -minutes
            } else {
                minutes
            };
            FixedOffset::east_opt(east * 60)?
                .from_local_datetime(&naive)
                .single()
                .map(|at| at.with_timezone(&Utc))
        }
        None => local(naive),
    }
}

/// The ACK for a message: `AA` when `refused` is `None`, else its code and reason.
pub fn ack(
    incoming: &str,
    control_id: &str,
    refused: Option<&Refused>,
    now: DateTime<Utc>,
) -> String {
    let message = Message::parse_with_lenient_newlines(incoming.trim(), true).ok();
    let field = |query: &str| {
        message
            .as_ref()
            .map(|m| value(m, query))
            .unwrap_or_default()
    };
    let version = Some(field("MSH.12"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "2.5.1".into());
    let escape = |text: &str| {
        text.replace('\\', "\\E\\")
            .replace('|', "\\F\\")
            .replace('^', "\\S\\")
            .replace('&', "\\T\\")
            .replace('~', "\\R\\")
            .replace(['\r', '\n'], " ")
    };
    let (code, why) = match refused {
        None => ("AA", String::new()),
        Some(refused) => (refused.code, escape(&refused.why)),
    };
    format!(
        "MSH|^~\\&|clinicflow|{}|{}|{}|{}||ACK^{}^ACK|ack-{:016x}|P|{version}\rMSA|{code}|{}|{why}\r",
        escape(&field("MSH.6")),
        escape(&field("MSH.3")),
        escape(&field("MSH.4")),
        now.format("%Y%m%d%H%M%S"),
        escape(&field("MSH.9.2")),
        rand::random::<u64>(),
        escape(control_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        Some(Utc.from_utc_datetime(&naive))
    }

    const NEW: &str = "MSH|^~\\&|PM|CLINIC|clinicflow|CLINIC|20261202080000||SIU^S12|msg-1|P|2.5.1\r\
        SCH|P-77|F-77|||||Routine^Routine|^New patient|20|MIN|^^^202612020930-0600^202612020955-0600\r\
        PID|1||MRN123^^^HOSP^MR||O\\S\\Brien^Ana||19500401|F|||||||es\r\
        AIP|1||dr-okafor^Okafor^Amara|||202612020930-0600\r";

    #[test]
    fn a_new_booking_reads_its_time_length_provider_and_patient() {
        let read = read(NEW, &utc, &BTreeMap::new()).unwrap();
        assert_eq!(read.control_id, "msg-1");
        let Asked::Booked(appointment) = read.asked else {
            panic!("{:?}", read.asked)
        };
        assert_eq!(appointment.external_id, "F-77", "the filler's id");
        assert_eq!(
            appointment.start,
            Utc.with_ymd_and_hms(2026, 12, 2, 15, 30, 0).unwrap()
        );
        assert_eq!(
            appointment.duration_minutes,
            Some(20),
            "SCH-9 and SCH-10 before the end"
        );
        assert_eq!(appointment.provider.as_str(), "dr-okafor");
        assert_eq!(appointment.patient.last_name, "O^Brien", "escapes decoded");
        assert_eq!(appointment.patient_id.as_deref(), Some("MRN123"));
        assert_eq!(appointment.visit_type, "New patient");
        assert_eq!(appointment.needs.interpreter.as_deref(), Some("es"));
    }

    #[test]
    fn cancellations_patients_and_bad_messages_each_get_their_answer() {
        let cancel = NEW.replace("SIU^S12", "SIU^S15");
        assert_eq!(
            read(&cancel, &utc, &BTreeMap::new()).unwrap().asked,
            Asked::Cancelled("F-77".into())
        );
        let update = "MSH|^~\\&|PM|CLINIC|||20261202080000||ADT^A08|msg-2|P|2.5\rPID|1||MRN123||Brien^Anna||19500401\r";
        let Asked::Patient { id, patient } = read(update, &utc, &BTreeMap::new()).unwrap().asked
        else {
            panic!()
        };
        assert_eq!(
            (id.as_str(), patient.first_name.as_str()),
            ("MRN123", "Anna")
        );
        let orm = NEW.replace("SIU^S12", "ORM^O01");
        assert_eq!(read(&orm, &utc, &BTreeMap::new()).unwrap_err().code, "AR");
        let no_provider = NEW.replace("dr-okafor^Okafor", "DOC9^Okafor");
        let refused = read(&no_provider, &utc, &BTreeMap::new()).unwrap_err();
        assert_eq!(refused.code, "AE");
        assert!(refused.why.contains("DOC9"), "{}", refused.why);
        let mapped = BTreeMap::from([("DOC9".to_string(), "dr-okafor".to_string())]);
        assert!(read(&no_provider, &utc, &mapped).is_ok());
        assert_eq!(
            read("hello", &utc, &BTreeMap::new()).unwrap_err().code,
            "AR"
        );
    }

    #[test]
    fn an_ack_echoes_the_control_id_and_escapes_the_reason() {
        let refused = Refused {
            code: "AE",
            control_id: "msg-1".into(),
            why: "no provider a|b".into(),
        };
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap();
        let ack = ack(NEW, "msg-1", Some(&refused), now);
        let parsed = Message::parse_with_lenient_newlines(ack.trim(), true).unwrap();
        assert_eq!(value(&parsed, "MSA.1"), "AE");
        assert_eq!(value(&parsed, "MSA.2"), "msg-1");
        assert_eq!(value(&parsed, "MSA.3"), "no provider a|b");
        assert_eq!(value(&parsed, "MSH.9"), "ACK^S12^ACK");
        assert_eq!(value(&parsed, "MSH.5"), "PM");
    }
}
