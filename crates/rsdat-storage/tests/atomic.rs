//! `write_atomic`, `AtomicFile` and `AtomicDir`: all or nothing, nothing left behind.
#![allow(clippy::unwrap_used)]

use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rsdat_storage::{
    write_atomic, write_atomic_with, AtomicDir, AtomicFile, Durability, Error, IfExists,
};

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn write_atomic_creates_and_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.json");
    write_atomic(&path, b"one").unwrap();
    write_atomic(&path, b"two").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"two");
    assert_eq!(names(dir.path()), ["a.json"]);
}

#[test]
fn atomic_file_dropped_without_commit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.tif");
    {
        let mut f = AtomicFile::create(&path, IfExists::Replace).unwrap();
        f.write_all(b"partial").unwrap();
        assert!(f.temp_path().exists());
        assert_eq!(f.target(), path);
    }
    assert_eq!(names(dir.path()), Vec::<String>::new());
}

#[test]
fn atomic_file_commit_replaces_and_keeps_old_until_then() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.tif");
    std::fs::write(&path, b"old").unwrap();
    let mut f = AtomicFile::create(&path, IfExists::Replace).unwrap();
    f.write_all(b"new content").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    f.commit().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new content");
    assert_eq!(names(dir.path()), ["out.tif"]);
}

#[test]
fn atomic_file_can_patch_a_header_after_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.tif");
    let mut f = AtomicFile::create(&path, IfExists::Replace).unwrap();
    f.write_all(b"HDR:????|data").unwrap();
    f.seek(SeekFrom::Start(4)).unwrap();
    f.write_all(b"0009").unwrap();
    f.commit().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"HDR:0009|data");
}

#[test]
fn atomic_file_gets_the_mode_of_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::File::create(&plain).unwrap();
    let path = dir.path().join("atomic");
    write_atomic(&path, b"x").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), mode(&plain), "not the 0600 of a temp file");
}

#[test]
fn atomic_file_refuses_an_existing_target() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.nc");
    std::fs::write(&path, b"keep").unwrap();
    let err = AtomicFile::create(&path, IfExists::Refuse).unwrap_err();
    assert!(matches!(err, Error::Exists { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` already exists; remove it or pass --overwrite",
            path.display()
        )
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"keep");
    assert_eq!(names(dir.path()), ["out.nc"]);
}

#[test]
fn atomic_file_refuses_a_target_that_appears_before_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.nc");
    let mut f = AtomicFile::create(&path, IfExists::Refuse).unwrap();
    f.write_all(b"mine").unwrap();
    std::fs::write(&path, b"theirs").unwrap();
    let err = f.commit().unwrap_err();
    assert!(matches!(err, Error::Exists { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), b"theirs");
    assert_eq!(names(dir.path()), ["out.nc"]);
}

#[test]
fn atomic_file_in_a_missing_directory_names_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/out.nc");
    let err = AtomicFile::create(&path, IfExists::Replace).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn atomic_dir_dropped_without_commit_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("cube.zarr");
    {
        let d = AtomicDir::create(&target, IfExists::Replace).unwrap();
        let name = d.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("cube.zarr.partial-"), "{name}");
        std::fs::create_dir_all(d.path().join("tmin/c/0")).unwrap();
        std::fs::write(d.path().join("tmin/c/0/0"), b"chunk").unwrap();
    }
    assert_eq!(names(tmp.path()), Vec::<String>::new());
}

#[test]
fn atomic_dir_commit_creates_the_target() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("cube.zarr");
    let d = AtomicDir::create(&target, IfExists::Refuse).unwrap();
    std::fs::create_dir_all(d.path().join("tmin/c/0")).unwrap();
    std::fs::write(d.path().join("tmin/c/0/0"), b"chunk").unwrap();
    std::fs::write(d.path().join("zarr.json"), b"{}").unwrap();
    assert!(!target.exists());
    d.commit().unwrap();
    assert_eq!(std::fs::read(target.join("tmin/c/0/0")).unwrap(), b"chunk");
    assert_eq!(names(tmp.path()), ["cube.zarr"]);
}

#[test]
fn atomic_dir_commit_replaces_an_existing_directory_or_file() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("cube.zarr");
    std::fs::create_dir_all(target.join("old/deep")).unwrap();
    std::fs::write(target.join("old/deep/x"), b"old").unwrap();
    let d = AtomicDir::create(&target, IfExists::Replace).unwrap();
    std::fs::write(d.path().join("zarr.json"), b"new").unwrap();
    d.commit().unwrap();
    assert_eq!(names(&target), ["zarr.json"]);
    assert_eq!(
        names(tmp.path()),
        ["cube.zarr"],
        "no .old- or .partial- left"
    );

    let file_target = tmp.path().join("was-a-file");
    std::fs::write(&file_target, b"file").unwrap();
    let d = AtomicDir::create(&file_target, IfExists::Replace).unwrap();
    d.commit().unwrap();
    assert!(file_target.is_dir());
    assert_eq!(names(tmp.path()), ["cube.zarr", "was-a-file"]);
}

/// Without the flush, commits are the same renames: whole new content, nothing left over.
#[test]
fn renamed_commits_replace_like_flushed_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("catalog.json");
    write_atomic_with(&file, b"one", Durability::Renamed).unwrap();
    write_atomic_with(&file, b"two", Durability::Renamed).unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), b"two");
    let target = tmp.path().join("cat");
    for text in [&b"old"[..], b"new"] {
        let d = AtomicDir::create(&target, IfExists::Replace).unwrap();
        std::fs::write(d.path().join("catalog.json"), text).unwrap();
        d.commit_with(Durability::Renamed).unwrap();
    }
    assert_eq!(std::fs::read(target.join("catalog.json")).unwrap(), b"new");
    assert_eq!(names(tmp.path()), ["cat", "catalog.json"]);
    let d = AtomicDir::create(&target, IfExists::Refuse);
    assert!(matches!(d, Err(Error::Exists { .. })));
}

#[test]
fn atomic_dir_refuses_an_existing_target() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("cube.zarr");
    std::fs::create_dir(&target).unwrap();
    let err = AtomicDir::create(&target, IfExists::Refuse).unwrap_err();
    assert!(matches!(err, Error::Exists { .. }), "{err:?}");
    assert!(err.to_string().contains("--overwrite"), "{err}");

    // A target that appears between create and commit is refused too, and left alone.
    let late = tmp.path().join("late.zarr");
    let d = AtomicDir::create(&late, IfExists::Refuse).unwrap();
    std::fs::write(d.path().join("zarr.json"), b"mine").unwrap();
    std::fs::create_dir(&late).unwrap();
    let err = d.commit().unwrap_err();
    assert!(matches!(err, Error::Exists { .. }), "{err:?}");
    assert_eq!(names(&late), Vec::<String>::new());
    assert_eq!(names(tmp.path()), ["cube.zarr", "late.zarr"]);
}

#[test]
fn atomic_dir_under_a_file_names_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plain");
    std::fs::write(&file, b"x").unwrap();
    let err = AtomicDir::create(&file.join("cube.zarr"), IfExists::Replace).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );
}
