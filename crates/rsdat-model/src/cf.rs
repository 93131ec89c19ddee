use ndarray::ArrayD;

use crate::{Values, Variable};

/// The CF packing and masking of one variable, as xarray's `mask_and_scale` applies it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CfEncoding {
    /// `_FillValue`, stored units.
    pub fill_value: Option<f64>,
    /// `missing_value`, stored units.
    pub missing_value: Option<f64>,
    /// `scale_factor` (1 when absent).
    pub scale_factor: Option<f64>,
    /// `add_offset` (0 when absent).
    pub add_offset: Option<f64>,
}

impl CfEncoding {
    /// The encoding attributes of `var`.
    #[must_use]
    pub fn of(var: &Variable) -> Self {
        Self {
            fill_value: var.attrs.get_f64("_FillValue"),
            missing_value: var.attrs.get_f64("missing_value"),
            scale_factor: var.attrs.get_f64("scale_factor"),
            add_offset: var.attrs.get_f64("add_offset"),
        }
    }

    /// True when decoding changes nothing.
    #[must_use]
    pub fn is_identity(&self) -> bool {
        *self == Self::default()
    }

    /// Decodes one stored value: masked values become NaN, others are unpacked.
    #[must_use]
    #[inline]
    pub fn decode(&self, x: f64) -> f64 {
        if self.is_masked(x) {
            return f64::NAN;
        }
        x * self.scale_factor.unwrap_or(1.0) + self.add_offset.unwrap_or(0.0)
    }

    #[inline]
    fn is_masked(&self, x: f64) -> bool {
        let hit = |m: Option<f64>| m.is_some_and(|m| x == m || (m.is_nan() && x.is_nan()));
        hit(self.fill_value) || hit(self.missing_value)
    }
}

/// Decodes stored values of `var` to `f64`: fill and missing values -> NaN, then
/// `scale_factor`/`add_offset`.
#[must_use]
pub fn decode_f64(var: &Variable, values: &Values) -> ArrayD<f64> {
    let enc = CfEncoding::of(var);
    let mut out = values.to_f64();
    if !enc.is_identity() {
        out.mapv_inplace(|x| enc.decode(x));
    }
    out
}

/// Decodes stored values of `var` to `f32`, as [`decode_f64`] but keeping single precision
/// for `float32` data that needs no unpacking.
#[must_use]
#[allow(clippy::cast_possible_truncation)]
pub fn decode_f32(var: &Variable, values: &Values) -> ArrayD<f32> {
    let enc = CfEncoding::of(var);
    match values {
        Values::F32(a) if enc.scale_factor.is_none() && enc.add_offset.is_none() => {
            let mut out = a.clone();
            if !enc.is_identity() {
                out.mapv_inplace(|x| enc.decode(f64::from(x)) as f32);
            }
            out
        }
        other => decode_f64(var, other).mapv(|x| x as f32),
    }
}

/// [`decode_f32`] widened to `f64` (the same values), in one pass over f32 data.
#[must_use]
#[allow(clippy::cast_possible_truncation)]
pub fn decode_f32_as_f64(var: &Variable, values: &Values) -> ArrayD<f64> {
    let enc = CfEncoding::of(var);
    match values {
        Values::F32(a) if enc.scale_factor.is_none() && enc.add_offset.is_none() => {
            if enc.is_identity() {
                a.mapv(f64::from)
            } else {
                a.mapv(|x| f64::from(enc.decode(f64::from(x)) as f32))
            }
        }
        other => decode_f64(var, other).mapv(|x| f64::from(x as f32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AttrValue, DType};

    #[test]
    fn masks_then_unpacks() {
        let mut v = Variable::new("t", DType::I16, vec![("x".into(), 3)]);
        v.attrs.insert("_FillValue", AttrValue::Int(vec![-1]));
        v.attrs.insert("scale_factor", 0.5);
        v.attrs.insert("add_offset", 10.0);
        let raw = Values::I16(ArrayD::from_shape_vec(vec![3], vec![-1, 0, 4]).expect("shape"));
        let d = decode_f64(&v, &raw);
        assert!(d[0].is_nan());
        assert_eq!(d[1], 10.0);
        assert_eq!(d[2], 12.0);
    }

    #[test]
    fn f32_as_f64_widens_the_f32_decoding() {
        let mut v = Variable::new("t", DType::F32, vec![("x".into(), 4)]);
        v.attrs
            .insert("_FillValue", AttrValue::Float(vec![-9999.0]));
        let raw = Values::F32(
            ArrayD::from_shape_vec(vec![4], vec![-9999.0, 0.1, 1e30, -2.5]).expect("shape"),
        );
        let want = decode_f32(&v, &raw).mapv(f64::from);
        let got = decode_f32_as_f64(&v, &raw);
        assert!(got[0].is_nan() && want[0].is_nan());
        assert_eq!(
            got.as_slice().expect("c")[1..],
            want.as_slice().expect("c")[1..]
        );
        v.attrs.insert("scale_factor", 0.5);
        assert_eq!(
            decode_f32_as_f64(&v, &raw).as_slice().expect("c")[1..],
            decode_f32(&v, &raw).mapv(f64::from).as_slice().expect("c")[1..]
        );
    }
}
