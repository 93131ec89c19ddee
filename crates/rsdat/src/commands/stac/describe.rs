//! `rsdat stac describe`: pystac's `Catalog.describe()` text, or the tree as JSON.

use anyhow::Context;
use clap::Args;
use rsdat_stac::{Catalog, Kind, NodeId};
use serde_json::{json, Value};

use crate::cli::GlobalArgs;
use crate::output::emit;

/// Print a catalog's tree.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  rsdat stac describe daymet/catalog.json\n  rsdat stac describe https://example.org/stac/catalog.json --child na --json"
)]
pub(crate) struct DescribeArgs {
    /// The root catalog.json or collection.json (path or URL).
    pub(crate) catalog: String,
    /// Describe only the child catalog or collection with this id (searched recursively).
    #[arg(long)]
    pub(crate) child: Option<String>,
}

fn tree_json(cat: &Catalog, n: NodeId) -> Value {
    json!({
        "id": cat.id(n),
        "type": cat.kind(n).type_name(),
        "href": cat.self_href(n),
        "children": cat.children(n).into_iter().map(|c| tree_json(cat, c)).collect::<Vec<_>>(),
        "items": cat.items(n).into_iter().map(|i| json!({"id": cat.id(i), "href": cat.self_href(i)})).collect::<Vec<_>>(),
    })
}

pub(crate) fn run(args: &DescribeArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let cat = super::read_catalog(&args.catalog)?;
    let node = match &args.child {
        Some(id) => cat.find_child(cat.root(), id, true).with_context(|| {
            let ids: Vec<&str> = cat
                .walk(cat.root())
                .into_iter()
                .skip(1)
                .map(|c| cat.id(c))
                .collect();
            format!(
                "no child catalog or collection with id `{id}` in `{}` (has: {})",
                args.catalog,
                if ids.is_empty() {
                    "none".to_owned()
                } else {
                    ids.join(", ")
                }
            )
        })?,
        None => cat.root(),
    };
    debug_assert!(cat.kind(node) != Kind::Item);
    emit(global.json, &tree_json(&cat, node), |out| {
        out.write_all(cat.describe_node(node).as_bytes())
    })
}
