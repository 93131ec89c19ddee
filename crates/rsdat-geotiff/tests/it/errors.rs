//! Error messages: what failed, on which file, without panics.

use rsdat_geotiff::{Error, GeoTiff, BAND_DATA};
use rsdat_model::Source;

use crate::support::fixture;

/// The error and its sources, joined as a CLI would print them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[test]
fn not_a_tiff_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("notes.tif");
    std::fs::write(&path, "just text, not an image\n").expect("write");
    let e = GeoTiff::open(path.to_str().expect("utf-8")).expect_err("not a TIFF");
    assert!(matches!(e, Error::NotTiff { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("notes.tif") && msg.contains("is not a TIFF file"),
        "{msg}"
    );
    let empty = dir.path().join("empty.tif");
    std::fs::write(&empty, "").expect("write");
    assert!(matches!(
        GeoTiff::open(empty.to_str().expect("utf-8")),
        Err(Error::NotTiff { .. })
    ));
}

#[test]
fn missing_file_names_it() {
    let e = GeoTiff::open("/nonexistent/dir/b02.tif").expect_err("missing");
    assert!(
        chain(&e).contains("/nonexistent/dir/b02.tif"),
        "{}",
        chain(&e)
    );
}

#[test]
fn jpeg_is_refused_by_name() {
    let f = fixture("jpeg");
    let want = f.meta["expect_error"].as_str().expect("message");
    let e = GeoTiff::open(f.url()).expect_err("JPEG");
    assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains(want) && msg.contains("jpeg.tif"), "{msg}");
}

#[test]
fn truncated_file_fails_the_read_not_the_process() {
    let f = fixture("cog_u16_deflate");
    let bytes = std::fs::read(&f.path).expect("fixture");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cut.tif");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
    // The COG header and IFDs sit at the front, so opening still works.
    let tif = GeoTiff::open(path.to_str().expect("utf-8")).expect("header intact");
    let [count, h, w] = f.shape();
    let e = tif
        .read(BAND_DATA, &[0, 0, 0], &[count, h, w])
        .expect_err("truncated");
    let rsdat_model::Error::Read { var, source, .. } = &e else {
        panic!("expected a read error, got {e:?}");
    };
    assert_eq!(var, BAND_DATA);
    assert!(
        matches!(
            source.downcast_ref::<Error>(),
            Some(Error::Truncated { .. })
        ),
        "{source:?}"
    );
    let msg = chain(&e);
    assert!(
        msg.contains("cut.tif") && msg.contains("truncated"),
        "{msg}"
    );
    // The first tile row lies in the first half, so a window there still reads.
    tif.read(BAND_DATA, &[0, 0, 0], &[1, 10, 10])
        .expect("early tiles");

    // Cut inside the header: an error at open.
    std::fs::write(&path, &bytes[..6]).expect("write");
    let e = GeoTiff::open(path.to_str().expect("utf-8")).expect_err("cut header");
    assert!(chain(&e).contains("cut.tif"), "{}", chain(&e));
}

#[test]
fn bad_requests_are_model_errors() {
    let f = fixture("cog_u16_deflate");
    let tif = GeoTiff::open(f.url()).expect("open");
    let e = tif.overview(2).expect_err("two overviews only");
    assert!(
        matches!(
            e,
            Error::NoOverview {
                level: 2,
                count: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("cog_u16_deflate.tif"));
    let e = tif.read("B02", &[0], &[1]).expect_err("no such variable");
    assert!(
        matches!(e, rsdat_model::Error::UnknownVariable { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("band_data"), "{e}");
    let e = tif
        .read(BAND_DATA, &[0, 1290, 0], &[1, 20, 1])
        .expect_err("past the end");
    assert!(matches!(e, rsdat_model::Error::Window { .. }), "{e:?}");
    // An empty window reads nothing and succeeds.
    let v = tif.read(BAND_DATA, &[0, 0, 0], &[1, 0, 5]).expect("empty");
    assert!(v.is_empty());
}
