//! The day's flow numbers: figure tiles and two small SVG charts (arrivals against roomed per
//! hour, door-to-room wait bands) on the overview, for today or any past day, and the printable
//! report page (`/report/<date>`) with the same figures and the per-visit timeline. Every number
//! comes from `domain::metrics::day_metrics`.

use super::clinic_today;
use crate::api_types::{ApiFailure, DayRecord};
use crate::domain::metrics::{
    clock_time, day_metrics, minutes_label, DayMetrics, HourCounts, Summary, WAIT_BANDS,
};
use crate::domain::ClinicState;
use crate::sync::use_live_clinic;
use crate::ui::common::{day_copy, use_closed_day, use_minute, DayCopy, DayNotReady, Screen};
use crate::ui::Route;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use dioxus::prelude::*;

#[component]
pub fn TodayNumbers() -> Element {
    let live = use_live_clinic();
    let minute = use_minute();
    let picked = use_signal(|| None::<NaiveDate>);
    let clinic_day = super::use_clinic_today();
    let (_, today) = clinic_day();
    let day = picked().unwrap_or(today);
    let mut asked = use_closed_day(day, today);
    // Worked out whenever the clinic moves, and once a minute (today's room use is measured up
    // to now; every figure shows minutes or a percentage), not every second; rendered again
    // only when they have changed. The overview shows no per-visit timeline (the report
    // does): left out, it is neither compared nor copied at every event.
    let shown = use_memo(use_reactive!(|day| {
        let (offset, today) = clinic_day();
        minute();
        metrics_of(&live.read().state, day, today, &asked, offset, Utc::now()).map(|mut m| {
            m.timeline = Vec::new();
            m
        })
    }));
    rsx! {
        section { class: "board-numbers", "aria-labelledby": "board-numbers-heading",
            NumbersHead { day, today, picked }
            match &*shown.read() {
                Ok(metrics) => rsx! {
                    Figures { metrics: metrics.clone() }
                    div { class: "charts",
                        ArrivalsChart { hours: metrics.hours.clone() }
                        WaitChart { bands: metrics.wait_bands.clone() }
                    }
                },
                Err(failed) => rsx! { DayNotReady { day, failed: failed.clone(), on_retry: move |_| asked.restart() } },
            }
        }
    }
}

