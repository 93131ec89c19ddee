//! Item sets (ItemCollection JSON, stac-geoparquet) as input: read, HREFs set, written back
//! in their own format; bad files give errors naming the file and what was expected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use rsdat_stac::{Error, ItemSet, ItemsFormat, Source};
use serde_json::{json, Value};

fn item(id: &str, asset: &str) -> Value {
    json!({
        "type": "Feature", "stac_version": "1.1.0", "id": id,
        "geometry": {"type": "Point", "coordinates": [5.0, 52.0]}, "bbox": [5.0, 52.0, 5.0, 52.0],
        "properties": {"datetime": "2023-06-01T10:56:21.024Z", "eo:cloud_cover": 12.5},
        "links": [{"rel": "self", "href": format!("https://api.example.org/collections/s2/items/{id}")}],
        "assets": {"B04": {"href": asset, "type": "image/tiff", "roles": ["data"]},
                   "thumb": {"href": "https://example.org/t.png"}},
        "collection": "s2"
    })
}

fn write(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_vec(v).unwrap()).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn collection() -> Value {
    json!({"type": "FeatureCollection", "numberMatched": 2,
           "features": [item("a", "https://example.org/a/B04.tif"), item("b", "./b/B04.tif")],
           "links": [{"rel": "next", "href": "https://api.example.org/search?page=2"}]})
}

#[test]
fn json_set_reads_resolves_and_saves_in_place() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("items.json");
    write(&file, &collection());
    let mut set = ItemSet::read(s(&file)).unwrap();
    assert_eq!(set.format(), ItemsFormat::Json);
    assert_eq!((set.len(), set.id(0), set.id(1)), (2, "a", "b"));
    assert_eq!(set.find("b"), Some(1));
    assert_eq!(set.asset_keys(0), ["B04", "thumb"]);
    assert_eq!(
        set.self_href(0),
        Some("https://api.example.org/collections/s2/items/a")
    );
    // Relative HREFs resolve against the item's self link.
    assert_eq!(
        set.absolute_asset_href(1, "B04").as_deref(),
        Some("https://api.example.org/collections/s2/items/b/B04.tif")
    );
    set.set_asset_href(0, "B04", "/copies/a/B04.tif").unwrap();
    let e = set.set_asset_href(0, "nope", "x").unwrap_err();
    assert!(
        e.to_string().contains("no asset `nope` (has: B04, thumb)"),
        "{e}"
    );
    set.save().unwrap();

    // Only the HREF changed; the collection's other fields and their order stay.
    let mut expected = collection();
    expected["features"][0]["assets"]["B04"]["href"] = json!("/copies/a/B04.tif");
    let text = std::fs::read_to_string(&file).unwrap();
    let back: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, expected);
    assert!(text.starts_with(r#"{"type":"FeatureCollection","numberMatched":2,"features":"#));
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    assert!(matches!(Source::read(s(&file)).unwrap(), Source::Items(_)));
    let e = rsdat_stac::Catalog::read(s(&file)).unwrap_err().to_string();
    assert!(e.contains("an ItemCollection, not a catalog"), "{e}");
}

#[test]
fn relative_hrefs_without_self_links_resolve_against_the_file() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("items.geojson");
    let mut it = item("a", "data/a.tif");
    it["links"] = json!([]);
    write(
        &file,
        &json!({"type": "FeatureCollection", "features": [it]}),
    );
    let set = ItemSet::read(s(&file)).unwrap();
    assert_eq!(
        set.absolute_asset_href(0, "B04").unwrap(),
        d.path().join("data/a.tif").to_str().unwrap()
    );
}

