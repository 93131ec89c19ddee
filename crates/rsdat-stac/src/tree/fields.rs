//! A node's JSON fields, held as a map or, for items, as compact JSON text.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The JSON fields of a node other than `links`, in file order.
///
/// Items read from files or made in bulk (the Daymet catalog) keep the compact JSON text
/// of their fields: a few KB per item instead of the ~17 KB of a parsed map. Reading the
/// fields as a map parses the text once and keeps the map; changing them parses, changes
/// and writes the text again; saving parses it into a map that lives only while the file's
/// text is written.
#[derive(Debug, Clone)]
pub(crate) enum Fields {
    Map(Map<String, Value>),
    Text {
        /// A JSON object without `links`.
        json: Box<str>,
        parsed: OnceLock<Map<String, Value>>,
        /// An asset HREF is relative (it changes when the self HREF does).
        relative_assets: bool,
    },
}

impl Fields {
    /// Fields kept as `json`, the compact text of a JSON object without `links`, whose
    /// asset HREFs are all absolute unless `relative_assets`.
    pub(crate) fn text(json: String, relative_assets: bool) -> Self {
        Self::Text {
            json: json.into_boxed_str(),
            parsed: OnceLock::new(),
            relative_assets,
        }
    }

    /// The fields of `map` kept as compact text.
    pub(crate) fn compact(map: Map<String, Value>) -> Self {
        match serde_json::to_string(&map) {
            Ok(json) => Self::text(json, relative_asset_hrefs(&map)),
            Err(_) => Self::Map(map),
        }
    }

    /// True when an asset HREF is relative.
    pub(crate) fn has_relative_asset_hrefs(&self) -> bool {
        match self {
            Self::Map(m) => relative_asset_hrefs(m),
            Self::Text {
                relative_assets, ..
            } => *relative_assets,
        }
    }

    /// The fields as a map (text is parsed once and the map kept).
    pub(crate) fn map(&self) -> &Map<String, Value> {
        match self {
            Self::Map(m) => m,
            Self::Text { json, parsed, .. } => parsed.get_or_init(|| parse(json)),
        }
    }

    /// Changes the fields with `f`; text stays text (parsed, changed and written again),
    /// so changing every item of a large catalog keeps it compact.
    pub(crate) fn update<R>(&mut self, f: impl FnOnce(&mut Map<String, Value>) -> R) -> R {
        match self {
            Self::Map(m) => f(m),
            Self::Text { json, parsed, .. } => {
                let mut m = parsed.take().unwrap_or_else(|| parse(json));
                let r = f(&mut m);
                *self = Self::compact(m);
                r
            }
        }
    }

    /// Calls `f` with the fields as a map, parsing text into a map that is dropped after
    /// the call unless it was parsed before.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Map<String, Value>) -> R) -> R {
        match self {
            Self::Map(m) => f(m),
            Self::Text { json, parsed, .. } => match parsed.get() {
                Some(m) => f(m),
                None => f(&parse(json)),
            },
        }
    }
}

impl From<Map<String, Value>> for Fields {
    fn from(m: Map<String, Value>) -> Self {
        Self::Map(m)
    }
}

/// True when an asset of `f` has a relative HREF.
pub(crate) fn relative_asset_hrefs(f: &Map<String, Value>) -> bool {
    f.get("assets").and_then(Value::as_object).is_some_and(|a| {
        a.values().any(|asset| {
            asset
                .get("href")
                .and_then(Value::as_str)
                .is_some_and(|h| !crate::href::is_absolute_href(h))
        })
    })
}

/// The map of text the tree made itself (an object, by construction); anything else would
/// be a bug, logged and read as no fields rather than a panic.
fn parse(json: &str) -> Map<String, Value> {
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::error!(error = %e, "item fields kept as text do not parse");
        Map::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_and_changes_as_a_map() {
        let mut f = Fields::text(r#"{"id":"a","properties":{"x":1.5}}"#.into(), false);
        assert_eq!(f.with(|m| m["properties"]["x"].clone()), 1.5);
        assert!(
            matches!(&f, Fields::Text { parsed, .. } if parsed.get().is_none()),
            "with() keeps no map"
        );
        assert_eq!(f.map()["id"], "a");
        f.update(|m| {
            m.insert("collection".into(), "c".into());
        });
        assert!(matches!(&f, Fields::Text { .. }), "text stays text");
        assert_eq!(f.map().len(), 3);
        let mut m = Map::new();
        m.insert(
            "assets".into(),
            serde_json::json!({"a": {"href": "./a.tif"}}),
        );
        let mut g = Fields::compact(m);
        assert!(g.has_relative_asset_hrefs());
        g.update(|m| m["assets"]["a"]["href"] = "https://x/a.tif".into());
        assert!(matches!(&g, Fields::Text { .. }), "text stays text");
        assert!(!g.has_relative_asset_hrefs());
        assert_eq!(g.map()["assets"]["a"]["href"], "https://x/a.tif");
        let keys: Vec<&str> = f.map().keys().map(String::as_str).collect();
        assert_eq!(keys, ["id", "properties", "collection"], "file order kept");
    }
}
