//! `rsdat stac`: find data in STAC APIs (search, collections) and work with static STAC
//! catalogs (describe, list items, sub-catalogs, the Daymet catalog, asset copies). One
//! file per subcommand under `stac/`; add a variant to [`StacCommand`] and a match arm in
//! [`run`] for a new one.

mod collections;
mod copy_assets;
mod daymet_catalog;
mod describe;
mod items;
mod make_catalog;
mod search;
mod subcatalogs;

use clap::{Args, Subcommand, ValueEnum};
use rsdat_stac::CatalogType;

use crate::cli::GlobalArgs;

/// Find, build and reorganise STAC catalogs; search STAC APIs.
#[derive(Debug, Args)]
pub(crate) struct StacArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: StacCommand,
}

/// The `rsdat stac` subcommands.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub(crate) enum StacCommand {
    /// Search a STAC API for items, following every page; write an ItemCollection.
    Search(search::SearchArgs),
    /// List the collections of a STAC API.
    Collections(collections::CollectionsArgs),
    /// Print a catalog's tree of catalogs, collections and items (as pystac's describe()).
    Describe(describe::DescribeArgs),
    /// List every item of a catalog (recursively) or of an ItemCollection or stac-geoparquet
    /// file, or show one item by id.
    Items(items::ItemsArgs),
    /// Move a catalog's items into sub-catalogs from a template and save it (pystac's
    /// generate_subcatalogs + normalize_and_save).
    Subcatalogs(subcatalogs::SubcatalogsArgs),
    /// Build a static catalog from an ItemCollection or stac-geoparquet file (pystac's
    /// add_items [+ generate_subcatalogs] + normalize_and_save).
    MakeCatalog(make_catalog::MakeCatalogArgs),
    /// Build the Daymet V4 daily catalog: an item per region and year, an asset per variable.
    DaymetCatalog(daymet_catalog::DaymetCatalogArgs),
    /// Copy the assets of a catalog or item file to local, WebDAV or dCache storage (`<to>/<item id>/<file>`), in
    /// parallel, verified and resumable; optionally point the catalog at the copies.
    CopyAssets(copy_assets::CopyAssetsArgs),
}

/// How saved catalogs link their files (pystac's CatalogType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CatalogTypeArg {
    /// Relative links, no self links: the catalog can be moved or copied.
    SelfContained,
    /// Absolute links and self links everywhere.
    AbsolutePublished,
    /// Relative links and an absolute self link on the root.
    RelativePublished,
}

impl From<CatalogTypeArg> for CatalogType {
    fn from(t: CatalogTypeArg) -> Self {
        match t {
            CatalogTypeArg::SelfContained => CatalogType::SelfContained,
            CatalogTypeArg::AbsolutePublished => CatalogType::AbsolutePublished,
            CatalogTypeArg::RelativePublished => CatalogType::RelativePublished,
        }
    }
}

/// The JSON text saved catalogs are written in: what pystac writes with Python's `json`
/// module or, when orjson is installed, with orjson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum JsonStyleArg {
    /// Python's json module: ASCII only (`\u00e9`), floats as repr (`1e-07`).
    Python,
    /// orjson: UTF-8 as it is, floats such as `1e-7`.
    Orjson,
}

impl From<JsonStyleArg> for rsdat_stac::JsonStyle {
    fn from(s: JsonStyleArg) -> Self {
        match s {
            JsonStyleArg::Python => rsdat_stac::JsonStyle::Python,
            JsonStyleArg::Orjson => rsdat_stac::JsonStyle::Orjson,
        }
    }
}

/// Reads a catalog tree, or an ItemCollection or stac-geoparquet file of items.
pub(crate) fn read_source(url: &str) -> anyhow::Result<rsdat_stac::Source> {
    let source = rsdat_stac::Source::read(url)?;
    match &source {
        rsdat_stac::Source::Catalog(c) => tracing::info!(url, objects = c.len(), "read catalog"),
        rsdat_stac::Source::Items(s) => tracing::info!(url, items = s.len(), "read items"),
    }
    Ok(source)
}

/// Reads a catalog with a message naming the URL on failure.
pub(crate) fn read_catalog(url: &str) -> anyhow::Result<rsdat_stac::Catalog> {
    let cat = rsdat_stac::Catalog::read(url)?;
    tracing::info!(url, objects = cat.len(), "read catalog");
    Ok(cat)
}

pub(crate) fn run(args: &StacArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    match &args.command {
        StacCommand::Search(a) => search::run(a, global),
        StacCommand::Collections(a) => collections::run(a, global),
        StacCommand::Describe(a) => describe::run(a, global),
        StacCommand::Items(a) => items::run(a, global),
        StacCommand::Subcatalogs(a) => subcatalogs::run(a, global),
        StacCommand::MakeCatalog(a) => make_catalog::run(a, global),
        StacCommand::DaymetCatalog(a) => daymet_catalog::run(a, global),
        StacCommand::CopyAssets(a) => copy_assets::run(a, global),
    }
}
