//! `rsdat stac items`: every item of a catalog, or one by id.

use anyhow::Context;
use clap::Args;
use serde_json::Value;

use crate::cli::GlobalArgs;
use crate::output::emit;

/// List a catalog's items (recursively), or print one item.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rsdat stac items daymet/catalog.json\n  rsdat stac items daymet/catalog.json --id daymet_v4_daily_na_1980\n  rsdat stac items daymet/catalog.json --json > items.json"
)]
pub(crate) struct ItemsArgs {
    /// The root catalog.json or collection.json (path or URL).
    pub(crate) catalog: String,
    /// Print the item with this id (searched recursively) as pystac writes it.
    #[arg(long)]
    pub(crate) id: Option<String>,
}

pub(crate) fn run(args: &ItemsArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let cat = super::read_catalog(&args.catalog)?;
    if let Some(id) = &args.id {
        let item = cat.find_item(cat.root(), id).with_context(|| {
            format!(
                "no item with id `{id}` in `{}`; list the ids with `rsdat stac items {}`",
                args.catalog, args.catalog
            )
        })?;
        let text = cat.to_json_string(item, true)?;
        let value: Value = serde_json::from_str(&text)?;
        return emit(global.json, &value, |out| writeln!(out, "{text}"));
    }
    let items = cat.all_items(cat.root());
    let mut features = Vec::with_capacity(items.len());
    for &i in &items {
        features.push(serde_json::from_str::<Value>(
            &cat.to_json_string(i, true)?,
        )?);
    }
    let collection = serde_json::json!({"type": "FeatureCollection", "features": features});
    emit(global.json, &collection, |out| {
        for &i in &items {
            writeln!(
                out,
                "{}\t{}",
                cat.id(i),
                cat.self_href(i).unwrap_or_default()
            )?;
        }
        Ok(())
    })
}
