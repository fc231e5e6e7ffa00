//! A clinic day as FHIR R4, for the EHR: one `Encounter` per visit that arrived (status and
//! class, a status history with undone steps collapsed, the room with its period, the provider
//! and the rooming assistant with theirs, the EHR's appointment and patient ids), its vital
//! signs as `Observation`s (vital-signs category, LOINC, UCUM), and the `Patient`s,
//! `Practitioner`s and `Location`s they name, with absolute `fullUrl`s. `clinicflow export fhir`
//! writes it as a `collection`; `GET /api/v1/fhir/Encounter?date=` answers a `searchset`.
//! Tests prove it against an independent R4 model (docs/interop.md).

use crate::domain::{
    ClinicState, Event, Measure, Priority, RoomId, SequencedEvent, StaffId, Visit, VisitState,
    Vitals,
};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Which kind of Bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleType {
    /// A file handed to the EHR.
    Collection,
    /// A search's answer: Encounters are matches, the rest included.
    Searchset,
}

/// The day's Bundle. `events` are the log's events around the day (others are ignored); `base`
/// is the absolute URL resource URLs start from (`http://hub:8080/api/v1/fhir`).
pub fn day_bundle(
    state: &ClinicState,
    events: &[SequencedEvent],
    day: NaiveDate,
    base: &str,
    kind: BundleType,
    now: DateTime<Utc>,
) -> Value {
    let mut entries = Entries::new(base.trim_end_matches('/'));
    let mut encounters = 0;
    for visit in state.visits.values().filter(|v| v.day == day) {
        let steps = collapsed(&visit.history);
        if !steps.iter().any(|step| step.state != VisitState::Scheduled) {
            continue;
        }
        let mine: Vec<&SequencedEvent> = events
            .iter()
            .filter(|e| e.event.visit() == Some(&visit.id))
            .collect();
        encounters += 1;
        let encounter = encounter(state, visit, &steps, &mine, &mut entries);
        entries.push_match("Encounter", encounter);
        for observation in observations(visit, &mine, &mut entries) {
            entries.push_include("Observation", observation);
        }
    }
    let mut bundle = json!({
        "resourceType": "Bundle",
        "id": format!("clinic-day-{day}"),
        "type": match kind {
            BundleType::Collection => "collection",
            BundleType::Searchset => "searchset",
        },
        "timestamp": instant(now),
    });
    if kind == BundleType::Searchset {
        bundle["total"] = json!(encounters);
        bundle["link"] = json!([{
            "relation": "self",
            "url": format!("{}/Encounter?date={day}", entries.base),
        }]);
    }
    let entry = entries.finish(kind);
    if !entry.is_empty() {
        bundle["entry"] = Value::Array(entry);
    }
    bundle
}

/// One stretch of a visit's history that was not taken back.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    state: VisitState,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
}

/// Where each state stands in a visit's course; a step back (an undo) drops what it took back.
fn rank(state: VisitState) -> u8 {
    match state {
        VisitState::Scheduled => 0,
        VisitState::Arrived => 1,
        VisitState::Roomed => 2,
        VisitState::ReadyForProvider => 3,
        VisitState::WithProvider => 4,
        VisitState::Finished
        | VisitState::Cancelled
        | VisitState::NoShow
        | VisitState::LeftWithoutBeingSeen => 5,
    }
}

/// The history with undone steps collapsed: a later entry that goes back to an earlier state
/// removes everything after that state, as if the undone steps never happened.
fn collapsed(history: &[crate::domain::Stamped<VisitState>]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for entry in history {
        while steps
            .last()
            .is_some_and(|last| rank(last.state) > rank(entry.state))
        {
            steps.pop();
        }
        match steps.last_mut() {
            Some(last) if last.state == entry.state => last.end = None,
            _ => {
                if let Some(last) = steps.last_mut() {
                    last.end = Some(entry.at);
                }
                steps.push(Step {
                    state: entry.state,
                    start: entry.at,
                    end: None,
                });
            }
        }
    }
    steps
}

/// The design brief's mapping (docs/interop.md).
fn encounter_status(state: VisitState) -> &'static str {
    match state {
        VisitState::Scheduled => "planned",
        VisitState::Arrived => "arrived",
        VisitState::Roomed => "triaged",
        VisitState::ReadyForProvider | VisitState::WithProvider => "in-progress",
        VisitState::Finished => "finished",
        VisitState::Cancelled | VisitState::NoShow | VisitState::LeftWithoutBeingSeen => {
            "cancelled"
        }
    }
}

