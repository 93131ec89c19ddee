//! `rsdat stac`: the Daymet catalog, describe, items and sub-catalogs against pystac's
//! output (fixtures made by crates/rsdat-stac/tests/data/make_catalogs.py), catalogs over
//! HTTP, and bad input; `rsdat stac search` and `rsdat stac collections` against a real
//! STAC API on loopback (`rustac serve`) with pystac-client as the oracle, and its
//! stac-geoparquet output read back with stac-geoparquet, pyarrow and geopandas.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{fails, ok, read_geoparquet, rsdat};
use rsdat_testkit::stac_api::{pystac_client_ids, Server};
use serde_json::{json, Value};

fn fixtures() -> PathBuf {
    rsdat_testkit::fixtures(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rsdat-stac/tests/data/make_catalogs.py"
    ))
}

fn copy_dir(from: &Path, to: &Path) {
    for (rel, text) in rsdat_testkit::tree_texts(from) {
        let p = to.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

#[test]
fn daymet_catalog_describe_and_items_match_pystac() {
    let fx = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("daymet");
    let o = rsdat(&[
        "stac",
        "daymet-catalog",
        "--out",
        out.to_str().unwrap(),
        "--regions",
        "hi,pr",
        "--years",
        "1980-1981",
        "--vars",
        "tmin,tmax,dayl",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["items"], 4);
    assert_eq!(v["catalog_type"], "self-contained");
    assert_eq!(
        rsdat_testkit::tree_texts(&out),
        rsdat_testkit::tree_texts(&fx.join("daymet-SELF_CONTAINED")),
        "rsdat's Daymet catalog differs from pystac's"
    );

    let text = ok(&rsdat(&[
        "stac",
        "describe",
        out.join("catalog.json").to_str().unwrap(),
    ]));
    assert_eq!(
        text,
        std::fs::read_to_string(fx.join("daymet.describe.txt")).unwrap()
    );
    let text = ok(&rsdat(&[
        "stac",
        "describe",
        out.to_str().unwrap(),
        "--child",
        "pr",
    ]));
    assert!(
        text.starts_with("* <Catalog id=pr>\n  * <Item id=daymet_v4_daily_pr_1980>\n"),
        "{text}"
    );

    let list = ok(&rsdat(&["stac", "items", out.to_str().unwrap()]));
    let ids: Vec<&str> = list
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "daymet_v4_daily_hi_1980",
            "daymet_v4_daily_hi_1981",
            "daymet_v4_daily_pr_1980",
            "daymet_v4_daily_pr_1981"
        ]
    );
    let fc: serde_json::Value = serde_json::from_str(&ok(&rsdat(&[
        "stac",
        "items",
        out.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    assert_eq!(fc["features"].as_array().unwrap().len(), 4);
    let one: serde_json::Value = serde_json::from_str(&ok(&rsdat(&[
        "stac",
        "items",
        out.to_str().unwrap(),
        "--id",
        "daymet_v4_daily_pr_1981",
        "--json",
    ])))
    .unwrap();
    assert_eq!(
        one["assets"]["dayl"]["href"],
        "https://thredds.daac.ornl.gov/thredds/fileServer/ornldaac/2129/daymet_v4_daily_pr_dayl_1981.nc"
    );
    assert_eq!(one["properties"]["start_datetime"], "1981-01-01T00:00:00Z");
}

#[test]
fn subcatalogs_match_pystac() {
    let fx = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fx.join("flat"), &tmp.path().join("flat"));
    let out = tmp.path().join("flat-sub-SELF_CONTAINED");
    let o = rsdat(&[
        "stac",
        "subcatalogs",
        tmp.path().join("flat").to_str().unwrap(),
        "--template",
        "${region}/${year}",
        "--out",
        out.to_str().unwrap(),
        "--catalog-type",
        "self-contained",
    ]);
    let text = ok(&o);
    assert!(
        text.starts_with("7 new sub-catalogs, 4 items; saved 12 files"),
        "{text}"
    );
    assert_eq!(
        rsdat_testkit::tree_texts(&out),
        rsdat_testkit::tree_texts(&fx.join("flat-sub-SELF_CONTAINED")),
        "sub-catalogs differ from pystac's"
    );
}

/// `--json-style orjson` writes what pystac writes with orjson installed (UTF-8 as it is,
/// `1e-7`): the same values as the default style, and pystac with orjson re-saves the
/// catalog without changing a byte.
#[test]
fn subcatalogs_in_orjson_style_are_what_pystac_with_orjson_writes() {
    let fx = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("simple");
    copy_dir(&fx.join("simple-SELF_CONTAINED"), &src);
    // `subcatalogs FROM --template ${year} --out NAME [--json-style STYLE]`.
    let save = |from: &Path, name: &str, style: Option<&str>| {
        let out = tmp.path().join(name);
        let mut args = vec![
            "stac",
            "subcatalogs",
            from.to_str().unwrap(),
            "--template",
            "${year}",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(style.iter().flat_map(|s| ["--json-style", s]));
        ok(&rsdat(&args));
        (out.clone(), rsdat_testkit::tree_texts(&out))
    };
    let (_, python) = save(&src, "python", Some("python"));
    let (dir, orjson) = save(&src, "orjson", Some("orjson"));
    assert_eq!(
        python.keys().collect::<Vec<_>>(),
        orjson.keys().collect::<Vec<_>>()
    );
    for (name, text) in &python {
        let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap();
        assert_eq!(parse(text), parse(&orjson[name]), "{}", name.display());
    }
    let item = Path::new("sub/2020/i1/i1.json");
    assert!(python[item].contains("caf\\u00e9") && python[item].contains("1e-07"));
    assert!(orjson[item].contains("caf\u{e9}") && orjson[item].contains("1e-7"));
    let code = "import sys, pystac, pystac.stac_io\n\
        assert pystac.stac_io.orjson is not None, 'orjson is not installed'\n\
        cat = pystac.Catalog.from_file(sys.argv[1] + '/catalog.json')\n\
        cat.normalize_and_save(sys.argv[1], pystac.CatalogType.SELF_CONTAINED)\n";
    let _ = rsdat_testkit::run_python(code, &[dir.to_str().unwrap()]);
    assert_eq!(
        rsdat_testkit::tree_texts(&dir),
        orjson,
        "pystac rewrote the catalog"
    );
    // Without --json-style, a catalog whose files hold UTF-8 text is saved as orjson's.
    let (_, again) = save(&dir, "again", None);
    assert_eq!(again, orjson, "the style was not kept");
}

/// Python's http.server on a free loopback port, serving `dir`.
struct HttpDir(Child, u16);

impl HttpDir {
    fn start(dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(rsdat_testkit::python())
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
                "--directory",
            ])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python -m http.server starts (run ./scripts/test to make the venv)");
        let server = Self(child, port);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        drop(server);
        panic!("http.server did not start on port {port}");
    }
}

impl Drop for HttpDir {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn catalog_over_http() {
    let fx = fixtures();
    let server = HttpDir::start(&fx);
    let url = format!(
        "http://127.0.0.1:{}/simple-SELF_CONTAINED/catalog.json",
        server.1
    );
    let text = ok(&rsdat(&["stac", "describe", &url]));
    assert_eq!(
        text,
        std::fs::read_to_string(fx.join("simple.describe.txt")).unwrap()
    );
    let list = ok(&rsdat(&["stac", "items", &url]));
    assert!(
        list.contains(&format!(
            "i3\thttp://127.0.0.1:{}/simple-SELF_CONTAINED/coll/i3/i3.json",
            server.1
        )),
        "{list}"
    );
    // Saved locally from the URL: the same layout pystac gives the local copy.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("local");
    ok(&rsdat(&[
        "stac",
        "subcatalogs",
        &url,
        "--template",
        "${id}",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(out.join("sub/i1/i1/i1.json").exists());
    let missing = format!("http://127.0.0.1:{}/nope/catalog.json", server.1);
    fails(&rsdat(&["stac", "describe", &missing]), "nope/catalog.json");
}

#[test]
fn bad_input_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("catalog.json");
    std::fs::write(&bad, "{\"type\": \"Catalog\",").unwrap();
    fails(
        &rsdat(&["stac", "describe", bad.to_str().unwrap()]),
        "is not valid JSON",
    );
    fails(
        &rsdat(&[
            "stac",
            "items",
            tmp.path().join("missing.json").to_str().unwrap(),
        ]),
        "missing.json",
    );
    let out = tmp.path().join("d");
    ok(&rsdat(&[
        "stac",
        "daymet-catalog",
        "--out",
        out.to_str().unwrap(),
        "--regions",
        "pr",
        "--years",
        "1980",
    ]));
    fails(
        &rsdat(&["stac", "items", out.to_str().unwrap(), "--id", "nope"]),
        "no item with id `nope`",
    );
    fails(
        &rsdat(&["stac", "describe", out.to_str().unwrap(), "--child", "na"]),
        "has: pr",
    );
    let (out, x, y) = (
        out.to_str().unwrap(),
        tmp.path().join("x"),
        tmp.path().join("y"),
    );
    let (x, y) = (x.to_str().unwrap(), y.to_str().unwrap());
    for (template, error) in [
        ("${year", "bad template `${year`"),
        ("${platform}", "--default platform=VALUE"),
    ] {
        let args = [
            "stac",
            "subcatalogs",
            out,
            "--template",
            template,
            "--out",
            x,
        ];
        fails(&rsdat(&args), error);
    }
    for (option, value, error) in [
        ("--regions", "xx", "unknown Daymet region `xx`"),
        ("--years", "2021-1980", "runs backwards"),
    ] {
        fails(
            &rsdat(&["stac", "daymet-catalog", "--out", y, option, value]),
            error,
        );
    }
    // A file where an item is expected.
    std::fs::create_dir_all(tmp.path().join("w/i")).unwrap();
    std::fs::write(
        tmp.path().join("w/catalog.json"),
        r#"{"type": "Catalog", "id": "w", "stac_version": "1.1.0", "description": "d", "links": [{"rel": "item", "href": "./i/i.json"}]}"#,
    )
    .unwrap();
    std::fs::write(tmp.path().join("w/i/i.json"), r#"{"type": "Catalog", "id": "c", "stac_version": "1.1.0", "description": "d", "links": []}"#).unwrap();
    fails(
        &rsdat(&["stac", "describe", tmp.path().join("w").to_str().unwrap()]),
        "i/i.json` is a Catalog, but an Item",
    );
}

// ---- STAC API: search and collections ----

fn feature_ids(collection: &Value) -> Vec<String> {
    assert_eq!(collection["type"], "FeatureCollection");
    collection["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn search_writes_the_items_pystac_client_finds() {
    let s = Server::with_s2_items();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("items.json");
    let o = rsdat(&[
        "stac",
        "search",
        s.url(),
        "--collections",
        "sentinel-2-l2a",
        "--bbox",
        "3,51,6,53",
        "--datetime",
        "2023-01-01/2023-09-30",
        "--limit",
        "10",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let summary: Value = serde_json::from_str(&ok(&o)).unwrap();
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let oracle = pystac_client_ids(
        s.url(),
        &json!({"collections": ["sentinel-2-l2a"], "bbox": [3, 51, 6, 53],
                "datetime": "2023-01-01/2023-09-30", "limit": 10}),
    );
    assert!(oracle.len() > 50, "{}", oracle.len());
    assert_eq!(feature_ids(&written), oracle);
    assert_eq!(summary["items"], oracle.len());
    assert!(summary["pages"].as_u64().unwrap() > 5, "{summary}");
    assert_eq!(summary["method"], "POST");
    // pystac reads the output as an ItemCollection.
    let n = rsdat_testkit::run_python(
        "import sys, pystac; print(len(pystac.ItemCollection.from_file(sys.argv[1])))",
        &[out.to_str().unwrap()],
    );
    assert_eq!(n.trim(), oracle.len().to_string());
}

#[test]
fn search_to_stdout_with_max_items() {
    let s = Server::with_s2_items();
    let search = |extra: &[&str]| {
        let mut args = vec![
            "stac",
            "search",
            s.url(),
            "--collections",
            "sentinel-2-l2a,sentinel-2-l1c",
            "--limit",
            "9",
            "--max-items",
            "31",
        ];
        args.extend(extra);
        rsdat(&args)
    };
    let written: Value = serde_json::from_str(&ok(&search(&[]))).unwrap();
    let oracle = pystac_client_ids(
        s.url(),
        &json!({"collections": ["sentinel-2-l2a", "sentinel-2-l1c"], "limit": 9, "max_items": 31}),
    );
    assert_eq!(feature_ids(&written), oracle);
    assert_eq!(oracle.len(), 31);

    // `--out -` is stdout too; `--format parquet` writes stac-geoparquet there.
    let o = search(&["--out", "-", "--format", "parquet"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(o.stdout.starts_with(b"PAR1") && o.stdout.ends_with(b"PAR1"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stdout.parquet");
    std::fs::write(&file, &o.stdout).unwrap();
    let read = read_geoparquet(&file);
    let ids: Vec<&str> = read["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, oracle);
}

/// An RFC 3339 time as an instant (`...21Z` and `...21.000000Z` are the same).
fn instant(v: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap_or_else(|e| panic!("{v}: {e}"))
        .to_utc()
}

/// `read` (an item read back from stac-geoparquet) holds what `json` (the same item in the
/// ItemCollection JSON) holds: id, collection, geometry, bbox, datetime, every property,
/// every asset with its href, type, title and roles, and the links.
fn assert_same_item(read: &Value, json: &Value) {
    let id = &json["id"];
    for key in ["type", "id", "collection", "geometry", "bbox", "links"] {
        assert_eq!(read[key], json[key], "{id}: `{key}`");
    }
    let (rp, jp) = (&read["properties"], &json["properties"]);
    assert_eq!(instant(&rp["datetime"]), instant(&jp["datetime"]), "{id}");
    let jp = jp.as_object().unwrap();
    assert!(jp.len() > 5, "{id}: {jp:?}");
    for (k, v) in jp.iter().filter(|(k, _)| *k != "datetime") {
        assert_eq!(&rp[k], v, "{id}: property `{k}`");
    }
    for (k, v) in rp.as_object().unwrap() {
        assert!(
            jp.contains_key(k) || v.is_null(),
            "{id}: extra property `{k}`"
        );
    }
    let (ra, ja) = (
        read["assets"].as_object().unwrap(),
        json["assets"].as_object().unwrap(),
    );
    assert_eq!(
        ra.keys().collect::<Vec<_>>(),
        ja.keys().collect::<Vec<_>>(),
        "{id}"
    );
    for (k, a) in ja {
        assert!(a["href"].as_str().unwrap().ends_with(".tif") || k == "thumbnail");
        for field in ["href", "type", "title", "roles"] {
            assert_eq!(ra[k][field], a[field], "{id}: asset `{k}` `{field}`");
        }
    }
}

#[test]
fn search_writes_stac_geoparquet_that_stac_geoparquet_reads() {
    let s = Server::with_s2_items();
    let dir = tempfile::tempdir().unwrap();
    let search = |out: &Path| -> Value {
        let o = rsdat(&[
            "stac",
            "search",
            s.url(),
            "--collections",
            "sentinel-2-l2a,sentinel-2-l1c",
            "--bbox",
            "3,51,6,53",
            "--limit",
            "20",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ]);
        serde_json::from_str(&ok(&o)).unwrap()
    };
    let json_out = dir.path().join("items.json");
    let parquet_out = dir.path().join("items.parquet");
    let json_summary = search(&json_out);
    let summary = search(&parquet_out);
    assert_eq!(summary["format"], "geoparquet", "{summary}");
    assert_eq!(json_summary["format"], "json", "{json_summary}");
    assert!(
        summary["write_seconds"].as_f64().unwrap() >= 0.0,
        "{summary}"
    );

    let written: Value = serde_json::from_slice(&std::fs::read(&json_out).unwrap()).unwrap();
    let json_items = written["features"].as_array().unwrap();
    assert!(json_items.len() > 100, "{}", json_items.len());
    assert_eq!(summary["items"], json_items.len());
    // Parquet's magic number at both ends, and nothing else left in the directory.
    let bytes = std::fs::read(&parquet_out).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["items.json", "items.parquet"]);

    let read = read_geoparquet(&parquet_out);
    let read_items = read["items"].as_array().unwrap();
    assert_eq!(
        read_items.iter().map(|i| &i["id"]).collect::<Vec<_>>(),
        json_items.iter().map(|i| &i["id"]).collect::<Vec<_>>()
    );
    for (r, j) in read_items.iter().zip(json_items) {
        assert_same_item(r, j);
    }
    // Both collections are there, in the API's order.
    assert!(json_items
        .iter()
        .any(|i| i["collection"] == "sentinel-2-l1c"));

    // GeoParquet metadata as geopandas and GDAL expect it, and stac-geoparquet's own key.
    let geo = &read["geo"];
    assert_eq!(geo["primary_column"], "geometry", "{geo}");
    assert_eq!(geo["columns"]["geometry"]["encoding"], "WKB", "{geo}");
    assert_eq!(
        geo["columns"]["geometry"]["covering"]["bbox"]["xmin"],
        json!(["bbox", "xmin"]),
        "{geo}"
    );
    assert_eq!(read["stac_geoparquet"]["version"], "1.0.0");
    let gpd = &read["geopandas"];
    assert_eq!(gpd["rows"], json_items.len());
    assert_eq!(gpd["geometry"], "geometry");
    // No `crs` in the `geo` metadata means longitude/latitude on WGS 84, as GeoJSON.
    assert_eq!(gpd["crs"], "OGC:CRS84", "{gpd}");
    // geopandas' total bounds are the union of the items' bboxes.
    let mut union = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for i in json_items {
        let b: Vec<f64> = serde_json::from_value(i["bbox"].clone()).unwrap();
        union = [
            union[0].min(b[0]),
            union[1].min(b[1]),
            union[2].max(b[2]),
            union[3].max(b[3]),
        ];
    }
    assert_eq!(gpd["bounds"], json!(union), "{gpd}");

    // `.geoparquet` and upper case name the same format.
    let other = dir.path().join("ITEMS.GEOPARQUET");
    assert_eq!(search(&other)["items"], json_items.len());
    assert_eq!(
        read_geoparquet(&other)["items"].as_array().unwrap().len(),
        json_items.len()
    );
}

#[test]
fn geoparquet_output_errors_name_the_file() {
    let s = Server::with_s2_items();
    let dir = tempfile::tempdir().unwrap();
    let search = |out: &Path, ids: &str| {
        rsdat(&[
            "stac",
            "search",
            s.url(),
            "--collections",
            "sentinel-2-l2a",
            "--ids",
            ids,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let found = ok(&rsdat(&[
        "stac",
        "search",
        s.url(),
        "--collections",
        "sentinel-2-l2a",
        "--max-items",
        "1",
    ]));
    let found: Value = serde_json::from_str(&found).unwrap();
    let id = found["features"][0]["id"].as_str().unwrap().to_owned();

    // A directory that does not exist: the error names the file, nothing is left behind.
    let missing = dir.path().join("no/such/dir/items.parquet");
    let o = search(&missing, &id);
    fails(&o, &format!("cannot write `{}`", missing.display()));
    assert!(!missing.exists());
    // A path whose parent is a file.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let under_file = blocker.join("items.parquet");
    fails(
        &search(&under_file, &id),
        &format!("cannot write `{}`", under_file.display()),
    );

    // Nothing found: no stac-geoparquet file (as stac-geoparquet refuses an empty list), a
    // clear error, and an existing file stays as it was; JSON gets an empty ItemCollection.
    let out = dir.path().join("items.parquet");
    std::fs::write(&out, "previous").unwrap();
    let o = search(&out, "no-such-item");
    fails(&o, &format!("no items to write to `{}`", out.display()));
    fails(&o, "write a `.json` file for an empty ItemCollection");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    let empty_json = dir.path().join("items.json");
    ok(&search(&empty_json, "no-such-item"));
    let v: Value = serde_json::from_slice(&std::fs::read(&empty_json).unwrap()).unwrap();
    assert_eq!(v, json!({"type": "FeatureCollection", "features": []}));

    // One item: stac-geoparquet reads it back.
    ok(&search(&out, &id));
    let read = read_geoparquet(&out);
    assert_eq!(read["items"][0]["id"], id.as_str());
    assert_same_item(&read["items"][0], &found["features"][0]);
}

#[test]
fn collections_lists_what_pystac_client_lists() {
    let s = Server::with_s2_items();
    let v: Value =
        serde_json::from_str(&ok(&rsdat(&["stac", "collections", s.url(), "--json"]))).unwrap();
    let mut got: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    let mut oracle = pystac_client_ids(s.url(), &json!({"collections_list": true}));
    oracle.sort();
    assert_eq!(got, oracle);
    let text = ok(&rsdat(&["stac", "collections", s.url()]));
    assert!(
        text.contains("sentinel-2-l2a") && text.contains("2 collection(s)"),
        "{text}"
    );
}

#[test]
fn unknown_collection_is_a_clear_error() {
    let s = Server::with_s2_items();
    let o = rsdat(&["stac", "search", s.url(), "--collections", "landsat-c2-l2"]);
    fails(&o, "unknown collection `landsat-c2-l2`");
    fails(&o, "sentinel-2-l2a");
}

/// Nothing listens on this port: an error naming the option proves no request was sent.
const DEAD: &str = "http://127.0.0.1:9";

#[test]
fn bad_options_fail_before_any_request() {
    let search = |extra: &[&str]| {
        let mut args = vec!["stac", "search", DEAD, "--collections", "c"];
        args.extend_from_slice(extra);
        rsdat(&args)
    };
    fails(&search(&["--bbox", "4,52,5"]), "invalid --bbox `4,52,5`");
    fails(&search(&["--bbox", "4,53,5,52"]), "south is above north");
    fails(
        &search(&["--datetime", "last week"]),
        "invalid --datetime `last week`",
    );
    fails(
        &search(&["--datetime", "2023-06-01/2023-01-01"]),
        "the start is after the end",
    );
    fails(&search(&["--query", "cloud<10"]), "invalid --query");
    fails(
        &search(&["--filter", "eo:cloud_cover < 10"]),
        "invalid --filter",
    );
    let o = search(&["--out", "items.csv"]);
    fails(&o, "invalid --out `items.csv`");
    fails(
        &o,
        "unknown file type `items.csv`: a set of items is a `.json` file (an ItemCollection) \
         or a `.parquet` file (stac-geoparquet)",
    );
    fails(
        &search(&["--out", "items.json", "--format", "parquet"]),
        "--format parquet but --out `items.json` names a JSON file",
    );
    fails(&search(&["--out", "items"]), "invalid --out `items`");
    fails(
        &rsdat(&["stac", "search", "not a url", "--collections", "c"]),
        "invalid STAC API URL",
    );
    // And a dead server is a clear error too, after retries.
    fails(
        &search(&[]),
        "cannot open the STAC API `http://127.0.0.1:9`",
    );
}

#[test]
fn http_errors_name_the_url_and_the_status() {
    // 404 from the real API: a landing page URL that is no landing page.
    let s = Server::with_s2_items();
    let missing = format!("{}/collections/nope", s.url());
    let o = rsdat(&[
        "stac",
        "search",
        &missing,
        "--collections",
        "sentinel-2-l2a",
    ]);
    fails(&o, &format!("cannot open the STAC API `{missing}`"));
    fails(&o, "HTTP 404");
    fails(&o, "check the URL");
    let o = rsdat(&["stac", "collections", &missing]);
    fails(&o, &format!("`{missing}`"));
    fails(&o, "HTTP 404");

    // 401 and 403 from a loopback server that refuses every request.
    for status in [401_u16, 403] {
        let srv = rsdat_testkit::http::Server::with(
            Vec::new(),
            rsdat_testkit::http::Behavior {
                always_status: Some(status),
                ..rsdat_testkit::http::Behavior::default()
            },
        );
        let url = srv.url();
        for o in [
            rsdat(&["stac", "search", &url, "--collections", "sentinel-2-l2a"]),
            rsdat(&["stac", "collections", &url]),
        ] {
            fails(&o, &format!("`{url}`"));
            fails(&o, &format!("HTTP {status}"));
            fails(&o, "needs credentials");
            // Client errors are not retried.
            fails(&o, &format!("answered HTTP {status}"));
            assert!(
                !common::stderr(&o).contains("attempts"),
                "{}",
                common::stderr(&o)
            );
        }
    }
}

#[test]
fn malformed_json_names_the_url() {
    let srv = rsdat_testkit::http::Server::start(b"{\"links\": [oops".to_vec());
    let url = srv.url();
    let o = rsdat(&["stac", "search", &url, "--collections", "sentinel-2-l2a"]);
    fails(&o, &format!("cannot open the STAC API `{url}`"));
    fails(&o, "did not return valid landing page JSON");
    let o = rsdat(&["stac", "collections", &url, "--json"]);
    fails(&o, "did not return valid landing page JSON");
}

// ---- item files as input: make-catalog against pystac ----

/// pystac builds a catalog from an ItemCollection file (stac-geoparquet: the items
/// `stac_geoparquet.arrow.stac_table_to_items` reads): `Catalog(id, description)`,
/// `add_items`, `generate_subcatalogs` (when a template is given), `normalize_and_save`.
/// argv: ITEMS OUT CATALOG_TYPE [TEMPLATE].
const MAKE_CATALOG_WITH_PYSTAC: &str = r#"
import sys, pystac, pystac.stac_io
pystac.stac_io.orjson = None
items, out, ctype = sys.argv[1:4]
cat = pystac.Catalog("s2", "Sentinel-2 items from a search")
if items.endswith(".parquet"):
    import pyarrow.parquet, stac_geoparquet.arrow
    table = pyarrow.parquet.read_table(items)
    found = [pystac.Item.from_dict(d) for d in stac_geoparquet.arrow.stac_table_to_items(table)]
else:
    found = pystac.ItemCollection.from_file(items)
cat.add_items(found)
if len(sys.argv) > 4:
    cat.generate_subcatalogs(sys.argv[4])
cat.normalize_and_save(out, catalog_type=pystac.CatalogType[ctype])
"#;

#[test]
fn make_catalog_from_search_results_matches_pystac() {
    let s = Server::with_s2_items();
    let dir = tempfile::tempdir().unwrap();
    let search = |out: &Path| {
        ok(&rsdat(&[
            "stac",
            "search",
            s.url(),
            "--collections",
            "sentinel-2-l2a",
            "--max-items",
            "40",
            "--out",
            out.to_str().unwrap(),
        ]));
    };
    let items = dir.path().join("items.json");
    search(&items);
    let make = |input: &Path, out: &Path, extra: &[&str]| {
        let mut args = vec![
            "stac",
            "make-catalog",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--id",
            "s2",
            "--description",
            "Sentinel-2 items from a search",
        ];
        args.extend(extra);
        rsdat(&args)
    };
    // rsdat's and pystac's catalogs of `input`, file by file, with `<out>` for their roots.
    let both = |input: &Path, ctype: &str, arg: Option<&str>, template: Option<&str>| {
        let n = input
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .replace('.', "_");
        let ours = dir.path().join(format!("ours-{n}-{ctype}"));
        let theirs = dir.path().join(format!("theirs-{n}-{ctype}"));
        let mut extra = vec!["--json"];
        extra.extend(arg.iter().flat_map(|a| ["--catalog-type", a]));
        extra.extend(template.iter().flat_map(|t| ["--subcatalogs", t]));
        let report: Value = serde_json::from_str(&ok(&make(input, &ours, &extra))).unwrap();
        let mut py = vec![input.to_str().unwrap(), theirs.to_str().unwrap(), ctype];
        py.extend(template);
        let _ = rsdat_testkit::run_python(MAKE_CATALOG_WITH_PYSTAC, &py);
        let texts = |root: &Path| -> std::collections::BTreeMap<PathBuf, String> {
            rsdat_testkit::tree_texts(root)
                .into_iter()
                .map(|(f, t)| (f, t.replace(root.to_str().unwrap(), "<out>")))
                .collect()
        };
        let (a, b) = (texts(&ours), texts(&theirs));
        let item_files = a.keys().filter(|f| !f.ends_with("catalog.json")).count();
        assert_eq!(report["items"], item_files, "{report}");
        (a, b)
    };
    for (ctype, arg, template) in [
        ("ABSOLUTE_PUBLISHED", None, None),
        (
            "SELF_CONTAINED",
            Some("self-contained"),
            Some("${year}/${month}"),
        ),
        (
            "RELATIVE_PUBLISHED",
            Some("relative-published"),
            Some("${eo:cloud_cover}"),
        ),
    ] {
        let (a, b) = both(&items, ctype, arg, template);
        assert!(a.len() > 40, "{ctype}: {} files", a.len());
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            b.keys().collect::<Vec<_>>(),
            "{ctype}"
        );
        for (f, text) in &b {
            assert_eq!(
                &a[f],
                text,
                "{ctype}: {} differs from pystac's",
                f.display()
            );
        }
    }

    // Relative asset HREFs: rebased from the item's self link, as pystac does, or kept.
    let relative = dir.path().join("relative.json");
    let mut found: Value = serde_json::from_slice(&std::fs::read(&items).unwrap()).unwrap();
    let features = found["features"].as_array_mut().unwrap();
    features.truncate(3);
    for (n, f) in features.iter_mut().enumerate() {
        for a in f["assets"].as_object_mut().unwrap().values_mut() {
            a["href"] = format!("./band{n}.tif").into();
        }
        if n == 0 {
            f["links"] = json!([]);
        }
    }
    std::fs::write(&relative, found.to_string()).unwrap();
    let (a, b) = both(&relative, "SELF_CONTAINED", Some("self-contained"), None);
    assert_eq!(a.len(), 4);
    assert_eq!(a, b, "relative asset HREFs differ from pystac's");
    // Item 0 has no self link: its HREFs stay relative; the others' point at the API.
    let with = |h: &str| a.values().filter(|t| t.contains(h)).count();
    assert_eq!((with("\"./band0.tif\""), with("\"./band1.tif\"")), (1, 0));

    // From stac-geoparquet: the same items and asset HREFs, as pystac reads the catalog.
    let parquet = dir.path().join("items.parquet");
    search(&parquet);
    // The same files and the same JSON, but for the order of keys in `properties`: the
    // `stac` crate's decoder puts `datetime` first, stac_geoparquet the columns' order.
    let (a, b) = both(
        &parquet,
        "SELF_CONTAINED",
        Some("self-contained"),
        Some("${year}"),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (f, text) in &b {
        let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap();
        assert_eq!(
            parse(&a[f]),
            parse(text),
            "parquet: {} differs from pystac's",
            f.display()
        );
    }
    let out = dir.path().join("from-parquet");
    ok(&make(&parquet, &out, &[]));
    let hrefs = |cat: &Path| {
        rsdat_testkit::run_python(
            "import sys, json, pystac\n\
             c = pystac.Catalog.from_file(sys.argv[1])\n\
             print(json.dumps(sorted((i.id, sorted((k, a.href) for k, a in i.assets.items())) \
             for i in c.get_items(recursive=True))))",
            &[cat.to_str().unwrap()],
        )
    };
    assert_eq!(
        hrefs(&out.join("catalog.json")),
        hrefs(
            &dir.path()
                .join("ours-items_json-ABSOLUTE_PUBLISHED/catalog.json")
        )
    );

    // Input that is no item file: a clear error.
    fails(
        &make(&out.join("catalog.json"), &dir.path().join("x"), &[]),
        "catalog.json` is a `Catalog`, but an ItemCollection (`FeatureCollection`) was expected",
    );
}
