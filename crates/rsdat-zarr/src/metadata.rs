//! Zarr metadata documents as xarray + zarr-python 3 write them, and their parsing.
//!
//! Writing builds exactly the documents `xarray.Dataset.to_zarr` produces (member order
//! included): `zarr.json` for v3 with `dimension_names`; `.zarray` + `.zattrs` with
//! `_ARRAY_DIMENSIONS` for v2. Strings are stored as zarr-python stores `object` strings:
//! v3 `string` + `vlen-utf8`, v2 `|O` with the `vlen-utf8` filter.

use std::path::Path;

use rsdat_model::{AttrValue, Attributes, DType};
use zarrs::array::{ArrayMetadata, ArrayMetadataV2, ArrayMetadataV3};

use crate::fill::{self, FillSpec};
use crate::json::Json;
use crate::{attrs, Compression, Error, Result, ZarrFormat};

/// The attribute that names an array's dimensions in Zarr v2 (xarray's convention).
pub(crate) const ARRAY_DIMENSIONS: &str = "_ARRAY_DIMENSIONS";

/// What an array is made of, before it is written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArraySpec<'a> {
    pub(crate) name: &'a str,
    pub(crate) dims: &'a [String],
    pub(crate) shape: &'a [usize],
    pub(crate) chunks: &'a [usize],
    pub(crate) dtype: DType,
    /// Attributes, `_FillValue` included (it is moved where xarray expects it).
    pub(crate) attrs: &'a Attributes,
    pub(crate) compression: Compression,
}

/// The documents of one array and the metadata zarrs opens it with.
#[derive(Debug, Clone)]
pub(crate) struct ArrayDocs {
    /// `(file name, document)` pairs to write in the array's directory.
    pub(crate) files: Vec<(&'static str, Json)>,
    /// The same metadata, typed for zarrs.
    pub(crate) zarrs: ArrayMetadata,
    /// The fill value as written.
    pub(crate) fill: FillSpec,
}

/// The documents of a group with attributes `attrs`.
pub(crate) fn group_docs(format: ZarrFormat, attrs: &Attributes) -> Vec<(&'static str, Json)> {
    match format {
        ZarrFormat::V2 => vec![
            (".zgroup", Json::obj([("zarr_format", Json::uint(2))])),
            (".zattrs", attrs::to_json(attrs)),
        ],
        ZarrFormat::V3 => vec![(
            "zarr.json",
            Json::obj([
                ("attributes", attrs::to_json(attrs)),
                ("zarr_format", Json::uint(3)),
                ("node_type", Json::str("group")),
            ]),
        )],
    }
}

/// The documents of array `spec`.
///
/// # Errors
/// [`Error::FillValue`] for an unrepresentable `_FillValue`, [`Error::Metadata`] when zarrs
/// rejects the result (a bug, or a compressor not compiled in).
pub(crate) fn array_docs(
    format: ZarrFormat,
    spec: &ArraySpec<'_>,
    location: &Path,
) -> Result<ArrayDocs> {
    let fill_attr = spec.attrs.get_f64("_FillValue");
    let fill = fill::encode(format, spec.dtype, fill_attr, spec.name)?;
    let mut user = spec.attrs.clone();
    let mut attr_json = attrs::to_json(&user);
    match &fill.attr {
        Some(a) => attr_json.set("_FillValue", a.clone()),
        None => {
            user.remove("_FillValue");
            attr_json.remove("_FillValue");
        }
    }
    let chunks: Vec<usize> = spec.chunks.iter().map(|&c| c.max(1)).collect();
    let (files, zarrs) = match format {
        ZarrFormat::V3 => {
            let mut doc = Json::obj([
                ("shape", Json::uints(spec.shape)),
                ("data_type", Json::str(v3_data_type(spec.dtype))),
                (
                    "chunk_grid",
                    Json::obj([
                        ("name", Json::str("regular")),
                        (
                            "configuration",
                            Json::obj([("chunk_shape", Json::uints(&chunks))]),
                        ),
                    ]),
                ),
                (
                    "chunk_key_encoding",
                    Json::obj([
                        ("name", Json::str("default")),
                        ("configuration", Json::obj([("separator", Json::str("/"))])),
                    ]),
                ),
                ("fill_value", fill.zarr.clone()),
                ("codecs", Json::Arr(v3_codecs(spec.dtype, spec.compression))),
                ("attributes", attr_json),
            ]);
            if !spec.dims.is_empty() {
                let names = spec.dims.iter().map(|d| Json::str(d.clone())).collect();
                doc.set("dimension_names", Json::Arr(names));
            }
            doc.set("zarr_format", Json::uint(3));
            doc.set("node_type", Json::str("array"));
            doc.set("storage_transformers", Json::Arr(Vec::new()));
            let typed: ArrayMetadataV3 = typed(&doc, location)?;
            (vec![("zarr.json", doc)], ArrayMetadata::V3(typed))
        }
        ZarrFormat::V2 => {
            let filters = if spec.dtype == DType::Text {
                Json::Arr(vec![Json::obj([("id", Json::str("vlen-utf8"))])])
            } else if let Compression::Zlib { shuffle: true, .. } = spec.compression.concrete() {
                Json::Arr(vec![Json::obj([
                    ("id", Json::str("shuffle")),
                    ("elementsize", Json::uint(spec.dtype.size_bytes() as u64)),
                ])])
            } else {
                Json::Null
            };
            let doc = Json::obj([
                ("shape", Json::uints(spec.shape)),
                ("chunks", Json::uints(&chunks)),
                ("dtype", Json::str(v2_data_type(spec.dtype))),
                ("fill_value", fill.zarr.clone()),
                ("order", Json::str("C")),
                ("filters", filters),
                ("dimension_separator", Json::str(".")),
                ("compressor", v2_compressor(spec.dtype, spec.compression)),
                ("zarr_format", Json::uint(2)),
            ]);
            let names = spec.dims.iter().map(|d| Json::str(d.clone())).collect();
            attr_json.set(ARRAY_DIMENSIONS, Json::Arr(names));
            let typed: ArrayMetadataV2 = typed(&doc, location)?;
            (
                vec![(".zarray", doc), (".zattrs", attr_json)],
                ArrayMetadata::V2(typed),
            )
        }
    };
    Ok(ArrayDocs { files, zarrs, fill })
}

fn typed<T: serde::de::DeserializeOwned>(doc: &Json, location: &Path) -> Result<T> {
    serde_json::from_value(doc.to_value()).map_err(|e| Error::Metadata {
        path: location.to_owned(),
        reason: format!("zarrs rejects the metadata rsdat built: {e}"),
    })
}

fn v3_data_type(dtype: DType) -> &'static str {
    match dtype {
        DType::Text => "string",
        other => other.name(),
    }
}