fn encounter(
    state: &ClinicState,
    visit: &Visit,
    steps: &[Step],
    events: &[&SequencedEvent],
    entries: &mut Entries,
) -> Value {
    let arrived: Vec<&Step> = steps
        .iter()
        .filter(|s| s.state != VisitState::Scheduled)
        .collect();
    let mut history: Vec<(&'static str, DateTime<Utc>, Option<DateTime<Utc>>)> = Vec::new();
    for step in &arrived {
        let status = encounter_status(step.state);
        match history.last_mut() {
            Some(last) if last.0 == status => last.2 = step.end,
            _ => history.push((status, step.start, step.end)),
        }
    }
    let closed = visit.state.is_closed();
    let first = arrived.first().map(|s| s.start);
    let last = arrived.last().map(|s| s.start);
    let mut period = json!({ "start": first.map(instant) });
    if closed {
        period["end"] = json!(last.map(instant));
    }
    let patient = entries.patient(visit);
    let mut encounter = json!({
        "resourceType": "Encounter",
        "id": fhir_id(visit.id.as_str()),
        "status": encounter_status(visit.state),
        "statusHistory": history.iter().map(|(status, start, end)| json!({
            "status": status,
            "period": with_end(json!({ "start": instant(*start) }), *end),
        })).collect::<Vec<_>>(),
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [{ "text": visit.visit_type }],
        "subject": patient,
        "period": period,
    });
    if visit.priority == Priority::Urgent {
        encounter["priority"] = json!({ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActPriority",
            "code": "UR",
            "display": "urgent",
        }]});
    }
    let in_room = |s: &&&Step| s.state.is_in_room();
    let room_start = arrived.iter().find(in_room).map(|s| s.start);
    let room_end = arrived.iter().rev().find(in_room).and_then(|s| s.end);
    let rooming = events.iter().rev().find_map(|e| match &e.event {
        Event::PatientRoomed { room, by, .. } => Some((room.clone(), by.clone())),
        _ => None,
    });
    let mut participants = Vec::new();
    let with_provider = arrived.iter().find(|s| s.state == VisitState::WithProvider);
    let provider = entries.provider(state, visit);
    participants.push(participant(
        "ATND",
        "attender",
        provider,
        with_provider.map(|s| (s.start, s.end)),
    ));
    if let (Some(start), Some((room, by))) = (room_start, &rooming) {
        if let Some(staff) = by {
            let handed_over = with_provider.map(|s| s.start).or(room_end);
            let assistant = entries.staff(state, staff);
            participants.push(participant(
                "PART",
                "participation",
                assistant,
                Some((start, handed_over)),
            ));
        }
        let location = entries.location(state, room);
        let status = if room_end.is_some() {
            "completed"
        } else {
            "active"
        };
        encounter["location"] = json!([{
            "location": location,
            "status": status,
            "period": with_end(json!({ "start": instant(start) }), room_end),
        }]);
    }
    encounter["participant"] = Value::Array(participants);
    if let Some(external) = &visit.external {
        encounter["appointment"] = json!([{
            "type": "Appointment",
            "identifier": { "value": external.appointment },
        }]);
    }
    encounter
}

fn participant(
    code: &str,
    display: &str,
    individual: Value,
    period: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
) -> Value {
    let mut participant = json!({
        "type": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
            "code": code,
            "display": display,
        }]}],
        "individual": individual,
    });
    if let Some((start, end)) = period {
        participant["period"] = with_end(json!({ "start": instant(start) }), end);
    }
    participant
}

