//! `rsdat stac make-catalog`: a static catalog from an item file, as pystac builds it with
//! `Catalog(id, description)`, `add_items`, `generate_subcatalogs` and `normalize_and_save`.

use clap::Args;
use rsdat_stac::{Catalog, ItemSet};

use super::subcatalogs::{generate, parse_default, save};
use super::{CatalogTypeArg, JsonStyleArg};
use crate::cli::GlobalArgs;

/// Build a static catalog from the items of an ItemCollection or stac-geoparquet file,
/// optionally in sub-catalogs from a template, saved in pystac's best-practice layout.
#[derive(Debug, Args)]
#[command(
    after_help = "The files are what pystac's Catalog(id, description) + add_items(items) [+\ngenerate_subcatalogs(template)] + normalize_and_save(out, catalog_type) writes.\n\nExamples:\n  rsdat stac search URL --collections sentinel-2-l2a --datetime 2023-06 --out s2.parquet\n  rsdat stac make-catalog s2.parquet --out s2-catalog --id s2-june --description 'Sentinel-2 L2A, June 2023'\n  rsdat stac make-catalog items.json --out by-month --id s2 --description S2 --subcatalogs '${year}/${month}' --catalog-type self-contained"
)]
pub(crate) struct MakeCatalogArgs {
    /// An ItemCollection (`.json`) or stac-geoparquet (`.parquet`) file (path or URL).
    pub(crate) items: String,
    /// Directory to save the catalog to.
    #[arg(long, short)]
    pub(crate) out: String,
    /// The root catalog's id.
    #[arg(long)]
    pub(crate) id: String,
    /// The root catalog's description.
    #[arg(long)]
    pub(crate) description: String,
    /// The root catalog's title.
    #[arg(long)]
    pub(crate) title: Option<String>,
    /// Sort the items into sub-catalogs from this template, e.g. `${year}/${month}`.
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) subcatalogs: Option<String>,
    /// Value for a template variable that an item lacks (repeatable), e.g. `--default tile=none`.
    #[arg(long = "default", value_name = "VAR=VALUE", value_parser = parse_default, requires = "subcatalogs")]
    pub(crate) defaults: Vec<(String, String)>,
    /// How the saved catalog links its files [default: absolute-published, as pystac's].
    #[arg(long, value_enum)]
    pub(crate) catalog_type: Option<CatalogTypeArg>,
    /// The JSON text of the files: as pystac writes it with Python's json module (the
    /// default), or with orjson (pystac's choice when orjson is installed).
    #[arg(long, value_enum)]
    pub(crate) json_style: Option<JsonStyleArg>,
}

pub(crate) fn run(args: &MakeCatalogArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let set = ItemSet::read(&args.items)?;
    tracing::info!(items = set.len(), file = args.items, "read items");
    let mut cat = Catalog::new(&args.id, &args.description, args.title.as_deref());
    let root = cat.root();
    cat.add_item_set(root, set)?;
    let made = match &args.subcatalogs {
        Some(template) => generate(&mut cat, template, &args.defaults)?,
        None => Vec::new(),
    };
    save(
        cat,
        &made,
        &args.out,
        args.catalog_type,
        args.json_style,
        global,
    )
}