fn v2_data_type(dtype: DType) -> &'static str {
    match dtype {
        DType::I8 => "|i1",
        DType::U8 => "|u1",
        DType::I16 => "<i2",
        DType::U16 => "<u2",
        DType::I32 => "<i4",
        DType::U32 => "<u4",
        DType::I64 => "<i8",
        DType::U64 => "<u8",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        _ => "|O",
    }
}

fn v3_codecs(dtype: DType, compression: Compression) -> Vec<Json> {
    let serializer = if dtype == DType::Text {
        Json::obj([
            ("name", Json::str("vlen-utf8")),
            ("configuration", Json::obj::<&str>([])),
        ])
    } else if dtype.size_bytes() == 1 {
        Json::obj([("name", Json::str("bytes"))])
    } else {
        Json::obj([
            ("name", Json::str("bytes")),
            (
                "configuration",
                Json::obj([("endian", Json::str("little"))]),
            ),
        ])
    };
    let typesize = if dtype == DType::Text {
        1
    } else {
        dtype.size_bytes()
    };
    let compressor = match compression.concrete() {
        Compression::None | Compression::Keep => None,
        Compression::Zstd { level } => Some(Json::obj([
            ("name", Json::str("zstd")),
            (
                "configuration",
                Json::obj([
                    ("level", Json::Num(level.into())),
                    ("checksum", Json::Bool(false)),
                ]),
            ),
        ])),
        Compression::Gzip { level } => Some(Json::obj([
            ("name", Json::str("gzip")),
            (
                "configuration",
                Json::obj([("level", Json::Num(level.into()))]),
            ),
        ])),
        Compression::BloscZstd { level } => Some(blosc_v3("zstd", level, true, typesize)),
        Compression::Zlib { level, shuffle } => Some(blosc_v3("zlib", level, shuffle, typesize)),
    };
    std::iter::once(serializer).chain(compressor).collect()
}