/// The visit's vital signs, one Observation per measure per recording (blood pressure as the
/// panel with its two components, BMI from height and weight).
fn observations(visit: &Visit, events: &[&SequencedEvent], entries: &mut Entries) -> Vec<Value> {
    let mut observations = Vec::new();
    for recorded in events {
        let Event::VitalsRecorded { vitals, at, by, .. } = &recorded.event else {
            continue;
        };
        let base = json!({
            "resourceType": "Observation",
            "status": "final",
            "category": [{
                "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "vital-signs",
                    "display": "Vital Signs",
                }],
                "text": "Vital Signs",
            }],
            "subject": entries.patient(visit),
            "encounter": { "reference": format!("Encounter/{}", fhir_id(visit.id.as_str())) },
            "effectiveDateTime": instant(*at),
        });
        let performer = by.as_ref().map(|staff| entries.staff_reference(staff));
        for (name, code, value) in measured(vitals) {
            let mut observation = base.clone();
            observation["id"] = json!(format!("vs-{}-{name}", recorded.seq));
            observation["code"] = code;
            match value {
                Measured::Quantity(quantity) => observation["valueQuantity"] = quantity,
                Measured::Components(components) => observation["component"] = components,
            }
            if let Some(performer) = &performer {
                observation["performer"] = json!([performer]);
            }
            observations.push(observation);
        }
    }
    observations
}

enum Measured {
    Quantity(Value),
    Components(Value),
}

fn loinc(code: &str, display: &str) -> Value {
    json!({
        "coding": [{ "system": "http://loinc.org", "code": code, "display": display }],
        "text": display,
    })
}

fn quantity(value: f64, measure: Measure) -> Value {
    json!({
        "value": value,
        "unit": measure.unit_label(),
        "system": "http://unitsofmeasure.org",
        "code": measure.ucum(),
    })
}

/// Each measure taken, with its id suffix, LOINC code and value.
fn measured(vitals: &Vitals) -> Vec<(&'static str, Value, Measured)> {
    let mut out = Vec::new();
    if let (Some(systolic), Some(diastolic)) = (vitals.systolic_mmhg, vitals.diastolic_mmhg) {
        let component = |measure: Measure, value: f64| {
            json!({
                "code": loinc(measure.loinc(), &format!("{} blood pressure", measure.label())),
                "valueQuantity": quantity(value, measure),
            })
        };
        out.push((
            "bp",
            loinc("85354-9", "Blood pressure panel with all children optional"),
            Measured::Components(json!([
                component(Measure::Systolic, systolic),
                component(Measure::Diastolic, diastolic),
            ])),
        ));
    }
    for (measure, value) in vitals.values() {
        let Some(value) = value else { continue };
        let (name, display) = match measure {
            Measure::Systolic | Measure::Diastolic => continue,
            Measure::HeartRate => ("hr", "Heart rate"),
            Measure::RespiratoryRate => ("rr", "Respiratory rate"),
            Measure::Temperature => ("temp", "Body temperature"),
            Measure::Spo2 => (
                "spo2",
                "Oxygen saturation in Arterial blood by Pulse oximetry",
            ),
            Measure::Height => ("height", "Body height"),
            Measure::Weight => ("weight", "Body weight"),
            Measure::Pain => (
                "pain",
                "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            ),
        };
        let mut code = loinc(measure.loinc(), display);
        if measure == Measure::Spo2 {
            code["coding"]
                .as_array_mut()
                .expect("just built")
                .push(json!({
                    "system": "http://loinc.org",
                    "code": "59408-5",
                    "display": "Oxygen saturation in Arterial blood by Pulse oximetry",
                }));
        }
        out.push((name, code, Measured::Quantity(quantity(value, measure))));
    }
    if let (Some(height), Some(weight)) = (vitals.height_cm, vitals.weight_kg) {
        let bmi = (weight / (height / 100.0).powi(2) * 10.0).round() / 10.0;
        out.push((
            "bmi",
            loinc("39156-5", "Body mass index (BMI) [Ratio]"),
            Measured::Quantity(json!({
                "value": bmi,
                "unit": "kg/m2",
                "system": "http://unitsofmeasure.org",
                "code": "kg/m2",
            })),
        ));
    }
    out
}

/// The Bundle's entries: Encounters and Observations as they come, and each Patient,
/// Practitioner and Location once, however many resources name it.
struct Entries<'a> {
    base: &'a str,
    matches: Vec<Value>,
    included: Vec<Value>,
    referenced: BTreeMap<String, Value>,
}

impl<'a> Entries<'a> {
    fn new(base: &'a str) -> Self {
        Entries {
            base,
            matches: Vec::new(),
            included: Vec::new(),
            referenced: BTreeMap::new(),
        }
    }

