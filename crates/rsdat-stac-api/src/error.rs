//! The crate's error type.

/// What can go wrong talking to a STAC API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A search option has the wrong syntax; found before any request is sent.
    #[error("invalid {option} `{value}`: {reason}")]
    InvalidOption {
        /// The option, as the command line spells it (`--bbox`).
        option: &'static str,
        /// What was given.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// The API's URL cannot be used.
    #[error("invalid STAC API URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server answered with an error status (after retries for 5xx).
    #[error("{method} `{url}` answered HTTP {status}{}{}{hint}", attempts_text(*.attempts), body_text(.body))]
    Status {
        /// GET or POST.
        method: &'static str,
        /// The request URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the response body, as the server sent it.
        body: String,
        /// How many times the request was sent.
        attempts: u32,
        /// What to do about it.
        hint: &'static str,
    },
    /// The request could not be sent or the answer not read (after retries).
    #[error("{method} `{url}` failed after {attempts} attempt(s)")]
    Transport {
        /// GET or POST.
        method: &'static str,
        /// The request URL.
        url: String,
        /// How many times the request was sent.
        attempts: u32,
        /// The transport error.
        #[source]
        source: Box<ureq::Error>,
    },
    /// The server's answer is not the JSON it should be.
    #[error("`{url}` did not return valid {what} JSON")]
    MalformedJson {
        /// The request URL.
        url: String,
        /// What was expected (landing page, item collection, item, collection).
        what: &'static str,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The URL answers, but not as a STAC API.
    #[error("`{url}` is not a STAC API: {reason}")]
    NotStacApi {
        /// The URL.
        url: String,
        /// What is missing.
        reason: String,
    },
    /// A requested collection does not exist in the API.
    #[error(
        "unknown collection `{id}` in `{url}` (has: {available}); pick one with --collections"
    )]
    UnknownCollection {
        /// The API's root URL.
        url: String,
        /// The missing id.
        id: String,
        /// The ids the API has.
        available: String,
    },
}

fn attempts_text(attempts: u32) -> String {
    if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    }
}

fn body_text(body: &str) -> String {
    if body.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", body.trim())
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
