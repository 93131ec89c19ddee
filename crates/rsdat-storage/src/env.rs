//! Environment variables rsdat's storage reads, in one place.

/// Path of the storage config file (default `~/.config/rsdat/storage.toml`).
pub const CONFIG: &str = "RSDAT_STORAGE_CONFIG";
/// The dCache WebDAV door `dcache://` paths map to, e.g. `https://door.example.org:2880`.
pub const DCACHE_DOOR: &str = "RSDAT_DCACHE_DOOR";
/// A bearer token (macaroon) for the dCache door.
pub const DCACHE_TOKEN: &str = "RSDAT_DCACHE_TOKEN";
/// A file holding the dCache bearer token (plain, or rclone config with `bearer_token =`).
pub const DCACHE_TOKEN_FILE: &str = "RSDAT_DCACHE_TOKEN_FILE";
