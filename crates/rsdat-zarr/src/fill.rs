//! CF `_FillValue` <-> Zarr `fill_value`, the way xarray maps them.
//!
//! xarray 2025.x reads the mask value from a different place per format:
//! - **v2**: the array's `fill_value` in `.zarray` *is* `_FillValue`; no attribute is written.
//! - **v3**: `_FillValue` is an attribute; floats are encoded as base64 of the little-endian
//!   `float64` bytes (`"AAAAAAAA+H8="` is NaN), integers as plain numbers. The array's
//!   `fill_value` is not used as a mask, but rsdat sets it to the same value so that chunks
//!   never written (all-fill chunks are skipped) read back as masked.
//!
//! Floating-point variables without `_FillValue` get NaN, as xarray's encoder does.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rsdat_model::{AttrValue, DType};

use crate::json::Json;
use crate::{Error, Result, ZarrFormat};

/// How one array's fill value is written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FillSpec {
    /// The `fill_value` member of the array metadata.
    pub(crate) zarr: Json,
    /// The `_FillValue` attribute (v3 only).
    pub(crate) attr: Option<Json>,
    /// The value used to pad edge chunks (also what unwritten chunks read as).
    pub(crate) pad: f64,
}

/// The fill value of a `dtype` array whose CF `_FillValue` is `fill`.
///
/// # Errors
/// [`Error::FillValue`] when an integer array's fill is fractional or out of range.
pub(crate) fn encode(
    format: ZarrFormat,
    dtype: DType,
    fill: Option<f64>,
    array: &str,
) -> Result<FillSpec> {
    if dtype == DType::Text {
        let zarr = match format {
            ZarrFormat::V2 => Json::Null,
            ZarrFormat::V3 => Json::str(""),
        };
        return Ok(FillSpec {
            zarr,
            attr: None,
            pad: 0.0,
        });
    }
    if dtype.is_float() {
        let value = fill.unwrap_or(f64::NAN);
        let attr = match format {
            ZarrFormat::V2 => None,
            ZarrFormat::V3 => Some(Json::str(STANDARD.encode(value.to_le_bytes()))),
        };
        return Ok(FillSpec {
            zarr: Json::float(value),
            attr,
            pad: value,
        });
    }
    let Some(value) = fill else {
        let zarr = match format {
            ZarrFormat::V2 => Json::Null,
            ZarrFormat::V3 => Json::uint(0),
        };
        return Ok(FillSpec {
            zarr,
            attr: None,
            pad: 0.0,
        });
    };
    let number = integer_number(dtype, value).ok_or_else(|| Error::FillValue {
        array: array.to_owned(),
        value,
        dtype,
    })?;
    let attr = match format {
        ZarrFormat::V2 => None,
        ZarrFormat::V3 => Some(number.clone()),
    };
    Ok(FillSpec {
        zarr: number,
        attr,
        pad: value,
    })
}

/// `value` as a JSON integer, if it is integral and fits `dtype`.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn integer_number(dtype: DType, value: f64) -> Option<Json> {
    let (lo, hi): (f64, f64) = match dtype {
        DType::I8 => (i8::MIN.into(), i8::MAX.into()),
        DType::U8 => (0.0, u8::MAX.into()),
        DType::I16 => (i16::MIN.into(), i16::MAX.into()),
        DType::U16 => (0.0, u16::MAX.into()),
        DType::I32 => (i32::MIN.into(), i32::MAX.into()),
        DType::U32 => (0.0, u32::MAX.into()),
        DType::I64 => (i64::MIN as f64, i64::MAX as f64),
        DType::U64 => (0.0, u64::MAX as f64),
        _ => return None,
    };
    if value.fract() != 0.0 || !(lo..=hi).contains(&value) {
        return None;
    }
    Some(if value < 0.0 {
        Json::Num((value as i64).into())
    } else {
        Json::uint(value as u64)
    })
}

/// The CF `_FillValue` xarray would decode for an array, from its metadata.
///
/// `attr` is the `_FillValue` attribute (v3), `zarr` the `fill_value` member (v2).
pub(crate) fn decode(
    format: ZarrFormat,
    dtype: DType,
    attr: Option<&Json>,
    zarr: &Json,
) -> Option<AttrValue> {
    if dtype == DType::Text {
        return None;
    }
    let source = match format {
        ZarrFormat::V3 => attr?,
        ZarrFormat::V2 => zarr,
    };
    let x = match source {
        Json::Str(s) => match s.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            b64 => {
                let bytes: [u8; 8] = STANDARD.decode(b64).ok()?.try_into().ok()?;
                f64::from_le_bytes(bytes)
            }
        },
        Json::NonFinite(x) => *x,
        Json::Num(n) if !dtype.is_float() => {
            if let Some(i) = n.as_i64() {
                return Some(AttrValue::Int(vec![i]));
            }
            n.as_f64()?
        }
        Json::Num(n) => n.as_f64()?,
        _ => return None,
    };
    if dtype.is_float() {
        Some(AttrValue::Float(vec![x]))
    } else {
        #[allow(clippy::cast_possible_truncation)]
        Some(AttrValue::Int(vec![x as i64]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_xarray() {
        let nan = encode(ZarrFormat::V3, DType::F32, None, "t").expect("ok");
        assert_eq!(nan.zarr, Json::str("NaN"));
        assert_eq!(nan.attr, Some(Json::str("AAAAAAAA+H8=")));
        let v2 = encode(ZarrFormat::V2, DType::I16, Some(-9999.0), "si").expect("ok");
        assert_eq!(
            (v2.zarr.clone(), v2.attr),
            (Json::Num((-9999).into()), None)
        );
        let none = encode(ZarrFormat::V2, DType::I64, None, "time").expect("ok");
        assert_eq!(none.zarr, Json::Null);
        assert!(encode(ZarrFormat::V3, DType::U8, Some(-1.0), "q").is_err());
        assert!(encode(ZarrFormat::V3, DType::I16, Some(0.5), "q").is_err());
    }

    #[test]
    fn decodes_both_formats() {
        let f = decode(
            ZarrFormat::V3,
            DType::F32,
            Some(&Json::str("AAAAAAAA+H8=")),
            &Json::Null,
        );
        assert!(f.and_then(|a| a.as_f64()).is_some_and(f64::is_nan));
        let v3 = encode(ZarrFormat::V3, DType::F64, Some(-9999.0), "t").expect("ok");
        let back = decode(ZarrFormat::V3, DType::F64, v3.attr.as_ref(), &v3.zarr);
        assert_eq!(back, Some(AttrValue::Float(vec![-9999.0])));
        let i = decode(ZarrFormat::V2, DType::I16, None, &Json::Num((-9999).into()));
        assert_eq!(i, Some(AttrValue::Int(vec![-9999])));
        assert_eq!(decode(ZarrFormat::V2, DType::I64, None, &Json::Null), None);
        assert_eq!(
            decode(ZarrFormat::V3, DType::I64, None, &Json::uint(0)),
            None
        );
    }
}
