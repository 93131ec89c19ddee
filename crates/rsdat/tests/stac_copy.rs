//! `rsdat stac copy-assets` against real servers on loopback: catalogs written by pystac
//! whose assets the testkit's HTTP server serves, copied to wsgidav (a dCache door with a
//! bearer token, through `dcache://` and storage.toml); pystac reads and re-saves the
//! updated catalog as the oracle. Also failures into the ledger, --resume after a failed or
//! killed run, refused HREFs; and the same copy from the items a STAC API search wrote
//! (stac-geoparquet and ItemCollection JSON), read back with stac-geoparquet and pystac.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rsdat_testkit::http::{bytes, Behavior, Object, Server as HttpServer};
use rsdat_testkit::webdav::Server as DavServer;
use serde_json::Value;

const TOKEN: &str = "tok-3f9a1c-copy-assets-secret";
const TO: &str = "dcache://pnfs/data/copies";

/// Builds the test catalog with pystac: items a1, a2 at the root, b1, b2 in sub-catalog
/// `sub`; asset `data` on the HTTP server (b2: relative, next to its item file), asset
/// `thumb` never copied. argv: OUT BASE_URL CATALOG_TYPE [MISSING_ID].
const MAKE_CATALOG: &str = r#"
import datetime, sys, pystac
out, base, ctype = sys.argv[1], sys.argv[2], sys.argv[3]
missing = sys.argv[4] if len(sys.argv) > 4 else None
def item(i, href):
    it = pystac.Item(id=i, geometry={"type": "Point", "coordinates": [5.0, 52.0]},
                     bbox=[5.0, 52.0, 5.0, 52.0],
                     datetime=datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
                     properties={})
    it.add_asset("data", pystac.Asset(href=href, media_type="application/octet-stream",
                                      roles=["data"]))
    it.add_asset("thumb", pystac.Asset(href=f"{base}/src/{i}.png", media_type="image/png",
                                       roles=["thumbnail"]))
    return it
def src(i):
    return f"{base}/src/{'missing' if i == missing else i}.bin"
cat = pystac.Catalog(id="copy-test", description="assets on a loopback HTTP server")
cat.add_item(item("a1", src("a1")))
cat.add_item(item("a2", src("a2")))
sub = pystac.Catalog(id="sub", description="a sub-catalog")
cat.add_child(sub)
sub.add_item(item("b1", src("b1")))
sub.add_item(item("b2", "./b2.bin"))
cat.normalize_hrefs(out)
cat.save(catalog_type=pystac.CatalogType[ctype])
"#;

/// pystac's view of a catalog: item id -> asset key -> absolute HREF.
const READ_HREFS: &str = r#"
import json, sys, pystac
cat = pystac.Catalog.from_file(sys.argv[1])
print(json.dumps({i.id: {k: a.get_absolute_href() for k, a in i.assets.items()}
                  for i in cat.get_items(recursive=True)}, sort_keys=True))
"#;

/// pystac sets the HREFs (argv[2]: {item: {key: href}}) and saves in place.
const UPDATE_WITH_PYSTAC: &str = r#"
import json, sys, pystac
cat = pystac.Catalog.from_file(sys.argv[1])
new = json.loads(sys.argv[2])
for item in cat.get_items(recursive=True):
    for k, h in new.get(item.id, {}).items():
        item.assets[k].href = h
cat.save()
"#;

/// The test catalog's items with sources on the HTTP server (a1, a2, b1), in collection
/// `copy-test`, as an ItemCollection for a STAC API to serve. argv: CATALOG OUT.
const ITEMS_OF_CATALOG: &str = r#"
import json, sys, pystac
cat = pystac.Catalog.from_file(sys.argv[1])
items = [i for i in cat.get_items(recursive=True) if i.id != "b2"]
for i in items:
    i.collection_id = "copy-test"
    i.clear_links()