#[cfg(feature = "geoparquet")]
#[test]
fn geoparquet_set_saves_as_geoparquet() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("items.parquet");
    let items: Vec<stac::Item> = collection()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    rsdat_stac::write_items(&file, items.clone(), ItemsFormat::GeoParquet).unwrap();
    let Source::Items(mut set) = Source::read(s(&file)).unwrap() else {
        panic!("an item set")
    };
    assert_eq!(set.format(), ItemsFormat::GeoParquet);
    assert_eq!((set.len(), set.id(1)), (2, "b"));
    set.set_asset_href(1, "B04", "webdav://dav.example.org/c/b/B04.tif")
        .unwrap();
    set.save().unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    let back = ItemSet::read(s(&file)).unwrap().to_items().unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(
        back[1].assets["B04"].href,
        "webdav://dav.example.org/c/b/B04.tif"
    );
    assert_eq!(back[0].assets["B04"].href, items[0].assets["B04"].href);
    for (b, i) in back.iter().zip(&items) {
        assert_eq!((&b.id, &b.geometry, &b.bbox), (&i.id, &i.geometry, &i.bbox));
        assert_eq!(b.properties.datetime, i.properties.datetime);
    }
}

fn err(path: &Path) -> String {
    let e = Source::read(s(path)).expect_err("must fail");
    let mut msg = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        msg.push_str(&format!(" / {c}"));
        cause = c.source();
    }
    msg
}

#[test]
fn bad_files_name_the_file_and_what_was_expected() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);

    std::fs::write(p("text.json"), "not json at all").unwrap();
    let m = err(&p("text.json"));
    assert!(m.contains("text.json` is not valid JSON"), "{m}");

    write(
        &p("point.json"),
        &json!({"type": "Point", "coordinates": [1, 2]}),
    );
    let m = err(&p("point.json"));
    assert!(
        m.contains("point.json` is a `Point`, but a Catalog, a Collection or an ItemCollection (`FeatureCollection`) was expected"),
        "{m}"
    );
    write(&p("item.json"), &item("a", "x.tif"));
    let m = err(&p("item.json"));
    assert!(m.contains("is a single Item (`Feature`), but"), "{m}");
    let m = ItemSet::read(s(&p("item.json"))).unwrap_err().to_string();
    assert!(
        m.contains("but an ItemCollection (`FeatureCollection`) was expected"),
        "{m}"
    );

    let mut broken = item("b", "x.tif");
    broken.as_object_mut().unwrap().remove("id");
    write(
        &p("bad-feature.json"),
        &json!({"type": "FeatureCollection", "features": [item("a", "x.tif"), broken]}),
    );
    let m = err(&p("bad-feature.json"));
    assert!(
        m.contains("bad-feature.json#/features/1` is not a valid STAC Feature"),
        "{m}"
    );
    write(
        &p("no-features.json"),
        &json!({"type": "FeatureCollection", "features": {}}),
    );
    let m = err(&p("no-features.json"));
    assert!(m.contains("`features` is not an array"), "{m}");

    let m = err(&p("missing.json"));
    assert!(
        m.contains("cannot read STAC file") && m.contains("missing.json"),
        "{m}"
    );
    let m = err(&p("missing.parquet"));
    assert!(m.contains("missing.parquet"), "{m}");

    std::fs::write(p("corrupt.parquet"), b"PAR1 but not really").unwrap();
    let m = err(&p("corrupt.parquet"));
    if cfg!(feature = "geoparquet") {
        assert!(
            m.contains("corrupt.parquet` is not a readable stac-geoparquet file"),
            "{m}"
        );
    } else {
        assert!(m.contains("cargo feature `geoparquet`"), "{m}");
    }
}

#[test]
fn remote_sets_are_not_saved_in_place() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("items.json");
    write(&file, &collection());
    let set = ItemSet::read(s(&file)).unwrap();
    set.save().unwrap();
    let srv = rsdat_testkit::http::Server::with_objects(
        vec![rsdat_testkit::http::Object {
            path: "/items.json".into(),
            data: std::fs::read(&file).unwrap(),
            digest: None,
        }],
        rsdat_testkit::http::Behavior::default(),
    );
    let set = ItemSet::read(&srv.url_of("/items.json")).unwrap();
    assert_eq!(set.len(), 2);
    let e = set.save().unwrap_err();
    assert!(matches!(e, Error::Save { .. }), "{e:?}");
    assert!(e.to_string().contains("only local files"), "{e}");
}
