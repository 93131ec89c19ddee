//! The in-memory catalog tree: nodes (catalogs, collections, items) in an arena, links that
//! point at nodes or at HREFs, and the operations pystac offers on it (read, walk, add).

pub(crate) mod assets;
mod fields;
pub(crate) mod read;

pub(crate) use fields::{relative_asset_hrefs, Fields};

use serde_json::{Map, Value};

use crate::href;
use crate::{CatalogType, Error, JsonStyle, Result};

/// Index of a node (catalog, collection or item) in a [`Catalog`] tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) usize);

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A STAC Catalog.
    Catalog,
    /// A STAC Collection.
    Collection,
    /// A STAC Item.
    Item,
}

impl Kind {
    /// The `type` field value.
    #[must_use]
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Catalog => "Catalog",
            Kind::Collection => "Collection",
            Kind::Item => "Feature",
        }
    }

    /// The file name pystac's best-practice layout gives a catalog or collection.
    pub(crate) fn default_file_name(self) -> &'static str {
        match self {
            Kind::Collection => "collection.json",
            _ => "catalog.json",
        }
    }

    pub(crate) fn is_container(self) -> bool {
        !matches!(self, Kind::Item)
    }
}

pub(crate) const JSON: &str = "application/json";
pub(crate) const GEOJSON: &str = "application/geo+json";

/// One link of a node: the `stac` crate's [`stac::Link`] (rel, type, title, extra fields)
/// plus, when it is resolved, the node it points at (whose self HREF is then the link's HREF).
#[derive(Debug, Clone)]
pub(crate) struct TreeLink {
    pub(crate) link: stac::Link,
    pub(crate) target: Option<NodeId>,
    /// Read from a file and, in pystac, not resolved to its object yet (pystac resolves
    /// links when it normalises HREFs).
    pub(crate) from_file: bool,
}

impl TreeLink {
    pub(crate) fn to_node(rel: &str, target: NodeId, media_type: &str) -> Self {
        let mut link = stac::Link::new("", rel);
        link.r#type = Some(media_type.to_owned());
        Self {
            link,
            target: Some(target),
            from_file: false,
        }
    }

    fn rel(&self) -> &str {
        &self.link.rel
    }

    /// The object's own location (a self link not resolved to a node).
    fn is_self(&self) -> bool {
        self.rel() == "self" && self.target.is_none()
    }
}

/// A node: the object's JSON fields (all but `links`, in file order) and its links.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    pub(crate) id: String,
    pub(crate) fields: Fields,
    /// Pushing a link other than `self` keeps `self_at` right; anything that removes or
    /// reorders links goes through [`Node::retain_links`] or [`Node::set_links`].
    pub(crate) links: Vec<TreeLink>,
    /// Index of the self link in `links`: a catalog with thousands of item links asks for
    /// its self HREF once per item, which must not scan them all.
    self_at: Option<usize>,
}

impl Node {
    pub(crate) fn new(kind: Kind, id: String, fields: Fields, links: Vec<TreeLink>) -> Self {
        let mut n = Self {
            kind,
            id,
            fields,
            links: Vec::new(),
            self_at: None,
        };
        n.set_links(links);
        n
    }

    /// Replaces the links.
    pub(crate) fn set_links(&mut self, links: Vec<TreeLink>) {
        self.links = links;
        self.self_at = self.links.iter().position(TreeLink::is_self);
    }

    /// Keeps the links for which `keep` is true (in order).
    pub(crate) fn retain_links(&mut self, keep: impl FnMut(&TreeLink) -> bool) {
        self.links.retain(keep);
        self.self_at = self.links.iter().position(TreeLink::is_self);
    }

    /// The self link, if any.
    fn self_link(&self) -> Option<&TreeLink> {
        debug_assert_eq!(
            self.self_at,
            self.links.iter().position(TreeLink::is_self),
            "stale self link index of `{}`",
            self.id
        );
        self.self_at.map(|i| &self.links[i])
    }
}

/// A static STAC catalog held in memory as a tree, with pystac's operations: read from
/// any storage URL, walk, find items and children, add, make sub-catalogs from a template,
/// normalise HREFs and save in pystac's layouts (see [`CatalogType`]).
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(crate) nodes: Vec<Node>,
    pub(crate) catalog_type: CatalogType,
    pub(crate) json_style: JsonStyle,
}