with open(sys.argv[2], "w") as f:
    json.dump(pystac.ItemCollection(items).to_dict(transform_hrefs=False), f)
"#;

/// pystac's view of an ItemCollection file: item id -> item as a dict.
const READ_ITEM_COLLECTION: &str = r#"
import json, sys, pystac
ic = pystac.ItemCollection.from_file(sys.argv[1])
print(json.dumps({i.id: i.to_dict(transform_hrefs=False) for i in ic}))
"#;

/// The sources, sizes from 1 byte to 1.5 MB.
fn sources() -> Vec<(String, Vec<u8>)> {
    [
        ("a1", 1_500_000),
        ("a2", 70_001),
        ("b1", 1),
        ("b2", 600_000),
    ]
    .iter()
    .enumerate()
    .map(|(n, &(id, size))| (id.to_owned(), bytes(size, 40 + n as u64)))
    .collect()
}

struct Setup {
    tmp: tempfile::TempDir,
    http: HttpServer,
    dav: DavServer,
    catalog: PathBuf,
    data: BTreeMap<String, Vec<u8>>,
}

impl Setup {
    /// Servers, storage.toml, and a pystac catalog of `ctype` whose item `missing` (if
    /// any) points at an object the HTTP server does not have.
    fn new(ctype: &str, missing: Option<&str>) -> Self {
        let data: BTreeMap<String, Vec<u8>> = sources().into_iter().collect();
        let objects = data
            .iter()
            .filter(|(id, _)| id.as_str() != "b2")
            .map(|(id, d)| Object {
                path: format!("/src/{id}.bin"),
                data: d.clone(),
                digest: None,
            })
            .collect();
        let http = HttpServer::with_objects(objects, Behavior::default());
        let dav = DavServer::bearer(TOKEN);
        let tmp = tempfile::tempdir().unwrap();
        let cat_dir = tmp.path().join("cat");
        let base = http.url_of("");
        let mut args = vec![cat_dir.to_str().unwrap(), base.trim_end_matches('/'), ctype];
        args.extend(missing);
        let _ = rsdat_testkit::run_python(MAKE_CATALOG, &args);
        std::fs::write(cat_dir.join("sub/b2/b2.bin"), &data["b2"]).unwrap();
        let private = |p: &Path, text: &str| {
            std::fs::write(p, text).unwrap();
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap();
        };
        let token_file = tmp.path().join("macaroon.conf");
        private(
            &token_file,
            &format!("[dcache]\ntype = webdav\nbearer_token = {TOKEN}\n"),
        );
        private(
            &tmp.path().join("storage.toml"),
            &format!(
                "[dcache]\ndoor = \"{}\"\ntoken_file = \"{}\"\n",
                dav.http_base(),
                token_file.display()
            ),
        );
        Self {
            catalog: cat_dir.join("catalog.json"),
            tmp,
            http,
            dav,
            data,
        }
    }

    /// rsdat with this set-up's storage config.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rsdat"));
        c.args(args)
            .current_dir(self.tmp.path())
            .env("RSDAT_STORAGE_CONFIG", self.tmp.path().join("storage.toml"))
            .env("HOME", self.tmp.path())
            .env_remove("RSDAT_DCACHE_TOKEN")
            .env_remove("RSDAT_DCACHE_TOKEN_FILE")
            .env_remove("RSDAT_DCACHE_DOOR")
            .env_remove("RSDAT_LOG");
        c
    }

    /// Runs rsdat with this set-up's storage config; the token must never show.
    fn rsdat(&self, args: &[&str]) -> Output {
        let o = self.command(args).output().expect("the rsdat binary runs");
        for (what, text) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            let text = String::from_utf8_lossy(text);
            assert!(!text.contains(TOKEN), "the token shows on {what}:\n{text}");
            assert!(!text.contains("panicked"), "{text}");
        }
        o
    }

    fn copy_args<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "stac",
            "copy-assets",
            self.catalog.to_str().unwrap(),
            "--asset",
            "data",
            "--to",
            TO,
        ];
        args.extend(extra);
        args
    }

    /// copy-assets of asset `data` from `input` to TO.
    fn copy_from(&self, input: &Path) -> Output {
        let f = input.to_str().unwrap();
        self.rsdat(&["stac", "copy-assets", f, "--asset", "data", "--to", TO])
    }

    fn copy(&self, extra: &[&str]) -> Output {
        self.rsdat(&self.copy_args(extra))
    }

    /// The server-side file of item `id`'s copy.
    fn copied(&self, id: &str) -> PathBuf {
        self.dav
            .root()
            .join(format!("pnfs/data/copies/{id}/{id}.bin"))
    }

    fn catalog_dir(&self) -> PathBuf {
        self.catalog.parent().unwrap().to_owned()
    }
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            common::stderr(o)
        )
    })
}

