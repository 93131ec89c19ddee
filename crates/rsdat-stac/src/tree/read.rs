//! Reading a catalog tree from storage, level by level, files of a level in parallel.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{kind_of, Catalog, Kind, NodeId, TreeLink, JSON};
use crate::href;
use crate::{CatalogType, Error, Result};

pub(super) fn read(url: &str) -> Result<Catalog> {
    let root_href = root_href(url);
    let (doc, utf8) = fetch(&root_href)?;
    read_doc(root_href, doc, utf8)
}

/// `url` made absolute; a local directory stands for the catalog.json (or collection.json)
/// in it.
pub(crate) fn root_href(url: &str) -> String {
    let mut root_href = if href::is_absolute_href(url) {
        url.to_owned()
    } else {
        href::make_absolute_href(url, None, false)
    };
    // A local directory stands for the catalog.json (or collection.json) in it.
    if !href::is_url(&root_href) {
        let path = std::path::Path::new(root_href.strip_prefix("file://").unwrap_or(&root_href));
        if path.is_dir() {
            let name =
                if path.join("catalog.json").exists() || !path.join("collection.json").exists() {
                    "catalog.json"
                } else {
                    "collection.json"
                };
            root_href = href::join(root_href.trim_end_matches('/'), name);
        }
    }
    root_href
}

/// The catalog whose root file `root_href` holds `doc` (`utf8`: its text is not all
/// ASCII), and every file it links to.
pub(crate) fn read_doc(
    root_href: String,
    doc: Map<String, Value>,
    mut utf8: bool,
) -> Result<Catalog> {
    let kind = kind_of(&doc, &root_href)?;
    if !kind.is_container() {
        return Err(Error::WrongType {
            href: root_href,
            found: "Item (`Feature`)".into(),
            expected: "a Catalog or Collection",
            context: "; give the catalog.json or collection.json at the top of the tree".into(),
        });
    }
    let doc = validate(doc, kind, &root_href)?;
    let mut tree = Catalog {
        nodes: Vec::new(),
        catalog_type: determine_type(&doc),
        json_style: crate::JsonStyle::default(),
    };
    let root = tree.add_file_node(FileNode::new(kind, doc), &root_href, true);
    let mut by_href: HashMap<String, NodeId> = HashMap::from([(root_href.clone(), root)]);
    let mut frontier = vec![root];
    while !frontier.is_empty() {
        // (owner, link index, absolute href, rel)
        let mut pending: Vec<(NodeId, usize, String, String)> = Vec::new();
        for &n in &frontier {
            let owner_href = tree.self_href(n).unwrap_or_default().to_owned();
            for (i, l) in tree.nodes[n.0].links.iter().enumerate() {
                if l.target.is_none() && matches!(l.link.rel.as_str(), "child" | "item") {
                    let abs = href::make_absolute_href(&l.link.href, Some(&owner_href), false);
                    pending.push((n, i, abs, l.link.rel.clone()));
                }
            }
        }
        let mut wanted: Vec<(String, NodeId, String)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (owner, _, abs, rel) in &pending {
            if !by_href.contains_key(abs) && seen.insert(abs.clone()) {
                wanted.push((abs.clone(), *owner, rel.clone()));
            }
        }
        let docs: Vec<Result<Fetched>> = wanted
            .par_iter()
            .map(|(h, _, _)| fetch(h).map(|(doc, non_ascii)| Fetched::new(doc, h, non_ascii)))
            .collect();
        let mut next = Vec::new();
        for ((abs, owner, rel), doc) in wanted.into_iter().zip(docs) {
            let from = tree.self_href(owner).unwrap_or_default().to_owned();
            let doc = doc.map_err(|e| Error::BrokenLink {
                from: from.clone(),
                rel: rel.clone(),
                href: abs.clone(),
                source: Box::new(e),
            })?;
            utf8 |= doc.non_ascii;
            let (kind, node) = doc.node?;
            let ok = if rel == "item" {
                kind == Kind::Item
            } else {
                kind.is_container()
            };
            if !ok {
                return Err(Error::WrongType {
                    href: abs,
                    found: kind.type_name().into(),
                    expected: if rel == "item" {
                        "an Item (`Feature`)"
                    } else {
                        "a Catalog or Collection"
                    },
                    context: format!(" (linked as `{rel}` from `{from}`)"),
                });
            }
            let id = tree.add_file_node(node?, &abs, false);
            by_href.insert(abs, id);
            if kind.is_container() {
                next.push(id);
            }
        }
        for (owner, i, abs, _) in pending {
            let target = by_href.get(&abs).copied();
            tree.nodes[owner.0].links[i].target = target;
            // pystac's `Link.resolve_stac_object`: a resolved child or item gets its owner
            // as parent (the parent link moves to the end), as any walk over it does.
            if let Some(t) = target {
                tree.set_parent(t, owner);
            }
        }
        frontier = next;
    }
    // Python's json module escapes everything but ASCII: a file with UTF-8 text was written
    // otherwise (by orjson, most likely), and saving it again keeps its text as it was.
    if utf8 {
        tree.json_style = crate::JsonStyle::Orjson;
    }
    tree.resolve_hierarchy(&by_href, &root_href);
    tracing::debug!(url = root_href, nodes = tree.nodes.len(), "read catalog");
    Ok(tree)
}

