//! Reading a dataset-shaped group of a Zarr store through [`rsdat_model::Source`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::ArrayD;
use rsdat_model::{
    check_window, Crs, DType, Dataset, Dimension, GeoTransform, Source, Values, Variable,
};
use zarrs::array::CodecOptions;
use zarrs::array::{Array, ElementOwned};
use zarrs::filesystem::FilesystemStore;

use crate::consolidated::{collect_nodes, ZMETADATA};
use crate::crs::{crs_from_attrs, transform_from_attrs};
use crate::fsutil::read_doc;
use crate::json::Json;
use crate::metadata::{parse_array, ArrayInfo};
use crate::store::{detect_format, node_segments};
use crate::{attrs, Error, Result, ZarrFormat};

/// One group of a Zarr store (v2 or v3) as a dataset: the reader `rsdat info` and the
/// round-trip tests use.
///
/// Dimensions come from `dimension_names` (v3) or `_ARRAY_DIMENSIONS` (v2); the fill value
/// is exposed as the `_FillValue` attribute the way xarray decodes it; the CRS comes from the
/// variable named by the data variables' `grid_mapping` attribute, the transform from the
/// `x`/`y` coordinates (or rioxarray's `GeoTransform`). Consolidated metadata is used when
/// present. Arrays of element types rsdat does not model (bool, bytes, datetime64, ...) are
/// left out and listed by [`ZarrSource::skipped`].
#[derive(Debug)]
pub struct ZarrSource {
    location: String,
    format: ZarrFormat,
    group: String,
    dataset: Dataset,
    arrays: HashMap<String, OpenArray>,
    skipped: Vec<String>,
}

#[derive(Debug)]
struct OpenArray {
    array: Array<FilesystemStore>,
    fixed_utf32: bool,
}

impl ZarrSource {
    /// Opens `group` (`None` or `""` for the root) of the store at `path`.
    ///
    /// # Errors
    /// [`Error::NotAStore`] when `path` holds no Zarr store, [`Error::MissingGroup`] naming
    /// the groups that exist, [`Error::Metadata`] for malformed or inconsistent metadata,
    /// [`Error::Io`].
    pub fn open(path: impl AsRef<Path>, group: Option<&str>) -> Result<Self> {
        let root = path.as_ref().to_owned();
        let format = detect_format(&root).ok_or_else(|| Error::NotAStore { path: root.clone() })?;
        let group = node_segments(group.unwrap_or_default(), &root)?.join("/");
        let nodes = node_docs(&root, &group, format)?;
        let group_attrs = group_attributes(&root, &group, format, &nodes)?.ok_or_else(|| {
            Error::MissingGroup {
                path: root.clone(),
                group: group.clone(),
                found: group_names(&nodes, format).join(", "),
            }
        })?;
        let store = Arc::new(FilesystemStore::new(&root).map_err(|e| Error::Zarr {
            path: root.clone(),
            array: String::new(),
            source: Box::new(e),
        })?);
        let location = if group.is_empty() {
            root.display().to_string()
        } else {
            root.join(&group).display().to_string()
        };
        let mut dataset = Dataset {
            attrs: attrs::from_json(&group_attrs),
            ..Dataset::default()
        };
        let mut arrays = HashMap::new();
        let mut skipped = Vec::new();
        for (name, info) in child_arrays(&root, &group, format, &nodes)? {
            let dtype = match info.dtype {
                Ok(d) => d,
                Err(type_name) => {
                    tracing::warn!(array = %name, data_type = %type_name, "skipping array of unsupported type");
                    skipped.push(name);
                    continue;
                }
            };
            let node = if group.is_empty() {
                format!("/{name}")
            } else {
                format!("/{group}/{name}")
            };
            let array =
                Array::new_with_metadata(Arc::clone(&store), &node, info.zarrs).map_err(|e| {
                    Error::Zarr {
                        path: root.clone(),
                        array: node.trim_start_matches('/').to_owned(),
                        source: Box::new(e),
                    }
                })?;
            let dims = info
                .dims
                .unwrap_or_else(|| (0..info.shape.len()).map(|i| format!("dim_{i}")).collect());
            if dims.len() != info.shape.len() {
                return Err(Error::Metadata {
                    path: root.join(node.trim_start_matches('/')),
                    reason: format!(
                        "{} dimension names for {} dimensions",
                        dims.len(),
                        info.shape.len()
                    ),
                });
            }
            for (d, &n) in dims.iter().zip(&info.shape) {
                match dataset.dim_len(d) {
                    None => dataset.dims.push(Dimension::new(d.clone(), n)),
                    Some(m) if m == n => {}
                    Some(m) => {
                        return Err(Error::Metadata {
                            path: root.join(node.trim_start_matches('/')),
                            reason: format!(
                                "dimension `{d}` has length {n} here but {m} in another array"
                            ),
                        })
                    }
                }
            }
            let mut var = Variable::new(
                name.clone(),
                dtype,
                dims.into_iter().zip(info.shape.iter().copied()).collect(),
            );
            var.chunks = Some(info.chunks);
            var.compression = info.compression;
            var.attrs = info.attrs;
            dataset.variables.push(var);
            arrays.insert(
                name,
                OpenArray {
                    array,
                    fixed_utf32: info.fixed_utf32,
                },
            );
        }
        let mut source = Self {
            location,
            format,
            group,
            dataset,
            arrays,
            skipped,
        };
        source.dataset.crs = source.find_crs();
        source.dataset.transform = source.find_transform();
        Ok(source)
    }

