//! Which (item, asset) pairs to copy and where each goes: stac2dcache's layout
//! `<to>/<item id>/<file name of the asset HREF>`, with the checks that keep every copy
//! inside `<to>`. The items come from a catalog tree or from an item set ([`Assets`]).

use std::collections::HashMap;

use anyhow::{bail, Context};
use rsdat_stac::{Catalog, ItemSet, NodeId};
use rsdat_storage::Location;
use rsdat_transfer::CopyJob;

/// Items with assets, as copy-assets reads and updates them: every item of a catalog
/// (recursively), or the items of an ItemCollection or stac-geoparquet file.
pub(super) trait Assets {
    /// How an item is addressed.
    type Item: Copy;
    /// Every item, in order.
    fn all_items(&self) -> Vec<Self::Item>;
    /// The item's id.
    fn item_id(&self, i: Self::Item) -> &str;
    /// The item's asset keys.
    fn asset_keys(&self, i: Self::Item) -> Vec<String>;
    /// The asset's HREF as written.
    fn asset_href(&self, i: Self::Item, key: &str) -> Option<String>;
    /// The asset's HREF resolved.
    fn absolute_asset_href(&self, i: Self::Item, key: &str) -> Option<String>;
    /// Where the catalog's root or the item file was read from.
    fn location(&self) -> Option<&str>;
    /// Points an asset at its copy.
    fn set_asset_href(&mut self, i: Self::Item, key: &str, href: &str) -> rsdat_stac::Result<()>;
    /// Writes the updated HREFs back where they were read from.
    fn save(&mut self) -> rsdat_stac::Result<()>;
}

impl Assets for Catalog {
    type Item = NodeId;
    fn all_items(&self) -> Vec<NodeId> {
        Catalog::all_items(self, self.root())
    }
    fn item_id(&self, i: NodeId) -> &str {
        self.id(i)
    }
    fn asset_keys(&self, i: NodeId) -> Vec<String> {
        Catalog::asset_keys(self, i)
    }
    fn asset_href(&self, i: NodeId, key: &str) -> Option<String> {
        Catalog::asset_href(self, i, key)
    }
    fn absolute_asset_href(&self, i: NodeId, key: &str) -> Option<String> {
        Catalog::absolute_asset_href(self, i, key)
    }
    fn location(&self) -> Option<&str> {
        self.self_href(self.root())
    }
    fn set_asset_href(&mut self, i: NodeId, key: &str, href: &str) -> rsdat_stac::Result<()> {
        Catalog::set_asset_href(self, i, key, href)
    }
    fn save(&mut self) -> rsdat_stac::Result<()> {
        Catalog::save(self, None).map(drop)
    }
}

impl Assets for ItemSet {
    type Item = usize;
    fn all_items(&self) -> Vec<usize> {
        (0..self.len()).collect()
    }
    fn item_id(&self, i: usize) -> &str {
        self.id(i)
    }
    fn asset_keys(&self, i: usize) -> Vec<String> {
        ItemSet::asset_keys(self, i)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }
    fn asset_href(&self, i: usize, key: &str) -> Option<String> {
        ItemSet::asset_href(self, i, key).map(str::to_owned)
    }
    fn absolute_asset_href(&self, i: usize, key: &str) -> Option<String> {
        ItemSet::absolute_asset_href(self, i, key)
    }
    fn location(&self) -> Option<&str> {
        Some(self.href())
    }
    fn set_asset_href(&mut self, i: usize, key: &str, href: &str) -> rsdat_stac::Result<()> {
        ItemSet::set_asset_href(self, i, key, href)
    }
    fn save(&mut self) -> rsdat_stac::Result<()> {
        ItemSet::save(self)
    }
}

/// One asset to copy.
#[derive(Debug, Clone)]
pub(super) struct Planned<I> {
    /// The item holding the asset.
    pub(super) item: I,
    /// The asset key.
    pub(super) key: String,
    /// Source (the asset's absolute HREF) and destination.
    pub(super) job: CopyJob,
}

