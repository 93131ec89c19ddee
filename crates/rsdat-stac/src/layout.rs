//! pystac's best-practice layout: `normalize_hrefs`, `save` with the three catalog types,
//! and each object's JSON exactly as pystac's `to_dict` orders it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::href;
use crate::json::to_python_json;
use crate::tree::{Kind, NodeId};
use crate::{datetime, Catalog, Error, Result};

/// How links are written (pystac's `CatalogType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CatalogType {
    /// Relative links everywhere, no self links: a catalog that can be moved or copied.
    SelfContained,
    /// Absolute links and self links everywhere.
    AbsolutePublished,
    /// Relative links, and an absolute self link on the root only.
    RelativePublished,
}

impl CatalogType {
    fn is_relative(self) -> bool {
        !matches!(self, CatalogType::AbsolutePublished)
    }
}

impl std::str::FromStr for CatalogType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "self-contained" => Ok(Self::SelfContained),
            "absolute-published" => Ok(Self::AbsolutePublished),
            "relative-published" => Ok(Self::RelativePublished),
            _ => Err(Error::Input(format!(
                "unknown catalog type `{s}`; use self-contained, absolute-published or relative-published"
            ))),
        }
    }
}

impl std::fmt::Display for CatalogType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::SelfContained => "self-contained",
            Self::AbsolutePublished => "absolute-published",
            Self::RelativePublished => "relative-published",
        })
    }
}

/// What a save wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SaveSummary {
    /// The root catalog file.
    pub root: PathBuf,
    /// Files written.
    pub files: usize,
    /// Items among them.
    pub items: usize,
}

const HIERARCHICAL: [&str; 6] = ["root", "child", "parent", "collection", "item", "items"];

impl Catalog {
    /// Sets every self HREF from pystac's best-practice layout under `root_href` (a
    /// directory, or the root file's path): `catalog.json` at the top, `<id>/catalog.json`
    /// (or `collection.json`) for children, `<id>/<id>.json` for items.
    pub fn normalize_hrefs(&mut self, root_href: &str) {
        let root_href = if href::is_absolute_href(root_href) {
            root_href.to_owned()
        } else {
            href::make_absolute_href(root_href, Some(&href::current_dir()), true)
        };
        let mut setters = Vec::with_capacity(self.nodes.len());
        let mut visited = vec![false; self.nodes.len()];
        self.plan_catalog(self.root(), &root_href, true, &mut setters, &mut visited);
        for (node, href) in setters {
            self.set_self_href(node, Some(href));
        }
    }

    /// pystac's `process_catalog`: resolving a child or item link makes its owner the
    /// target's parent again (the parent link moves to the end); self HREFs are set after
    /// the walk.
    fn plan_catalog(
        &mut self,
        cat: NodeId,
        parent_href: &str,
        is_root: bool,
        setters: &mut Vec<(NodeId, String)>,
        visited: &mut [bool],
    ) {
        if std::mem::replace(&mut visited[cat.0], true) {
            return;
        }
        let new_href = self.layout_href(cat, parent_href, is_root);
        for i in 0..self.nodes[cat.0].links.len() {
            let l = &self.nodes[cat.0].links[i];
            let Some(t) = l.target else { continue };
            let rel = l.link.rel.clone();
            if t == cat {
                continue;
            }
            match rel.as_str() {
                "item" => {
                    self.set_parent(t, cat);
                    setters.push((t, self.layout_href(t, &new_href, false)));
                }
                "child" => {
                    self.set_parent(t, cat);
                    self.plan_catalog(t, &new_href, false, setters, visited);
                }
                _ => {}
            }
        }
        setters.push((cat, new_href));
    }

    /// [`Catalog::normalize_hrefs`] under `root_href`, then [`Catalog::save`].
    ///
    /// # Errors
    /// As [`Catalog::save`].
    pub fn normalize_and_save(
        &mut self,
        root_href: &str,
        catalog_type: Option<CatalogType>,
    ) -> Result<SaveSummary> {
        self.normalize_hrefs(root_href);
        self.save(catalog_type)
    }