    fn entry(&self, kind: &str, resource: Value) -> Value {
        let id = resource["id"].as_str().unwrap_or_default();
        json!({ "fullUrl": format!("{}/{kind}/{id}", self.base), "resource": resource })
    }

    fn push_match(&mut self, kind: &str, resource: Value) {
        let entry = self.entry(kind, resource);
        self.matches.push(entry);
    }

    fn push_include(&mut self, kind: &str, resource: Value) {
        let entry = self.entry(kind, resource);
        self.included.push(entry);
    }

    /// A reference to `kind/id` with `display`, adding `resource` the first time.
    fn reference(&mut self, kind: &str, id: String, display: &str, resource: Value) -> Value {
        let key = format!("{kind}/{id}");
        if !self.referenced.contains_key(&key) {
            let mut resource = resource;
            resource["resourceType"] = json!(kind);
            resource["id"] = json!(id);
            let entry = self.entry(kind, resource);
            self.referenced.insert(key.clone(), entry);
        }
        json!({ "reference": key, "display": display })
    }

    /// The visit's patient: the EHR's Patient id when it gave a usable one, else one per visit.
    fn patient(&mut self, visit: &Visit) -> Value {
        let outside = visit.external.as_ref().and_then(|e| e.patient.clone());
        let id = outside
            .as_deref()
            .filter(|id| is_fhir_id(id))
            .map(str::to_string)
            .unwrap_or_else(|| format!("patient.{}", fhir_id(visit.id.as_str())));
        let patient = &visit.patient;
        let display = format!("{} {}", patient.first_name, patient.last_name);
        let mut resource = json!({
            "name": [{ "family": patient.last_name, "given": [patient.first_name] }],
        });
        if let Some(born) = patient.date_of_birth {
            resource["birthDate"] = json!(born.to_string());
        }
        if let Some(outside) = outside.filter(|id| !is_fhir_id(id)) {
            resource["identifier"] = json!([{ "value": outside }]);
        }
        self.reference("Patient", id, &display, resource)
    }

    fn provider(&mut self, state: &ClinicState, visit: &Visit) -> Value {
        let name = state
            .providers
            .get(&visit.provider)
            .map_or_else(|| visit.provider.to_string(), |p| p.name.clone());
        let resource = json!({ "name": [{ "text": name }] });
        self.reference(
            "Practitioner",
            fhir_id(visit.provider.as_str()),
            &name,
            resource,
        )
    }

    /// A staff member, as a Practitioner apart from the providers (`staff.<id>`).
    fn staff(&mut self, state: &ClinicState, staff: &StaffId) -> Value {
        let name = state
            .staff
            .get(staff)
            .map_or_else(|| staff.to_string(), |s| s.name.clone());
        let resource = json!({ "name": [{ "text": name }] });
        self.reference("Practitioner", staff_fhir_id(staff), &name, resource)
    }

    fn staff_reference(&self, staff: &StaffId) -> Value {
        json!({ "reference": format!("Practitioner/{}", staff_fhir_id(staff)) })
    }

    fn location(&mut self, state: &ClinicState, room: &RoomId) -> Value {
        let name = state
            .rooms
            .get(room)
            .map_or_else(|| room.to_string(), |r| r.name.clone());
        let resource = json!({ "status": "active", "name": name, "mode": "instance" });
        self.reference("Location", fhir_id(room.as_str()), &name, resource)
    }

    fn finish(self, kind: BundleType) -> Vec<Value> {
        let mode = |entry: Value, mode: &str| match kind {
            BundleType::Collection => entry,
            BundleType::Searchset => {
                let mut entry = entry;
                entry["search"] = json!({ "mode": mode });
                entry
            }
        };
        let mut all: Vec<Value> = self.matches.into_iter().map(|e| mode(e, "match")).collect();
        all.extend(self.included.into_iter().map(|e| mode(e, "include")));
        all.extend(self.referenced.into_values().map(|e| mode(e, "include")));
        all
    }
}

/// A clinicflow id as a FHIR id: `_` (which FHIR ids may not hold) becomes `.` (which clinicflow
/// ids never hold), so two ids never map to one.
pub fn fhir_id(id: &str) -> String {
    id.replace('_', ".")
}

fn staff_fhir_id(staff: &StaffId) -> String {
    format!("staff.{}", fhir_id(staff.as_str()))
}