    /// The store's format.
    #[must_use]
    pub fn format(&self) -> ZarrFormat {
        self.format
    }

    /// The group read (`""` for the root).
    #[must_use]
    pub fn group(&self) -> &str {
        &self.group
    }

    /// Arrays left out because rsdat does not model their element type.
    #[must_use]
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    fn find_crs(&self) -> Option<Crs> {
        self.dataset.variables.iter().find_map(|v| {
            let name = v.attrs.get_str("grid_mapping")?;
            // CF also allows "name: coord coord ..."; the first name is the mapping.
            let name = name.split([':', ' ']).next()?.trim();
            let gm = self.dataset.variables.iter().find(|g| g.name == name)?;
            Some(crs_from_attrs(&gm.name, &gm.attrs))
        })
    }

    fn find_transform(&self) -> Option<GeoTransform> {
        let coord = |name: &str| -> Option<Vec<f64>> {
            let v = self.dataset.variable(name).ok()?;
            if v.dims.len() != 1 || v.dtype == DType::Text {
                return None;
            }
            let values = self.read(name, &[0], &v.shape).ok()?;
            Some(values.to_f64().iter().copied().collect())
        };
        if let (Some(x), Some(y)) = (coord("x"), coord("y")) {
            if let Some(t) = GeoTransform::from_centres(&x, &y) {
                return Some(t);
            }
        }
        let gm = self.dataset.crs.as_ref()?.grid_mapping.as_deref()?;
        transform_from_attrs(&self.dataset.variable(gm).ok()?.attrs)
    }

    fn open_array(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
    ) -> rsdat_model::Result<(&OpenArray, Vec<std::ops::Range<u64>>)> {
        check_window(&self.dataset, &self.location, var, start, count)?;
        let open = self
            .arrays
            .get(var)
            .ok_or_else(|| rsdat_model::Error::UnknownVariable {
                location: self.location.clone(),
                var: var.to_owned(),
                found: self.dataset.variable_names().join(", "),
            })?;
        let ranges = start
            .iter()
            .zip(count)
            .map(|(&s, &c)| s as u64..(s + c) as u64)
            .collect();
        Ok((open, ranges))
    }

    fn retrieve<T: ElementOwned>(
        &self,
        var: &str,
        open: &OpenArray,
        ranges: Vec<std::ops::Range<u64>>,
    ) -> rsdat_model::Result<ArrayD<T>> {
        open.array
            .retrieve_array_subset_opt::<ArrayD<T>>(&ranges, &CodecOptions::default())
            .map_err(|e| rsdat_model::Error::Read {
                location: self.location.clone(),
                var: var.to_owned(),
                source: Box::new(e),
            })
    }
}

