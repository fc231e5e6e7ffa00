//! The JSON API's error type: every refusal becomes `{"error": {"code", "message"}}` with a
//! fitting status. Internal causes are logged here and never sent to the client.

use super::hub::HubError;
use crate::domain::DomainError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404/409/422 per [`DomainError`]; the message is the domain's, written for people.
    #[error(transparent)]
    Refused(#[from] DomainError),
    /// 422 `invalid_input`: the body parsed but a field is wrong (message names the field).
    #[error("{0}")]
    InvalidInput(String),
    /// 503 `not_saved`: the database refused; nothing changed, try again.
    #[error("the hub could not save this change; nothing was changed")]
    NotSaved,
    /// 401 `not_enrolled`: this screen is not an enrolled device ("ask an administrator for a
    /// pairing link").
    #[error("this screen is not enrolled; ask an administrator for a pairing link")]
    NotEnrolled,
    /// 401 `sign_in_required`: a shared tablet with nobody signed in.
    #[error("please sign in")]
    SignInRequired,
    /// 401 `wrong_pin`: the PIN (or the account) did not match.
    #[error("that PIN is not right")]
    WrongPin,
    /// 401 `wrong_badge`: the scanned badge is not a current clinicflow badge.
    #[error("that badge is not valid; sign in with your PIN or ask for a new badge")]
    WrongBadge,
    /// 423 `account_locked`: too many wrong PINs; wait or ask an administrator to unlock.
    #[error(
        "this account is locked after too many wrong PINs; try again later or ask an administrator"
    )]
    AccountLocked,
    /// 429 `too_many_attempts`: this device tried to sign in too often; wait a minute.
    #[error("too many sign-in attempts from this device; wait a minute")]
    TooManyAttempts,
    /// 429 `too_many_attempts`: this kiosk (or phone) failed too many check-ins; wait a while.
    #[error("too many failed check-ins from this screen; please see the front desk")]
    TooManyCheckIns,
    /// 403 `forbidden`: signed in, but this role may not do that.
    #[error("your role does not allow this")]
    Forbidden,
    /// 403 `bad_origin`: a cookie-authenticated change from another site (CSRF).
    #[error("request refused: it did not come from this hub's own pages")]
    BadOrigin,
    /// 413 `too_large`: request bodies are limited to 64 KiB.
    #[error("the request is too large")]
    TooLarge,
    /// 409 `conflict`: an account or device operation that cannot apply (message says why).
    #[error("{0}")]
    Conflict(String),
    /// 404 `not_found`: no such API route.
    #[error("no such API endpoint; see docs/api.md")]
    NotFound,
    /// 503 `unavailable`: the hub is shutting down or cannot read its database.
    #[error("the hub is not available right now")]
    Unavailable,
}

impl From<HubError> for ApiError {
    fn from(error: HubError) -> Self {
        match error {
            HubError::Refused(refusal) => ApiError::Refused(refusal),
            HubError::NotSaved => ApiError::NotSaved,
            HubError::ShuttingDown => ApiError::Unavailable,
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        if let crate::store::StoreError::Conflict(message) = error {
            return ApiError::Conflict(message);
        }
        tracing::error!(%error, "store failed");
        ApiError::Unavailable
    }
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Refused(refusal) => match refusal {
                DomainError::UnknownVisit(_) => (StatusCode::NOT_FOUND, "unknown_visit"),
                DomainError::UnknownRoom(_) => (StatusCode::NOT_FOUND, "unknown_room"),
                DomainError::UnknownStaff(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_staff"),
                DomainError::UnknownProvider(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "unknown_provider")
                }
                DomainError::AlreadyExists { .. } => (StatusCode::CONFLICT, "already_exists"),
                DomainError::RoomNotReady { .. } => (StatusCode::CONFLICT, "room_not_ready"),
                DomainError::WrongVisitState { .. } => (StatusCode::CONFLICT, "wrong_visit_state"),
                DomainError::WrongRoomState { .. } => (StatusCode::CONFLICT, "wrong_room_state"),
                DomainError::VisitClosed { .. } => (StatusCode::CONFLICT, "visit_closed"),
                DomainError::WrongDay { .. } => (StatusCode::CONFLICT, "wrong_day"),
                DomainError::DuplicateWalkIn { .. } => (StatusCode::CONFLICT, "duplicate_walk_in"),
                DomainError::InvalidVitals(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_vitals")
                }
                DomainError::ConfirmAbnormal { .. } => (StatusCode::CONFLICT, "confirm_abnormal"),
                DomainError::CannotUndo(_) => (StatusCode::CONFLICT, "cannot_undo"),
                DomainError::IsolationClean { .. } => (StatusCode::CONFLICT, "isolation_clean"),
                DomainError::InvalidInput { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
                }
            },
            ApiError::InvalidInput(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
            ApiError::NotEnrolled => (StatusCode::UNAUTHORIZED, "not_enrolled"),
            ApiError::SignInRequired => (StatusCode::UNAUTHORIZED, "sign_in_required"),
            ApiError::WrongPin => (StatusCode::UNAUTHORIZED, "wrong_pin"),
            ApiError::WrongBadge => (StatusCode::UNAUTHORIZED, "wrong_badge"),
            ApiError::AccountLocked => (StatusCode::LOCKED, "account_locked"),
            ApiError::TooManyAttempts | ApiError::TooManyCheckIns => {
                (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
            }
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::BadOrigin => (StatusCode::FORBIDDEN, "bad_origin"),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::NotSaved => (StatusCode::SERVICE_UNAVAILABLE, "not_saved"),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        }
    }
}

/// The JSON body of every API error.
pub fn error_body(code: &str, message: &str) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "error": { "code": code, "message": message } }))
}

/// A JSON request body whose rejection is a typed API error rather than axum's plain text.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::TooLarge)
            }
            Err(rejection) => Err(ApiError::InvalidInput(rejection.body_text())),
        }
    }
}

/// Query parameters whose rejection is a typed API error.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S>
    for Params<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Params(value)),
            Err(rejection) => Err(ApiError::InvalidInput(rejection.body_text())),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        (status, error_body(code, &self.to_string())).into_response()
    }
}
