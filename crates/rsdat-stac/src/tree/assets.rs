//! Assets of items and collections: their keys, HREFs as written and resolved, and setting
//! a new HREF (pystac's `item.assets[key].href = ...`), e.g. after copying the file.

use serde_json::{Map, Value};

use super::{Catalog, NodeId};
use crate::href;
use crate::{Error, Result};

impl Catalog {
    /// The asset keys of `node` (an item, or a collection with assets), in file order.
    #[must_use]
    pub fn asset_keys(&self, node: NodeId) -> Vec<String> {
        self.nodes[node.0]
            .fields
            .with(|f| asset_keys(f).into_iter().map(str::to_owned).collect())
    }

    /// The HREF of asset `key` of `node` as the file has it (pystac's `Asset.href`),
    /// relative or absolute; `None` when there is no such asset or it has no HREF.
    #[must_use]
    pub fn asset_href(&self, node: NodeId, key: &str) -> Option<String> {
        self.nodes[node.0]
            .fields
            .with(|f| asset_href(f, key).map(str::to_owned))
    }

    /// The HREF of asset `key` of `node` made absolute against the node's self HREF
    /// (pystac's `Asset.get_absolute_href`): absolute HREFs as they are, relative ones
    /// resolved; `None` when there is no such asset, or a relative HREF and no self HREF.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().expect("temp dir");
    /// # let root = dir.path().join("catalog.json");
    /// # std::fs::write(&root, r#"{"type": "Catalog", "id": "c", "stac_version": "1.1.0",
    /// #   "description": "d", "links": [{"rel": "item", "href": "./a/a.json"}]}"#).expect("write");
    /// # std::fs::create_dir(dir.path().join("a")).expect("mkdir");
    /// # std::fs::write(dir.path().join("a/a.json"), r#"{"type": "Feature", "stac_version": "1.1.0",
    /// #   "id": "a", "geometry": null, "properties": {"datetime": "2020-01-01T00:00:00Z"},
    /// #   "links": [], "assets": {"data": {"href": "./a.tif"}}}"#).expect("write");
    /// let mut cat = rsdat_stac::Catalog::read(root.to_str().expect("utf-8"))?;
    /// let item = cat.find_item(cat.root(), "a").expect("item a");
    /// assert_eq!(cat.asset_href(item, "data").as_deref(), Some("./a.tif"));
    /// let abs = cat.absolute_asset_href(item, "data").expect("resolved");
    /// assert!(abs.ends_with("/a/a.tif"));
    /// cat.set_asset_href(item, "data", "webdav://dav.example.org/copies/a/a.tif")?;
    /// assert_eq!(
    ///     cat.asset_href(item, "data").as_deref(),
    ///     Some("webdav://dav.example.org/copies/a/a.tif")
    /// );
    /// # Ok::<(), rsdat_stac::Error>(())
    /// ```
    #[must_use]
    pub fn absolute_asset_href(&self, node: NodeId, key: &str) -> Option<String> {
        let base = self.self_href(node);
        self.nodes[node.0]
            .fields
            .with(|f| absolute_asset_href(f, key, base))
    }

    /// Points asset `key` of `node` at `new_href` (pystac: `item.assets[key].href = ...`);
    /// the asset's other fields stay as they are. Saving writes the HREF unchanged, so give
    /// an absolute one unless the file is where a relative HREF would resolve.
    ///
    /// # Errors
    /// [`Error::NoAsset`] when `node` has no asset `key`.
    pub fn set_asset_href(&mut self, node: NodeId, key: &str, new_href: &str) -> Result<()> {
        if self.nodes[node.0]
            .fields
            .update(|f| set_asset_href(f, key, new_href))
        {
            return Ok(());
        }
        Err(Error::NoAsset {
            object: self
                .self_href(node)
                .unwrap_or_else(|| self.id(node))
                .to_owned(),
            key: key.to_owned(),
            found: self.asset_keys(node).join(", "),
        })
    }
}