impl Catalog {
    /// A new, empty root catalog (pystac: `Catalog(id, description, title=...)`),
    /// [`CatalogType::AbsolutePublished`] until saved with another type.
    #[must_use]
    pub fn new(id: &str, description: &str, title: Option<&str>) -> Self {
        let mut cat = stac::Catalog::new(id, description);
        cat.title = title.map(str::to_owned);
        let Ok(Value::Object(fields)) = serde_json::to_value(&cat) else {
            unreachable!("a stac::Catalog serialises to an object")
        };
        let mut tree = Self {
            nodes: Vec::new(),
            catalog_type: CatalogType::AbsolutePublished,
            json_style: JsonStyle::default(),
        };
        tree.new_node(Kind::Catalog, fields);
        tree
    }

    /// Reads the catalog (or collection) at `url` and every child and item it links to,
    /// recursively, the files of each level in parallel. `url` is a path, `file://` or
    /// `http(s)://` URL (through `rsdat_storage`); a local directory stands for the
    /// `catalog.json` in it. Relative HREFs are resolved against each file's location.
    ///
    /// # Errors
    /// [`Error`] naming the file: unreadable, not JSON, not STAC, the wrong type for its
    /// link (an item where a child is expected), or a link to a missing file.
    pub fn read(url: &str) -> Result<Self> {
        read::read(url)
    }

    /// The root node.
    #[must_use]
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// How the catalog was laid out when read (pystac's `CatalogType.determine_type`), or
    /// the type it was last saved with.
    #[must_use]
    pub fn catalog_type(&self) -> CatalogType {
        self.catalog_type
    }

    /// The JSON text saving writes: pystac's with Python's `json` module (the default) or
    /// with orjson (for a catalog read from files with UTF-8 text, which Python's `json`
    /// never writes).
    #[must_use]
    pub fn json_style(&self) -> JsonStyle {
        self.json_style
    }

    /// Sets the JSON text [`Catalog::save`] writes.
    pub fn set_json_style(&mut self, style: JsonStyle) {
        self.json_style = style;
    }

    /// Number of nodes (catalogs, collections and items).
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the tree has no nodes (never for a catalog made by [`Catalog::new`] or
    /// [`Catalog::read`]: the root always exists).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The kind of `node`.
    #[must_use]
    pub fn kind(&self, node: NodeId) -> Kind {
        self.nodes[node.0].kind
    }

    /// The id of `node`.
    #[must_use]
    pub fn id(&self, node: NodeId) -> &str {
        &self.nodes[node.0].id
    }

    /// The absolute HREF `node` was read from or will be saved to, if set.
    #[must_use]
    pub fn self_href(&self, node: NodeId) -> Option<&str> {
        self.nodes[node.0].self_link().map(|l| l.link.href.as_str())
    }

    /// The node's JSON fields other than `links`, in file order.
    #[must_use]
    pub fn fields(&self, node: NodeId) -> &Map<String, Value> {
        self.nodes[node.0].fields.map()
    }

    /// The node as the `stac` crate's [`stac::Value`], with the links pystac would write.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the node does not deserialize as its STAC type.
    pub fn to_stac(&self, node: NodeId) -> Result<stac::Value> {
        let v = self.to_value(node, true)?;
        serde_json::from_value(v).map_err(|e| Error::Invalid {
            href: self.self_href(node).unwrap_or_default().to_owned(),
            kind: self.kind(node).type_name().to_owned(),
            reason: e.to_string(),
        })
    }

    /// The node's children (catalogs and collections linked as `child`), in link order.
    #[must_use]
    pub fn children(&self, node: NodeId) -> Vec<NodeId> {
        self.linked(node, "child")
    }

    /// The node's own items (linked as `item`), in link order.
    #[must_use]
    pub fn items(&self, node: NodeId) -> Vec<NodeId> {
        self.linked(node, "item")
    }

    fn linked(&self, node: NodeId, rel: &str) -> Vec<NodeId> {
        self.nodes[node.0]
            .links
            .iter()
            .filter(|l| l.rel() == rel)
            .filter_map(|l| l.target)
            .collect()
    }

    /// Every item under `node`, in pystac's `get_items(recursive=True)` order: the node's
    /// own items, then each child's, depth first.
    #[must_use]
    pub fn all_items(&self, node: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.nodes.len()];
        self.collect_items(node, &mut out, &mut seen);
        out
    }