/// The copies to make, and what was left out.
#[derive(Debug)]
pub(super) struct Plan<I> {
    /// Copies for the engine.
    pub(super) copies: Vec<Planned<I>>,
    /// Assets whose HREF already is their destination (nothing to copy).
    pub(super) in_place: Vec<Planned<I>>,
    /// Selected items lacking one of the asked keys (item id, key).
    pub(super) without: Vec<(String, String)>,
}

/// What to select and where to put it.
pub(super) struct Selection<'a> {
    /// Asset keys.
    pub(super) keys: &'a [String],
    /// Item ids (all items when `None`).
    pub(super) items: Option<&'a [String]>,
    /// Destination directory URL (local paths already absolute).
    pub(super) to: &'a str,
    /// The catalog as given on the command line, for messages.
    pub(super) catalog: &'a str,
}

/// Up to `max` entries of `names`, comma-separated, then how many there are in all.
fn listing<'a>(names: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let mut s = names
        .iter()
        .take(max)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        s.push_str(&format!(", ... ({} in all)", names.len()));
    }
    s
}

impl<I> Default for Plan<I> {
    fn default() -> Self {
        Self {
            copies: Vec::new(),
            in_place: Vec::new(),
            without: Vec::new(),
        }
    }
}

/// Collects the copies of `sel` from every item of `cat` (recursively).
///
/// # Errors
/// Unknown item ids or asset keys (with what exists), an item id or asset file name that
/// would write outside the target, a local source in a remote catalog, two assets with
/// the same destination.
pub(super) fn plan<A: Assets>(cat: &A, sel: &Selection<'_>) -> anyhow::Result<Plan<A::Item>> {
    let all = cat.all_items();
    if all.is_empty() {
        bail!("`{}` has no items; nothing to copy", sel.catalog);
    }
    let items: Vec<A::Item> = match sel.items {
        None => all.clone(),
        Some(ids) => {
            let unknown: Vec<&str> = ids
                .iter()
                .map(String::as_str)
                .filter(|id| !all.iter().any(|&i| cat.item_id(i) == *id))
                .collect();
            if !unknown.is_empty() {
                bail!(
                    "no item `{}` in `{}`; it has: {} (list them with `rsdat stac items {}`)",
                    unknown.join("`, `"),
                    sel.catalog,
                    listing(all.iter().map(|&i| cat.item_id(i)), 20),
                    sel.catalog
                );
            }
            all.iter()
                .copied()
                .filter(|&i| ids.iter().any(|id| id == cat.item_id(i)))
                .collect()
        }
    };
    let mut keys_found: Vec<String> = Vec::new();
    for &i in &items {
        for k in cat.asset_keys(i) {
            if !keys_found.contains(&k) {
                keys_found.push(k);
            }
        }
    }
    let unknown: Vec<&str> = sel
        .keys
        .iter()
        .filter(|k| !keys_found.contains(k))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        bail!(
            "no asset `{}` in the {} of `{}`; the assets there are: {}",
            unknown.join("`, `"),
            if sel.items.is_some() {
                "selected items"
            } else {
                "items"
            },
            sel.catalog,
            if keys_found.is_empty() {
                "none".to_owned()
            } else {
                listing(keys_found.iter().map(String::as_str), 30)
            }
        );
    }
    let root_href = cat.location().unwrap_or(sel.catalog);
    let remote_catalog = !matches!(Location::parse(root_href), Ok(Location::Path(_)));
    let to = sel.to.trim_end_matches('/');
    let mut out = Plan::default();
    let mut seen: HashMap<String, (String, String)> = HashMap::new();
    for &i in &items {
        let id = cat.item_id(i);
        for key in sel.keys {
            let Some(raw) = cat.asset_href(i, key) else {
                out.without.push((id.to_owned(), key.clone()));
                continue;
            };
            check_segment(id).with_context(|| {
                format!(
                    "item id `{id}` cannot be a directory under `{to}` (copies go to \
                     <to>/<item id>/<file name>); rename the item or leave it out with --items"
                )
            })?;
            let name = file_name(&raw);
            check_segment(name).with_context(|| {
                format!(
                    "asset `{key}` of item `{id}` has HREF `{raw}`, whose file name `{name}` \
                     would not stay inside `{to}/{id}/`; fix the HREF or leave the item out \
                     with --items"
                )
            })?;
            let source = cat.absolute_asset_href(i, key).with_context(|| {
                format!(
                    "asset `{key}` of item `{id}` has the relative HREF `{raw}` and the item \
                     has no self HREF to resolve it against"
                )
            })?;
            let source_is_local = matches!(Location::parse(&source), Ok(Location::Path(_)));
            if remote_catalog && source_is_local {
                bail!(
                    "asset `{key}` of item `{id}` in the remote catalog `{root_href}` points at \
                     the local file `{source}`; rsdat copies local files only for local catalogs"
                );
            }
            let destination = format!("{to}/{id}/{name}");
            if let Some((other_id, other_key)) =
                seen.insert(destination.clone(), (id.to_owned(), key.clone()))
            {
                bail!(
                    "asset `{other_key}` of item `{other_id}` and asset `{key}` of item `{id}` \
                     would both be copied to `{destination}`; copy them in separate runs or \
                     select one with --items/--asset"
                );
            }
            let planned = Planned {
                item: i,
                key: key.clone(),
                job: CopyJob::new(source, destination).labelled(id, key.as_str()),
            };
            if same_object(&planned.job.source, &planned.job.destination) {
                out.in_place.push(planned);
            } else {
                out.copies.push(planned);
            }
        }
    }
    Ok(out)
}