impl Source for ZarrSource {
    fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    fn location(&self) -> &str {
        &self.location
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> rsdat_model::Result<Values> {
        let (open, ranges) = self.open_array(var, start, count)?;
        let dtype = self.dataset.variable(var)?.dtype;
        Ok(match dtype {
            DType::I8 => Values::I8(self.retrieve(var, open, ranges)?),
            DType::U8 => Values::U8(self.retrieve(var, open, ranges)?),
            DType::I16 => Values::I16(self.retrieve(var, open, ranges)?),
            DType::U16 => Values::U16(self.retrieve(var, open, ranges)?),
            DType::I32 => Values::I32(self.retrieve(var, open, ranges)?),
            DType::U32 => Values::U32(self.retrieve(var, open, ranges)?),
            DType::I64 => Values::I64(self.retrieve(var, open, ranges)?),
            DType::U64 => Values::U64(self.retrieve(var, open, ranges)?),
            DType::F32 => Values::F32(self.retrieve(var, open, ranges)?),
            DType::F64 => Values::F64(self.retrieve(var, open, ranges)?),
            _ => {
                return Err(rsdat_model::Error::Invalid(format!(
                    "`{var}` in `{}` holds text: read it with read_text",
                    self.location
                )))
            }
        })
    }

    fn read_text(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
    ) -> rsdat_model::Result<ArrayD<String>> {
        let (open, ranges) = self.open_array(var, start, count)?;
        if self.dataset.variable(var)?.dtype != DType::Text {
            return Err(rsdat_model::Error::Invalid(format!(
                "`{var}` in `{}` holds numbers: read it with read",
                self.location
            )));
        }
        if open.fixed_utf32 {
            let chars: ArrayD<Vec<char>> = self.retrieve(var, open, ranges)?;
            Ok(chars.mapv(|c| c.into_iter().collect()))
        } else {
            self.retrieve(var, open, ranges)
        }
    }
}

/// The metadata documents of `group` and everything below it, from the consolidated
/// metadata when the store has it, else from the files.
fn node_docs(root: &Path, group: &str, format: ZarrFormat) -> Result<BTreeMap<String, Json>> {
    let consolidated = match format {
        ZarrFormat::V3 => read_doc(&root.join("zarr.json"))?
            .and_then(|d| d.get("consolidated_metadata")?.get("metadata").cloned()),
        ZarrFormat::V2 => read_doc(&root.join(ZMETADATA))?.and_then(|d| d.get("metadata").cloned()),
    };
    if let Some(Json::Obj(pairs)) = consolidated {
        return Ok(pairs.into_iter().collect());
    }
    let dir = group
        .split('/')
        .filter(|s| !s.is_empty())
        .fold(root.to_owned(), |p, s| p.join(s));
    if !dir.is_dir() {
        // Let the caller report the missing group with the groups that exist.
        return collect_nodes(root, "", format);
    }
    collect_nodes(&dir, group, format)
}

/// The attributes of `group`, or `None` when it is not a group.
fn group_attributes(
    root: &Path,
    group: &str,
    format: ZarrFormat,
    nodes: &BTreeMap<String, Json>,
) -> Result<Option<Json>> {
    let empty = || Json::obj::<&str>([]);
    let key = |name: &str| {
        if group.is_empty() {
            name.to_owned()
        } else {
            format!("{group}/{name}")
        }
    };
    match format {
        ZarrFormat::V3 => {
            let doc = if group.is_empty() {
                read_doc(&root.join("zarr.json"))?
            } else {
                nodes.get(group).cloned()
            };
            Ok(doc
                .filter(|d| d.get("node_type").and_then(Json::as_str) == Some("group"))
                .map(|d| d.get("attributes").cloned().unwrap_or_else(empty)))
        }
        ZarrFormat::V2 => {
            let is_group = if group.is_empty() {
                root.join(".zgroup").is_file()
            } else {
                nodes.contains_key(&key(".zgroup"))
            };
            if !is_group {
                return Ok(None);
            }
            let attrs = if group.is_empty() {
                match nodes.get(".zattrs") {
                    Some(a) => Some(a.clone()),
                    None => read_doc(&root.join(".zattrs"))?,
                }
            } else {
                nodes.get(&key(".zattrs")).cloned()
            };
            Ok(Some(attrs.unwrap_or_else(empty)))
        }
    }
}

/// The names of every group in `nodes`.
fn group_names(nodes: &BTreeMap<String, Json>, format: ZarrFormat) -> Vec<String> {
    let mut names: Vec<String> = match format {
        ZarrFormat::V3 => nodes
            .iter()
            .filter(|(_, d)| d.get("node_type").and_then(Json::as_str) == Some("group"))
            .map(|(k, _)| k.clone())
            .collect(),
        ZarrFormat::V2 => nodes
            .keys()
            .filter_map(|k| k.strip_suffix("/.zgroup").map(str::to_owned))
            .collect(),
    };
    names.sort();
    if names.is_empty() {
        names.push("(no groups)".into());
    }
    names
}

/// The arrays directly in `group`, parsed, in name order.
fn child_arrays(
    root: &Path,
    group: &str,
    format: ZarrFormat,
    nodes: &BTreeMap<String, Json>,
) -> Result<Vec<(String, ArrayInfo)>> {
    let prefix = if group.is_empty() {
        String::new()
    } else {
        format!("{group}/")
    };
    let mut out = Vec::new();
    for (key, doc) in nodes {
        let Some(rest) = key.strip_prefix(&prefix) else {
            continue;
        };
        let (name, info) = match format {
            ZarrFormat::V3 => {
                if rest.contains('/')
                    || rest.is_empty()
                    || doc.get("node_type").and_then(Json::as_str) != Some("array")
                {
                    continue;
                }
                let path = root.join(key).join("zarr.json");
                (rest.to_owned(), parse_array(format, doc, None, &path)?)
            }
            ZarrFormat::V2 => {
                let Some(name) = rest.strip_suffix("/.zarray") else {
                    continue;
                };
                if name.contains('/') {
                    continue;
                }
                let path: PathBuf = root.join(key);
                let attrs = nodes.get(&format!("{prefix}{name}/.zattrs"));
                (name.to_owned(), parse_array(format, doc, attrs, &path)?)
            }
        };
        out.push((name, info));
    }
    Ok(out)
}

/// The groups of the store at `path` (nested ones as `a/b`), sorted; the root is not listed.
///
/// # Errors
/// [`Error::NotAStore`], [`Error::Io`], [`Error::Metadata`].
pub fn list_groups(path: impl AsRef<Path>) -> Result<Vec<String>> {
    let root = path.as_ref();
    let format = detect_format(root).ok_or_else(|| Error::NotAStore {
        path: root.to_owned(),
    })?;
    let nodes = node_docs(root, "", format)?;
    let mut names = group_names(&nodes, format);
    names.retain(|n| n != "(no groups)");
    Ok(names)
}
