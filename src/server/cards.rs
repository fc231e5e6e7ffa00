//! Printable appointment reminder cards: one per appointment of a day, with the clinic's name,
//! the time, the provider, the patient's first name + last initial and the QR code of the
//! check-in link (`<hub>/c/<code>`), in English and Spanish. Served to the front desk at
//! `GET /api/v1/cards?date=D` (or one patient's, `&visit=ID`, to show its QR code on screen for
//! their phone or print it alone) and written by `clinicflow cards`.

use super::auth::Caller;
use super::clock::ClinicClock;
use super::devices::qr_svg;
use super::error::{ApiError, Params};
use super::AppState;
use crate::domain::{Action, ClinicState, VisitId, VisitState};
use crate::i18n;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse};
use chrono::NaiveDate;

/// The languages printed on every card, the clinic's first language on top.
const CARD_LANGUAGES: [&str; 2] = ["en", "es"];

/// The reminder cards of `day` (only `visit`'s, when given) as one printable HTML page, and how
/// many cards it holds. `base_url` is how patients' phones reach the hub
/// (`http://clinic-hub.local:8080`).
pub fn cards_html(
    clinic_name: &str,
    state: &ClinicState,
    clock: &ClinicClock,
    day: NaiveDate,
    visit: Option<&VisitId>,
    base_url: &str,
) -> (String, usize) {
    let mut visits: Vec<_> = state
        .visits
        .values()
        .filter(|v| v.day == day && v.appointment.is_some() && v.code.is_some())
        .filter(|v| visit.is_none_or(|only| v.id == *only))
        .filter(|v| !matches!(v.state, VisitState::Cancelled | VisitState::NoShow))
        .collect();
    visits.sort_by_key(|v| (v.appointment, v.id.clone()));
    let base = base_url.trim_end_matches('/');
    let offset = clock.utc_offset_minutes();
    let cards: String = visits
        .iter()
        .map(|visit| {
            let code = visit.code.expect("filtered on codes");
            let start = visit.appointment.expect("filtered on appointments");
            let provider = state
                .providers
                .get(&visit.provider)
                .map_or_else(|| visit.provider.to_string(), |p| p.name.clone());
            let lines: String = CARD_LANGUAGES
                .iter()
                .map(|language| {
                    let when = format!(
                        "{}, {}",
                        i18n::long_date(language, day),
                        i18n::time_of_day(language, start, offset)
                    );
                    let with = i18n::text_with(
                        language,
                        "card-with",
                        &[("provider", provider.clone().into())],
                    );
                    format!(
                        r#"<div class="lang" lang="{language}"><p class="when">{when}</p><p>{with}</p><p class="how">{how}</p></div>"#,
                        when = escape(&when),
                        with = escape(&with),
                        how = escape(&i18n::text(language, "card-how")),
                    )
                })
                .collect();
            format!(
                r#"<article class="card"><header><strong>{clinic}</strong><span>{title}</span></header><p class="who">{name}</p>{lines}<figure>{qr}<figcaption>{code}</figcaption></figure></article>"#,
                clinic = escape(clinic_name),
                title = escape(&i18n::text("en", "card-title")),
                name = escape(&visit.patient.public_name()),
                qr = qr_svg(&format!("{base}{}", code.url_path())),
            )
        })
        .collect();
    let empty = if visits.is_empty() {
        format!(
            "<p class=\"empty\">No appointments on {}.</p>",
            escape(&i18n::long_date("en", day))
        )
    } else {
        String::new()
    };
    let page = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reminder cards {day} — {clinic}</title>
<style>{CARD_CSS}</style></head>
<body><h1 class="screen-only">{clinic}: reminder cards for {date} ({count})</h1>
<p class="screen-only">Print this page (Ctrl+P): two cards across; cut along the dashed borders.</p>
{empty}<main>{cards}</main></body></html>"#,
        clinic = escape(clinic_name),
        date = escape(&i18n::long_date("en", day)),
        count = visits.len(),
    );
    (page, visits.len())
}

const CARD_CSS: &str = "
body { font-family: system-ui, sans-serif; color: #13202b; margin: 16px; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
.card { border: 1px dashed #4a5a68; padding: 14px; display: grid; gap: 4px; break-inside: avoid; }
.card header { display: flex; justify-content: space-between; gap: 8px; }
.card p { margin: 0; }
.who { font-size: 1.3rem; font-weight: 700; }
.when { font-weight: 700; }
.lang + .lang { color: #4a5a68; font-size: 0.9rem; }
.how { font-size: 0.9rem; }
figure { margin: 6px 0 0; text-align: center; }
figure svg { width: 180px; height: 180px; }
figcaption { font-family: ui-monospace, monospace; font-size: 1.1rem; letter-spacing: 0.08em; }
@media print { .screen-only { display: none; } body { margin: 0; } main { grid-template-columns: 1fr 1fr; } }
";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(serde::Deserialize)]
pub struct CardsQuery {
    date: Option<NaiveDate>,
    visit: Option<VisitId>,
}

/// `GET /api/v1/cards?date=YYYY-MM-DD[&visit=ID]` (front desk): the printable cards page. The QR codes
/// point at `check_in.public_url`, or else at the address this page was opened with.
pub async fn cards(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Params(query): Params<CardsQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::FrontDesk)?;
    let hub = &state.hub;
    let config = hub.config();
    let base = super::public_base(&state, &headers);
    let day = query.date.unwrap_or_else(|| hub.clock().now().clinic_day);
    let only = query.visit.as_ref();
    let clinic = hub.day(day).await?;
    let (page, _) = cards_html(&config.name, &clinic, hub.clock(), day, only, &base);
    Ok(Html(page))
}
