//! The JSON API's error type: every refusal becomes `{"error": {"code", "message", ...}}`
//! ([`crate::api_types::ApiFailure`], whose kinds also carry the HTTP status). Internal causes
//! are logged here and never sent to the client.

use super::hub::HubError;
use crate::api_types::{ApiFailure, ErrorBody, ErrorKind};
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
    /// 429 `too_many_attempts`: this kiosk registered too many walk-ins in 10 minutes.
    #[error("too many walk-ins from this kiosk; please see the front desk")]
    TooManyWalkIns,
    /// 429 `too_many_attempts`: this device already holds `security.streams_per_device` live
    /// streams (other tabs or windows of the same screen).
    #[error("this screen has too many live connections open; close its other tabs or windows")]
    TooManyStreams,
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
            HubError::KeyReused => ApiError::InvalidInput(error.to_string()),
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
    /// What the client is told, besides the message: the documented code and its payload.
    fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Refused(refusal) => match refusal {
                DomainError::UnknownVisit(_) => ErrorKind::UnknownVisit,
                DomainError::UnknownRoom(_) => ErrorKind::UnknownRoom,
                DomainError::UnknownStaff(_) => ErrorKind::UnknownStaff,
                DomainError::UnknownProvider(_) => ErrorKind::UnknownProvider,
                DomainError::AlreadyExists { .. } => ErrorKind::AlreadyExists,
                DomainError::RoomNotReady { by, .. } => ErrorKind::RoomNotReady { by: by.clone() },
                DomainError::WrongVisitState { by, .. } => {
                    ErrorKind::WrongVisitState { by: by.clone() }
                }
                DomainError::WrongRoomState { by, .. } => {
                    ErrorKind::WrongRoomState { by: by.clone() }
                }
                DomainError::VisitClosed { .. } => ErrorKind::VisitClosed,
                DomainError::WrongDay { day, .. } => ErrorKind::WrongDay { day: *day },
                DomainError::DuplicateWalkIn { visit } => ErrorKind::DuplicateWalkIn {
                    visit: visit.clone(),
                },
                DomainError::InvalidVitals(_) => ErrorKind::InvalidVitals,
                DomainError::ConfirmAbnormal { abnormal } => ErrorKind::ConfirmAbnormal {
                    abnormal: abnormal.clone(),
                },
                DomainError::CannotUndo(_) => ErrorKind::CannotUndo,
                DomainError::IsolationClean { .. } => ErrorKind::IsolationClean,
                DomainError::RoomHeld {
                    reason,
                    minutes_left,
                    ..
                } => match reason {
                    crate::domain::HoldReason::AirClearance => ErrorKind::AirClearance {
                        minutes_left: *minutes_left,
                    },
                    crate::domain::HoldReason::ContactTime => ErrorKind::ContactTime {
                        minutes_left: *minutes_left,
                    },
                },
                DomainError::InvalidInput { .. } => ErrorKind::InvalidInput,
                DomainError::TooEarlyForNoShow { after } => {
                    ErrorKind::TooEarlyForNoShow { after: *after }
                }
            },
            ApiError::InvalidInput(_) => ErrorKind::InvalidInput,
            ApiError::NotEnrolled => ErrorKind::NotEnrolled,
            ApiError::SignInRequired => ErrorKind::SignInRequired,
            ApiError::WrongPin => ErrorKind::WrongPin,
            ApiError::WrongBadge => ErrorKind::WrongBadge,
            ApiError::AccountLocked => ErrorKind::AccountLocked,
            ApiError::TooManyAttempts
            | ApiError::TooManyCheckIns
            | ApiError::TooManyWalkIns
            | ApiError::TooManyStreams => ErrorKind::TooManyAttempts,
            ApiError::Forbidden => ErrorKind::Forbidden,
            ApiError::BadOrigin => ErrorKind::BadOrigin,
            ApiError::TooLarge => ErrorKind::TooLarge,
            ApiError::Conflict(_) => ErrorKind::Conflict,
            ApiError::NotFound => ErrorKind::NotFound,
            ApiError::NotSaved => ErrorKind::NotSaved,
            ApiError::Unavailable => ErrorKind::Unavailable,
        }
    }
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
        let kind = self.kind();
        let status = StatusCode::from_u16(kind.status()).expect("hub error kinds have a status");
        let error = ApiFailure {
            kind,
            message: self.to_string(),
        };
        (status, Json(ErrorBody { error })).into_response()
    }
}
