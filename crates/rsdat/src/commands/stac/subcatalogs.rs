//! `rsdat stac subcatalogs`: pystac's `generate_subcatalogs` + `normalize_and_save`.

use anyhow::Context;
use clap::Args;
use rsdat_stac::{Catalog, NodeId};
use serde_json::{Map, Value};

use super::{CatalogTypeArg, JsonStyleArg};
use crate::cli::GlobalArgs;
use crate::output::emit;

/// Sort a catalog's items into sub-catalogs named by a template, and save the result.
#[derive(Debug, Args)]
#[command(
    after_help = "Template variables: ${year} ${month} ${day} ${date} ${collection}, any item property\n(${region}, ${proj:code}, dotted paths like ${properties.a.b}); `/` makes nested levels.\n\nExamples:\n  rsdat stac subcatalogs flat/catalog.json --template '${region}' --out by-region\n  rsdat stac subcatalogs flat/catalog.json --template '${year}/${month}' --out by-date --catalog-type absolute-published"
)]
pub(crate) struct SubcatalogsArgs {
    /// The root catalog.json or collection.json (path or URL).
    pub(crate) catalog: String,
    /// Sub-catalog template, e.g. `${year}` or `${region}/${year}`.
    #[arg(long, short)]
    pub(crate) template: String,
    /// Value for a variable that an item lacks (repeatable), e.g. `--default region=na`.
    #[arg(long = "default", value_name = "VAR=VALUE", value_parser = parse_default)]
    pub(crate) defaults: Vec<(String, String)>,
    /// Directory to save the reorganised catalog to (best-practice layout).
    #[arg(long, short)]
    pub(crate) out: String,
    /// How the saved catalog links its files [default: as the input catalog].
    #[arg(long, value_enum)]
    pub(crate) catalog_type: Option<CatalogTypeArg>,
    /// The JSON text of the files: as pystac writes it with Python's json module, or with
    /// orjson (pystac's choice when orjson is installed) [default: as the input catalog's:
    /// orjson when its files hold UTF-8 text, which Python's json never writes].
    #[arg(long, value_enum)]
    pub(crate) json_style: Option<JsonStyleArg>,
}

pub(super) fn parse_default(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`{s}` is not VAR=VALUE"))
}

pub(crate) fn run(args: &SubcatalogsArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let mut cat = super::read_catalog(&args.catalog)?;
    let made = generate(&mut cat, &args.template, &args.defaults)?;
    save(
        cat,
        &made,
        &args.out,
        args.catalog_type,
        args.json_style,
        global,
    )
}

/// pystac's `generate_subcatalogs` with `defaults` for variables that items lack.
pub(super) fn generate(
    cat: &mut Catalog,
    template: &str,
    defaults: &[(String, String)],
) -> anyhow::Result<Vec<NodeId>> {
    let defaults: Map<String, Value> = defaults
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Ok(cat.generate_subcatalogs(template, &defaults)?)
}

/// pystac's `normalize_and_save` to `out` (in `json_style` if given), and a report of what was written.
pub(super) fn save(
    mut cat: Catalog,
    made: &[NodeId],
    out: &str,
    catalog_type: Option<CatalogTypeArg>,
    json_style: Option<JsonStyleArg>,
    global: &GlobalArgs,
) -> anyhow::Result<()> {
    if let Some(style) = json_style {
        cat.set_json_style(style.into());
    }
    let summary = cat
        .normalize_and_save(out, catalog_type.map(Into::into))
        .with_context(|| format!("saving the catalog to `{out}`"))?;
    let report = serde_json::json!({
        "root": summary.root,
        "catalog_type": cat.catalog_type().to_string(),
        "new_catalogs": made.iter().map(|&c| cat.id(c)).collect::<Vec<_>>(),
        "files": summary.files,
        "items": summary.items,
    });
    emit(global.json, &report, |w| {
        writeln!(
            w,
            "{} new sub-catalogs, {} items; saved {} files ({}) to {}",
            made.len(),
            summary.items,
            summary.files,
            cat.catalog_type(),
            summary.root.display()
        )
    })
}