/// Zarr v3's core `blosc` codec with compressor `cname` at `level`, byte-shuffling
/// `typesize`-byte elements when `shuffle` and they are wider than one byte.
fn blosc_v3(
    cname: &str,
    level: impl Into<serde_json::Number>,
    shuffle: bool,
    typesize: usize,
) -> Json {
    let shuffle = if shuffle && typesize > 1 {
        "shuffle"
    } else {
        "noshuffle"
    };
    Json::obj([
        ("name", Json::str("blosc")),
        (
            "configuration",
            Json::obj([
                ("cname", Json::str(cname)),
                ("clevel", Json::Num(level.into())),
                ("shuffle", Json::str(shuffle)),
                ("typesize", Json::uint(typesize as u64)),
                ("blocksize", Json::uint(0)),
            ]),
        ),
    ])
}

fn v2_compressor(dtype: DType, compression: Compression) -> Json {
    let shuffle = u64::from(dtype != DType::Text && dtype.size_bytes() > 1);
    match compression.concrete() {
        Compression::None | Compression::Keep => Json::Null,
        Compression::Zlib { level, .. } => Json::obj([
            ("id", Json::str("zlib")),
            ("level", Json::Num(level.into())),
        ]),
        Compression::Zstd { level } => Json::obj([
            ("id", Json::str("zstd")),
            ("level", Json::Num(level.into())),
            ("checksum", Json::Bool(false)),
        ]),
        Compression::Gzip { level } => Json::obj([
            ("id", Json::str("gzip")),
            ("level", Json::Num(level.into())),
        ]),
        Compression::BloscZstd { level } => Json::obj([
            ("id", Json::str("blosc")),
            ("cname", Json::str("zstd")),
            ("clevel", Json::Num(level.into())),
            ("shuffle", Json::uint(shuffle)),
            ("blocksize", Json::uint(0)),
        ]),
    }
}

/// An array's metadata as read from a store.
#[derive(Debug, Clone)]
pub(crate) struct ArrayInfo {
    pub(crate) shape: Vec<usize>,
    pub(crate) chunks: Vec<usize>,
    /// `Err(name)` for element types rsdat does not model (bool, bytes, datetime, ...).
    pub(crate) dtype: std::result::Result<DType, String>,
    /// Fixed-length UTF-32 strings (numpy `<U`), read as `Vec<char>` elements by zarrs.
    pub(crate) fixed_utf32: bool,
    pub(crate) dims: Option<Vec<String>>,
    /// User attributes with the CF `_FillValue` decoded; `_ARRAY_DIMENSIONS` removed.
    pub(crate) attrs: Attributes,
    pub(crate) compression: Option<String>,
    pub(crate) zarrs: ArrayMetadata,
}