/// The figures' heading and day picker, apart from the figures so that an event which changes
/// them does not render the report link (it reads the address bar) again.
#[component]
fn NumbersHead(day: NaiveDate, today: NaiveDate, picked: Signal<Option<NaiveDate>>) -> Element {
    let heading = if day == today {
        "Today's flow".to_string()
    } else {
        format!("Flow on {}", day.format("%a %-d %b"))
    };
    rsx! {
        div { class: "numbers-head",
            h2 { id: "board-numbers-heading", "{heading}" }
            label { class: "visually-hidden", r#for: "numbers-day", "Day" }
            input {
                id: "numbers-day",
                r#type: "date",
                value: "{day}",
                max: "{today}",
                onchange: move |e| picked.set(NaiveDate::parse_from_str(&e.value(), "%Y-%m-%d").ok()),
            }
            Link { class: "button small secondary", to: Route::Report { date: day.to_string() }, "Printable report" }
        }
    }
}

/// `day`'s figures, or why they are not here yet (`None`: still asking the hub).
fn metrics_of(
    live: &ClinicState,
    day: NaiveDate,
    today: NaiveDate,
    asked: &Resource<Option<Result<DayRecord, ApiFailure>>>,
    offset: FixedOffset,
    now: DateTime<Utc>,
) -> Result<DayMetrics, Option<String>> {
    match day_copy(live, day, today, asked.read().as_ref()) {
        DayCopy::Ready(state) => Ok(day_metrics(&state, day, offset, now)),
        DayCopy::Asking => Err(None),
        DayCopy::Failed(message) => Err(Some(message)),
    }
}

/// The day's figures as labelled tiles.
#[component]
fn Figures(metrics: DayMetrics) -> Element {
    let m = &metrics;
    let summary = |s: &Summary| {
        if s.count == 0 {
            "–".to_string()
        } else {
            minutes_label(s.median_seconds)
        }
    };
    // Plain words for nurses, not "p90".
    let p90 = |s: &Summary| format!("9 in 10 within {}", minutes_label(s.p90_seconds));
    let utilisation = m
        .utilisation_percent
        .map_or("–".into(), |p| format!("{p} %"));
    let tiles = [
        (
            "door-to-room",
            "Door to room",
            summary(&m.door_to_room),
            p90(&m.door_to_room),
        ),
        (
            "ready-for-provider",
            "Ready → provider",
            summary(&m.ready_for_provider_wait),
            p90(&m.ready_for_provider_wait),
        ),
        ("cycle", "Cycle time", summary(&m.cycle), p90(&m.cycle)),
        (
            "check-out",
            "Finish → check-out",
            summary(&m.finish_to_check_out),
            format!("{} not checked out", m.not_checked_out),
        ),
        (
            "turnover",
            "Room turnover",
            summary(&m.turnover),
            p90(&m.turnover),
        ),
        (
            "utilisation",
            "Room utilisation",
            utilisation,
            String::new(),
        ),
        (
            "arrivals",
            "Arrived",
            m.arrivals.to_string(),
            format!("{} walk-in · {} finished", m.walk_ins, m.finished),
        ),
        (
            "missed",
            "No-shows",
            m.no_shows.to_string(),
            format!("{} left unseen", m.left_without_being_seen),
        ),
    ];
    rsx! {
        dl { class: "figures",
            for (key, label, value, detail) in tiles {
                div { class: "figure", "data-figure": "{key}",
                    dt { "{label}" }
                    dd {
                        span { class: "figure-value", "{value}" }
                        if !detail.is_empty() { span { class: "figure-detail", "{detail}" } }
                    }
                }
            }
        }
    }
}

const CHART_WIDTH: f64 = 320.0;
const CHART_HEIGHT: f64 = 120.0;
const AXIS: f64 = 16.0;

/// Arrivals (filled) against roomed (outlined) per clinic hour.
#[component]
fn ArrivalsChart(hours: Vec<HourCounts>) -> Element {
    let top = hours
        .iter()
        .map(|h| h.arrivals.max(h.roomed))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = CHART_WIDTH / hours.len().max(1) as f64;
    let bar = (slot / 2.0 - 2.0).max(1.0);
    let height = |n: usize| (CHART_HEIGHT - AXIS) * n as f64 / top;
    let summary: Vec<String> = hours
        .iter()
        .map(|h| {
            format!(
                "{:02}:00 {} arrived, {} roomed",
                h.hour, h.arrivals, h.roomed
            )
        })
        .collect();
    rsx! {
        figure { class: "chart",
            figcaption { "Arrived and roomed per hour" }
            svg {
                view_box: "0 0 {CHART_WIDTH} {CHART_HEIGHT}",
                role: "img",
                "aria-label": "{summary.join(\"; \")}",
                for (i, h) in hours.iter().enumerate() {
                    g { key: "{h.hour}",
                        rect {
                            class: "bar-arrived",
                            x: "{i as f64 * slot + 1.0}",
                            y: "{CHART_HEIGHT - AXIS - height(h.arrivals)}",
                            width: "{bar}",
                            height: "{height(h.arrivals)}",
                        }
                        rect {
                            class: "bar-roomed",
                            x: "{i as f64 * slot + bar + 2.0}",
                            y: "{CHART_HEIGHT - AXIS - height(h.roomed)}",
                            width: "{bar}",
                            height: "{height(h.roomed)}",
                        }
                        text { class: "axis", x: "{i as f64 * slot + slot / 2.0}", y: "{CHART_HEIGHT - 3.0}", text_anchor: "middle", "{h.hour:02}" }
                    }
                }
            }
            p { class: "legend",
                span { class: "key arrived" } "Arrived "
                span { class: "key roomed" } "Roomed"
            }
        }
    }
}

/// How many patients waited how long from arrival to a room.
#[component]
fn WaitChart(bands: Vec<usize>) -> Element {
    let top = bands.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = CHART_WIDTH / WAIT_BANDS.len() as f64;
    let labels: Vec<String> = WAIT_BANDS
        .iter()
        .scan(0, |lower, upper| {
            let label = if *upper == i64::MAX {
                format!("{lower}+")
            } else {
                format!("{lower}–{upper}")
            };
            *lower = *upper;
            Some(label)
        })
        .collect();
    let summary: Vec<String> = labels
        .iter()
        .zip(&bands)
        .map(|(label, n)| format!("{label} min: {n}"))
        .collect();
    let height = |n: usize| (CHART_HEIGHT - AXIS) * n as f64 / top;
    rsx! {
        figure { class: "chart",
            figcaption { "Door-to-room waits (minutes)" }
            svg {
                view_box: "0 0 {CHART_WIDTH} {CHART_HEIGHT}",
                role: "img",
                "aria-label": "{summary.join(\"; \")}",
                for (i, (label, n)) in labels.iter().zip(&bands).enumerate() {
                    g { key: "{label}",
                        rect {
                            class: if i >= 3 { "bar-wait long" } else { "bar-wait" },
                            x: "{i as f64 * slot + 4.0}",
                            y: "{CHART_HEIGHT - AXIS - height(*n)}",
                            width: "{slot - 8.0}",
                            height: "{height(*n)}",
                        }
                        if *n > 0 {
                            text { class: "count", x: "{i as f64 * slot + slot / 2.0}", y: "{CHART_HEIGHT - AXIS - height(*n) + 12.0}", text_anchor: "middle", "{n}" }
                        }
                        text { class: "axis", x: "{i as f64 * slot + slot / 2.0}", y: "{CHART_HEIGHT - 3.0}", text_anchor: "middle", "{label}" }
                    }
                }
            }
        }
    }
}

/// The printable end-of-day report: the same figures and charts, then every visit's timeline.
#[component]
pub fn Report(date: String) -> Element {
    let live = use_live_clinic();
    // Rendered again once a minute, as the overview's figures are.
    let minute = use_minute();
    minute();
    let now = Utc::now();
    let live_now = live.read();
    let (offset, today) = clinic_today(&live_now, now);
    let parsed = NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok();
    let mut asked = use_closed_day(parsed.unwrap_or(today), today);
    let Some(day) = parsed else {
        return rsx! {
            Screen { name: "report", title: "Flow report",
                p { class: "notice", "“{date}” is not a date; use YYYY-MM-DD." }
            }
        };
    };
    let metrics = match metrics_of(&live_now.state, day, today, &asked, offset, now) {
        Ok(metrics) => metrics,
        Err(failed) => {
            return rsx! {
                Screen { name: "report", title: "Flow report",
                    DayNotReady { day, failed, on_retry: move |_| asked.restart() }
                }
            }
        }
    };
    let clinic = live_now
        .clinic
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let at = |time| clock_time(time, offset);
    rsx! {
        Screen { name: "report", title: "Flow report",
            article { class: "report",
                h2 { "{clinic}: {day.format(\"%A %-d %B %Y\")}" }
                p { class: "report-counts",
                    "{metrics.scheduled} scheduled · {metrics.arrivals} arrived ({metrics.walk_ins} walk-in) · {metrics.finished} finished · {metrics.no_shows} no-show · {metrics.left_without_being_seen} left without being seen · {metrics.cancelled} cancelled"
                }
                Figures { metrics: metrics.clone() }
                div { class: "charts",
                    ArrivalsChart { hours: metrics.hours.clone() }
                    WaitChart { bands: metrics.wait_bands.clone() }
                }
                div { class: "timeline-wrap", tabindex: "0", role: "region", "aria-label": "Every visit, scrollable",
                table { class: "timeline",
                    caption { "Every visit ({metrics.timeline.len()})" }
                    thead {
                        tr {
                            for heading in ["Ticket", "Patient", "Provider", "Appt", "Arrived", "Roomed", "Room", "Ready", "Provider in", "Finished", "Door to room", "Outcome"] {
                                th { scope: "col", "{heading}" }
                            }
                        }
                    }
                    tbody {
                        for visit in metrics.timeline.iter() {
                            tr { key: "{visit.visit}", "data-visit": "{visit.visit}",
                                td { {visit.ticket.clone().unwrap_or("–".into())} }
                                td { "{visit.patient}" }
                                td { "{visit.provider}" }
                                td { if visit.walk_in { "walk-in" } else { {at(visit.appointment)} } }
                                td { {at(visit.arrived)} }
                                td { {at(visit.roomed)} }
                                td { {visit.room.clone().unwrap_or("–".into())} }
                                td { {at(visit.ready_for_provider)} }
                                td { {at(visit.with_provider)} }
                                td { {at(visit.finished)} }
                                td { {minutes_label(visit.door_to_room_seconds)} }
                                td { "{visit.outcome()}" }
                            }
                        }
                    }
                }
                }
            }
        }
    }
}