/// A linked file, read, typed and checked on a worker thread.
struct Fetched {
    /// The file's text is not all ASCII.
    non_ascii: bool,
    /// Its kind (or why it has none), and the node it makes (or why it is not valid STAC).
    node: Result<(Kind, Result<FileNode>)>,
}

impl Fetched {
    fn new(doc: Map<String, Value>, href: &str, non_ascii: bool) -> Self {
        let node = kind_of(&doc, href).map(|kind| {
            (
                kind,
                validate(doc, kind, href).map(|d| FileNode::new(kind, d)),
            )
        });
        Self { non_ascii, node }
    }
}

/// A node parsed from a file, not in a tree yet: its fields (an item's as compact JSON
/// text, a few KB instead of the ~17 KB of a map; see [`super::Fields`]) and its links.
struct FileNode {
    kind: Kind,
    id: String,
    fields: super::Fields,
    links: Vec<stac::Link>,
}

impl FileNode {
    fn new(kind: Kind, mut fields: Map<String, Value>) -> Self {
        let (links, id) = super::take_links_and_id(&mut fields);
        let fields = match kind {
            Kind::Item => super::Fields::compact(fields),
            _ => fields.into(),
        };
        Self {
            kind,
            id,
            fields,
            links,
        }
    }
}

impl Catalog {
    /// Adds a node read from `href` as pystac's `from_dict` + `set_self_href` build it.
    fn add_file_node(&mut self, node: FileNode, href: &str, is_root: bool) -> NodeId {
        let FileNode {
            kind,
            id: node_id,
            fields,
            links: file_links,
        } = node;
        let id = NodeId(self.nodes.len());
        let mut links: Vec<TreeLink> = Vec::new();
        let mut self_link = stac::Link::new(href, "self");
        self_link.r#type = Some(JSON.to_owned());
        let self_link = TreeLink {
            link: self_link,
            target: None,
            from_file: false,
        };
        if kind.is_container() {
            links.push(TreeLink::to_node("root", id, JSON));
        }
        // The root is read with `from_file` (self link set in the constructor, before the
        // file's links); children and items through links (self link set again after).
        if is_root {
            links.push(self_link.clone());
        }
        let has_root = super::add_links(&mut links, file_links, true);
        if !is_root {
            if kind == Kind::Item && !has_root {
                links.push(TreeLink::to_node("root", NodeId(0), JSON));
            }
            links.push(self_link);
        }
        self.nodes
            .push(super::Node::new(kind, node_id, fields, links));
        id
    }