/// The last path segment of an HREF as written (query and fragment of a URL dropped).
fn file_name(href: &str) -> &str {
    let path = if href.contains("://") {
        href.split(['?', '#']).next().unwrap_or_default()
    } else {
        href
    };
    path.rsplit('/').next().unwrap_or_default()
}

/// Refuses a destination path segment that is empty, `.` or `..`, holds a separator or a
/// control character, raw or percent-decoded.
fn check_segment(s: &str) -> anyhow::Result<()> {
    let decoded = percent_decode(s);
    for v in [s, decoded.as_str()] {
        if v.is_empty() {
            bail!("it is empty");
        }
        if v == "." || v == ".." {
            bail!("`{v}` names a directory, not a file in it");
        }
        if v.contains(['/', '\\']) {
            bail!("it contains a path separator");
        }
        if v.chars().any(char::is_control) {
            bail!("it contains a control character");
        }
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(u8::try_from(h * 16 + l).expect("two hex digits fit a byte"));
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True when two locations name the same object (`file://` and plain paths alike).
fn same_object(a: &str, b: &str) -> bool {
    match (Location::parse(a), Location::parse(b)) {
        (Ok(Location::Path(x)), Ok(Location::Path(y))) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(file_name("https://h/a/b.tif?x=1#f"), "b.tif");
        assert_eq!(file_name("./b.nc"), "b.nc");
        assert_eq!(file_name("../../data/c.nc"), "c.nc");
        assert_eq!(file_name("https://h/a/"), "");
        assert_eq!(file_name("https://h/a/.."), "..");
        assert_eq!(file_name("x"), "x");
    }

    #[test]
    fn segments() {
        assert!(check_segment("b.tif").is_ok());
        assert!(check_segment("a%20b.tif").is_ok());
        for bad in ["", ".", "..", "%2e%2E", "a%2Fb", "a\\b", "a/b", "x\ny", "%"] {
            let r = check_segment(bad);
            assert_eq!(r.is_err(), bad != "%", "{bad:?}");
        }
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("%2e%2E"), "..");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%41b"), "Ab");
    }

    #[test]
    fn same_objects() {
        assert!(same_object("/a/b", "file:///a/b"));
        assert!(!same_object("/a/b", "/a/c"));
        assert!(same_object("webdav://h/a", "webdav://h/a"));
    }
}
