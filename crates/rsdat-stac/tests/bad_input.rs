//! Bad catalogs: clear errors naming the file, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use rsdat_stac::{Catalog, Error};

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const ROOT: &str = r#"{"type": "Catalog", "id": "r", "stac_version": "1.1.0", "description": "d",
  "links": [{"rel": "root", "href": "./catalog.json"}, {"rel": "child", "href": "./sub/catalog.json"}]}"#;

fn read_err(dir: &Path) -> Error {
    Catalog::read(dir.join("catalog.json").to_str().unwrap()).expect_err("must fail")
}

#[test]
fn malformed_json_names_the_file_and_position() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "catalog.json", ROOT);
    write(d.path(), "sub/catalog.json", "{\"type\": \"Catalog\", ");
    let e = read_err(d.path());
    let msg = format!(
        "{e} / {}",
        std::error::Error::source(&e)
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    assert!(msg.contains("sub/catalog.json"), "{msg}");
    assert!(
        msg.contains("not valid JSON") && msg.contains("line 1"),
        "{msg}"
    );
}

#[test]
fn link_to_a_missing_file() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "catalog.json", ROOT);
    let e = read_err(d.path());
    assert!(matches!(e, Error::BrokenLink { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("catalog.json` links to `") && msg.contains("sub/catalog.json"),
        "{msg}"
    );
    assert!(msg.contains("rel `child`"), "{msg}");
}

#[test]
fn wrong_types() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "catalog.json", ROOT);
    write(
        d.path(),
        "sub/catalog.json",
        r#"{"type": "Feature", "stac_version": "1.1.0", "id": "x", "geometry": null, "properties": {"datetime": "2020-01-01T00:00:00Z"}, "links": [], "assets": {}}"#,
    );
    let e = read_err(d.path());
    let msg = e.to_string();
    assert!(matches!(e, Error::WrongType { .. }), "{e:?}");
    assert!(
        msg.contains("sub/catalog.json")
            && msg.contains("Feature")
            && msg.contains("linked as `child`"),
        "{msg}"
    );
    // An item opened as the catalog.
    let e = Catalog::read(d.path().join("sub/catalog.json").to_str().unwrap()).expect_err("item");
    assert!(e.to_string().contains("expected there"), "{e}");
    // Not STAC at all.
    write(
        d.path(),
        "x/catalog.json",
        r#"{"type": "FeatureCollection", "features": []}"#,
    );
    let e = read_err(&d.path().join("x"));
    assert!(
        e.to_string().contains("`type` is `FeatureCollection`"),
        "{e}"
    );
    // A catalog without its required description.
    write(
        d.path(),
        "y/catalog.json",
        r#"{"type": "Catalog", "id": "y", "stac_version": "1.1.0", "links": []}"#,
    );
    let e = read_err(&d.path().join("y"));
    assert!(
        e.to_string().contains("y/catalog.json") && e.to_string().contains("description"),
        "{e}"
    );
}

#[test]
fn bad_templates() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "catalog.json",
        r#"{"type": "Catalog", "id": "r", "stac_version": "1.1.0", "description": "d",
  "links": [{"rel": "item", "href": "./i/i.json"}]}"#,
    );
    write(
        d.path(),
        "i/i.json",
        r#"{"type": "Feature", "stac_version": "1.1.0", "id": "i", "geometry": null, "properties": {"datetime": null}, "links": [], "assets": {}}"#,
    );
    let mut cat = Catalog::read(d.path().join("catalog.json").to_str().unwrap()).unwrap();
    for (t, want) in [
        ("${year", "expected `}`"),
        ("${region}", "has no property `region`"),
        ("${year}", "no datetime"),
        ("${collection}", "no collection id"),
    ] {
        let e = cat
            .generate_subcatalogs(t, &Default::default())
            .expect_err(t);
        assert!(matches!(e, Error::Template { .. }), "{e:?}");
        assert!(e.to_string().contains(want), "{t}: {e}");
        assert!(e.to_string().contains(&format!("`{t}`")), "{e}");
    }
    let mut defaults = serde_json::Map::new();
    defaults.insert("region".into(), "zz".into());
    let made = cat.generate_subcatalogs("${region}", &defaults).unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(cat.id(made[0]), "zz");
}

/// A save that fails halfway (here: an item id that makes one item's file path a directory
/// of another's) leaves no output directory, not even part of one.
#[test]
fn failed_save_leaves_no_partial_catalog() {
    let d = tempfile::tempdir().unwrap();
    let mut cat = Catalog::new("r", "d", None);
    let root = cat.root();
    cat.add_items(
        root,
        vec![stac::Item::new("x"), stac::Item::new("x/x.json")],
    )
    .unwrap();
    let out = d.path().join("out");
    let e = cat
        .normalize_and_save(out.to_str().unwrap(), None)
        .expect_err("x/x.json is both a file and a directory");
    assert!(matches!(e, Error::Write { .. }), "{e:?}");
    assert!(e.to_string().contains("x.json"), "{e}");
    let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
    assert!(left.is_empty(), "a failed save left {left:?}");
}
