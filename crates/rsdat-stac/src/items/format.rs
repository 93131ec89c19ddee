//! The file formats of item sets, and writing items in them: an ItemCollection (GeoJSON)
//! or stac-geoparquet.

use std::io::{BufWriter, Write};
use std::path::Path;

use rsdat_storage::{AtomicFile, IfExists};
use serde::Serialize;
use stac::{Item, ItemCollection};

use crate::{Error, Result};

/// The file formats a set of items is read from and written in, chosen by the file's
/// extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ItemsFormat {
    /// A STAC ItemCollection: a GeoJSON FeatureCollection of the items, as pystac-client's
    /// `ItemSearch.item_collection().save_object()` writes it (`.json`, `.geojson`).
    Json,
    /// stac-geoparquet 1.0 (`.parquet`, `.geoparquet`): a row per item, the geometry as WKB
    /// with GeoParquet `geo` metadata, timestamps as UTC milliseconds, as the
    /// `stac-geoparquet` Python package writes it; needs the `geoparquet` cargo feature.
    GeoParquet,
}

impl ItemsFormat {
    /// The format named by the extension of `path` (a path or URL; case-insensitive), if any.
    pub(crate) fn from_extension(path: &str) -> Option<Self> {
        let name = path.split(['?', '#']).next().unwrap_or_default();
        let name = name.rsplit(['/', '\\']).next().unwrap_or_default();
        let (stem, ext) = name.rsplit_once('.')?;
        if stem.is_empty() {
            return None;
        }
        match ext.to_ascii_lowercase().as_str() {
            "json" | "geojson" => Some(Self::Json),
            "parquet" | "geoparquet" => Some(Self::GeoParquet),
            _ => None,
        }
    }

    /// The format named by `path`'s extension (case-insensitive), a path or URL.
    ///
    /// # Errors
    /// [`Error::UnknownFormat`] when the extension is none of `.json`, `.geojson`,
    /// `.parquet`, `.geoparquet`; [`Error::FormatNotBuilt`] for a stac-geoparquet file when
    /// the crate was built without its `geoparquet` feature.
    pub fn from_path(path: &str) -> Result<Self> {
        let format = Self::from_extension(path).ok_or_else(|| Error::UnknownFormat {
            path: path.to_owned(),
        })?;
        format.check_built(path)?;
        Ok(format)
    }

    /// Checks that this build reads and writes the format; `path` names the file in the
    /// error.
    ///
    /// # Errors
    /// [`Error::FormatNotBuilt`] for stac-geoparquet without the `geoparquet` feature.
    pub fn check_built(self, path: &str) -> Result<()> {
        if self == Self::GeoParquet && !cfg!(feature = "geoparquet") {
            return Err(Error::FormatNotBuilt {
                path: path.to_owned(),
                format: "stac-geoparquet",
                feature: "geoparquet",
            });
        }
        Ok(())
    }
}

/// Writes `items` to the local file `path` in `format`, atomically: the file appears
/// complete or not at all, and replaces what was there. No items give an empty
/// ItemCollection in JSON, and [`Error::NoItems`] for stac-geoparquet, whose columns come
/// from the items (the `stac-geoparquet` Python package refuses an empty list too).
///
/// ```
/// use rsdat_stac::{write_items, ItemsFormat};
/// use stac::Item;
///
/// let dir = tempfile::tempdir().expect("temp dir");
/// let out = dir.path().join("items.json");
/// let format = ItemsFormat::from_path(out.to_str().expect("utf-8"))?;
/// write_items(&out, vec![Item::new("a"), Item::new("b")], format)?;
/// let text = std::fs::read_to_string(&out).expect("written");
/// assert!(text.starts_with(r#"{"type":"FeatureCollection","features":[{"#));
/// # Ok::<(), rsdat_stac::Error>(())
/// ```
///
/// # Errors
/// [`Error::Write`] naming the file when it cannot be created, written or renamed into
/// place (missing directory, no permission, disk full); [`Error::Encode`] when the items
/// cannot be put in the format's columns; [`Error::NoItems`] for stac-geoparquet without
/// items; [`Error::FormatNotBuilt`] for stac-geoparquet without the `geoparquet` feature.
/// On error nothing is left at `path`, and a file that was there stays as it was.
pub fn write_items(path: &Path, items: Vec<Item>, format: ItemsFormat) -> Result<()> {
    let name = path.display().to_string();
    check_items(&items, format, &name)?;
    write_file(path, |file| encode(file, items, format, &name))
}

