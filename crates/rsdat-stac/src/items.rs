//! Sets of items in one file, as a STAC API search leaves them: an ItemCollection (a GeoJSON
//! `FeatureCollection`) or stac-geoparquet; read from any storage URL, their asset HREFs
//! read and set, and written back in their own format. [`Source`] reads whichever a file
//! holds: a catalog tree or an item set.

mod format;
#[cfg(feature = "geoparquet")]
mod geoparquet;

use std::path::PathBuf;

use rsdat_storage::Location;
use serde_json::{Map, Value};

pub use format::{write_items, write_items_to, ItemsFormat};

use crate::tree::{assets, read, Kind};
use crate::{Catalog, Error, NodeId, Result};

/// The items of an ItemCollection JSON file or a stac-geoparquet file, in file order, each
/// kept as its JSON fields (as the file has them, for JSON), with the file's location and
/// format, so that it can be written back as it came (pystac: `ItemCollection.from_file`,
/// stac-geoparquet: `stac_table_to_items(pyarrow.parquet.read_table(...))`).
///
/// Items are addressed by their index (`0..len()`). The HREF of an asset that is relative
/// resolves against the item's `self` link, or, when it has none, against the file.
///
/// ```
/// use rsdat_stac::{ItemSet, ItemsFormat};
///
/// let dir = tempfile::tempdir().expect("temp dir");
/// let file = dir.path().join("items.json");
/// std::fs::write(&file, r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
///   "stac_version": "1.1.0", "id": "a", "geometry": null, "links": [],
///   "properties": {"datetime": "2020-01-01T00:00:00Z"},
///   "assets": {"data": {"href": "https://example.org/a.tif"}}}]}"#).expect("write");
/// let mut set = ItemSet::read(file.to_str().expect("utf-8"))?;
/// assert_eq!((set.len(), set.id(0), set.format()), (1, "a", ItemsFormat::Json));
/// set.set_asset_href(0, "data", "/data/copies/a/a.tif")?;
/// set.save()?;
/// let back = ItemSet::read(file.to_str().expect("utf-8"))?;
/// assert_eq!(back.asset_href(0, "data"), Some("/data/copies/a/a.tif"));
/// # Ok::<(), rsdat_stac::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ItemSet {
    href: String,
    format: ItemsFormat,
    /// The FeatureCollection's own fields (JSON files), `features` among them as `null`,
    /// so that saving keeps their order.
    collection: Map<String, Value>,
    items: Vec<Map<String, Value>>,
}