    /// Writes every catalog, collection and item reachable from the root to its self HREF,
    /// with links as `catalog_type` (default: the type the catalog was read with) lays them
    /// out. Files are written in parallel; a new output directory is staged and renamed into
    /// place, an existing one gets each file replaced atomically.
    ///
    /// # Errors
    /// [`Error::Save`] when a self HREF is missing or not a local path, [`Error::Write`] when
    /// a file cannot be written, [`Error::Invalid`] for an item datetime that does not parse.
    pub fn save(&mut self, catalog_type: Option<CatalogType>) -> Result<SaveSummary> {
        if let Some(t) = catalog_type {
            self.catalog_type = t;
        }
        let nodes = self.reachable();
        let root = self.root();
        let paths: Vec<PathBuf> = nodes
            .iter()
            .map(|&n| {
                let href = self.self_href(n).ok_or_else(|| Error::Save {
                    href: self.id(n).to_owned(),
                    reason: "the object has no self HREF; call normalize_hrefs first".into(),
                })?;
                local_path(href)
            })
            .collect::<Result<_>>()?;
        let render = |i: usize| {
            let n = nodes[i];
            let include_self = match self.catalog_type {
                CatalogType::AbsolutePublished => true,
                CatalogType::SelfContained => false,
                CatalogType::RelativePublished => n == root && self.kind(n).is_container(),
            };
            self.to_json_string(n, include_self)
        };
        let root_path = local_path(self.self_href(root).unwrap_or_default())?;
        let items = nodes
            .iter()
            .filter(|&&n| self.kind(n) == Kind::Item)
            .count();
        write_files(&root_path, &paths, render)?;
        tracing::debug!(root = %root_path.display(), files = paths.len(), "saved catalog");
        Ok(SaveSummary {
            root: root_path,
            files: paths.len(),
            items,
        })
    }