    fn collect_items(&self, node: NodeId, out: &mut Vec<NodeId>, seen: &mut [bool]) {
        if std::mem::replace(&mut seen[node.0], true) {
            return;
        }
        out.extend(self.items(node));
        for c in self.children(node) {
            self.collect_items(c, out, seen);
        }
    }

    /// Catalogs and collections under (and including) `node`, depth first (pystac's `walk`).
    #[must_use]
    pub fn walk(&self, node: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n.0], true) {
                continue;
            }
            out.push(n);
            stack.extend(self.children(n).into_iter().rev());
        }
        out
    }

    /// The first item with id `id` under `node` (recursive, pystac's walk order).
    #[must_use]
    pub fn find_item(&self, node: NodeId, id: &str) -> Option<NodeId> {
        self.walk(node)
            .into_iter()
            .find_map(|c| self.items(c).into_iter().find(|&i| self.id(i) == id))
    }

    /// The child with id `id` of `node`, or with `recursive` of any catalog under it.
    #[must_use]
    pub fn find_child(&self, node: NodeId, id: &str, recursive: bool) -> Option<NodeId> {
        let direct = |c: NodeId| self.children(c).into_iter().find(|&x| self.id(x) == id);
        if recursive {
            self.walk(node).into_iter().find_map(direct)
        } else {
            direct(node)
        }
    }

    /// The text tree pystac's `Catalog.describe()` prints (one line per object, children
    /// indented by 4, items by 2), with a final newline.
    #[must_use]
    pub fn describe(&self) -> String {
        self.describe_node(self.root())
    }

    /// [`Catalog::describe`] of the sub-tree under `node`.
    #[must_use]
    pub fn describe_node(&self, node: NodeId) -> String {
        let mut out = String::new();
        self.describe_into(node, 0, &mut out);
        out
    }

    fn repr(&self, node: NodeId) -> String {
        let name = match self.kind(node) {
            Kind::Catalog => "Catalog",
            Kind::Collection => "Collection",
            Kind::Item => "Item",
        };
        format!("<{name} id={}>", self.id(node))
    }

    fn describe_into(&self, node: NodeId, indent: usize, out: &mut String) {
        out.push_str(&format!("{}* {}\n", " ".repeat(indent), self.repr(node)));
        for c in self.children(node) {
            self.describe_into(c, indent + 4, out);
        }
        for i in self.items(node) {
            out.push_str(&format!("{}* {}\n", " ".repeat(indent + 2), self.repr(i)));
        }
    }

    /// Adds `child` (a [`stac::Catalog`] or [`stac::Collection`]) under `parent`, as
    /// pystac's `add_child`: root and parent links set, and when `parent` has a self HREF
    /// the child's is set from the best-practice layout.
    ///
    /// # Errors
    /// [`Error::WrongType`] when `parent` is an item; [`Error::Invalid`] when `child` does
    /// not serialize to a catalog or collection.
    pub fn add_child(&mut self, parent: NodeId, child: impl Into<stac::Value>) -> Result<NodeId> {
        let fields = to_fields(child.into())?;
        let kind = kind_of(&fields, "<new child>")?;
        if !kind.is_container() {
            return Err(Error::WrongType {
                href: "<new child>".into(),
                found: "Item".into(),
                expected: "a Catalog or Collection",
                context: "; add items with add_item".into(),
            });
        }
        self.expect_container(parent)?;
        let id = self.new_node(kind, fields);
        self.attach(parent, id, "child");
        Ok(id)
    }

    /// Adds `item` under `parent`, as pystac's `add_item` (also the collection link and
    /// `collection` field when `parent` is a collection).
    ///
    /// # Errors
    /// [`Error::WrongType`] when `parent` is an item.
    pub fn add_item(&mut self, parent: NodeId, item: stac::Item) -> Result<NodeId> {
        let fields = to_fields(stac::Value::Item(item))?;
        self.expect_container(parent)?;
        let id = self.new_node(Kind::Item, fields);
        self.attach(parent, id, "item");
        Ok(id)
    }

    /// Adds `items` under `parent` in order, as [`Catalog::add_item`] one by one; the items
    /// are converted to JSON in parallel.
    ///
    /// # Errors
    /// [`Error::WrongType`] when `parent` is an item (nothing is added).
    pub fn add_items(&mut self, parent: NodeId, items: Vec<stac::Item>) -> Result<Vec<NodeId>> {
        use rayon::prelude::*;
        self.expect_container(parent)?;
        let fields: Vec<Map<String, Value>> = items
            .into_par_iter()
            .map(|item| to_fields(stac::Value::Item(item)))
            .collect::<Result<_>>()?;
        Ok(fields
            .into_iter()
            .map(|f| {
                let id = self.new_node(Kind::Item, f);
                self.attach(parent, id, "item");
                id
            })
            .collect())
    }

    /// Adds items given as their id and fields (with `id`, without `links`), as
    /// [`Catalog::add_item`] one by one; the caller knows `parent` is a container.
    pub(crate) fn add_item_fields(&mut self, parent: NodeId, items: Vec<(String, Fields)>) {
        self.nodes.reserve(items.len());
        self.nodes[parent.0].links.reserve(items.len());
        for (id, fields) in items {
            let node = NodeId(self.nodes.len());
            self.nodes
                .push(Node::new(Kind::Item, id, fields, Vec::new()));
            self.attach(parent, node, "item");
        }
    }

    pub(crate) fn expect_container(&self, parent: NodeId) -> Result<()> {
        if self.kind(parent).is_container() {
            Ok(())
        } else {
            Err(Error::WrongType {
                href: self.self_href(parent).unwrap_or(self.id(parent)).to_owned(),
                found: "Item".into(),
                expected: "a Catalog or Collection",
                context: " to add to".into(),
            })
        }
    }

    /// Creates a node from fields (pystac's constructors: catalogs start with a root link
    /// to themselves; links in `fields` follow, except `self`).
    pub(crate) fn new_node(&mut self, kind: Kind, mut fields: Map<String, Value>) -> NodeId {
        let id = NodeId(self.nodes.len());
        let mut links = Vec::new();
        if kind.is_container() {
            links.push(TreeLink::to_node("root", id, JSON));
        }
        let (given, node_id) = take_links_and_id(&mut fields);
        add_links(&mut links, given, false);
        self.nodes
            .push(Node::new(kind, node_id, fields.into(), links));
        id
    }

    /// pystac's `add_child` / `add_item` link bookkeeping.
    pub(crate) fn attach(&mut self, parent: NodeId, child: NodeId, rel: &str) {
        let root = self.root_of(parent);
        self.set_root(child, root);
        self.set_parent(child, parent);
        if let Some(parent_href) = self.self_href(parent).map(str::to_owned) {
            let href = self.layout_href(child, &parent_href, false);
            self.set_self_href(child, Some(href));
        }
        let media = if rel == "item" { GEOJSON } else { JSON };
        self.nodes[parent.0]
            .links
            .push(TreeLink::to_node(rel, child, media));
        if rel == "item" && self.kind(parent) == Kind::Collection {
            let n = &mut self.nodes[child.0];
            n.retain_links(|l| l.rel() != "collection");
            n.links.push(TreeLink::to_node("collection", parent, JSON));
            let cid = self.nodes[parent.0].id.clone();
            self.nodes[child.0].fields.update(|f| {
                f.insert("collection".into(), Value::String(cid));
            });
        }
    }

    /// The node the root link of `node` points at (the tree root for nodes in the tree).
    pub(crate) fn root_of(&self, node: NodeId) -> NodeId {
        self.nodes[node.0]
            .links
            .iter()
            .find(|l| l.rel() == "root")
            .and_then(|l| l.target)
            .unwrap_or(self.root())
    }

    /// pystac's `set_root`: replace the root link in place, or append one.
    pub(crate) fn set_root(&mut self, node: NodeId, root: NodeId) {
        let links = &mut self.nodes[node.0].links;
        let new = TreeLink::to_node("root", root, JSON);
        match links.iter().position(|l| l.rel() == "root") {
            Some(i) => links[i] = new,
            None => links.push(new),
        }
    }

    /// pystac's `set_parent`: drop parent links, append one.
    pub(crate) fn set_parent(&mut self, node: NodeId, parent: NodeId) {
        let n = &mut self.nodes[node.0];
        n.retain_links(|l| l.rel() != "parent");
        n.links.push(TreeLink::to_node("parent", parent, JSON));
    }

    /// pystac's `set_self_href` (for items, relative asset HREFs are rewritten to keep
    /// pointing at the same files).
    pub(crate) fn set_self_href(&mut self, node: NodeId, href: Option<String>) {
        let prev = self.self_href(node).map(str::to_owned);
        let n = &mut self.nodes[node.0];
        n.retain_links(|l| l.rel() != "self");
        let Some(href) = href else { return };
        let href = if href::is_absolute_href(&href) {
            href
        } else {
            href::make_absolute_href(&href, None, false)
        };
        let mut link = stac::Link::new(href.clone(), "self");
        link.r#type = Some(JSON.to_owned());
        n.links.push(TreeLink {
            link,
            target: None,
            from_file: false,
        });
        n.self_at = Some(n.links.len() - 1);
        let Some(prev) = prev.filter(|_| n.kind == Kind::Item) else {
            return;
        };
        // Items whose asset HREFs are all absolute are not parsed.
        if !n.fields.has_relative_asset_hrefs() {
            return;
        }
        n.fields.update(|f| {
            let Some(Value::Object(assets)) = f.get_mut("assets") else {
                return;
            };
            for asset in assets.values_mut() {
                if let Some(Value::String(a)) = asset.get_mut("href") {
                    if !href::is_absolute_href(a) {
                        let abs = href::make_absolute_href(a, Some(&prev), false);
                        *a = href::make_relative_href(&abs, &href, false);
                    }
                }
            }
        });
    }

    /// pystac's `BestPracticesLayoutStrategy.get_href`.
    pub(crate) fn layout_href(&self, node: NodeId, parent_dir: &str, is_root: bool) -> String {
        let dir = if href::is_file_path(parent_dir) {
            href::dirname(parent_dir)
        } else {
            parent_dir.to_owned()
        };
        let n = &self.nodes[node.0];
        match n.kind {
            Kind::Item => href::join(&href::join(&dir, &n.id), &format!("{}.json", n.id)),
            k => {
                let d = if is_root {
                    dir
                } else {
                    href::join(&dir, &n.id)
                };
                href::join(&d, k.default_file_name())
            }
        }
    }
}

