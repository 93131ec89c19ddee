//! Layout templates (`${year}/${month}`, `${property}`) and sub-catalogs made from them, as
//! pystac's `LayoutTemplate` and `Catalog.generate_subcatalogs`.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::json::python_float_repr;
use crate::tree::{Kind, NodeId, TreeLink};
use crate::{datetime, Catalog, Error, Result};

/// A parsed template: its text and its variables (Python `string.Formatter` fields).
#[derive(Debug, Clone)]
pub(crate) struct LayoutTemplate {
    template: String,
    vars: Vec<String>,
    defaults: Map<String, Value>,
}

impl LayoutTemplate {
    pub(crate) fn parse(template: &str, defaults: Map<String, Value>) -> Result<Self> {
        let bad = |reason: &str| Error::Template {
            template: template.to_owned(),
            reason: reason.to_owned(),
        };
        if template.is_empty() {
            return Err(bad(
                "the template is empty; use e.g. `${year}` or `${property}`",
            ));
        }
        let chars: Vec<char> = template.chars().collect();
        let mut vars = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '{' if chars.get(i + 1) == Some(&'{') => i += 2,
                '}' if chars.get(i + 1) == Some(&'}') => i += 2,
                '}' => return Err(bad("single `}` encountered; write variables as `${name}`")),
                '{' => {
                    let mut depth = 1;
                    let mut j = i + 1;
                    while j < chars.len() {
                        match chars[j] {
                            '{' => depth += 1,
                            '}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    if j >= chars.len() {
                        return Err(bad("expected `}` before the end of the template; write variables as `${name}`"));
                    }
                    let field: String = chars[i + 1..j].iter().collect();
                    let (name, spec) = split_field(&field).map_err(|r| bad(&r))?;
                    if name.is_empty() {
                        return Err(bad("empty variable `${}`; name a property, e.g. `${year}`"));
                    }
                    vars.push(if spec.is_empty() {
                        name
                    } else {
                        format!("{name}:{spec}")
                    });
                    i = j + 1;
                }
                _ => i += 1,
            }
        }
        Ok(Self {
            template: template.to_owned(),
            vars,
            defaults,
        })
    }

    /// The template with each `${var}` replaced by the item's value.
    pub(crate) fn substitute(&self, tree: &Catalog, item: NodeId) -> Result<String> {
        // Fields kept as text are parsed for this item only, not kept.
        tree.nodes[item.0]
            .fields
            .with(|fields| self.substitute_in(tree, item, fields))
    }

    fn substitute_in(
        &self,
        tree: &Catalog,
        item: NodeId,
        fields: &Map<String, Value>,
    ) -> Result<String> {
        let mut s = self.template.clone();
        for var in &self.vars {
            let value = match self.value(tree, item, fields, var) {
                Ok(v) => v,
                Err(e) => match self.defaults.get(var) {
                    Some(d) => py_str(d),
                    None => return Err(e),
                },
            };
            s = s.replace(&format!("${{{var}}}"), &value);
        }
        Ok(s)
    }

    fn value(
        &self,
        tree: &Catalog,
        item: NodeId,
        fields: &Map<String, Value>,
        var: &str,
    ) -> Result<String> {
        let err = |reason: String| Error::Template {
            template: self.template.clone(),
            reason,
        };
        let what = format!(
            "item `{}`{}",
            tree.id(item),
            tree.self_href(item)
                .map(|h| format!(" (`{h}`)"))
                .unwrap_or_default()
        );
        let props = fields.get("properties").and_then(Value::as_object);
        if matches!(var, "date" | "year" | "month" | "day" | "collection") {
            if tree.kind(item) != Kind::Item {
                return Err(err(format!("`{var}` can only template items")));
            }
            if var == "collection" {
                return match fields.get("collection") {
                    Some(Value::String(c)) if !c.is_empty() => Ok(c.clone()),
                    _ => Err(err(format!("{what} has no collection id; cannot template `{var}`; give one with --default collection=ID"))),
                };
            }
            let dt = ["datetime", "start_datetime"]
                .iter()
                .find_map(|k| props.and_then(|p| p.get(*k)).and_then(Value::as_str))
                .and_then(datetime::parse)
                .ok_or_else(|| {
                    err(format!(
                        "{what} has no datetime or start_datetime; cannot template `{var}`"
                    ))
                })?;
            use chrono::Datelike;
            return Ok(match var {
                "year" => dt.year().to_string(),
                "month" => dt.month().to_string(),
                "day" => dt.day().to_string(),
                _ => dt.date_naive().to_string(),
            });
        }
        let parts: Vec<&str> = var.split('.').collect();
        let missing = || {
            err(format!(
                "{what} has no property `{var}`; give a default with --default {var}=VALUE"
            ))
        };
        let first = parts[0];
        let mut v: Value = match first {
            "id" => Value::String(tree.id(item).to_owned()),
            "collection_id" => fields.get("collection").cloned().unwrap_or(Value::Null),
            "properties" => props.map(|p| Value::Object(p.clone())).unwrap_or_default(),
            "geometry" | "bbox" | "assets" | "stac_extensions" => {
                fields.get(first).cloned().unwrap_or(Value::Null)
            }
            "datetime" => match props
                .and_then(|p| p.get("datetime"))
                .and_then(Value::as_str)
                .and_then(datetime::parse)
            {
                Some(dt) => Value::String(
                    datetime::to_pystac_string(&dt)
                        .replacen('T', " ", 1)
                        .replace('Z', "+00:00"),
                ),
                None => Value::Null,
            },
            _ => match props.and_then(|p| p.get(first)) {
                Some(x) => x.clone(),
                None => fields
                    .get(first)
                    .filter(|_| !is_item_field(first))
                    .cloned()
                    .ok_or_else(missing)?,
            },
        };
        for p in &parts[1..] {
            v = v.get(*p).cloned().ok_or_else(missing)?;
        }
        Ok(py_str(&v))
    }
}

