//! Consolidated metadata: every node's metadata gathered in the root, as zarr-python 3's
//! `zarr.consolidate_metadata` writes it (xarray calls it after `to_zarr`).
//!
//! - v2: `.zmetadata` = `{"metadata": {".zgroup": .., "1980/.zattrs": .., ...},
//!   "zarr_consolidated_format": 1}`.
//! - v3: the root `zarr.json` gets `"consolidated_metadata": {"kind": "inline",
//!   "must_understand": false, "metadata": {"1980": .., "1980/tmax": .., ...}}`; nested
//!   groups inside it carry an empty inline `consolidated_metadata`, as zarr-python's do.
//!
//! xarray's `open_zarr(store, group=G, consolidated=True)` opens the root consolidated and
//! walks down to `G`, so the root is the only place it is needed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::io_err;
use crate::fsutil::{is_staging_name, read_doc, write_doc_atomic};
use crate::json::Json;
use crate::{Error, Result, ZarrFormat};

/// The v2 consolidated metadata file.
pub(crate) const ZMETADATA: &str = ".zmetadata";

/// Rewrites the root metadata of the store at `root` to consolidate every node below it.
///
/// # Errors
/// [`Error::Io`] or [`Error::Metadata`] naming the file that failed.
pub(crate) fn consolidate(root: &Path, format: ZarrFormat) -> Result<()> {
    let nodes = collect_nodes(root, "", format)?;
    match format {
        ZarrFormat::V2 => {
            let doc = Json::obj([
                ("metadata", Json::Obj(nodes.into_iter().collect())),
                ("zarr_consolidated_format", Json::uint(1)),
            ]);
            write_doc_atomic(&root.join(ZMETADATA), &doc)
        }
        ZarrFormat::V3 => {
            let path = root.join("zarr.json");
            let old = read_doc(&path)?.ok_or_else(|| Error::NotAStore {
                path: root.to_owned(),
            })?;
            let attributes = old
                .get("attributes")
                .cloned()
                .unwrap_or_else(|| Json::obj::<&str>([]));
            let doc = Json::obj([
                ("attributes", attributes),
                ("zarr_format", Json::uint(3)),
                (
                    "consolidated_metadata",
                    inline(Json::Obj(nodes.into_iter().collect())),
                ),
                ("node_type", Json::str("group")),
            ]);
            write_doc_atomic(&path, &doc)
        }
    }
}

fn inline(metadata: Json) -> Json {
    Json::obj([
        ("kind", Json::str("inline")),
        ("must_understand", Json::Bool(false)),
        ("metadata", metadata),
    ])
}

/// The metadata of `dir` (at store path `prefix`) and of every node below it, keyed as in
/// consolidated metadata (v3: node path; v2: node path + `/.zarray` etc.).
pub(crate) fn collect_nodes(
    dir: &Path,
    prefix: &str,
    format: ZarrFormat,
) -> Result<BTreeMap<String, Json>> {
    let mut out = BTreeMap::new();
    collect(dir, prefix, format, &mut out)?;
    Ok(out)
}

fn collect(
    dir: &Path,
    prefix: &str,
    format: ZarrFormat,
    out: &mut BTreeMap<String, Json>,
) -> Result<()> {
    let key = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}/{name}")
        }
    };
    let is_array = match format {
        ZarrFormat::V2 => {
            for name in [".zgroup", ".zarray", ".zattrs"] {
                if let Some(doc) = read_doc(&dir.join(name))? {
                    out.insert(key(name), doc);
                }
            }
            dir.join(".zarray").is_file()
        }
        ZarrFormat::V3 => match read_doc(&dir.join("zarr.json"))? {
            Some(mut doc) => {
                let array = doc.get("node_type").and_then(Json::as_str) == Some("array");
                if !prefix.is_empty() {
                    if !array {
                        // zarr-python marks nested groups as consolidated (by their parent).
                        let attributes = doc
                            .remove("attributes")
                            .unwrap_or_else(|| Json::obj::<&str>([]));
                        doc = Json::obj([
                            ("attributes", attributes),
                            ("zarr_format", Json::uint(3)),
                            ("consolidated_metadata", inline(Json::obj::<&str>([]))),
                            ("node_type", Json::str("group")),
                        ]);
                    }
                    out.insert(prefix.to_owned(), doc);
                }
                array
            }
            None => false,
        },
    };
    if is_array {
        return Ok(());
    }
    let mut children: Vec<(String, std::path::PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err("list", dir))? {
        let entry = entry.map_err(io_err("list", dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden entries are metadata files; staging leftovers are not nodes either.
        if name.starts_with('.')
            || is_staging_name(&name)
            || !entry
                .file_type()
                .map_err(io_err("inspect", entry.path()))?
                .is_dir()
        {
            continue;
        }
        children.push((name, entry.path()));
    }
    children.sort();
    for (name, path) in children {
        let child_is_node = match format {
            ZarrFormat::V2 => path.join(".zgroup").is_file() || path.join(".zarray").is_file(),
            ZarrFormat::V3 => path.join("zarr.json").is_file(),
        };
        if child_is_node {
            collect(&path, &key(&name), format, out)?;
        }
    }
    Ok(())
}