/// Writes the local file `path` atomically with `write` (nothing is left on error).
pub(crate) fn write_file(
    path: &Path,
    write: impl FnOnce(&mut AtomicFile) -> Result<()>,
) -> Result<()> {
    let write_err = |source: rsdat_storage::Error| Error::Write {
        path: path.display().to_string(),
        source,
    };
    let mut file = AtomicFile::create(path, IfExists::Replace).map_err(write_err)?;
    write(&mut file)?;
    file.commit().map_err(write_err)?;
    tracing::debug!(path = %path.display(), "wrote items");
    Ok(())
}

/// Writes `items` in `format` to `w` (stdout, a buffer); [`write_items`] writes a file.
/// Errors name the output `name` (`stdout`).
///
/// # Errors
/// [`Error::Write`] when `w` fails; [`Error::Encode`] when the items cannot be put in the
/// format's columns; [`Error::NoItems`] for stac-geoparquet without items;
/// [`Error::FormatNotBuilt`] for stac-geoparquet without the `geoparquet` feature.
pub fn write_items_to<W: Write + Send>(
    w: W,
    items: Vec<Item>,
    format: ItemsFormat,
    name: &str,
) -> Result<()> {
    check_items(&items, format, name)?;
    encode(w, items, format, name)
}

fn check_items(items: &[Item], format: ItemsFormat, name: &str) -> Result<()> {
    if items.is_empty() && format == ItemsFormat::GeoParquet {
        return Err(Error::NoItems {
            path: name.to_owned(),
            format: "stac-geoparquet",
        });
    }
    Ok(())
}

fn encode<W: Write + Send>(w: W, items: Vec<Item>, format: ItemsFormat, name: &str) -> Result<()> {
    match format {
        ItemsFormat::Json => write_json(w, &ItemCollection::from(items), name),
        ItemsFormat::GeoParquet => write_geoparquet(w, items, name),
    }
}

/// Writes `value` as compact JSON to `w`.
pub(crate) fn write_json<W: Write, T: Serialize>(w: W, value: &T, name: &str) -> Result<()> {
    let write_err = |source: std::io::Error| Error::Write {
        path: name.to_owned(),
        source: rsdat_storage::Error::Io {
            op: "write",
            path: name.into(),
            source,
        },
    };
    let mut w = BufWriter::new(w);
    serde_json::to_writer(&mut w, value).map_err(|e| {
        if e.io_error_kind().is_some() {
            write_err(e.into())
        } else {
            Error::Encode {
                path: name.to_owned(),
                format: "ItemCollection JSON",
                source: Box::new(e),
            }
        }
    })?;
    w.flush().map_err(write_err)
}

#[cfg(feature = "geoparquet")]
pub(crate) fn write_geoparquet<W: Write + Send>(w: W, items: Vec<Item>, name: &str) -> Result<()> {
    super::geoparquet::write(w, items).map_err(|source| Error::Encode {
        path: name.to_owned(),
        format: "stac-geoparquet",
        source,
    })
}

