//! Translation of NetCDF metadata into rsdat's dataset model.

use hdf5_reader::messages::HdfMessage;
use hdf5_reader::Hdf5File;
use netcdf_reader::{NcAttrValue, NcAttribute, NcFile, NcType, NcVariable};
use rsdat_model::{AttrValue, Attributes, Crs, DType, Dataset, Dimension, GeoTransform, Variable};

/// The element type rsdat uses for a NetCDF type, or `None` for user-defined types.
pub(crate) fn dtype_of(t: &NcType) -> Option<DType> {
    Some(match t {
        NcType::Byte => DType::I8,
        NcType::UByte => DType::U8,
        NcType::Short => DType::I16,
        NcType::UShort => DType::U16,
        NcType::Int => DType::I32,
        NcType::UInt => DType::U32,
        NcType::Int64 => DType::I64,
        NcType::UInt64 => DType::U64,
        NcType::Float => DType::F32,
        NcType::Double => DType::F64,
        NcType::Char | NcType::String => DType::Text,
        _ => return None,
    })
}

fn attr_value(v: &NcAttrValue) -> Option<AttrValue> {
    let ints = |it: Vec<i64>| Some(AttrValue::Int(it));
    match v {
        NcAttrValue::Chars(s) => Some(AttrValue::Text(s.trim_end_matches('\0').to_owned())),
        NcAttrValue::Strings(s) => Some(AttrValue::Text(s.join("\n"))),
        NcAttrValue::Bytes(x) => ints(x.iter().map(|&i| i64::from(i)).collect()),
        NcAttrValue::UBytes(x) => ints(x.iter().map(|&i| i64::from(i)).collect()),
        NcAttrValue::Shorts(x) => ints(x.iter().map(|&i| i64::from(i)).collect()),
        NcAttrValue::UShorts(x) => ints(x.iter().map(|&i| i64::from(i)).collect()),
        NcAttrValue::Ints(x) => ints(x.iter().map(|&i| i64::from(i)).collect()),
        NcAttrValue::UInts(x) => ints(x.iter().map(|&i| i64::from(i)).collect()),
        NcAttrValue::Int64s(x) => ints(x.clone()),
        NcAttrValue::UInt64s(x) => ints(
            x.iter()
                .map(|&i| i64::try_from(i).unwrap_or(i64::MAX))
                .collect(),
        ),
        NcAttrValue::Floats(x) => Some(AttrValue::Float(x.iter().map(|&f| f64::from(f)).collect())),
        NcAttrValue::Doubles(x) => Some(AttrValue::Float(x.clone())),
        NcAttrValue::UserDefined { .. } => None,
    }
}

pub(crate) fn attributes(list: &[NcAttribute]) -> Attributes {
    list.iter()
        .filter_map(|a| attr_value(&a.value).map(|v| (a.name.clone(), v)))
        .collect()
}

/// Storage chunking and a compression summary (`shuffle+deflate(4)`) of an HDF5 dataset.
fn storage_layout(h5: &Hdf5File, name: &str) -> (Option<Vec<usize>>, Option<String>) {
    let Ok(ds) = h5.dataset(name) else {
        return (None, None);
    };
    let chunks = ds.chunks().map(|c| c.iter().map(|&n| n as usize).collect());
    let filters = h5
        .get_or_parse_header(ds.address())
        .ok()
        .and_then(|header| {
            header.messages.iter().find_map(|m| match m {
                HdfMessage::FilterPipeline(p) => Some(
                    p.filters
                        .iter()
                        .map(|f| match f.id {
                            1 => {
                                format!("deflate({})", f.client_data.first().copied().unwrap_or(0))
                            }
                            2 => "shuffle".to_owned(),
                            3 => "fletcher32".to_owned(),
                            4 => "szip".to_owned(),
                            5 => "nbit".to_owned(),
                            6 => "scaleoffset".to_owned(),
                            32001 => "blosc".to_owned(),
                            32004 => "lz4".to_owned(),
                            32015 => "zstd".to_owned(),
                            other => format!("filter {other}"),
                        })
                        .collect::<Vec<_>>()
                        .join("+"),
                ),
                _ => None,
            })
        });
    (chunks, filters.filter(|f| !f.is_empty()))
}

fn variable(v: &NcVariable, h5: Option<&Hdf5File>, prefix: &str) -> Option<Variable> {
    let dtype = dtype_of(v.dtype())?;
    let dims = v
        .dimensions()
        .iter()
        .map(|d| (d.name.clone(), d.size as usize))
        .collect();
    let mut var = Variable::new(v.name(), dtype, dims);
    var.attrs = attributes(v.attributes());
    if let Some(h5) = h5 {
        (var.chunks, var.compression) = storage_layout(h5, &format!("{prefix}{}", v.name()));
    }
    Some(var)
}

/// Paths of every sub-group of `file` (`a`, `a/b`, ...), depth first.
pub(crate) fn group_paths(file: &NcFile) -> Vec<String> {
    fn walk(g: &netcdf_reader::NcGroup, prefix: &str, out: &mut Vec<String>) {
        for child in &g.groups {
            let path = format!("{prefix}{}", child.name);
            out.push(path.clone());
            walk(child, &format!("{path}/"), out);
        }
    }
    let mut out = Vec::new();
    if let Ok(root) = file.root_group() {
        walk(root, "", &mut out);
    }
    out
}

/// Builds the dataset model of the group of `file` whose variables' paths start with
/// `prefix` (`""`: the root group, `"a/b/"`: group `a/b`). Dimensions of the group's
/// variables that are defined in a parent group are included. Coordinate vectors `x`/`y`
/// are read to derive the affine transform of regular grids.
pub(crate) fn dataset(
    file: &NcFile,
    h5: Option<&Hdf5File>,
    prefix: &str,
) -> netcdf_reader::Result<Dataset> {
    let group = file.group(prefix.trim_end_matches('/'))?;
    let mut dims: Vec<Dimension> = group
        .dimensions
        .iter()
        .map(|d| Dimension::new(d.name.clone(), d.size as usize))
        .collect();
    for d in group.variables.iter().flat_map(|v| v.dimensions()) {
        if !dims.iter().any(|x| x.name == d.name) {
            dims.push(Dimension::new(d.name.clone(), d.size as usize));
        }
    }
    let mut ds = Dataset {
        dims,
        variables: group
            .variables
            .iter()
            .filter_map(|v| variable(v, h5, prefix))
            .collect(),
        attrs: attributes(&group.attributes),
        crs: None,
        transform: None,
    };
    ds.crs = ds
        .variables
        .iter()
        .find_map(|v| v.attrs.get_str("grid_mapping"))
        .map(|gm| {
            gm.split_whitespace()
                .next()
                .unwrap_or(gm)
                .trim_end_matches(':')
                .to_owned()
        })
        .and_then(|gm| ds.variable(&gm).ok().map(|g| Crs::from_cf(&gm, &g.attrs)));
    let axis = |names: &[&str]| -> Option<Vec<f64>> {
        let name = names.iter().find(|n| {
            ds.variable(n)
                .is_ok_and(|v| Dataset::is_coordinate(v) && v.len() >= 2)
        })?;
        Some(
            file.read_variable_as_f64(&format!("{prefix}{name}"))
                .ok()?
                .iter()
                .copied()
                .collect(),
        )
    };
    if let (Some(x), Some(y)) = (
        axis(&["x", "lon", "longitude"]),
        axis(&["y", "lat", "latitude"]),
    ) {
        ds.transform = GeoTransform::from_centres(&x, &y);
    }
    Ok(ds)
}
