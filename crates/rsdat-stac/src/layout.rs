//! pystac's best-practice layout: `normalize_hrefs`, `save` with the three catalog types,
//! and each object's JSON exactly as pystac's `to_dict` orders it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::href;
use crate::json::{Obj, Out};
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
        for n in &mut self.nodes {
            for l in &mut n.links {
                l.from_file = false; // pystac resolves every link here
            }
        }
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
    /// place, an existing one gets each file replaced atomically (neither is flushed to
    /// disk: see [`rsdat_storage::Durability::Renamed`]).
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
        let render = |i: usize, out: &mut String| {
            let n = nodes[i];
            let include_self = match self.catalog_type {
                CatalogType::AbsolutePublished => true,
                CatalogType::SelfContained => false,
                CatalogType::RelativePublished => n == root && self.kind(n).is_container(),
            };
            self.write_json(n, include_self, out)
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

    fn links_out(&self, n: NodeId, include_self: bool) -> Out<'_> {
        let links = &self.nodes[n.0].links;
        let mut out = Vec::with_capacity(links.len());
        for (i, l) in links.iter().enumerate() {
            let rel = l.link.rel.as_str();
            if rel == "self" && !include_self {
                continue;
            }
            let href = self.link_href(n, i);
            if rel == "root" && href.is_none() {
                continue;
            }
            let mut d = Obj::with_capacity(4);
            d.push("rel", Out::Str(rel));
            d.push("href", Out::Own(href.map_or(Value::Null, Value::String)));
            if let Some(t) = &l.link.r#type {
                d.push("type", Out::Str(t));
            }
            let title = match &l.link.title {
                Some(t) => Some(Out::Str(t)),
                None => l
                    .target
                    .filter(|t| self.kind(*t).is_container())
                    .and_then(|t| self.nodes[t.0].fields.map().get("title"))
                    .filter(|v| !v.is_null())
                    .map(Out::Ref),
            };
            if let Some(t) = title {
                d.push("title", t);
            }
            let plain = l.link.method.is_none()
                && l.link.headers.is_none()
                && l.link.body.is_none()
                && l.link.merge.is_none()
                && l.link.additional_fields.is_empty();
            if !plain {
                if let Ok(Value::Object(extra)) = serde_json::to_value(&l.link) {
                    for (k, v) in extra {
                        if !matches!(k.as_str(), "rel" | "href" | "type" | "title") {
                            d.insert(k, Out::Own(v));
                        }
                    }
                }
            }
            out.push(Out::Obj(d));
        }
        Out::Arr(out)
    }

    /// The node's JSON as pystac's `to_dict` builds it.
    pub(crate) fn to_value(&self, n: NodeId, include_self: bool) -> Result<Value> {
        self.nodes[n.0]
            .fields
            .with(|f| Ok(self.to_out(n, include_self, f)?.into_value()))
    }

    /// The node's JSON as pystac's `to_dict` builds it from its fields `f`, borrowing the
    /// tree's values.
    fn to_out<'a>(
        &'a self,
        n: NodeId,
        include_self: bool,
        f: &'a Map<String, Value>,
    ) -> Result<Out<'a>> {
        let node = &self.nodes[n.0];
        let links = self.links_out(n, include_self);
        let href = || self.self_href(n).unwrap_or(&node.id).to_owned();
        let mut d = Obj::with_capacity(f.len() + 4);
        let get = |k: &str| f.get(k).map_or(Out::Own(Value::Null), Out::Ref);
        match node.kind {
            Kind::Item => {
                d.push("type", Out::Str("Feature"));
                d.push(
                    "stac_version",
                    Out::Own(stac::STAC_VERSION.to_string().into()),
                );
                d.push(
                    "stac_extensions",
                    truthy(f.get("stac_extensions")).map_or(Out::Arr(Vec::new()), Out::Ref),
                );
                d.push("id", Out::Str(&node.id));
                let geometry = f.get("geometry");
                let has_geometry = truthy(geometry).is_some();
                d.push("geometry", geometry.map_or(Out::Own(Value::Null), Out::Ref));
                if has_geometry {
                    d.push(
                        "bbox",
                        f.get("bbox")
                            .filter(|v| !v.is_null())
                            .map_or(Out::Arr(Vec::new()), Out::Ref),
                    );
                }
                let mut props = Obj::default();
                let mut datetime = None;
                if let Some(Value::Object(p)) = f.get("properties") {
                    props = Obj::with_capacity(p.len() + 1);
                    for (k, v) in p {
                        props.push(k.as_str(), Out::Ref(v));
                    }
                    datetime = p.get("datetime");
                }
                let dt = match datetime {
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
                props.insert("datetime", Out::Own(dt));
                d.push("properties", Out::Obj(props));
                d.push("links", links);
                let mut assets = Obj::default();
                if let Some(Value::Object(a)) = f.get("assets") {
                    assets = Obj::with_capacity(a.len());
                    for (k, v) in a {
                        assets.push(k.as_str(), asset_out(v));
                    }
                }
                d.push("assets", Out::Obj(assets));
                if let Some(c) = truthy(f.get("collection")) {
                    d.push("collection", Out::Ref(c));
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
                        d.push(k.as_str(), Out::Ref(v));
                    }
                }
            }
            kind => {
                let collection = kind == Kind::Collection;
                d.push("type", Out::Str(kind.type_name()));
                d.push("id", Out::Str(&node.id));
                d.push(
                    "stac_version",
                    Out::Own(stac::STAC_VERSION.to_string().into()),
                );
                d.push("description", get("description"));
                d.push("links", links);
                if let Some(e) = truthy(f.get("stac_extensions")) {
                    d.push("stac_extensions", Out::Ref(e));
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
                        d.insert(k.as_str(), Out::Ref(v));
                    }
                }
                if let Some(t) = f.get("title").filter(|v| !v.is_null()) {
                    d.insert("title", Out::Ref(t));
                }
                if collection {
                    d.insert("extent", Out::Own(extent_value(f.get("extent"), &href())?));
                    d.insert("license", get("license"));
                    if let Some(k) = truthy(f.get("keywords")) {
                        d.insert("keywords", Out::Ref(k));
                    }
                    if let Some(Value::Array(p)) = truthy(f.get("providers")) {
                        d.insert(
                            "providers",
                            Out::Own(Value::Array(p.iter().map(provider_value).collect())),
                        );
                    }
                    if let Some(Value::Object(s)) = f.get("summaries") {
                        let s = summaries_value(s);
                        if !s.is_empty() {
                            d.insert("summaries", Out::Own(Value::Object(s)));
                        }
                    }
                    if let Some(Value::Object(a)) = truthy(f.get("assets")) {
                        let mut assets = Obj::with_capacity(a.len());
                        for (k, v) in a {
                            assets.insert(k.as_str(), asset_out(v));
                        }
                        d.insert("assets", Out::Obj(assets));
                    }
                }
            }
        }
        Ok(Out::Obj(d))
    }

    /// The object's text exactly as pystac saves it.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an item datetime that does not parse.
    pub fn to_json_string(&self, node: NodeId, include_self_link: bool) -> Result<String> {
        let mut out = String::new();
        self.write_json(node, include_self_link, &mut out)?;
        Ok(out)
    }

    /// Appends the object's text exactly as pystac saves it to `out`.
    fn write_json(&self, node: NodeId, include_self_link: bool, out: &mut String) -> Result<()> {
        self.nodes[node.0].fields.with(|f| {
            let value = self.to_out(node, include_self_link, f)?;
            out.reserve(4096);
            value.write(out, self.json_style);
            Ok(())
        })
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
fn asset_out(v: &Value) -> Out<'_> {
    let Value::Object(a) = v else {
        return Out::Ref(v);
    };
    let mut d = Obj::with_capacity(a.len());
    d.push(
        "href",
        a.get("href").map_or(Out::Own(Value::Null), Out::Ref),
    );
    for k in ["type", "title", "description"] {
        if let Some(x) = a.get(k).filter(|x| !x.is_null()) {
            d.push(k, Out::Ref(x));
        }
    }
    for (k, x) in a {
        if !matches!(
            k.as_str(),
            "href" | "type" | "title" | "description" | "roles"
        ) {
            d.push(k.as_str(), Out::Ref(x));
        }
    }
    if let Some(r) = a.get("roles").filter(|x| !x.is_null()) {
        d.push("roles", Out::Ref(r));
    }
    Out::Obj(d)
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

/// Catalog files are renamed into place without a flush to disk: a killed save leaves
/// the old catalog or the new one, as the Zarr writer's; but a power loss right after a
/// save may leave empty files. pystac does not flush either, and the flush (a `syncfs` of
/// the whole file system, or an `fsync` per file when replacing in place) would take
/// longer than writing a catalog of 10,000 items.
const DURABILITY: rsdat_storage::Durability = rsdat_storage::Durability::Renamed;

/// Writes file `i` of `paths` with the text `render(i, buffer)` appends to an empty buffer.
///
/// When the root's directory does not exist yet, everything goes into a staged directory
/// that is renamed into place in one step, so an interrupted save leaves no
/// catalog: plain files, no temporary file and rename per file. Its directories are made
/// level by level, each one (in parallel) together with the files it holds, whose texts
/// are rendered into a buffer per thread. Otherwise every text is rendered first and each
/// file replaced atomically (the directory may hold other files).
fn write_files(
    root_file: &Path,
    paths: &[PathBuf],
    render: impl Fn(usize, &mut String) -> Result<()> + Sync,
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
        let plan = StagePlan::new(&root_dir, paths);
        let write = |buf: &mut String, i: usize| {
            buf.clear();
            render(i, buf)?;
            let target = staged_path(&paths[i]);
            std::fs::write(&target, buf.as_bytes()).map_err(|e| io_error("write", &target, e))
        };
        plan.root_files
            .par_iter()
            .try_for_each_init(String::new, |buf, &i| write(buf, i))?;
        for level in &plan.levels {
            level
                .par_iter()
                .try_for_each_init(String::new, |buf, (dir, files)| {
                    let target = staged_path(dir);
                    std::fs::create_dir(&target).map_err(|e| io_error("create", &target, e))?;
                    files.iter().try_for_each(|&i| write(buf, i))
                })?;
        }
        return staged
            .commit_with(DURABILITY)
            .map_err(|e| werr(&root_dir, e));
    }
    // Nothing is replaced before every text is known to render.
    let texts: Vec<String> = (0..paths.len())
        .into_par_iter()
        .map(|i| {
            let mut text = String::new();
            render(i, &mut text).map(|()| text)
        })
        .collect::<Result<_>>()?;
    paths.par_iter().zip(&texts).try_for_each(|(p, text)| {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| io_error("create", d, e))?;
        }
        rsdat_storage::write_atomic_with(p, text.as_bytes(), DURABILITY).map_err(|e| werr(p, e))
    })
}

