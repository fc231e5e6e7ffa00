//! The end-of-day report for the terminal and as CSV (`clinicflow report`): the same figures
//! and per-visit timeline as the overview and its printable page, from `domain::metrics`.

use crate::domain::metrics::{clock_time, minutes_label, DayMetrics, Summary};
use chrono::{DateTime, FixedOffset, Utc};
use std::fmt::Write;

/// The report as plain text: the day's figures, per hour, then every visit.
pub fn text(clinic: &str, metrics: &DayMetrics, offset: FixedOffset) -> String {
    let m = metrics;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{clinic}: flow report for {}",
        m.day.format("%A %-d %B %Y")
    );
    let _ = writeln!(
        out,
        "Visits: {} scheduled, {} arrived ({} walk-in), {} finished, {} no-show, {} left without being seen, {} cancelled",
        m.scheduled, m.arrivals, m.walk_ins, m.finished, m.no_shows, m.left_without_being_seen, m.cancelled
    );
    for (name, summary) in [
        ("Door to room", &m.door_to_room),
        ("Ready for provider wait", &m.ready_for_provider_wait),
        ("Cycle time (arrival to finished)", &m.cycle),
        ("Finish to check-out", &m.finish_to_check_out),
        ("Room turnover", &m.turnover),
    ] {
        let _ = writeln!(out, "{name}: {}", summary_line(summary));
    }
    let _ = writeln!(
        out,
        "Finished without checking out at the desk: {}",
        m.not_checked_out
    );
    let utilisation = m
        .utilisation_percent
        .map_or("–".to_string(), |p| format!("{p} %"));
    let _ = writeln!(out, "Room utilisation: {utilisation}");
    let _ = writeln!(out, "\nHour   Arrived  Roomed  Finished");
    for hour in &m.hours {
        let _ = writeln!(
            out,
            "{:02}:00  {:>7}  {:>6}  {:>8}",
            hour.hour, hour.arrivals, hour.roomed, hour.finished
        );
    }
    let _ = writeln!(
        out,
        "\nTicket  Patient          Provider          Appt   Arrived Roomed Ready  Prov.  Done   Room       Door-room  Outcome"
    );
    for visit in &m.timeline {
        let at = |time: Option<DateTime<Utc>>| clock_time(time, offset);
        let _ = writeln!(
            out,
            "{:<7} {:<16} {:<17} {:<6} {:<7} {:<6} {:<6} {:<6} {:<6} {:<10} {:<10} {}",
            visit.ticket.as_deref().unwrap_or("–"),
            visit.patient,
            visit.provider,
            if visit.walk_in {
                "walk-in".to_string()
            } else {
                at(visit.appointment)
            },
            at(visit.arrived),
            at(visit.roomed),
            at(visit.ready_for_provider),
            at(visit.with_provider),
            at(visit.finished),
            visit.room.as_deref().unwrap_or("–"),
            minutes_label(visit.door_to_room_seconds),
            visit.outcome()
        );
    }
    out
}

/// One row per visit, times in clinic-local ISO 8601, durations in whole minutes.
pub fn csv(metrics: &DayMetrics, offset: FixedOffset) -> String {
    let mut out = String::from(
        "visit,ticket,patient,provider,walk_in,appointment,arrived,roomed,room,ready_for_provider,with_provider,finished,state,door_to_room_minutes,ready_for_provider_wait_minutes,cycle_minutes,checked_out,finish_to_check_out_minutes\n",
    );
    for visit in &metrics.timeline {
        let at = |time: Option<DateTime<Utc>>| {
            time.map(|t| {
                t.with_timezone(&offset)
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            })
            .unwrap_or_default()
        };
        let minutes = |seconds: Option<i64>| {
            seconds
                .map(|s| ((s + 30) / 60).to_string())
                .unwrap_or_default()
        };
        let state = serde_json::to_value(visit.state).expect("states serialize");
        let fields = [
            visit.visit.to_string(),
            visit.ticket.clone().unwrap_or_default(),
            visit.patient.clone(),
            visit.provider.clone(),
            visit.walk_in.to_string(),
            at(visit.appointment),
            at(visit.arrived),
            at(visit.roomed),
            visit.room.clone().unwrap_or_default(),
            at(visit.ready_for_provider),
            at(visit.with_provider),
            at(visit.finished),
            state.as_str().unwrap_or_default().to_string(),
            minutes(visit.door_to_room_seconds),
            minutes(visit.ready_for_provider_wait_seconds),
            minutes(visit.cycle_seconds),
            at(visit.checked_out),
            minutes(visit.finish_to_check_out_seconds),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

fn summary_line(summary: &Summary) -> String {
    if summary.count == 0 {
        return "no visits yet".to_string();
    }
    format!(
        "median {}, 9 in 10 within {} ({} visit{})",
        minutes_label(summary.median_seconds),
        minutes_label(summary.p90_seconds),
        summary.count,
        if summary.count == 1 { "" } else { "s" }
    )
}

/// Quotes a field that holds a comma, quote or line break; a leading `=`, `+`, `-` or `@`
/// is prefixed with `'` so a spreadsheet does not run it as a formula.
fn csv_field(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@']) {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Garcia, M."), "\"Garcia, M.\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("A-17"), "A-17");
    }
}
