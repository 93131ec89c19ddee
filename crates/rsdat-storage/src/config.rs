//! The storage config file (`~/.config/rsdat/storage.toml`) and its environment overrides:
//! the dCache door and the credentials for WebDAV servers.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{env, Auth, Error, Location, Result, Secret};

/// Where `dcache://` paths go, and the credentials for each WebDAV server.
///
/// Resolved once from the config file and the environment ([`StorageConfig::load`]);
/// `Debug` never shows a secret. The file looks like this (mode `600`):
///
/// ```toml
/// [dcache]
/// door = "https://webdav.example.org:2880"
/// token_file = "~/.config/rsdat/macaroon.conf"   # the token alone, or rclone's bearer_token = ...
///
/// [[webdav]]
/// url = "https://dav.example.org/home/me/"       # applies to URLs starting with this
/// username = "me"
/// password = "..."
/// ```
///
/// A section takes one of `token`, `token_file`, or `username` + `password`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorageConfig {
    source: Option<PathBuf>,
    door: Option<String>,
    door_auth: Auth,
    webdav: Vec<(String, Auth)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    dcache: Option<RawSection>,
    #[serde(default)]
    webdav: Vec<RawSection>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSection {
    door: Option<String>,
    url: Option<String>,
    token: Option<Secret>,
    token_file: Option<PathBuf>,
    username: Option<String>,
    password: Option<Secret>,
}

impl StorageConfig {
    /// The config file named by `RSDAT_STORAGE_CONFIG`, else `$XDG_CONFIG_HOME/rsdat/storage.toml`
    /// or `~/.config/rsdat/storage.toml` when it exists, then the `RSDAT_DCACHE_*` variables
    /// on top.
    ///
    /// # Errors
    /// As [`StorageConfig::load_with`].
    pub fn load() -> Result<Self> {
        Self::load_with(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// As [`StorageConfig::load`], with variables looked up through `var`.
    ///
    /// # Errors
    /// [`Error::Config`] for a file that does not parse or a missing file named by
    /// `RSDAT_STORAGE_CONFIG`; [`Error::InsecureFile`] for a config or token file that
    /// group or others can access.
    pub fn load_with(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let explicit = var(env::CONFIG).map(PathBuf::from);
        let default = var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| Path::new(&h).join(".config")))
            .map(|d| d.join("rsdat/storage.toml"));
        let mut config = match (&explicit, default) {
            (Some(p), _) => Self::from_file_with(p, &var)?,
            (None, Some(p)) if p.exists() => Self::from_file_with(&p, &var)?,
            _ => Self::default(),
        };
        if let Some(door) = var(env::DCACHE_DOOR) {
            config.door = Some(door);
        }
        if let Some(file) = var(env::DCACHE_TOKEN_FILE) {
            config.door_auth = Auth::bearer_from_file(&expand_home(Path::new(&file), &var))?;
        }
        if let Some(token) = var(env::DCACHE_TOKEN) {
            config.door_auth = Auth::Bearer(Secret::new(&token));
        }
        Ok(config)
    }

    /// Reads one config file (no environment overrides).
    ///
    /// # Errors
    /// As [`StorageConfig::load_with`].
    pub fn from_file(path: &Path) -> Result<Self> {
        Self::from_file_with(path, &|k| std::env::var(k).ok())
    }