// The same operations on an object's JSON fields, shared by catalogs and item sets.

/// The asset keys of an object, in file order.
pub(crate) fn asset_keys(fields: &Map<String, Value>) -> Vec<&str> {
    assets(fields)
        .map(|a| a.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The HREF of asset `key` as written.
pub(crate) fn asset_href<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    assets(fields)?.get(key)?.get("href")?.as_str()
}

/// The HREF of asset `key` made absolute against `base` (the object's location).
pub(crate) fn absolute_asset_href(
    fields: &Map<String, Value>,
    key: &str,
    base: Option<&str>,
) -> Option<String> {
    let h = asset_href(fields, key)?;
    if href::is_absolute_href(h) {
        return Some(h.to_owned());
    }
    Some(href::make_absolute_href(h, Some(base?), false))
}

/// Sets the HREF of asset `key`; false when there is no such asset.
pub(crate) fn set_asset_href(fields: &mut Map<String, Value>, key: &str, new_href: &str) -> bool {
    let Some(Value::Object(asset)) = fields.get_mut("assets").and_then(|a| a.get_mut(key)) else {
        return false;
    };
    asset.insert("href".into(), Value::String(new_href.to_owned()));
    true
}

fn assets(fields: &Map<String, Value>) -> Option<&Map<String, Value>> {
    fields.get("assets")?.as_object()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::{Catalog, Error};

    fn catalog_with_item(asset_href: &str) -> (Catalog, crate::NodeId) {
        let mut cat = Catalog::new("c", "d", None);
        let item: stac::Item = serde_json::from_value(serde_json::json!({
            "type": "Feature", "stac_version": "1.1.0", "id": "i", "geometry": null,
            "properties": {"datetime": "2020-01-01T00:00:00Z"}, "links": [],
            "assets": {"b": {"href": asset_href, "roles": ["data"]}, "a": {"href": "x.nc"}}
        }))
        .unwrap();
        let root = cat.root();
        let item = cat.add_item(root, item).unwrap();
        (cat, item)
    }

    #[test]
    fn keys_and_hrefs() {
        let (mut cat, item) = catalog_with_item("../data/b.tif");
        assert_eq!(cat.asset_keys(item), ["b", "a"]);
        assert_eq!(cat.asset_href(item, "b").as_deref(), Some("../data/b.tif"));
        // No self HREF yet: a relative HREF cannot be resolved.
        assert_eq!(cat.absolute_asset_href(item, "b"), None);
        cat.normalize_hrefs("/cat");
        assert_eq!(
            cat.absolute_asset_href(item, "b").as_deref(),
            Some("/cat/data/b.tif")
        );
        assert_eq!(cat.asset_keys(cat.root()), Vec::<&str>::new());
        assert_eq!(cat.asset_href(item, "nope"), None);
    }

    #[test]
    fn absolute_hrefs_stay() {
        let (cat, item) = catalog_with_item("https://h.example/b.tif");
        assert_eq!(
            cat.absolute_asset_href(item, "b").as_deref(),
            Some("https://h.example/b.tif")
        );
    }

    #[test]
    fn set_keeps_other_fields() {
        let (mut cat, item) = catalog_with_item("b.tif");
        cat.set_asset_href(item, "b", "dcache://pnfs/x/i/b.tif")
            .unwrap();
        assert_eq!(
            cat.asset_href(item, "b").as_deref(),
            Some("dcache://pnfs/x/i/b.tif")
        );
        assert_eq!(
            cat.fields(item)["assets"]["b"]["roles"],
            serde_json::json!(["data"])
        );
        let e = cat.set_asset_href(item, "c", "x").unwrap_err();
        assert!(matches!(e, Error::NoAsset { .. }));
        assert!(e.to_string().contains("no asset `c` (has: b, a)"), "{e}");
    }
}
