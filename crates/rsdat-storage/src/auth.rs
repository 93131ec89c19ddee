//! How requests to a WebDAV door authenticate: a bearer token (dCache macaroon, OIDC
//! token) or a user name and password.

use std::path::Path;

use crate::config::check_private;
use crate::{Error, Result, Secret};

/// Credentials for one server. `Debug` never shows the secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic <user:password>`.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: Secret,
    },
}

impl Auth {
    /// A bearer token read from `path`: either the token alone, or an rclone-style config
    /// holding a `bearer_token = ...` line (what dCache's `get-macaroon --output rclone`
    /// writes). The file must not be readable by group or others.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::InsecureFile`] when others can
    /// read it, [`Error::Config`] when it holds no token.
    pub fn bearer_from_file(path: &Path) -> Result<Self> {
        check_private(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let token = parse_token_file(&text).ok_or_else(|| Error::Config {
            path: path.to_owned(),
            reason: "holds no token: expected the token alone or a `bearer_token = ...` line"
                .into(),
        })?;
        Ok(Self::Bearer(Secret::new(token)))
    }

    /// The `Authorization` header value, `None` for [`Auth::None`].
    pub(crate) fn header(&self) -> Option<String> {
        match self {
            Self::None => None,
            Self::Bearer(t) => Some(format!("Bearer {}", t.expose())),
            Self::Basic { username, password } => Some(format!(
                "Basic {}",
                base64(format!("{username}:{}", password.expose()).as_bytes())
            )),
        }
    }
}

/// The token in a token file: a `bearer_token = X` line (rclone config), else the first
/// non-empty line that is not a comment or section header.
fn parse_token_file(text: &str) -> Option<&str> {
    let lines = || {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
    };
    for line in lines() {
        if let Some((k, v)) = line.split_once('=') {
            if k.trim() == "bearer_token" {
                let v = v.trim();
                return (!v.is_empty()).then_some(v);
            }
        }
    }
    let first = lines().next()?;
    if first.starts_with('[') || first.contains(" = ") {
        return None;
    }
    Some(first)
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn token_files() {
        assert_eq!(parse_token_file("abc.def\n"), Some("abc.def"));
        let rclone = "[dcache]\ntype = webdav\nurl = https://door:2880\nvendor = other\nuser =\npass =\nbearer_token = MDAx.tok\n";
        assert_eq!(parse_token_file(rclone), Some("MDAx.tok"));
        assert_eq!(parse_token_file("[x]\ntype = webdav\n"), None);
        assert_eq!(parse_token_file("# only a comment\n\n"), None);
    }

    #[test]
    fn debug_hides_secrets() {
        let a = Auth::Basic {
            username: "u".into(),
            password: Secret::new("pw-123"),
        };
        let b = Auth::Bearer(Secret::new("tok-456"));
        let s = format!("{a:?} {b:?}");
        assert!(!s.contains("pw-123") && !s.contains("tok-456"), "{s}");
        assert_eq!(a.header().as_deref(), Some("Basic dTpwdy0xMjM="));
    }
}
