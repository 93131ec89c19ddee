//! Errors of the dashboard.

/// What can go wrong starting a dashboard.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address is taken or not ours.
    #[error("cannot serve the dashboard on {addr}: {source}; pick another port with --dashboard ADDR:PORT (port 0: any free one)")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A path prefix the router cannot take.
    #[error("dashboard path prefix `{0}` is not a plain path like /proxy/8787 (letters, digits, `-`, `_`, `.`, `/`)")]
    Prefix(String),
    /// The server thread could not start.
    #[error("cannot start the dashboard's threads: {0}")]
    Thread(std::io::Error),
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