    fn from_file_with(path: &Path, var: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        let bad = |reason: String| Error::Config {
            path: path.to_owned(),
            reason,
        };
        if !path.exists() {
            return Err(bad(format!(
                "does not exist (named by {}); create it or unset the variable",
                env::CONFIG
            )));
        }
        check_private(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        // toml's messages quote the offending line, which may hold a secret: keep only
        // the position and the kind of problem.
        let raw: RawFile = toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|s| format!(" at line {}", text[..s.start].lines().count().max(1)))
                .unwrap_or_default();
            bad(format!(
                "is not a valid storage config{at}: {}",
                e.message()
            ))
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut config = Self {
            source: Some(path.to_owned()),
            ..Self::default()
        };
        if let Some(s) = raw.dcache {
            if s.url.is_some() {
                return Err(bad("`[dcache]` takes `door`, not `url`".into()));
            }
            config.door_auth = section_auth(&s, "[dcache]", dir, var).map_err(bad)??;
            config.door = s.door;
        }
        for (i, s) in raw.webdav.iter().enumerate() {
            let name = format!("[[webdav]] #{}", i + 1);
            let url = s
                .url
                .as_deref()
                .ok_or_else(|| bad(format!("{name} has no `url`")))?;
            let auth = section_auth(s, &name, dir, var).map_err(bad)??;
            config.webdav.push((to_http(url), auth));
        }
        Ok(config)
    }

    /// Sets the dCache door and its credentials.
    #[must_use]
    pub fn with_dcache(mut self, door: &str, auth: Auth) -> Self {
        self.door = Some(door.to_owned());
        self.door_auth = auth;
        self
    }

    /// Adds credentials for URLs starting with `url_prefix` (`webdav(s)://` or `http(s)://`).
    #[must_use]
    pub fn with_webdav(mut self, url_prefix: &str, auth: Auth) -> Self {
        self.webdav.push((to_http(url_prefix), auth));
        self
    }

    /// The file this config came from, if any.
    #[must_use]
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// The dCache door, if configured.
    #[must_use]
    pub fn door(&self) -> Option<&str> {
        self.door.as_deref()
    }

    /// The `http(s)://` URL a `webdav(s)://`, `dcache://` or `http(s)://` URL is served at,
    /// and the credentials for it (the longest matching `[[webdav]]` prefix, the door's for
    /// URLs under the door).
    ///
    /// # Errors
    /// [`Error::NoDoor`] for a `dcache://` URL without a configured door;
    /// [`Error::UnsupportedScheme`] for a local path.
    pub fn resolve(&self, url: &str) -> Result<(String, Auth)> {
        let http = match Location::parse(url)? {
            Location::WebDav(u) | Location::Http(u) => to_http(&u),
            Location::Dcache(u) => {
                let door = self
                    .door
                    .as_deref()
                    .ok_or_else(|| Error::NoDoor { url: u.clone() })?;
                let path = &u["dcache://".len()..];
                format!(
                    "{}/{}",
                    door.trim_end_matches('/'),
                    path.trim_start_matches('/')
                )
            }
            Location::Path(_) => {
                return Err(Error::UnsupportedScheme {
                    url: url.to_owned(),
                })
            }
        };
        let best = self
            .webdav
            .iter()
            .filter(|(p, _)| http.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len());
        let auth = match (best, &self.door) {
            (Some((_, a)), _) => a.clone(),
            (None, Some(door)) if http.starts_with(door.trim_end_matches('/')) => {
                self.door_auth.clone()
            }
            _ => Auth::None,
        };
        Ok((http, auth))
    }
}

/// The credentials a section names; the outer error is a config message, the inner one a
/// token file failure.
fn section_auth(
    s: &RawSection,
    name: &str,
    dir: &Path,
    var: &dyn Fn(&str) -> Option<String>,
) -> std::result::Result<Result<Auth>, String> {
    match (&s.token, &s.token_file, &s.username, &s.password) {
        (None, None, None, None) => Ok(Ok(Auth::None)),
        (Some(t), None, None, None) => Ok(Ok(Auth::Bearer(t.clone()))),
        (None, Some(f), None, None) => {
            let f = expand_home(f, var);
            Ok(Auth::bearer_from_file(&dir.join(f)))
        }
        (None, None, Some(u), Some(p)) => Ok(Ok(Auth::Basic {
            username: u.clone(),
            password: p.clone(),
        })),
        (None, None, Some(_), None) => Err(format!("{name} has `username` but no `password`")),
        _ => Err(format!(
            "{name} must give one of `token`, `token_file`, or `username` with `password`"
        )),
    }
}