    /// Nodes pystac's `save` writes: the root, and what resolved child and item links reach.
    fn reachable(&self) -> Vec<NodeId> {
        let mut seen = vec![false; self.nodes.len()];
        let mut out = Vec::new();
        let mut stack = vec![self.root()];
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n.0], true) {
                continue;
            }
            out.push(n);
            for l in &self.nodes[n.0].links {
                if matches!(l.link.rel.as_str(), "child" | "item") {
                    if let Some(t) = l.target {
                        stack.push(t);
                    }
                }
            }
        }
        out
    }

    /// The HREF pystac writes for link `i` of `owner` (`Link.get_href`).
    fn link_href(&self, owner: NodeId, i: usize) -> Option<String> {
        let l = &self.nodes[owner.0].links[i];
        let href = match l.target {
            Some(t) => self.self_href(t)?.to_owned(),
            None => l.link.href.clone(),
        };
        if self.catalog_type.is_relative()
            && href::is_absolute_href(&href)
            && HIERARCHICAL.contains(&l.link.rel.as_str())
        {
            if let Some(owner_href) = self.self_href(owner) {
                return Some(href::make_relative_href(&href, owner_href, false));
            }
        }
        Some(href)
    }

    fn links_value(&self, n: NodeId, include_self: bool) -> Value {
        let mut out = Vec::new();
        for (i, l) in self.nodes[n.0].links.iter().enumerate() {
            let rel = l.link.rel.as_str();
            if rel == "self" && !include_self {
                continue;
            }
            let href = self.link_href(n, i);
            if rel == "root" && href.is_none() {
                continue;
            }
            let mut d = Map::new();
            d.insert("rel".into(), Value::String(rel.to_owned()));
            d.insert("href".into(), href.map_or(Value::Null, Value::String));
            if let Some(t) = &l.link.r#type {
                d.insert("type".into(), Value::String(t.clone()));
            }
            let title = l.link.title.clone().map(Value::String).or_else(|| {
                l.target
                    .filter(|t| self.kind(*t).is_container())
                    .and_then(|t| self.nodes[t.0].fields.get("title"))
                    .filter(|v| !v.is_null())
                    .cloned()
            });
            if let Some(t) = title {
                d.insert("title".into(), t);
            }
            if let Ok(Value::Object(extra)) = serde_json::to_value(&l.link) {
                for (k, v) in extra {
                    if !matches!(k.as_str(), "rel" | "href" | "type" | "title") {
                        d.insert(k, v);
                    }
                }
            }
            out.push(Value::Object(d));
        }
        Value::Array(out)
    }

    /// The node's JSON as pystac's `to_dict` builds it.
    pub(crate) fn to_value(&self, n: NodeId, include_self: bool) -> Result<Value> {
        let node = &self.nodes[n.0];
        let f = &node.fields;
        let links = self.links_value(n, include_self);
        let href = || self.self_href(n).unwrap_or(&node.id).to_owned();
        let mut d = Map::new();
        match node.kind {
            Kind::Item => {
                d.insert("type".into(), "Feature".into());
                d.insert("stac_version".into(), stac::STAC_VERSION.to_string().into());
                d.insert(
                    "stac_extensions".into(),
                    truthy(f.get("stac_extensions"))
                        .cloned()
                        .unwrap_or(Value::Array(vec![])),
                );
                d.insert("id".into(), node.id.clone().into());
                let geometry = f.get("geometry").cloned().unwrap_or(Value::Null);
                let has_geometry = truthy(Some(&geometry)).is_some();
                d.insert("geometry".into(), geometry);
                if has_geometry {
                    d.insert(
                        "bbox".into(),
                        f.get("bbox")
                            .filter(|v| !v.is_null())
                            .cloned()
                            .unwrap_or(Value::Array(vec![])),
                    );
                }
                let mut props = match f.get("properties") {
                    Some(Value::Object(p)) => p.clone(),
                    _ => Map::new(),
                };
                let dt = match props.get("datetime") {
                    Some(Value::String(s)) => {
                        Value::String(datetime::normalize(s).ok_or_else(|| Error::Invalid {
                            href: href(),
                            kind: "Item".into(),
                            reason: format!(
                                "`properties.datetime` `{s}` is not an RFC 3339 datetime"
                            ),
                        })?)
                    }
                    _ => Value::Null,
                };
                props.insert("datetime".into(), dt);
                d.insert("properties".into(), Value::Object(props));
                d.insert("links".into(), links);
                let assets = match f.get("assets") {
                    Some(Value::Object(a)) => {
                        a.iter().map(|(k, v)| (k.clone(), asset_value(v))).collect()
                    }
                    _ => Map::new(),
                };
                d.insert("assets".into(), Value::Object(assets));
                if let Some(c) = truthy(f.get("collection")) {
                    d.insert("collection".into(), c.clone());
                }
                for (k, v) in f {
                    if !matches!(
                        k.as_str(),
                        "id" | "geometry"
                            | "bbox"
                            | "stac_extensions"
                            | "collection"
                            | "links"
                            | "assets"
                            | "properties"
                            | "type"
                            | "stac_version"
                    ) {
                        d.insert(k.clone(), v.clone());
                    }
                }
            }
            kind => {
                let collection = kind == Kind::Collection;
                d.insert("type".into(), kind.type_name().into());
                d.insert("id".into(), node.id.clone().into());
                d.insert("stac_version".into(), stac::STAC_VERSION.to_string().into());
                d.insert(
                    "description".into(),
                    f.get("description").cloned().unwrap_or(Value::Null),
                );
                d.insert("links".into(), links);
                if let Some(e) = truthy(f.get("stac_extensions")) {
                    d.insert("stac_extensions".into(), e.clone());
                }
                for (k, v) in f {
                    let popped = matches!(
                        k.as_str(),
                        "id" | "description"
                            | "title"
                            | "stac_extensions"
                            | "links"
                            | "stac_version"
                    ) || (collection
                        && matches!(
                            k.as_str(),
                            "license"
                                | "extent"
                                | "keywords"
                                | "providers"
                                | "summaries"
                                | "assets"
                        ));
                    if !popped {
                        d.insert(k.clone(), v.clone());
                    }
                }
                if let Some(t) = f.get("title").filter(|v| !v.is_null()) {
                    d.insert("title".into(), t.clone());
                }
                if collection {
                    d.insert("extent".into(), extent_value(f.get("extent"), &href())?);
                    d.insert(
                        "license".into(),
                        f.get("license").cloned().unwrap_or(Value::Null),
                    );
                    if let Some(k) = truthy(f.get("keywords")) {
                        d.insert("keywords".into(), k.clone());
                    }
                    if let Some(Value::Array(p)) = truthy(f.get("providers")) {
                        d.insert(
                            "providers".into(),
                            Value::Array(p.iter().map(provider_value).collect()),
                        );
                    }
                    if let Some(Value::Object(s)) = f.get("summaries") {
                        let s = summaries_value(s);
                        if !s.is_empty() {
                            d.insert("summaries".into(), Value::Object(s));
                        }
                    }
                    if let Some(Value::Object(a)) = truthy(f.get("assets")) {
                        d.insert(
                            "assets".into(),
                            Value::Object(
                                a.iter().map(|(k, v)| (k.clone(), asset_value(v))).collect(),
                            ),
                        );
                    }
                }
            }
        }
        Ok(Value::Object(d))
    }

    /// The object's text exactly as pystac saves it.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an item datetime that does not parse.
    pub fn to_json_string(&self, node: NodeId, include_self_link: bool) -> Result<String> {
        Ok(to_python_json(&self.to_value(node, include_self_link)?))
    }
}

