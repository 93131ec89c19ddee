//! Differential tests against pystac: catalogs pystac builds and saves (fixtures made by
//! `tests/data/make_catalogs.py`) against what rsdat reads, reorganises and saves; pystac
//! re-reading rsdat's output and re-saving it in place must change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use rsdat_stac::{daymet_catalog, Catalog, CatalogType, DaymetOptions, JsonStyle};

const TYPES: [(&str, CatalogType); 3] = [
    ("SELF_CONTAINED", CatalogType::SelfContained),
    ("ABSOLUTE_PUBLISHED", CatalogType::AbsolutePublished),
    ("RELATIVE_PUBLISHED", CatalogType::RelativePublished),
];

fn fixtures() -> PathBuf {
    rsdat_testkit::fixtures(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/make_catalogs.py"
    ))
}

/// Copies a fixture catalog, pointing absolute HREFs at the copy.
fn copy_dir(from: &Path, to: &Path) {
    let made_in = std::fs::read_to_string(from.parent().unwrap().join("outdir.txt")).unwrap();
    for (rel, text) in rsdat_testkit::tree_texts(from) {
        let text = text.replace(made_in.trim(), to.parent().unwrap().to_str().unwrap());
        let p = to.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// pystac's tree under `expected` equals rsdat's under `actual`, file for file, once
/// pystac's absolute directory is replaced by rsdat's.
fn assert_same_tree(expected: &Path, actual: &Path) {
    let want = rsdat_testkit::tree_texts(expected);
    let got = rsdat_testkit::tree_texts(actual);
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "file names differ: {} vs {}",
        expected.display(),
        actual.display()
    );
    // Absolute HREFs name the directories: pystac's fixture directory becomes rsdat's.
    let made_in = std::fs::read_to_string(expected.parent().unwrap().join("outdir.txt")).unwrap();
    let (e, a) = (made_in.trim(), actual.parent().unwrap().to_str().unwrap());
    for (name, text) in &want {
        let text = text.replace(e, a);
        assert_eq!(
            &text,
            &got[name],
            "{} differs from pystac's {}",
            actual.join(name).display(),
            expected.join(name).display()
        );
    }
}

/// pystac reads `dir`, normalize_and_save's it in place with `t`: nothing may change.
fn assert_pystac_resave_unchanged(dir: &Path, t: &str) {
    assert_pystac_resave_unchanged_with(dir, t, JsonStyle::Python);
}

/// As [`assert_pystac_resave_unchanged`], pystac writing with `style`'s JSON library.
fn assert_pystac_resave_unchanged_with(dir: &Path, t: &str, style: JsonStyle) {
    let before = rsdat_testkit::tree_texts(dir);
    // pystac uses orjson when it is installed; `python` turns it off.
    let code = "import sys, pystac, pystac.stac_io\n\
        assert pystac.stac_io.orjson is not None, 'orjson is not installed'\n\
        if sys.argv[3] == 'python': pystac.stac_io.orjson = None\n\
        cat = pystac.Catalog.from_file(sys.argv[1] + '/catalog.json')\n\
        n = len(list(cat.get_items(recursive=True)))\n\
        cat.normalize_and_save(sys.argv[1], pystac.CatalogType(sys.argv[2]))\n\
        print(n)\n";
    let style = match style {
        JsonStyle::Orjson => "orjson",
        _ => "python",
    };
    let out = rsdat_testkit::run_python(code, &[dir.to_str().unwrap(), t, style]);
    assert!(
        out.trim().parse::<usize>().unwrap() > 0,
        "pystac saw no items"
    );
    let after = rsdat_testkit::tree_texts(dir);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (k, v) in &before {
        assert_eq!(
            v,
            &after[k],
            "pystac rewrote {} differently",
            dir.join(k).display()
        );
    }
}

#[test]
fn daymet_catalog_equals_pystac_for_each_type() {
    let fx = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    for (name, t) in TYPES {
        let mut opts = DaymetOptions::default();
        opts.regions = vec!["hi".into(), "pr".into()];
        opts.years = (1980, 1981);
        opts.variables = vec!["tmin".into(), "tmax".into(), "dayl".into()];
        let mut cat = daymet_catalog(&opts).unwrap();
        let out = tmp.path().join(format!("daymet-{name}"));
        let summary = cat
            .normalize_and_save(out.to_str().unwrap(), Some(t))
            .unwrap();
        assert_eq!(summary.items, 4);
        assert_same_tree(&fx.join(format!("daymet-{name}")), &out);
        assert_pystac_resave_unchanged(&out, name);
        if name == "SELF_CONTAINED" {
            let want = std::fs::read_to_string(fx.join("daymet.describe.txt")).unwrap();
            assert_eq!(cat.describe(), want);
        }
    }
}

#[test]
fn resaving_a_pystac_catalog_equals_pystac() {
    let fx = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    for (name, t) in TYPES {
        // Same type: pystac's own read + normalize_and_save. The source is copied next to
        // the output, as in the fixture directory, so relative asset HREFs match.
        copy_dir(
            &fx.join(format!("simple-{name}")),
            &tmp.path().join(format!("simple-{name}")),
        );
        let mut cat = Catalog::read(
            tmp.path()
                .join(format!("simple-{name}/catalog.json"))
                .to_str()
                .unwrap(),
        )
        .unwrap();
        let out = tmp.path().join(format!("resave-{name}"));
        cat.normalize_and_save(out.to_str().unwrap(), Some(t))
            .unwrap();
        assert_same_tree(&fx.join(format!("resave-{name}")), &out);
        assert_pystac_resave_unchanged(&out, name);
        // Converted from the self-contained one.
        let src = tmp.path().join("simple-SELF_CONTAINED");
        if !src.exists() {
            copy_dir(&fx.join("simple-SELF_CONTAINED"), &src);
        }
        let mut cat = Catalog::read(src.join("catalog.json").to_str().unwrap()).unwrap();
        assert_eq!(cat.catalog_type(), CatalogType::SelfContained);
        let out = tmp.path().join(format!("convert-{name}"));
        cat.normalize_and_save(out.to_str().unwrap(), Some(t))
            .unwrap();
        assert_same_tree(&fx.join(format!("convert-{name}")), &out);
    }
}

/// With orjson installed pystac writes UTF-8 as it is and other float forms (`1e-7`): the
/// orjson style writes the same files.
#[test]
fn orjson_style_equals_pystac_with_orjson() {
    let fx = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("simple-SELF_CONTAINED");
    copy_dir(&fx.join("simple-SELF_CONTAINED"), &src);
    for (name, t) in TYPES {
        let mut cat = Catalog::read(src.join("catalog.json").to_str().unwrap()).unwrap();
        assert_eq!(
            cat.json_style(),
            JsonStyle::Python,
            "all ASCII, \\u escapes"
        );
        cat.set_json_style(JsonStyle::Orjson);
        let out = tmp.path().join(format!("orjson-{name}"));
        cat.normalize_and_save(out.to_str().unwrap(), Some(t))
            .unwrap();
        let item = std::fs::read_to_string(out.join("sub/i1/i1.json")).unwrap();
        assert!(
            item.contains("caf\u{e9} \u{2603}") && item.contains("1e-7"),
            "orjson's text: {item}"
        );
        assert_same_tree(&fx.join(format!("orjson-{name}")), &out);
        assert_pystac_resave_unchanged_with(&out, name, JsonStyle::Orjson);
        // Read back, the UTF-8 text says orjson: saving in place changes nothing.
        let mut back = Catalog::read(out.join("catalog.json").to_str().unwrap()).unwrap();
        assert_eq!(back.json_style(), JsonStyle::Orjson);
        let before = rsdat_testkit::tree_texts(&out);
        back.normalize_and_save(out.to_str().unwrap(), None)
            .unwrap();
        assert_eq!(
            rsdat_testkit::tree_texts(&out),
            before,
            "re-saved differently"
        );
    }
}

#[test]
fn read_walk_and_describe_like_pystac() {
    let fx = fixtures();
    let cat = Catalog::read(
        fx.join("simple-SELF_CONTAINED/catalog.json")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let want = std::fs::read_to_string(fx.join("simple.describe.txt")).unwrap();
    assert_eq!(cat.describe(), want);
    let ids: Vec<&str> = cat
        .all_items(cat.root())
        .into_iter()
        .map(|i| cat.id(i))
        .collect();
    assert_eq!(ids, ["i4", "i1", "i2", "i3"]);
    let i3 = cat.find_item(cat.root(), "i3").unwrap();
    assert!(cat
        .self_href(i3)
        .unwrap()
        .ends_with("simple-SELF_CONTAINED/coll/i3/i3.json"));
    assert!(cat.find_item(cat.root(), "nope").is_none());
    assert!(cat.find_child(cat.root(), "coll", false).is_some());
    assert!(cat.find_child(cat.root(), "sub", true).is_some());
    let item = cat.to_stac(i3).unwrap();
    assert!(matches!(item, stac::Value::Item(_)));
    // Published catalogs are recognised when read.
    let tmp = tempfile::tempdir().unwrap();
    for (name, t) in TYPES {
        let dir = tmp.path().join(format!("simple-{name}"));
        copy_dir(&fx.join(format!("simple-{name}")), &dir);
        let c = Catalog::read(dir.to_str().unwrap()).unwrap();
        assert_eq!(c.catalog_type(), t, "{name}");
        assert_eq!(c.len(), 7, "{name}");
    }
}

#[test]
fn subcatalogs_from_a_template_equal_pystac() {
    let fx = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    for (name, t) in TYPES {
        let src = tmp.path().join("flat");
        if !src.exists() {
            copy_dir(&fx.join("flat"), &src);
        }
        let mut cat = Catalog::read(src.join("catalog.json").to_str().unwrap()).unwrap();
        let made = cat
            .generate_subcatalogs("${region}/${year}", &Default::default())
            .unwrap();
        assert_eq!(made.len(), 7);
        let out = tmp.path().join(format!("flat-sub-{name}"));
        cat.normalize_and_save(out.to_str().unwrap(), Some(t))
            .unwrap();
        assert_same_tree(&fx.join(format!("flat-sub-{name}")), &out);
        assert_pystac_resave_unchanged(&out, name);
        // Items of a collection moved into sub-catalogs: their collection link keeps
        // naming the file read (pystac reads it again when it moves the item).
        let src = tmp.path().join("simple-SELF_CONTAINED");
        if !src.exists() {
            copy_dir(&fx.join("simple-SELF_CONTAINED"), &src);
        }
        let mut cat = Catalog::read(src.join("catalog.json").to_str().unwrap()).unwrap();
        cat.generate_subcatalogs("${year}", &Default::default())
            .unwrap();
        let sub = tmp.path().join(format!("simple-sub-{name}"));
        cat.normalize_and_save(sub.to_str().unwrap(), Some(t))
            .unwrap();
        assert_same_tree(&fx.join(format!("simple-sub-{name}")), &sub);
        assert_pystac_resave_unchanged(&sub, name);
        if name == "SELF_CONTAINED" {
            let back = Catalog::read(out.to_str().unwrap()).unwrap();
            let want = std::fs::read_to_string(fx.join("flat-sub.describe.txt")).unwrap();
            assert_eq!(back.describe(), want);
            // Applying the template again finds every item in place.
            let mut again = back.clone();
            assert!(again
                .generate_subcatalogs("${region}/${year}", &Default::default())
                .unwrap()
                .is_empty());
        }
    }
}