fn hrefs_by_pystac(catalog: &Path) -> Value {
    serde_json::from_str(&rsdat_testkit::run_python(
        READ_HREFS,
        &[catalog.to_str().unwrap()],
    ))
    .unwrap()
}

/// The same file names with the same bytes (shown as text when they differ).
fn same_files(ours: &BTreeMap<PathBuf, Vec<u8>>, theirs: &BTreeMap<PathBuf, Vec<u8>>) {
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    for (p, data) in theirs {
        assert_eq!(
            String::from_utf8_lossy(&ours[p]),
            String::from_utf8_lossy(data),
            "{} differs from pystac's",
            p.display()
        );
    }
}

fn no_leftovers(dir: &Path) {
    if !dir.exists() {
        return;
    }
    let parts: Vec<_> = rsdat_testkit::tree_files(dir)
        .into_keys()
        .filter(|p| p.to_string_lossy().contains(".rsdat-part"))
        .collect();
    assert!(parts.is_empty(), "temporary files left: {parts:?}");
}

/// What pystac writes when it makes the same HREF changes to the input catalog and saves
/// it in place: the oracle for `--update-catalog`. Puts `input` (the files before the
/// copy) back into `dir` first, as absolute-published catalogs name their own location.
fn pystac_update(
    dir: &Path,
    input: &BTreeMap<PathBuf, Vec<u8>>,
    new: &BTreeMap<&str, String>,
) -> BTreeMap<PathBuf, Vec<u8>> {
    std::fs::remove_dir_all(dir).unwrap();
    for (rel, data) in input {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    let changes: BTreeMap<&str, BTreeMap<&str, &str>> = new
        .iter()
        .map(|(id, h)| (*id, BTreeMap::from([("data", h.as_str())])))
        .collect();
    let _ = rsdat_testkit::run_python(
        UPDATE_WITH_PYSTAC,
        &[
            dir.join("catalog.json").to_str().unwrap(),
            &serde_json::to_string(&changes).unwrap(),
        ],
    );
    rsdat_testkit::tree_files(dir)
}

#[test]
fn copies_to_dcache_and_updates_the_catalog_as_pystac_would() {
    let s = Setup::new("SELF_CONTAINED", None);
    let input = rsdat_testkit::tree_files(&s.catalog_dir());
    let before = hrefs_by_pystac(&s.catalog);
    let ledger = s.tmp.path().join("ledger.json");
    let o = s.copy(&[
        "--update-catalog",
        "--workers",
        "3",
        "--ledger",
        ledger.to_str().unwrap(),
        "--json",
        "-vvv",
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let v = json(&o);
    let total: usize = s.data.values().map(Vec::len).sum();
    assert_eq!(
        (&v["copied"], &v["failed"], &v["skipped"], &v["bytes"]),
        (&4.into(), &0.into(), &0.into(), &total.into()),
        "{v}"
    );
    assert_eq!(v["verified"], 4, "wsgidav answers Want-Digest: {v}");
    assert_eq!(v["hrefs_updated"], 4);
    assert_eq!(v["ledger"], ledger.to_str().unwrap());
    let failures: Value = serde_json::from_slice(&std::fs::read(&ledger).unwrap()).unwrap();
    assert_eq!(failures, serde_json::json!([]));
    for (id, data) in &s.data {
        let got = std::fs::read(s.copied(id)).unwrap();
        assert!(got == *data, "the copy of {id} differs from its source");
    }
    no_leftovers(&s.dav.root());

    // pystac reads the saved catalog: copied assets point at the copies, others unchanged.
    let hrefs = hrefs_by_pystac(&s.catalog);
    let expected: BTreeMap<&str, String> = s
        .data
        .keys()
        .map(|id| (id.as_str(), format!("{TO}/{id}/{id}.bin")))
        .collect();
    for (id, new) in &expected {
        assert_eq!(hrefs[id]["data"], new.as_str(), "{hrefs}");
        assert_eq!(hrefs[id]["thumb"], before[id]["thumb"], "{hrefs}");
    }
    // The layout and every other byte are what pystac writes for the same change.
    let ours = rsdat_testkit::tree_files(&s.catalog_dir());
    same_files(&ours, &pystac_update(&s.catalog_dir(), &input, &expected));

    // Human output names the ledger.
    let o = s.copy(&["--resume", "--ledger", ledger.to_str().unwrap()]);
    let out = common::ok(&o);
    assert!(out.contains("failure ledger: "), "{out}");
}

#[test]
fn a_missing_source_goes_to_the_ledger_and_keeps_its_href() {
    let s = Setup::new("ABSOLUTE_PUBLISHED", Some("a2"));
    let input = rsdat_testkit::tree_files(&s.catalog_dir());
    let o = s.copy(&["--update-catalog", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let err = common::stderr(&o);
    let ledger = s.tmp.path().join("copy-assets-ledger.json");
    assert!(
        err.contains("1 of 4 copies failed") && err.contains(ledger.to_str().unwrap()),
        "{err}"
    );
    let v = json(&o);
    assert_eq!((&v["copied"], &v["failed"]), (&3.into(), &1.into()), "{v}");
    let failures: Value = serde_json::from_slice(&std::fs::read(&ledger).unwrap()).unwrap();
    let f = &failures.as_array().unwrap()[..];
    assert_eq!(f.len(), 1, "{failures}");
    assert_eq!(
        (&f[0]["item"], &f[0]["asset"]),
        (&"a2".into(), &"data".into())
    );
    assert_eq!(f[0]["url"], s.http.url_of("/src/missing.bin"));
    assert!(
        f[0]["error"].as_str().unwrap().contains("404"),
        "{failures}"
    );
    assert!(f[0]["attempts"].as_u64().unwrap() >= 1);
    for id in ["a1", "b1", "b2"] {
        assert!(std::fs::read(s.copied(id)).unwrap() == s.data[id]);
    }
    assert!(!s.copied("a2").exists());
    no_leftovers(&s.dav.root());
    // The failed asset keeps its HREF; the catalog is otherwise what pystac writes.
    let expected: BTreeMap<&str, String> = ["a1", "b1", "b2"]
        .into_iter()
        .map(|id| (id, format!("{TO}/{id}/{id}.bin")))
        .collect();
    let hrefs = hrefs_by_pystac(&s.catalog);
    assert_eq!(hrefs["a2"]["data"], s.http.url_of("/src/missing.bin"));
    assert_eq!(hrefs["b2"]["data"], format!("{TO}/b2/b2.bin"));
    let ours = rsdat_testkit::tree_files(&s.catalog_dir());
    same_files(&ours, &pystac_update(&s.catalog_dir(), &input, &expected));
}

#[test]
fn resume_copies_only_what_is_missing() {
    let s = Setup::new("SELF_CONTAINED", None);
    // The first request of the run (item a1, with one worker) is refused.
    s.http.set(|b| {
        b.fail_next = 1;
        b.fail_status = 404;
    });
    let o = s.copy(&["--workers", "1", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let v = json(&o);
    assert_eq!((&v["copied"], &v["failed"]), (&3.into(), &1.into()), "{v}");
    assert!(!s.copied("a1").exists());
    let puts = s.dav.count("PUT");
    assert_eq!(puts, 3);

    let o = s.copy(&["--resume", "--json", "--workers", "4"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let v = json(&o);
    assert_eq!(
        (&v["copied"], &v["skipped"], &v["failed"]),
        (&1.into(), &3.into(), &0.into()),
        "{v}"
    );
    assert_eq!(v["bytes"], s.data["a1"].len());
    assert_eq!(s.dav.count("PUT"), puts + 1, "only a1 is copied again");
    for (id, data) in &s.data {
        assert!(std::fs::read(s.copied(id)).unwrap() == *data, "{id}");
    }
    let ledger = s.tmp.path().join("copy-assets-ledger.json");
    assert_eq!(std::fs::read_to_string(ledger).unwrap().trim(), "[]");
}

#[test]
fn a_killed_run_resumes_and_then_updates_the_catalog() {
    let s = Setup::new("RELATIVE_PUBLISHED", None);
    let input = rsdat_testkit::tree_files(&s.catalog_dir());
    // Bodies come in 64 KiB pieces 100 ms apart: a1 (1.5 MB) takes over 2 s, the others
    // well under one.
    s.http
        .set(|b| b.throttle = Some(std::time::Duration::from_millis(100)));
    let args = s.copy_args(&["--workers", "2", "--update-catalog"]);
    let mut child = s
        .command(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while !["a2", "b1", "b2"].iter().all(|id| s.copied(id).exists()) {
        assert!(
            t0.elapsed().as_secs() < 60,
            "the small copies never arrived"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        !s.copied("a1").exists(),
        "a1 finished before the kill; the throttle is too weak for this machine"
    );
    assert_eq!(
        rsdat_testkit::tree_files(&s.catalog_dir()),
        input,
        "a killed run must not touch the catalog"
    );

    s.http.set(|b| b.throttle = None);
    // the server may log the killed client's unfinished PUT a moment later: wait until
    // its count is still
    let mut puts = s.dav.count("PUT");
    loop {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let now = s.dav.count("PUT");
        if now == puts {
            break;
        }
        puts = now;
    }
    let o = s.copy(&["--resume", "--update-catalog", "--json"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let v = json(&o);
    assert_eq!(
        (&v["copied"], &v["skipped"], &v["hrefs_updated"]),
        (&1.into(), &3.into(), &4.into()),
        "{v}"
    );
    assert_eq!(s.dav.count("PUT"), puts + 1, "only a1 is copied again");
    for (id, data) in &s.data {
        assert!(std::fs::read(s.copied(id)).unwrap() == *data, "{id}");
    }
    no_leftovers(&s.dav.root());
    let hrefs = hrefs_by_pystac(&s.catalog);
    for id in s.data.keys() {
        assert_eq!(hrefs[id]["data"], format!("{TO}/{id}/{id}.bin"), "{hrefs}");
    }
}

#[test]
fn bad_selections_and_hrefs_are_refused_before_copying() {
    let s = Setup::new("SELF_CONTAINED", None);
    let cat = s.catalog.to_str().unwrap();
    let o = s.copy(&["--items", "a1,nope"]);
    common::fails(&o, "no item `nope`");
    let e = common::stderr(&o);
    assert!(e.contains("a1, a2, b1, b2"), "{e}");
    let o = s.rsdat(&["stac", "copy-assets", cat, "--asset", "dta", "--to", TO]);
    common::fails(&o, "no asset `dta`");
    assert!(common::stderr(&o).contains("data, thumb"));
    let o = s.rsdat(&[
        "stac",
        "copy-assets",
        cat,
        "--asset",
        "data",
        "--to",
        &s.http.url_of("/x"),
    ]);
    common::fails(&o, "read only");
    let o = s.copy(&["--ledger", "/nonexistent-dir/ledger.json"]);
    common::fails(&o, "`/nonexistent-dir` does not exist");

    // HREFs whose file name would leave <to>/<item id>/.
    let item = s.catalog_dir().join("a1/a1.json");
    let original = std::fs::read_to_string(&item).unwrap();
    let old = format!("\"href\": \"{}\"", s.http.url_of("/src/a1.bin"));
    assert!(original.contains(&old));
    for bad in [
        s.http.url_of("/src/.."),
        s.http.url_of("/src/%2e%2E"),
        s.http.url_of("/src/"),
        "../..".to_owned(),
        s.http.url_of("/src/a%2F..%2F..%2Fx"),
    ] {
        std::fs::write(
            &item,
            original.replace(&old, &format!("\"href\": \"{bad}\"")),
        )
        .unwrap();
        let o = s.copy(&[]);
        common::fails(&o, "would not stay inside");
        assert!(common::stderr(&o).contains(&bad), "{}", common::stderr(&o));
    }
    // An item id that is not one directory name.
    std::fs::write(&item, original.replace("\"id\": \"a1\"", "\"id\": \"..\"")).unwrap();
    common::fails(&s.copy(&[]), "item id `..` cannot be a directory");
    std::fs::write(&item, &original).unwrap();
    assert_eq!(s.dav.count("PUT"), 0, "nothing may be copied");

    // A catalog served over HTTP: it may not point at local files, nor be updated.
    let root = std::fs::read(&s.catalog).unwrap();
    let local = s.catalog_dir().join("sub/b2/b2.bin");
    let remote_item = original.replace(&old, &format!("\"href\": \"{}\"", local.display()));
    let http = HttpServer::with_objects(
        vec![
            Object {
                path: "/cat/catalog.json".into(),
                data: String::from_utf8(root)
                    .unwrap()
                    .replace("\"rel\": \"child\"", "\"rel\": \"related\"")
                    .into_bytes(),
                digest: None,
            },
            Object {
                path: "/cat/a1/a1.json".into(),
                data: remote_item.into_bytes(),
                digest: None,
            },
            Object {
                path: "/cat/a2/a2.json".into(),
                data: std::fs::read(s.catalog_dir().join("a2/a2.json")).unwrap(),
                digest: None,
            },
        ],
        Behavior::default(),
    );
    let remote = http.url_of("/cat/catalog.json");
    let o = s.rsdat(&[
        "stac",
        "copy-assets",
        &remote,
        "--asset",
        "data",
        "--to",
        TO,
    ]);
    common::fails(&o, "points at the local file");
    let o = s.rsdat(&[
        "stac",
        "copy-assets",
        &remote,
        "--asset",
        "data",
        "--to",
        TO,
        "--items",
        "a2",
        "--update-catalog",
    ]);
    common::fails(&o, "is not a local file");
    assert_eq!(s.dav.count("PUT"), 0, "nothing may be copied");
}

/// The items of an item file as Python reads them (stac-geoparquet or pystac), by id.
fn items_by_python(file: &Path) -> BTreeMap<String, Value> {
    let items: Vec<Value> = if file.extension().is_some_and(|e| e == "parquet") {
        common::read_geoparquet(file)["items"]
            .as_array()
            .unwrap()
            .clone()
    } else {
        let v: Value = serde_json::from_str(&rsdat_testkit::run_python(
            READ_ITEM_COLLECTION,
            &[file.to_str().unwrap()],
        ))
        .unwrap();
        v.as_object().unwrap().values().cloned().collect()
    };
    items
        .into_iter()
        .map(|i| (i["id"].as_str().unwrap().to_owned(), i))
        .collect()
}

#[test]
fn copies_from_search_results_and_rewrites_them_in_their_format() {
    let s = Setup::new("SELF_CONTAINED", None);
    let served = s.tmp.path().join("served.json");
    let _ = rsdat_testkit::run_python(
        ITEMS_OF_CATALOG,
        &[s.catalog.to_str().unwrap(), served.to_str().unwrap()],
    );
    let api = rsdat_testkit::stac_api::Server::start(&[&served]);
    for (name, sub) in [("found.parquet", "pq"), ("found.json", "js")] {
        let file = s.tmp.path().join(name);
        let f = file.to_str().unwrap();
        let o = s.rsdat(&[
            "stac",
            "search",
            api.url(),
            "--collections",
            "copy-test",
            "--out",
            f,
        ]);
        common::ok(&o);
        let before = items_by_python(&file);
        assert_eq!(before.keys().collect::<Vec<_>>(), ["a1", "a2", "b1"]);

        // `stac items` lists them, as the Python readers do.
        let listed = json(&s.rsdat(&["stac", "items", f, "--json"]));
        let ids: Vec<&str> = listed["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 3, "{listed}");
        let one = json(&s.rsdat(&["stac", "items", f, "--id", "a2", "--json"]));
        assert_eq!(
            one["assets"]["data"]["href"],
            before["a2"]["assets"]["data"]["href"]
        );

        let to = format!("{TO}/{sub}");
        let o = s.rsdat(&[
            "stac",
            "copy-assets",
            f,
            "--asset",
            "data",
            "--to",
            &to,
            "--update-catalog",
            "--json",
        ]);
        assert!(o.status.success(), "{}", common::stderr(&o));
        let v = json(&o);
        assert_eq!(
            (&v["copied"], &v["failed"], &v["hrefs_updated"]),
            (&3.into(), &0.into(), &3.into()),
            "{v}"
        );
        assert_eq!(v["catalog"], f, "{v}");
        for id in before.keys() {
            let copy = s
                .dav
                .root()
                .join(format!("pnfs/data/copies/{sub}/{id}/{id}.bin"));
            assert!(std::fs::read(copy).unwrap() == s.data[id], "{name}: {id}");
        }
        no_leftovers(&s.dav.root());
        // The file keeps its format; Python reads the new HREFs and nothing else changed.
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(
            bytes.starts_with(b"PAR1"),
            sub == "pq",
            "{name} changed its format"
        );
        let after = items_by_python(&file);
        for (id, item) in &before {
            let new = format!("{to}/{id}/{id}.bin");
            assert_eq!(after[id]["assets"]["data"]["href"], new.as_str(), "{name}");
            let mut expected = item.clone();
            expected["assets"]["data"]["href"] = new.as_str().into();
            assert_eq!(after[id], expected, "{name}: {id}");
        }

        // Run again on the updated file: every asset is already where it points.
        let o = s.rsdat(&[
            "stac",
            "copy-assets",
            f,
            "--asset",
            "data",
            "--to",
            &to,
            "--resume",
            "--json",
        ]);
        let v = json(&o);
        assert_eq!((&v["copied"], &v["skipped"]), (&0.into(), &3.into()), "{v}");
    }

    // Files that are no item set or catalog: errors naming the file.
    let corrupt = s.tmp.path().join("corrupt.parquet");
    std::fs::write(&corrupt, b"PAR1 not parquet").unwrap();
    let o = s.copy_from(&corrupt);
    common::fails(
        &o,
        "corrupt.parquet` is not a readable stac-geoparquet file",
    );
    let feature = s.tmp.path().join("feature.json");
    std::fs::write(
        &feature,
        std::fs::read(s.catalog_dir().join("a1/a1.json")).unwrap(),
    )
    .unwrap();
    common::fails(
        &s.copy_from(&feature),
        "feature.json` is a single Item (`Feature`), but a Catalog, a Collection or an ItemCollection (`FeatureCollection`) was expected",
    );
    common::fails(
        &s.copy_from(&s.tmp.path().join("none.parquet")),
        "none.parquet",
    );
}