/// Python truthiness of an optional JSON value.
fn truthy(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(n) => n.as_f64() != Some(0.0),
    })
}

/// pystac's `Asset.to_dict` (href, type, title, description, extra fields, roles).
fn asset_value(v: &Value) -> Value {
    let Value::Object(a) = v else {
        return v.clone();
    };
    let mut d = Map::new();
    d.insert("href".into(), a.get("href").cloned().unwrap_or(Value::Null));
    for k in ["type", "title", "description"] {
        if let Some(x) = a.get(k).filter(|x| !x.is_null()) {
            d.insert(k.into(), x.clone());
        }
    }
    for (k, x) in a {
        if !matches!(
            k.as_str(),
            "href" | "type" | "title" | "description" | "roles"
        ) {
            d.insert(k.clone(), x.clone());
        }
    }
    if let Some(r) = a.get("roles").filter(|x| !x.is_null()) {
        d.insert("roles".into(), r.clone());
    }
    Value::Object(d)
}

/// pystac's `Provider.to_dict`.
fn provider_value(v: &Value) -> Value {
    let Value::Object(p) = v else {
        return v.clone();
    };
    let mut d = Map::new();
    d.insert("name".into(), p.get("name").cloned().unwrap_or(Value::Null));
    for k in ["description", "roles", "url"] {
        if let Some(x) = p.get(k).filter(|x| !x.is_null()) {
            d.insert(k.into(), x.clone());
        }
    }
    for (k, x) in p {
        if !matches!(k.as_str(), "name" | "description" | "roles" | "url") {
            d.insert(k.clone(), x.clone());
        }
    }
    Value::Object(d)
}

/// pystac's `Summaries.to_dict`: lists (fewer than 25 values), ranges, schemas, others.
fn summaries_value(s: &Map<String, Value>) -> Map<String, Value> {
    let mut lists = Map::new();
    let mut ranges = Map::new();
    let mut schemas = Map::new();
    let mut other = Map::new();
    for (k, v) in s {
        match v {
            Value::Array(a) => {
                if a.len() < 25 {
                    lists.insert(k.clone(), v.clone());
                }
            }
            Value::Object(o) if o.contains_key("minimum") => {
                let mut r = Map::new();
                r.insert("minimum".into(), o["minimum"].clone());
                r.insert(
                    "maximum".into(),
                    o.get("maximum").cloned().unwrap_or(Value::Null),
                );
                ranges.insert(k.clone(), Value::Object(r));
            }
            Value::Object(_) => {
                schemas.insert(k.clone(), v.clone());
            }
            _ => {
                other.insert(k.clone(), v.clone());
            }
        }
    }
    for m in [ranges, schemas, other] {
        for (k, v) in m {
            lists.insert(k, v);
        }
    }
    lists
}

/// pystac's `Extent.to_dict` (temporal bounds re-formatted through `datetime_to_str`).
fn extent_value(v: Option<&Value>, href: &str) -> Result<Value> {
    let invalid = |reason: String| Error::Invalid {
        href: href.to_owned(),
        kind: "Collection".into(),
        reason,
    };
    let Some(Value::Object(e)) = v else {
        return Err(invalid("missing `extent`".into()));
    };
    let mut d = Map::new();
    let spatial = e
        .get("spatial")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("missing `extent.spatial`".into()))?;
    let mut s = Map::new();
    s.insert(
        "bbox".into(),
        spatial.get("bbox").cloned().unwrap_or(Value::Null),
    );
    for (k, x) in spatial {
        if k != "bbox" {
            s.insert(k.clone(), x.clone());
        }
    }
    d.insert("spatial".into(), Value::Object(s));
    let temporal = e
        .get("temporal")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("missing `extent.temporal`".into()))?;
    let mut intervals = Vec::new();
    for i in temporal
        .get("interval")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut pair = Vec::new();
        for b in i.as_array().into_iter().flatten().take(2) {
            pair.push(match b {
                Value::String(s) if !s.is_empty() => {
                    Value::String(datetime::normalize(s).ok_or_else(|| {
                        invalid(format!("temporal bound `{s}` is not a datetime"))
                    })?)
                }
                _ => Value::Null,
            });
        }
        intervals.push(Value::Array(pair));
    }
    let mut t = Map::new();
    t.insert("interval".into(), Value::Array(intervals));
    for (k, x) in temporal {
        if k != "interval" {
            t.insert(k.clone(), x.clone());
        }
    }
    d.insert("temporal".into(), Value::Object(t));
    for (k, x) in e {
        if k != "spatial" && k != "temporal" {
            d.insert(k.clone(), x.clone());
        }
    }
    Ok(Value::Object(d))
}