/// Parses an array's metadata: the v3 `zarr.json`, or the v2 `.zarray` plus its `.zattrs`.
///
/// # Errors
/// [`Error::Metadata`] naming `location` when a member is missing or malformed.
pub(crate) fn parse_array(
    format: ZarrFormat,
    doc: &Json,
    v2_attrs: Option<&Json>,
    location: &Path,
) -> Result<ArrayInfo> {
    let bad = |reason: &str| Error::Metadata {
        path: location.to_owned(),
        reason: reason.to_owned(),
    };
    let shape = doc
        .get("shape")
        .and_then(Json::as_usizes)
        .ok_or_else(|| bad("`shape` missing"))?;
    let empty = Json::obj::<&str>([]);
    match format {
        ZarrFormat::V3 => {
            let chunks = doc
                .get("chunk_grid")
                .and_then(|g| g.get("configuration"))
                .and_then(|c| c.get("chunk_shape"))
                .and_then(Json::as_usizes)
                .ok_or_else(|| bad("only regular chunk grids are supported"))?;
            let data_type = doc
                .get("data_type")
                .ok_or_else(|| bad("`data_type` missing"))?;
            let type_name = data_type
                .as_str()
                .or_else(|| data_type.get("name").and_then(Json::as_str))
                .unwrap_or_default();
            let dtype = v3_dtype(type_name);
            let attr_doc = doc.get("attributes").unwrap_or(&empty);
            let dims = doc.get("dimension_names").and_then(|d| {
                d.as_array()?
                    .iter()
                    .map(|n| n.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            });
            let zarrs = ArrayMetadata::V3(typed(doc, location)?);
            let mut attrs = attrs::from_json(attr_doc);
            set_fill(
                &mut attrs,
                format,
                dtype.as_ref().ok(),
                attr_doc.get("_FillValue"),
                doc,
            );
            Ok(ArrayInfo {
                shape,
                chunks,
                fixed_utf32: type_name == "fixed_length_utf32",
                dtype,
                dims: dims.or_else(|| shape_is_scalar(doc)),
                attrs,
                compression: v3_compression_text(doc.get("codecs")),
                zarrs,
            })
        }
        ZarrFormat::V2 => {
            let chunks = doc
                .get("chunks")
                .and_then(Json::as_usizes)
                .ok_or_else(|| bad("`chunks` missing"))?;
            let type_name = doc.get("dtype").and_then(Json::as_str).unwrap_or_default();
            let dtype = v2_dtype(type_name);
            let attr_doc = v2_attrs.unwrap_or(&empty);
            let dims = attr_doc.get(ARRAY_DIMENSIONS).and_then(Json::as_strings);
            let fixed_utf32 = type_name
                .trim_start_matches(['<', '>', '|', '='])
                .starts_with('U');
            let zarrs = if fixed_utf32 && doc.get("fill_value") == Some(&Json::Null) {
                // zarr-python writes `null` for `<U` strings and reads it as ""; zarrs wants "".
                let mut patched = doc.clone();
                patched.set("fill_value", Json::str(""));
                ArrayMetadata::V2(typed(&patched, location)?)
            } else {
                ArrayMetadata::V2(typed(doc, location)?)
            };
            let mut attrs = attrs::from_json(attr_doc);
            attrs.remove(ARRAY_DIMENSIONS);
            set_fill(&mut attrs, format, dtype.as_ref().ok(), None, doc);
            Ok(ArrayInfo {
                shape,
                chunks,
                fixed_utf32: type_name
                    .trim_start_matches(['<', '>', '|', '='])
                    .starts_with('U'),
                dtype,
                dims,
                attrs,
                compression: v2_compression_text(doc),
                zarrs,
            })
        }
    }
}

/// v3 scalars have no `dimension_names` member: they have no dimensions.
fn shape_is_scalar(doc: &Json) -> Option<Vec<String>> {
    doc.get("shape")?.as_array()?.is_empty().then(Vec::new)
}

fn set_fill(
    attrs: &mut Attributes,
    format: ZarrFormat,
    dtype: Option<&DType>,
    attr: Option<&Json>,
    doc: &Json,
) {
    let zarr = doc.get("fill_value").unwrap_or(&Json::Null);
    let decoded = dtype.and_then(|&d| fill::decode(format, d, attr, zarr));
    match decoded {
        Some(v) => attrs.insert("_FillValue", v),
        None => {
            if let Some(AttrValue::Text(_)) = attrs.get("_FillValue") {
                attrs.remove("_FillValue");
            }
        }
    }
}

fn v3_dtype(name: &str) -> std::result::Result<DType, String> {
    Ok(match name {
        "int8" => DType::I8,
        "uint8" => DType::U8,
        "int16" => DType::I16,
        "uint16" => DType::U16,
        "int32" => DType::I32,
        "uint32" => DType::U32,
        "int64" => DType::I64,
        "uint64" => DType::U64,
        "float32" => DType::F32,
        "float64" => DType::F64,
        "string" | "fixed_length_utf32" => DType::Text,
        other => return Err(other.to_owned()),
    })
}

fn v2_dtype(name: &str) -> std::result::Result<DType, String> {
    let code = name.trim_start_matches(['<', '>', '|', '=']);
    Ok(match code {
        "i1" => DType::I8,
        "u1" => DType::U8,
        "i2" => DType::I16,
        "u2" => DType::U16,
        "i4" => DType::I32,
        "u4" => DType::U32,
        "i8" => DType::I64,
        "u8" => DType::U64,
        "f4" => DType::F32,
        "f8" => DType::F64,
        "O" => DType::Text,
        c if c.starts_with('U') => DType::Text,
        _ => return Err(name.to_owned()),
    })
}

/// A short description of a codec: `zstd(3)`, `gzip(5)`, `blosc(zstd,5,shuffle)`.
fn codec_text(name: &str, config: Option<&Json>) -> String {
    let get = |k: &str| config.and_then(|c| c.get(k)).map(json_scalar_text);
    match name {
        "zstd" | "gzip" | "zlib" => format!("{name}({})", get("level").unwrap_or_default()),
        "blosc" => {
            let shuffle = get("shuffle").map(|s| match s.as_str() {
                "0" => "noshuffle".to_owned(),
                "1" => "shuffle".to_owned(),
                "2" => "bitshuffle".to_owned(),
                other => other.to_owned(),
            });
            format!(
                "blosc({},{},{})",
                get("cname").unwrap_or_default(),
                get("clevel").unwrap_or_default(),
                shuffle.unwrap_or_default()
            )
        }
        other => other.to_owned(),
    }
}

fn json_scalar_text(j: &Json) -> String {
    match j {
        Json::Str(s) => s.clone(),
        Json::Num(n) => n.to_string(),
        Json::Bool(b) => b.to_string(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn v3_compression_text(codecs: Option<&Json>) -> Option<String> {
    let parts: Vec<String> = codecs?
        .as_array()?
        .iter()
        .filter_map(|c| {
            let name = c.get("name")?.as_str()?;
            let config = c.get("configuration");
            match name {
                "bytes" | "vlen-utf8" | "vlen-bytes" => None,
                "sharding_indexed" => {
                    let inner = v3_compression_text(config.and_then(|c| c.get("codecs")));
                    Some(format!(
                        "sharding[{}]",
                        inner.unwrap_or_else(|| "none".into())
                    ))
                }
                _ => Some(codec_text(name, config)),
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("+"))
}

fn v2_compression_text(doc: &Json) -> Option<String> {
    let mut parts: Vec<String> = doc
        .get("filters")
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.get("id")?.as_str().map(str::to_owned))
        .filter(|id| id != "vlen-utf8")
        .collect();
    if let Some(c) = doc.get("compressor").filter(|c| **c != Json::Null) {
        let id = c.get("id").and_then(Json::as_str).unwrap_or("unknown");
        parts.push(codec_text(id, Some(c)));
    }
    (!parts.is_empty()).then(|| parts.join("+"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec<'a>(dims: &'a [String], attrs: &'a Attributes, dtype: DType) -> ArraySpec<'a> {
        ArraySpec {
            name: "tmax",
            dims,
            shape: &[2, 3],
            chunks: &[1, 3],
            dtype,
            attrs,
            compression: Compression::default(),
        }
    }

    #[test]
    fn v3_round_trip() {
        let dims = vec!["time".to_owned(), "x".to_owned()];
        let mut a = Attributes::new();
        a.insert("units", "degC");
        let docs =
            array_docs(ZarrFormat::V3, &spec(&dims, &a, DType::F32), Path::new("t")).expect("docs");
        let info =
            parse_array(ZarrFormat::V3, &docs.files[0].1, None, Path::new("t")).expect("parse");
        assert_eq!(info.dims.as_deref(), Some(&dims[..]));
        assert_eq!(info.chunks, [1, 3]);
        assert_eq!(info.dtype, Ok(DType::F32));
        assert_eq!(info.compression.as_deref(), Some("zstd(3)"));
        assert!(info.attrs.get_f64("_FillValue").is_some_and(f64::is_nan));
        assert_eq!(info.attrs.get_str("units"), Some("degC"));
    }

    #[test]
    fn v2_round_trip_with_strings() {
        let dims = vec!["plant".to_owned(), "x".to_owned()];
        let a = Attributes::new();
        let docs = array_docs(
            ZarrFormat::V2,
            &spec(&dims, &a, DType::Text),
            Path::new("t"),
        )
        .expect("docs");
        assert_eq!(docs.files[0].1.get("dtype"), Some(&Json::str("|O")));
        let info = parse_array(
            ZarrFormat::V2,
            &docs.files[0].1,
            Some(&docs.files[1].1),
            Path::new("t"),
        )
        .expect("parse");
        assert_eq!(info.dims.as_deref(), Some(&dims[..]));
        assert_eq!(info.dtype, Ok(DType::Text));
        assert!(info.attrs.is_empty());
    }
}
