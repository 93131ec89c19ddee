//! `rsdat stac collections URL`: what pystac-client's `get_collections()` lists.

use anyhow::Context;
use clap::Args;

use crate::cli::GlobalArgs;
use crate::output::emit;

/// List the collections of a STAC API (id, title, extent).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rsdat stac collections https://earth-search.aws.element84.com/v1\n  rsdat stac collections http://127.0.0.1:7822 --json"
)]
pub(crate) struct CollectionsArgs {
    /// The API's landing page URL.
    pub(crate) url: String,
}

pub(crate) fn run(args: &CollectionsArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let client = rsdat_stac_api::Client::open(&args.url)
        .with_context(|| format!("cannot open the STAC API `{}`", args.url))?;
    let collections = client
        .collections()
        .with_context(|| format!("cannot list the collections of `{}`", args.url))?;
    emit(global.json, &collections, |out| {
        let width = collections
            .iter()
            .map(|c| c.id.len())
            .max()
            .unwrap_or(2)
            .max(2);
        writeln!(out, "{:width$}  {:23}  title", "id", "time span")?;
        for c in &collections {
            let span = c
                .extent
                .temporal
                .interval
                .first()
                .map(|[a, b]| {
                    let a = a.map_or_else(|| "..".to_owned(), |t| t.format("%Y-%m-%d").to_string());
                    let b = b.map_or_else(|| "..".to_owned(), |t| t.format("%Y-%m-%d").to_string());
                    format!("{a}/{b}")
                })
                .unwrap_or_default();
            writeln!(
                out,
                "{:width$}  {:23}  {}",
                c.id,
                span,
                c.title.as_deref().unwrap_or("")
            )?;
        }
        writeln!(out, "{} collection(s)", collections.len())
    })
}