fn is_item_field(k: &str) -> bool {
    matches!(k, "type" | "stac_version" | "links")
}

/// Splits a format field into name and spec (`name!r:spec`), as `string.Formatter.parse`.
fn split_field(field: &str) -> std::result::Result<(String, String), String> {
    let end = field.find(['!', ':']).unwrap_or(field.len());
    let name = field[..end].to_owned();
    let rest = &field[end..];
    if let Some(conv) = rest.strip_prefix('!') {
        let mut cs = conv.chars();
        if cs.next().is_none() {
            return Err("end of string while looking for a conversion specifier".into());
        }
        let after: String = cs.collect();
        if after.is_empty() {
            return Ok((name, String::new()));
        }
        return match after.strip_prefix(':') {
            Some(spec) => Ok((name, spec.to_owned())),
            None => Err("expected `:` after a conversion specifier".into()),
        };
    }
    Ok((name, rest.strip_prefix(':').unwrap_or("").to_owned()))
}

/// Python's `str()` of a JSON value (`f"{value}"` in pystac).
fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => python_float_repr(f)
                .replace("Infinity", "inf")
                .replace("NaN", "nan"),
            _ => n.to_string(),
        },
        Value::String(s) => {
            if s.contains('\'') && !s.contains('"') {
                format!("\"{s}\"")
            } else {
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
            }
        }
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", py_repr(&Value::String(k.clone())), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Catalog {
    /// Moves items into sub-catalogs named by `template` (pystac's `generate_subcatalogs`):
    /// `${year}`, `${month}`, `${day}`, `${date}`, `${collection}`, or any item property
    /// (`${region}`, `${proj:code}`, dotted paths into objects); `/` separates levels.
    /// `defaults` gives values for variables an item lacks. Returns the new catalogs.
    ///
    /// # Errors
    /// [`Error::Template`] for a template that does not parse, or an item without a value
    /// for one of its variables (and no default).
    pub fn generate_subcatalogs(
        &mut self,
        template: &str,
        defaults: &Map<String, Value>,
    ) -> Result<Vec<NodeId>> {
        let t = LayoutTemplate::parse(template, defaults.clone())?;
        let mut out = Vec::new();
        let mut index = ChildIndex::default();
        self.subcatalogs_of(self.root(), &t, Vec::new(), &mut out, &mut index)?;
        Ok(out)
    }

    fn subcatalogs_of(
        &mut self,
        cat: NodeId,
        t: &LayoutTemplate,
        mut parent_ids: Vec<String>,
        out: &mut Vec<NodeId>,
        index: &mut ChildIndex,
    ) -> Result<()> {
        parent_ids.push(self.id(cat).to_owned());
        for child in self.children(cat) {
            self.subcatalogs_of(child, t, parent_ids.clone(), out, index)?;
        }
        let item_links: Vec<(usize, NodeId)> = self.nodes[cat.0]
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.link.rel == "item")
            .filter_map(|(i, l)| l.target.map(|t| (i, t)))
            .collect();
        let mut keep = vec![false; self.nodes[cat.0].links.len()];
        for (li, item) in item_links {
            let path = t.substitute(self, item)?;
            let ids: Vec<&str> = path.split('/').collect();
            let matches = ids.len() <= parent_ids.len()
                && ids
                    .iter()
                    .rev()
                    .zip(parent_ids.iter().rev())
                    .all(|(a, b)| a == b);
            if matches {
                keep[li] = true;
                continue;
            }
            let mut curr = cat;
            for sub_id in ids {
                curr = match index.get(self, curr, sub_id) {
                    Some(c) => c,
                    None => {
                        let desc =
                            format!("Catalog of items from {} with id {sub_id}", self.id(curr));
                        let mut fields = Map::new();
                        fields.insert("type".into(), "Catalog".into());
                        fields.insert("id".into(), sub_id.into());
                        fields.insert("description".into(), desc.into());
                        let sub = self.new_node(Kind::Catalog, fields);
                        self.attach(curr, sub, "child");
                        index.insert(curr, sub_id, sub);
                        out.push(sub);
                        sub
                    }
                };
            }
            self.detach_collection_link(item);
            self.attach(curr, item, "item");
        }
        let links = std::mem::take(&mut self.nodes[cat.0].links);
        let mut rest: Vec<TreeLink> = Vec::with_capacity(links.len());
        let mut kept: Vec<TreeLink> = Vec::new();
        for (i, l) in links.into_iter().enumerate() {
            if l.link.rel != "item" {
                rest.push(l);
            } else if keep.get(i).copied().unwrap_or(false) {
                kept.push(l);
            }
        }
        rest.extend(kept);
        self.nodes[cat.0].set_links(rest);
        Ok(())
    }
}