/// The directories a staged save creates under its root, grouped by depth (a level can be
/// made in parallel once the one above exists), each with the indices of the files it
/// holds; `root_files` are the files directly in the root.
struct StagePlan<'a> {
    root_files: Vec<usize>,
    levels: Vec<Vec<(&'a Path, Vec<usize>)>>,
}

impl<'a> StagePlan<'a> {
    fn new(root: &Path, paths: &'a [PathBuf]) -> Self {
        let mut dirs: Vec<(&'a Path, Vec<usize>)> = Vec::new();
        let mut index: std::collections::HashMap<&'a Path, usize> =
            std::collections::HashMap::with_capacity(paths.len());
        let mut root_files = Vec::new();
        for (i, p) in paths.iter().enumerate() {
            let Some(parent) = p.parent() else { continue };
            if parent == root {
                root_files.push(i);
                continue;
            }
            // The file's directory and the ones between it and the root.
            let mut d = Some(parent);
            let mut first = true;
            while let Some(dir) = d.filter(|dir| dir.starts_with(root) && *dir != root) {
                let (at, new) = match index.get(dir) {
                    Some(&at) => (at, false),
                    None => {
                        index.insert(dir, dirs.len());
                        dirs.push((dir, Vec::new()));
                        (dirs.len() - 1, true)
                    }
                };
                if std::mem::take(&mut first) {
                    dirs[at].1.push(i);
                }
                if !new {
                    break; // and so are its parents
                }
                d = dir.parent();
            }
        }
        let depth0 = root.components().count();
        let mut levels: Vec<Vec<(&'a Path, Vec<usize>)>> = Vec::new();
        for (d, files) in dirs {
            let depth = d.components().count() - depth0;
            if levels.len() < depth {
                levels.resize_with(depth, Vec::new);
            }
            levels[depth - 1].push((d, files));
        }
        Self { root_files, levels }
    }
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