/// FHIR R4 `id`: 1 to 64 of `A-Z a-z 0-9 - .`.
fn is_fhir_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn with_end(mut period: Value, end: Option<DateTime<Utc>>) -> Value {
    if let Some(end) = end {
        period["end"] = json!(instant(end));
    }
    period
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{at, TestClinic};
    use crate::domain::{Command, Stamped};

    fn stamped(state: VisitState, minute: u32) -> Stamped<VisitState> {
        Stamped {
            state,
            at: at(9, minute),
            by: None,
        }
    }

    #[test]
    fn an_undone_rooming_leaves_no_trace_in_the_status_history() {
        use VisitState::*;
        let history = [
            stamped(Scheduled, 0),
            stamped(Arrived, 1),
            stamped(Roomed, 5),
            stamped(Arrived, 6),
            stamped(Roomed, 10),
            stamped(WithProvider, 20),
            stamped(Finished, 30),
            stamped(WithProvider, 31),
            stamped(Finished, 40),
        ];
        let steps: Vec<(VisitState, u32, Option<u32>)> = collapsed(&history)
            .iter()
            .map(|s| {
                use chrono::Timelike;
                (s.state, s.start.minute(), s.end.map(|e| e.minute()))
            })
            .collect();
        assert_eq!(
            steps,
            vec![
                (Scheduled, 0, Some(1)),
                (Arrived, 1, Some(10)),
                (Roomed, 10, Some(20)),
                (WithProvider, 20, Some(40)),
                (Finished, 40, None),
            ]
        );
    }

    #[test]
    fn a_finished_visit_exports_its_room_people_and_vitals() {
        let mut clinic = TestClinic::new();
        let visit = clinic.appointment_at(9, 0);
        clinic.check_in_at(&visit, 8, 55);
        let room = RoomId::parse("exam-1").unwrap();
        let mut events = Vec::new();
        let mut seq = 0;
        let mut run = |clinic: &mut TestClinic, command: Command, minute: u32| {
            let now = crate::domain::Now {
                at: at(9, minute),
                clinic_day: clinic.day,
                by: None,
            };
            let by = StaffId::parse("ma-lee").unwrap();
            let now = crate::domain::Now {
                by: Some(&by),
                ..now
            };
            for event in crate::domain::execute(&mut clinic.state, &command, now).unwrap() {
                seq += 1;
                events.push(SequencedEvent { seq, event });
            }
        };
        run(
            &mut clinic,
            Command::RoomPatient {
                visit: visit.clone(),
                room: room.clone(),
            },
            2,
        );
        let vitals = Vitals {
            systolic_mmhg: Some(120.0),
            diastolic_mmhg: Some(80.0),
            height_cm: Some(170.0),
            weight_kg: Some(70.0),
            ..Vitals::default()
        };
        run(
            &mut clinic,
            Command::RecordVitals {
                visit: visit.clone(),
                vitals,
                confirm_abnormal: false,
                ready_for_provider: false,
            },
            5,
        );
        run(
            &mut clinic,
            Command::ProviderIn {
                visit: visit.clone(),
            },
            10,
        );
        run(
            &mut clinic,
            Command::FinishVisit {
                visit: visit.clone(),
            },
            25,
        );
        let bundle = day_bundle(
            &clinic.state,
            &events,
            clinic.day,
            "http://hub/api/v1/fhir",
            BundleType::Collection,
            at(18, 0),
        );
        let entries = bundle["entry"].as_array().unwrap();
        let encounter = &entries[0]["resource"];
        assert_eq!(encounter["status"], "finished");
        let statuses: Vec<&str> = encounter["statusHistory"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["arrived", "triaged", "in-progress", "finished"]);
        assert_eq!(
            encounter["location"][0]["period"]["end"],
            "2026-03-02T09:25:00Z"
        );
        assert_eq!(
            encounter["participant"][1]["individual"]["reference"],
            "Practitioner/staff.ma-lee"
        );
        let codes: Vec<&str> = entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == "Observation")
            .map(|e| e["resource"]["code"]["coding"][0]["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["85354-9", "8302-2", "29463-7", "39156-5"]);
        assert!(entries.iter().all(|e| e["fullUrl"]
            .as_str()
            .unwrap()
            .starts_with("http://hub/api/v1/fhir/")));
    }
}