/// `webdav://` → `http://`, `webdavs://` → `https://`; other URLs unchanged.
pub(crate) fn to_http(url: &str) -> String {
    match url.split_once("://") {
        Some((s, rest)) if s.eq_ignore_ascii_case("webdav") => format!("http://{rest}"),
        Some((s, rest)) if s.eq_ignore_ascii_case("webdavs") => format!("https://{rest}"),
        _ => url.to_owned(),
    }
}

fn expand_home(path: &Path, var: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    match (path.strip_prefix("~"), var("HOME")) {
        (Ok(rest), Some(home)) => Path::new(&home).join(rest),
        _ => path.to_owned(),
    }
}

/// Refuses a file that group or others may read or write: it holds secrets.
pub(crate) fn check_private(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("stat", path, e))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::InsecureFile {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn write(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn file_env_and_resolution() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "tok", "bearer_token = from-file\n", 0o600);
        let cfg = write(
            dir.path(),
            "storage.toml",
            "[dcache]\ndoor = \"https://door:2880/\"\ntoken_file = \"tok\"\n\n\
             [[webdav]]\nurl = \"webdavs://dav.example/home/\"\nusername = \"me\"\npassword = \"pw\"\n",
            0o600,
        );
        let cfg_s = cfg.to_str().unwrap().to_owned();
        let c = StorageConfig::load_with(|k| (k == env::CONFIG).then(|| cfg_s.clone())).unwrap();
        let (url, auth) = c.resolve("dcache://pnfs/grid/x.tif").unwrap();
        assert_eq!(url, "https://door:2880/pnfs/grid/x.tif");
        assert_eq!(auth, Auth::Bearer(Secret::new("from-file")));
        let (url, auth) = c.resolve("webdavs://dav.example/home/a/b").unwrap();
        assert_eq!(url, "https://dav.example/home/a/b");
        assert!(matches!(auth, Auth::Basic { .. }));
        assert_eq!(c.resolve("webdav://other/x").unwrap().1, Auth::None);
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("from-file") && !dbg.contains("pw\""), "{dbg}");

        // Environment overrides.
        let c = StorageConfig::load_with(|k| match k {
            env::CONFIG => Some(cfg_s.clone()),
            env::DCACHE_DOOR => Some("http://127.0.0.1:9".into()),
            env::DCACHE_TOKEN => Some("env-token".into()),
            _ => None,
        })
        .unwrap();
        let (url, auth) = c.resolve("dcache://pnfs/x").unwrap();
        assert_eq!(url, "http://127.0.0.1:9/pnfs/x");
        assert_eq!(auth, Auth::Bearer(Secret::new("env-token")));
    }

    #[test]
    fn refuses_readable_files_and_bad_syntax_without_leaking() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", "[dcache]\ntoken = \"t0p\"\n", 0o644);
        let err = StorageConfig::from_file(&p).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("s.toml") && msg.contains("chmod 600"), "{msg}");
        assert!(matches!(err, Error::InsecureFile { mode: 0o644, .. }));

        let p = write(dir.path(), "b.toml", "[dcache]\ntoken = t0psecret\n", 0o600);
        let msg = StorageConfig::from_file(&p).unwrap_err().to_string();
        assert!(msg.contains("b.toml") && msg.contains("line 2"), "{msg}");
        assert!(!msg.contains("t0psecret"), "{msg}");

        let p = write(dir.path(), "c.toml", "[dcache]\nusername = \"u\"\n", 0o600);
        let msg = StorageConfig::from_file(&p).unwrap_err().to_string();
        assert!(msg.contains("no `password`"), "{msg}");

        let tok = write(dir.path(), "tok", "abc", 0o640);
        let err = Auth::bearer_from_file(&tok).unwrap_err();
        assert!(matches!(err, Error::InsecureFile { .. }), "{err}");
    }

    #[test]
    fn dcache_needs_a_door() {
        let err = StorageConfig::default()
            .resolve("dcache://pnfs/x")
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("dcache://pnfs/x") && msg.contains(env::DCACHE_DOOR),
            "{msg}"
        );
    }
}