/// The local path of a self HREF (plain path or `file://`).
fn local_path(h: &str) -> Result<PathBuf> {
    if href::is_url(h) {
        return Err(Error::Save {
            href: h.to_owned(),
            reason: "only local directories can be written; normalize to a local path".into(),
        });
    }
    let p = h.strip_prefix("file://").unwrap_or(h);
    Ok(PathBuf::from(p))
}

/// Writes file `i` of `paths` with the text `render(i)`. When the root's directory does
/// not exist yet, everything goes into a staged directory (its directories created level by
/// level, the files rendered and written in parallel) that is synced and renamed into place
/// in one step, so an interrupted save leaves no catalog. Otherwise every text is rendered
/// first and each file replaced atomically.
fn write_files(
    root_file: &Path,
    paths: &[PathBuf],
    render: impl Fn(usize) -> Result<String> + Sync,
) -> Result<()> {
    let werr = |path: &Path, source: rsdat_storage::Error| Error::Write {
        path: path.display().to_string(),
        source,
    };
    let root_dir = root_file.parent().unwrap_or(Path::new("/")).to_owned();
    if !root_dir.exists() && paths.iter().all(|p| p.starts_with(&root_dir)) {
        let staged = rsdat_storage::AtomicDir::create(&root_dir, rsdat_storage::IfExists::Refuse)
            .map_err(|e| werr(&root_dir, e))?;
        let base = staged.path().to_owned();
        let staged_path = |p: &Path| base.join(p.strip_prefix(&root_dir).unwrap_or(p));
        for level in dir_levels(&root_dir, paths) {
            level.par_iter().try_for_each(|d| {
                let target = staged_path(d);
                std::fs::create_dir(&target).map_err(|e| io_error("create", &target, e))
            })?;
        }
        (0..paths.len()).into_par_iter().try_for_each(|i| {
            let target = staged_path(&paths[i]);
            std::fs::write(&target, render(i)?).map_err(|e| io_error("write", &target, e))
        })?;
        return staged.commit().map_err(|e| werr(&root_dir, e));
    }
    // Nothing is replaced before every text is known to render.
    let texts: Vec<String> = (0..paths.len())
        .into_par_iter()
        .map(&render)
        .collect::<Result<_>>()?;
    paths.par_iter().zip(&texts).try_for_each(|(p, text)| {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| io_error("create", d, e))?;
        }
        rsdat_storage::write_atomic(p, text.as_bytes()).map_err(|e| werr(p, e))
    })
}

/// The directories under `root` that hold `paths` (and the ones between), grouped by depth
/// so that each group can be created in parallel once the one before exists.
fn dir_levels(root: &Path, paths: &[PathBuf]) -> Vec<Vec<PathBuf>> {
    let mut dirs: Vec<&Path> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        let mut d = p.parent();
        while let Some(dir) = d.filter(|dir| dir.starts_with(root) && *dir != root) {
            if !seen.insert(dir) {
                break;
            }
            dirs.push(dir);
            d = dir.parent();
        }
    }
    let mut levels: Vec<Vec<PathBuf>> = Vec::new();
    for d in dirs {
        let depth = d.components().count() - root.components().count();
        if levels.len() < depth {
            levels.resize_with(depth, Vec::new);
        }
        levels[depth - 1].push(d.to_owned());
    }
    levels
}

fn io_error(op: &'static str, path: &Path, e: std::io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        source: rsdat_storage::Error::Io {
            op,
            path: path.to_owned(),
            source: e,
        },
    }
}