impl ItemSet {
    /// Reads the item set at `url` (a path or any `rsdat_storage` URL): stac-geoparquet when
    /// the name ends in `.parquet` or `.geoparquet`, else an ItemCollection JSON file.
    ///
    /// # Errors
    /// [`Error`] naming the file: unreadable ([`Error::Read`]), not JSON ([`Error::Json`]),
    /// JSON that is no `FeatureCollection` ([`Error::WrongType`]), a feature that is not a
    /// STAC item ([`Error::Invalid`], naming `FILE#/features/N`), a file that is no
    /// stac-geoparquet ([`Error::Decode`]), or [`Error::FormatNotBuilt`].
    pub fn read(url: &str) -> Result<Self> {
        let href = read::root_href(url);
        if ItemsFormat::from_extension(&href) == Some(ItemsFormat::GeoParquet) {
            return Self::read_geoparquet(href);
        }
        let (doc, _) = read::fetch(&href)?;
        if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
            return Err(wrong_type(
                href,
                &doc,
                "an ItemCollection (`FeatureCollection`)",
            ));
        }
        Self::from_json(href, doc)
    }

    /// An item set from the parsed FeatureCollection `doc` read from `href`.
    fn from_json(href: String, mut doc: Map<String, Value>) -> Result<Self> {
        let features = match doc.insert("features".into(), Value::Null) {
            Some(Value::Array(f)) => f,
            _ => {
                return Err(Error::Invalid {
                    href,
                    kind: "ItemCollection".into(),
                    reason: "`features` is not an array of items".into(),
                })
            }
        };
        let items = features
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let at = format!("{href}#/features/{i}");
                let Value::Object(f) = f else {
                    return Err(Error::Invalid {
                        href: at,
                        kind: "Feature".into(),
                        reason: "not a JSON object".into(),
                    });
                };
                if f.get("type").and_then(Value::as_str) != Some("Feature") {
                    return Err(wrong_type(at, &f, "an Item (`Feature`)"));
                }
                read::validate(f, Kind::Item, &at)
            })
            .collect::<Result<_>>()?;
        tracing::debug!(href, "read ItemCollection");
        Ok(Self {
            href,
            format: ItemsFormat::Json,
            collection: doc,
            items,
        })
    }

    #[cfg(feature = "geoparquet")]
    fn read_geoparquet(href: String) -> Result<Self> {
        let bytes = read::fetch_bytes(&href)?;
        let items = geoparquet::read(bytes).map_err(|source| Error::Decode {
            href: href.clone(),
            format: "stac-geoparquet",
            hint: "; a `.parquet` file of items must be stac-geoparquet, as `rsdat stac search \
                   --out FILE.parquet` and the stac-geoparquet Python package write it",
            source,
        })?;
        let items = items
            .into_iter()
            .map(|item| match serde_json::to_value(item) {
                Ok(Value::Object(m)) => Ok(m),
                other => Err(Error::Invalid {
                    href: href.clone(),
                    kind: "Item".into(),
                    reason: other
                        .err()
                        .map_or("not a JSON object".into(), |e| e.to_string()),
                }),
            })
            .collect::<Result<_>>()?;
        tracing::debug!(href, "read stac-geoparquet");
        Ok(Self {
            href,
            format: ItemsFormat::GeoParquet,
            collection: Map::new(),
            items,
        })
    }

    #[cfg(not(feature = "geoparquet"))]
    fn read_geoparquet(href: String) -> Result<Self> {
        ItemsFormat::GeoParquet.check_built(&href)?;
        unreachable!("check_built fails without the geoparquet feature")
    }

    /// Where the set was read from (an absolute path or URL).
    #[must_use]
    pub fn href(&self) -> &str {
        &self.href
    }

    /// The file's format; [`ItemSet::save`] writes this one.
    #[must_use]
    pub fn format(&self) -> ItemsFormat {
        self.format
    }

    /// Number of items.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the set has no items.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The id of item `i`.
    ///
    /// # Panics
    /// When `i >= len()`.
    #[must_use]
    pub fn id(&self, i: usize) -> &str {
        self.items[i]
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The JSON fields of item `i` (links and assets included).
    ///
    /// # Panics
    /// When `i >= len()`.
    #[must_use]
    pub fn fields(&self, i: usize) -> &Map<String, Value> {
        &self.items[i]
    }

    /// The index of the first item with id `id`.
    #[must_use]
    pub fn find(&self, id: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.id(i) == id)
    }

    /// The HREF of item `i`'s `self` link, if it has one.
    ///
    /// # Panics
    /// When `i >= len()`.
    #[must_use]
    pub fn self_href(&self, i: usize) -> Option<&str> {
        self_link_href(&self.items[i])
    }

    /// The asset keys of item `i`, in file order.
    ///
    /// # Panics
    /// When `i >= len()`.
    #[must_use]
    pub fn asset_keys(&self, i: usize) -> Vec<&str> {
        assets::asset_keys(&self.items[i])
    }

    /// The HREF of asset `key` of item `i` as the file has it.
    ///
    /// # Panics
    /// When `i >= len()`.
    #[must_use]
    pub fn asset_href(&self, i: usize, key: &str) -> Option<&str> {
        assets::asset_href(&self.items[i], key)
    }

    /// The HREF of asset `key` of item `i`, relative ones resolved against the item's self
    /// link or else the file.
    ///
    /// # Panics
    /// When `i >= len()`.
    #[must_use]
    pub fn absolute_asset_href(&self, i: usize, key: &str) -> Option<String> {
        let base = self.self_href(i).unwrap_or(&self.href);
        assets::absolute_asset_href(&self.items[i], key, Some(base))
    }

    /// Points asset `key` of item `i` at `new_href`; the asset's other fields stay.
    ///
    /// # Errors
    /// [`Error::NoAsset`] when item `i` has no asset `key`.
    ///
    /// # Panics
    /// When `i >= len()`.
    pub fn set_asset_href(&mut self, i: usize, key: &str, new_href: &str) -> Result<()> {
        if assets::set_asset_href(&mut self.items[i], key, new_href) {
            return Ok(());
        }
        Err(Error::NoAsset {
            object: format!("{}#{}", self.href, self.id(i)),
            key: key.to_owned(),
            found: self.asset_keys(i).join(", "),
        })
    }

    /// The items as the `stac` crate's [`stac::Item`]s.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the item when one does not deserialize.
    pub fn to_items(&self) -> Result<Vec<stac::Item>> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, f)| {
                serde_json::from_value(Value::Object(f.clone())).map_err(|e| Error::Invalid {
                    href: format!("{}#/features/{i}", self.href),
                    kind: "Item".into(),
                    reason: e.to_string(),
                })
            })
            .collect()
    }

    /// Writes the set back to the file it was read from, in its own format, atomically:
    /// JSON as a compact FeatureCollection with the file's other fields kept, and
    /// stac-geoparquet as [`write_items`] writes it.
    ///
    /// # Errors
    /// [`Error::Save`] when the set was not read from a local file; [`Error::Write`] or
    /// [`Error::Encode`] as [`write_items`], the file then as it was.
    pub fn save(&self) -> Result<()> {
        let path = self.local_path()?;
        match self.format {
            ItemsFormat::Json => {
                let mut doc = self.collection.clone();
                let features = self.items.iter().cloned().map(Value::Object).collect();
                doc.insert("features".into(), Value::Array(features));
                format::write_file(&path, |f| format::write_json(f, &doc, &self.href))
            }
            ItemsFormat::GeoParquet => write_items(&path, self.to_items()?, self.format),
        }
    }

    fn local_path(&self) -> Result<PathBuf> {
        match Location::parse(&self.href) {
            Ok(Location::Path(p)) => Ok(p),
            _ => Err(Error::Save {
                href: self.href.clone(),
                reason: "only local files are rewritten in place; copy the file to a local \
                         directory first"
                    .into(),
            }),
        }
    }
}

