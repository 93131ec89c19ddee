//! `rsdat stac items`: every item of a catalog or item file, or one by id.

use anyhow::Context;
use clap::Args;
use rsdat_stac::{Catalog, ItemSet, Source};
use serde_json::Value;

use crate::cli::GlobalArgs;
use crate::output::emit;

/// List the items of a catalog (recursively) or of an ItemCollection or stac-geoparquet
/// file, or print one item.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rsdat stac items daymet/catalog.json\n  rsdat stac items daymet/catalog.json --id daymet_v4_daily_na_1980\n  rsdat stac items daymet/catalog.json --json > items.json\n  rsdat stac items s2.parquet --json"
)]
pub(crate) struct ItemsArgs {
    /// The root catalog.json or collection.json, or an ItemCollection (`.json`) or
    /// stac-geoparquet (`.parquet`) file (path or URL).
    pub(crate) catalog: String,
    /// Print the item with this id (searched recursively) as pystac writes it, or as the
    /// item file holds it.
    #[arg(long)]
    pub(crate) id: Option<String>,
}

pub(crate) fn run(args: &ItemsArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let listing: Vec<Entry> = match super::read_source(&args.catalog)? {
        Source::Catalog(cat) => catalog_items(&cat, args.id.as_deref())?,
        Source::Items(set) => set_items(&set, args.id.as_deref())?,
    };
    if let Some(id) = &args.id {
        let entry = listing.into_iter().next().with_context(|| {
            format!(
                "no item with id `{id}` in `{}`; list the ids with `rsdat stac items {}`",
                args.catalog, args.catalog
            )
        })?;
        return emit(global.json, &entry.item, |out| {
            writeln!(out, "{}", entry.text)
        });
    }
    let features: Vec<&Value> = listing.iter().map(|e| &e.item).collect();
    let collection = serde_json::json!({"type": "FeatureCollection", "features": features});
    emit(global.json, &collection, |out| {
        for e in &listing {
            writeln!(out, "{}\t{}", e.id, e.href)?;
        }
        Ok(())
    })
}

/// An item to show: its id, self HREF, JSON and the text of that JSON.
struct Entry {
    id: String,
    href: String,
    item: Value,
    text: String,
}

/// Every item of `cat` (or item `id`) as pystac writes it.
fn catalog_items(cat: &Catalog, id: Option<&str>) -> anyhow::Result<Vec<Entry>> {
    let nodes = match id {
        Some(id) => cat.find_item(cat.root(), id).into_iter().collect(),
        None => cat.all_items(cat.root()),
    };
    nodes
        .into_iter()
        .map(|i| {
            let text = cat.to_json_string(i, true)?;
            Ok(Entry {
                id: cat.id(i).to_owned(),
                href: cat.self_href(i).unwrap_or_default().to_owned(),
                item: serde_json::from_str(&text)?,
                text,
            })
        })
        .collect()
}

/// Every item of `set` (or item `id`) as the file holds it (HREF: its self link).
fn set_items(set: &ItemSet, id: Option<&str>) -> anyhow::Result<Vec<Entry>> {
    let indices: Vec<usize> = match id {
        Some(id) => set.find(id).into_iter().collect(),
        None => (0..set.len()).collect(),
    };
    indices
        .into_iter()
        .map(|i| {
            let item = Value::Object(set.fields(i).clone());
            Ok(Entry {
                id: set.id(i).to_owned(),
                href: set.self_href(i).unwrap_or_default().to_owned(),
                text: serde_json::to_string_pretty(&item)?,
                item,
            })
        })
        .collect()
}
