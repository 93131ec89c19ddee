//! `FileStore` and `open_read` on local paths: the errors a user meets.
#![allow(clippy::unwrap_used)]

use std::io::ErrorKind;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;

use rsdat_storage::{open_read, Error, FileStore, Location, ReadStore};

fn io_kind(err: &Error) -> Option<ErrorKind> {
    match err {
        Error::Io { source, .. } => Some(source.kind()),
        _ => None,
    }
}

#[test]
fn reads_ranges_through_paths_and_file_urls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.bin");
    std::fs::write(&path, b"0123456789").unwrap();
    for url in [
        path.display().to_string(),
        format!("file://{}", path.display()),
    ] {
        let store = open_read(&url).unwrap();
        assert_eq!(store.len().unwrap(), 10);
        assert_eq!(store.get_range(3..7).unwrap(), b"3456");
        assert_eq!(store.location(), path.display().to_string());
    }
}

#[test]
fn missing_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.nc");
    let err = open_read(path.to_str().unwrap()).unwrap_err();
    assert_eq!(io_kind(&err), Some(ErrorKind::NotFound), "{err:?}");
    assert_eq!(err.to_string(), format!("cannot open `{}`", path.display()));
}

#[test]
fn directory_is_not_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = FileStore::open(dir.path()).unwrap_err();
    assert_eq!(io_kind(&err), Some(ErrorKind::IsADirectory), "{err:?}");
    assert!(err.to_string().contains(&dir.path().display().to_string()));
}

#[test]
fn path_under_a_file_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain.txt");
    std::fs::write(&file, b"x").unwrap();
    let path = file.join("inner.nc");
    let err = FileStore::open(&path).unwrap_err();
    assert_eq!(io_kind(&err), Some(ErrorKind::NotADirectory), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()));
}

#[test]
fn permission_denied_says_so() {
    // The message, whoever runs the test.
    let err = Error::Io {
        op: "open",
        path: PathBuf::from("/data/x.nc"),
        source: std::io::Error::from(ErrorKind::PermissionDenied),
    };
    assert_eq!(
        err.to_string(),
        "cannot open `/data/x.nc`: permission denied; check the owner and mode of the file and its directories"
    );

    // A real unreadable file; root reads it anyway, so there the check is skipped.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.bin");
    std::fs::write(&path, b"x").unwrap();
    if std::fs::metadata(&path).unwrap().uid() == 0 {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped the chmod 000 part of permission_denied_says_so: running as root, which reads any file");
        }
        return;
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let err = FileStore::open(&path).unwrap_err();
    assert_eq!(io_kind(&err), Some(ErrorKind::PermissionDenied), "{err:?}");
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[test]
fn truncated_file_read_is_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.tif");
    std::fs::write(&path, b"0123456789").unwrap();
    let store = FileStore::open(&path).unwrap();
    let err = store.get_range(5..20).unwrap_err();
    assert!(
        matches!(
            err,
            Error::OutOfRange {
                start: 5,
                end: 20,
                len: 10,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "range 5..20 is past the end of `{}` (10 bytes); the file may be truncated",
            path.display()
        )
    );
    assert!(store.get_range(10..10).unwrap().is_empty());
}

#[test]
fn location_of_remote_schemes() {
    assert_eq!(
        Location::parse("https://h/x.nc").unwrap(),
        Location::Http("https://h/x.nc".into())
    );
    // Served, but `dcache://` needs a door (none is configured in tests).
    let err = open_read("dcache://pnfs/x.nc").unwrap_err();
    assert!(matches!(err, Error::NoDoor { .. }), "{err:?}");
    assert!(err.to_string().contains("RSDAT_DCACHE_DOOR"), "{err}");
    let err = open_read("s3://bucket/key").unwrap_err();
    assert!(err
        .to_string()
        .starts_with("unsupported URL scheme in `s3://bucket/key`"));
}