/// What a STAC file given on a command line holds: a catalog tree (a catalog.json or
/// collection.json and everything it links to) or a set of items (an ItemCollection JSON or
/// stac-geoparquet file).
#[derive(Debug, Clone)]
pub enum Source {
    /// A static catalog.
    Catalog(Catalog),
    /// An ItemCollection or stac-geoparquet file.
    Items(ItemSet),
}

impl Source {
    /// Reads `url`: a `.parquet`/`.geoparquet` file as stac-geoparquet, a local directory as
    /// the catalog in it, and JSON by its `type`: `Catalog` or `Collection` as a catalog tree
    /// ([`Catalog::read`]), `FeatureCollection` as an item set ([`ItemSet::read`]).
    ///
    /// # Errors
    /// As [`Catalog::read`] and [`ItemSet::read`]; [`Error::WrongType`] for JSON of another
    /// type (a single item, plain GeoJSON).
    pub fn read(url: &str) -> Result<Self> {
        if ItemsFormat::from_extension(url) == Some(ItemsFormat::GeoParquet) {
            return ItemSet::read(url).map(Self::Items);
        }
        let href = read::root_href(url);
        let (doc, utf8) = read::fetch(&href)?;
        match doc.get("type").and_then(Value::as_str) {
            Some("FeatureCollection") => ItemSet::from_json(href, doc).map(Self::Items),
            Some("Catalog" | "Collection") => read::read_doc(href, doc, utf8).map(Self::Catalog),
            _ => Err(wrong_type(
                href,
                &doc,
                "a Catalog, a Collection or an ItemCollection (`FeatureCollection`)",
            )),
        }
    }
}

impl Catalog {
    /// Adds the items of `set` under `parent` in order, as [`Catalog::add_items`] (pystac:
    /// `catalog.add_items(ItemCollection.from_file(...))`).
    ///
    /// # Errors
    /// [`Error::WrongType`] when `parent` is an item (nothing is added).
    pub fn add_item_set(&mut self, parent: NodeId, set: ItemSet) -> Result<()> {
        self.expect_container(parent)?;
        for fields in set.items {
            // pystac keeps an item's self link from the file until the catalog's layout
            // replaces it; relative asset HREFs are then rebased from it.
            let self_href = self_link_href(&fields).map(str::to_owned);
            let item = self.new_node(Kind::Item, fields);
            self.set_self_href(item, self_href);
            self.attach(parent, item, "item");
        }
        Ok(())
    }
}

/// The HREF of the `self` link among an object's `links`.
fn self_link_href(fields: &Map<String, Value>) -> Option<&str> {
    fields
        .get("links")?
        .as_array()?
        .iter()
        .find(|l| l.get("rel").and_then(Value::as_str) == Some("self"))?
        .get("href")?
        .as_str()
}

fn wrong_type(href: String, doc: &Map<String, Value>, expected: &'static str) -> Error {
    let found = match doc.get("type").and_then(Value::as_str) {
        Some("Feature") => "single Item (`Feature`)".to_owned(),
        Some(t) => format!("`{t}`"),
        None => "JSON object without a `type`".to_owned(),
    };
    Error::WrongType {
        href,
        found,
        expected,
        context: String::new(),
    }
}