#[cfg(not(feature = "geoparquet"))]
pub(crate) fn write_geoparquet<W: Write + Send>(_: W, _: Vec<Item>, name: &str) -> Result<()> {
    ItemsFormat::GeoParquet.check_built(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn item(i: usize) -> Item {
        let (w, s) = (3.0 + i as f64 / 10.0, 51.0);
        serde_json::from_value(json!({
            "type": "Feature",
            "stac_version": "1.1.0",
            "id": format!("item-{i}"),
            "collection": "s2",
            "geometry": {"type": "Polygon",
                         "coordinates": [[[w, s], [w + 1.0, s], [w + 1.0, s + 1.0], [w, s + 1.0], [w, s]]]},
            "bbox": [w, s, w + 1.0, s + 1.0],
            "properties": {"datetime": format!("2023-01-0{}T10:56:21Z", i % 9 + 1),
                           "eo:cloud_cover": i as f64 * 1.5, "proj:epsg": 32631},
            "links": [],
            "assets": {"B04": {"href": format!("https://example.invalid/{i}/B04.tif"),
                               "roles": ["data"]}}
        }))
        .expect("a valid item")
    }

    #[test]
    fn formats_by_extension() {
        let f = ItemsFormat::from_path;
        assert_eq!(f("a/items.json").expect("json"), ItemsFormat::Json);
        assert_eq!(f("items.GeoJSON").expect("geojson"), ItemsFormat::Json);
        for p in ["items.csv", "items", "items.parquet.gz", ".json"] {
            let e = f(p).expect_err(p).to_string();
            assert!(
                e.contains(&format!("unknown file type `{p}`")) && e.contains("`.parquet`"),
                "{e}"
            );
        }
        assert_eq!(f("https://h/a/b.json?x=1").expect("url"), ItemsFormat::Json);
        for p in ["items.parquet", "x/ITEMS.geoparquet"] {
            if cfg!(feature = "geoparquet") {
                assert_eq!(f(p).expect(p), ItemsFormat::GeoParquet);
            } else {
                let e = f(p).expect_err(p);
                assert!(matches!(e, Error::FormatNotBuilt { .. }), "{e:?}");
                let e = e.to_string();
                assert!(e.contains(p) && e.contains("feature `geoparquet`"), "{e}");
            }
        }
    }

    #[test]
    fn json_is_an_item_collection_even_when_empty() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("items.json");
        write_items(&out, vec![item(0), item(1)], ItemsFormat::Json).expect("written");
        let v: Value = serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
        assert_eq!(v["type"], "FeatureCollection");
        assert_eq!(v["features"][1]["id"], "item-1");
        write_items(&out, Vec::new(), ItemsFormat::Json).expect("written");
        let v: Value = serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
        assert_eq!(v, json!({"type": "FeatureCollection", "features": []}));
    }

    #[test]
    fn failures_name_the_file_and_leave_what_was_there() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("none/items.json");
        let e = write_items(&missing, vec![item(0)], ItemsFormat::Json).expect_err("no dir");
        assert!(matches!(e, Error::Write { .. }), "{e:?}");
        assert!(
            e.to_string().contains(&missing.display().to_string()),
            "{e}"
        );
        assert!(!missing.exists());

        let out = dir.path().join("items.parquet");
        std::fs::write(&out, "previous").expect("write");
        let e = write_items(&out, Vec::new(), ItemsFormat::GeoParquet).expect_err("empty");
        assert!(matches!(e, Error::NoItems { .. }), "{e:?}");
        assert!(e.to_string().contains("no items to write to"), "{e}");
        assert_eq!(std::fs::read_to_string(&out).expect("read"), "previous");
        let mut sink = Vec::new();
        let e = write_items_to(&mut sink, Vec::new(), ItemsFormat::GeoParquet, "stdout")
            .expect_err("empty");
        assert!(e.to_string().contains("`stdout`"), "{e}");
        assert!(sink.is_empty());
    }

    /// The `stac` crate's own reader gets the items back (the tests of the `rsdat` crate
    /// read the files with the `stac-geoparquet` Python package).
    #[cfg(feature = "geoparquet")]
    #[test]
    fn geoparquet_round_trips() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("items.parquet");
        let items: Vec<Item> = (0..25).map(item).collect();
        write_items(&out, items.clone(), ItemsFormat::GeoParquet).expect("written");
        let file = std::fs::File::open(&out).expect("open");
        let back = stac::geoparquet::from_reader(file).expect("stac-geoparquet");
        assert_eq!(back.items.len(), items.len());
        for (b, i) in back.items.iter().zip(&items) {
            assert_eq!(b.id, i.id);
            assert_eq!(b.geometry, i.geometry);
            assert_eq!(b.bbox, i.bbox);
            assert_eq!(b.properties.datetime, i.properties.datetime);
            assert_eq!(
                b.properties.additional_fields["eo:cloud_cover"],
                i.properties.additional_fields["eo:cloud_cover"]
            );
            assert_eq!(b.assets["B04"].href, i.assets["B04"].href);
        }
        // Only the target is in the directory: the temporary file was renamed.
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
