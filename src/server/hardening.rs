//! Web hardening for every response and request: security headers (CSP allowing what the wasm
//! client needs and nothing more), no caching of API answers that carry personal data, and the
//! CSRF rule that a cookie-authenticated change must come from this hub's own pages; and request
//! bodies read only once the caller is known, so strangers cannot make the hub hold uploads.

use super::auth::Caller;
use super::error::ApiError;
use crate::domain::Action;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// 'unsafe-inline' scripts: Dioxus's server rendering writes the hydration data as inline
/// scripts; 'wasm-unsafe-eval' lets the client compile its WebAssembly. Nothing loads from any
/// other origin.
const CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn guard(request: Request, next: Next) -> Response {
    if !same_origin_or_not_a_browser_change(&request) {
        return ApiError::BadOrigin.into_response();
    }
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if is_api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A request that changes something and carries cookies must name this hub as its Origin.
/// Bearer-token clients and reads are not at risk of CSRF; an event stream from another
/// origin is refused too, as its cookies would otherwise authorise it.
fn same_origin_or_not_a_browser_change(request: &Request) -> bool {
    let headers = request.headers();
    let has_cookie = headers.contains_key(header::COOKIE);
    let is_stream = request.uri().path() == "/api/v1/events";
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !has_cookie || !(changes || is_stream) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        host,
    ) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        // Same-origin GETs (the event stream) may come without an Origin header.
        (None, _) => !changes,
        _ => false,
    }
}

/// Refuses a change from a caller with no enrolled device before its body is read, except self
/// check-in and "I'm here" (patients' phones, small bodies); the schedule import, whose bodies are large, also
/// checks the caller's role first. Everything else is checked again by its handler.
pub async fn credential_before_body(caller: Caller, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // A patient's own phone has no device: it may check in, and say "I'm here" on its page.
    let phones_may = path == "/api/v1/check-in"
        || (path.starts_with("/api/v1/status/") && path.ends_with("/here"));
    if changes && path.starts_with("/api/") && !phones_may {
        if caller.device.is_none() {
            return ApiError::NotEnrolled.into_response();
        }
        if path == "/api/v1/import" {
            if let Err(refusal) = caller.require(Action::FrontDesk) {
                return refusal.into_response();
            }
        }
    }
    next.run(request).await
}