/// The JSON object of a `stac` crate value.
fn to_fields(v: stac::Value) -> Result<Map<String, Value>> {
    match serde_json::to_value(&v) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::Input(
            "a STAC value must serialize to a JSON object".into(),
        )),
        Err(e) => Err(Error::Input(format!("cannot serialize a STAC value: {e}"))),
    }
}

/// The links of an object's `fields`, taken out of them and parsed (what does not parse as
/// a STAC link is dropped), and its `id`.
fn take_links_and_id(fields: &mut Map<String, Value>) -> (Vec<stac::Link>, String) {
    let links = match fields.remove("links") {
        Some(Value::Array(ls)) => ls
            .into_iter()
            .filter_map(|l| serde_json::from_value::<stac::Link>(l).ok())
            .collect(),
        _ => Vec::new(),
    };
    let id = fields
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    (links, id)
}

/// Appends an object's own links to `links` as pystac's `from_dict` adds them: a `root`
/// link replaces the one there, `self` links are left out. True when a root link was given.
fn add_links(links: &mut Vec<TreeLink>, given: Vec<stac::Link>, from_file: bool) -> bool {
    let mut has_root = false;
    for link in given {
        if link.rel == "root" {
            links.retain(|x| x.rel() != "root");
            has_root = true;
        }
        if link.rel != "self" {
            links.push(TreeLink {
                link,
                target: None,
                from_file,
            });
        }
    }
    has_root
}

/// The kind a JSON object declares with `type`.
pub(crate) fn kind_of(fields: &Map<String, Value>, href: &str) -> Result<Kind> {
    match fields.get("type").and_then(Value::as_str) {
        Some("Catalog") => Ok(Kind::Catalog),
        Some("Collection") => Ok(Kind::Collection),
        Some("Feature") => Ok(Kind::Item),
        Some("FeatureCollection") => Err(Error::Invalid {
            href: href.to_owned(),
            kind: "object".into(),
            reason: "`type` is `FeatureCollection`: an ItemCollection, not a catalog; read it as \
                     a set of items (`ItemSet`; `rsdat stac items`, `copy-assets`, \
                     `make-catalog`)"
                .into(),
        }),
        Some(other) => Err(Error::Invalid {
            href: href.to_owned(),
            kind: "object".into(),
            reason: format!(
                "`type` is `{other}`; expected `Catalog`, `Collection` or `Feature` (an Item)"
            ),
        }),
        None => Err(Error::Invalid {
            href: href.to_owned(),
            kind: "object".into(),
            reason: "no `type` field; expected `Catalog`, `Collection` or `Feature` (an Item)"
                .into(),
        }),
    }
}
