//! Static STAC catalogs, the part of pystac that RS-DAT users need: read a catalog tree
//! from any storage URL ([`rsdat_storage`]: paths, `file://`, `http(s)://`), walk it
//! (describe, all items, item or child by id), read and set asset HREFs (after copying
//! the files elsewhere), add items and children, move items into
//! sub-catalogs from a template (`${year}/${month}`, `${property}`), and save it in pystac's
//! best-practice layout for each [`CatalogType`] — byte for byte what pystac's
//! `normalize_and_save` writes, in time linear in the number of objects. The objects are
//! the `stac` crate's [`stac::Catalog`], [`stac::Collection`], [`stac::Item`] and
//! [`stac::Link`]; the tree operations are this crate's. [`daymet_catalog`] builds the
//! Daymet V4 catalog of the RS-DAT workflow. [`ItemSet`] reads, edits and writes back the
//! item sets a STAC API search leaves (ItemCollection JSON, or stac-geoparquet with the
//! `geoparquet` feature); [`Source`] reads whichever of the two a file holds.
//!
//! ```
//! use rsdat_stac::{daymet_catalog, Catalog, CatalogType, DaymetOptions};
//!
//! let dir = tempfile::tempdir().expect("temp dir");
//! let mut opts = DaymetOptions::default();
//! opts.regions = vec!["hi".into(), "pr".into()];
//! opts.years = (1980, 1981);
//! let mut cat = daymet_catalog(&opts)?;
//! let out = dir.path().join("daymet");
//! cat.normalize_and_save(out.to_str().expect("utf-8"), Some(CatalogType::SelfContained))?;
//!
//! let back = Catalog::read(out.join("catalog.json").to_str().expect("utf-8"))?;
//! assert_eq!(back.all_items(back.root()).len(), 4);
//! let item = back.find_item(back.root(), "daymet_v4_daily_pr_1981").expect("item");
//! assert!(back.describe().starts_with("* <Catalog id=daymet-v4-daily>\n    * <Catalog id=hi>\n"));
//! # let _ = item;
//! # Ok::<(), rsdat_stac::Error>(())
//! ```

mod datetime;
mod daymet;
mod error;
mod href;
mod items;
mod json;
mod layout;
mod template;
mod tree;

pub use daymet::{
    daymet_catalog, DaymetOptions, DaymetRegion, DAYMET_BASE_URL, DAYMET_DATASET_ID,
    DAYMET_LCC_WKT2, DAYMET_REGIONS, DAYMET_VARIABLES,
};
pub use error::{Error, Result};
pub use items::{write_items, write_items_to, ItemSet, ItemsFormat, Source};
pub use json::JsonStyle;
pub use layout::{CatalogType, SaveSummary};
pub use tree::{Catalog, Kind, NodeId};