    /// Points root links at the tree root, and parent / collection links at the nodes they
    /// name (or at absolute HREFs when those are outside the tree), as pystac's
    /// `resolve_links` does during `normalize_hrefs`.
    fn resolve_hierarchy(&mut self, by_href: &HashMap<String, NodeId>, root_href: &str) {
        for n in 0..self.nodes.len() {
            let owner = self.self_href(NodeId(n)).unwrap_or_default().to_owned();
            let kind = self.nodes[n].kind;
            for l in &mut self.nodes[n].links {
                if l.target.is_some() {
                    continue;
                }
                let rel = l.link.rel.as_str();
                let resolvable = match rel {
                    "root" | "parent" => true,
                    "collection" => kind == Kind::Item,
                    _ => false,
                };
                if !resolvable {
                    continue;
                }
                let abs = href::make_absolute_href(&l.link.href, Some(&owner), false);
                if rel == "root" && (n != 0 || abs == root_href) {
                    l.target = Some(NodeId(0));
                } else if let Some(&t) = by_href.get(&abs) {
                    l.target = Some(t);
                } else {
                    l.link.href = abs;
                }
            }
        }
    }
}

/// The bytes of the file or URL `href`.
pub(crate) fn fetch_bytes(href: &str) -> Result<Vec<u8>> {
    let read = |href: &str| -> rsdat_storage::Result<Vec<u8>> {
        let store = rsdat_storage::open_read(href)?;
        let len = store.len()?;
        store.get_range(0..len)
    };
    read(href).map_err(|source| Error::Read {
        href: href.to_owned(),
        source,
    })
}

/// Reads and parses one STAC JSON file; true when its text is not all ASCII.
pub(crate) fn fetch(href: &str) -> Result<(Map<String, Value>, bool)> {
    let bytes = fetch_bytes(href)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok((m, !bytes.is_ascii())),
        Ok(_) => Err(Error::Invalid {
            href: href.to_owned(),
            kind: "object".into(),
            reason: "the JSON is not an object".into(),
        }),
        Err(source) => Err(Error::Json {
            href: href.to_owned(),
            source,
        }),
    }
}

/// Checks the object against the `stac` crate's types (required fields and their types).
pub(crate) fn validate(
    doc: Map<String, Value>,
    kind: Kind,
    href: &str,
) -> Result<Map<String, Value>> {
    let v = Value::Object(doc);
    let res = match kind {
        Kind::Catalog => stac::Catalog::deserialize(&v).map(drop),
        Kind::Collection => stac::Collection::deserialize(&v).map(drop),
        Kind::Item => stac::Item::deserialize(&v).map(drop),
    };
    if let Err(e) = res {
        return Err(Error::Invalid {
            href: href.to_owned(),
            kind: kind.type_name().to_owned(),
            reason: e.to_string(),
        });
    }
    let Value::Object(doc) = v else {
        unreachable!("built from an object above")
    };
    for key in ["id", "links"] {
        if !doc.contains_key(key) {
            return Err(Error::Invalid {
                href: href.to_owned(),
                kind: kind.type_name().to_owned(),
                reason: format!("missing field `{key}`"),
            });
        }
    }
    if kind.is_container() && !doc.get("description").is_some_and(Value::is_string) {
        return Err(Error::Invalid {
            href: href.to_owned(),
            kind: kind.type_name().to_owned(),
            reason: "missing field `description`".into(),
        });
    }
    Ok(doc)
}

/// pystac's `CatalogType.determine_type` on the root's links.
fn determine_type(doc: &Map<String, Value>) -> CatalogType {
    let mut has_self = false;
    let mut relative = false;
    if let Some(Value::Array(links)) = doc.get("links") {
        for l in links {
            let rel = l.get("rel").and_then(Value::as_str).unwrap_or_default();
            let h = l.get("href").and_then(Value::as_str).unwrap_or_default();
            if rel == "self" {
                has_self = true;
            } else {
                relative |= !href::is_absolute_href(h);
            }
        }
    }
    match (has_self, relative) {
        (true, true) => CatalogType::RelativePublished,
        (true, false) | (false, false) => CatalogType::AbsolutePublished,
        (false, true) => CatalogType::SelfContained,
    }
}