impl Catalog {
    /// pystac resolves a moved item's unresolved collection link by reading the file it
    /// names again, not through the tree: the link then keeps naming that file (with the
    /// collection's title) wherever the collection is saved later.
    fn detach_collection_link(&mut self, item: NodeId) {
        let Some(i) = self.nodes[item.0]
            .links
            .iter()
            .position(|l| l.link.rel == "collection" && l.from_file)
        else {
            return;
        };
        let Some(target) = self.nodes[item.0].links[i].target else {
            return;
        };
        let href = self.self_href(target).map(str::to_owned);
        let title = self.nodes[target.0]
            .fields
            .map()
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let Some(href) = href else { return };
        let l = &mut self.nodes[item.0].links[i];
        l.link.href = href;
        l.target = None;
        l.from_file = false;
        if l.link.title.is_none() {
            l.link.title = title;
        }
    }
}

/// Children by id, per catalog, built on first use (keeps sub-catalog lookups O(1)).
#[derive(Default)]
struct ChildIndex(HashMap<NodeId, HashMap<String, NodeId>>);

impl ChildIndex {
    fn get(&mut self, tree: &Catalog, parent: NodeId, id: &str) -> Option<NodeId> {
        self.0
            .entry(parent)
            .or_insert_with(|| {
                let mut m = HashMap::new();
                for c in tree.children(parent) {
                    m.entry(tree.id(c).to_owned()).or_insert(c);
                }
                m
            })
            .get(id)
            .copied()
    }

    fn insert(&mut self, parent: NodeId, id: &str, child: NodeId) {
        if let Some(m) = self.0.get_mut(&parent) {
            m.entry(id.to_owned()).or_insert(child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_python_formatter() {
        let t = LayoutTemplate::parse("${year}/${landsat:path}/x", Map::new()).expect("parses");
        assert_eq!(t.vars, ["year", "landsat:path"]);
        for bad in ["${year", "year}", "", "${}"] {
            let e = LayoutTemplate::parse(bad, Map::new()).expect_err(bad);
            assert!(e.to_string().contains(&format!("`{bad}`")), "{e}");
        }
    }

    #[test]
    fn python_str() {
        assert_eq!(py_str(&serde_json::json!(1.5)), "1.5");
        assert_eq!(
            py_str(&serde_json::json!(["a", 1, null, true])),
            "['a', 1, None, True]"
        );
    }
}
