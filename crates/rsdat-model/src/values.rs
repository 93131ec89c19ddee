use ndarray::ArrayD;

use crate::DType;

/// An in-memory n-d block of values in their stored type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Values {
    I8(ArrayD<i8>),
    U8(ArrayD<u8>),
    I16(ArrayD<i16>),
    U16(ArrayD<u16>),
    I32(ArrayD<i32>),
    U32(ArrayD<u32>),
    I64(ArrayD<i64>),
    U64(ArrayD<u64>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

/// Applies `$body` to the array inside any variant, bound as `$a`.
#[macro_export]
macro_rules! with_values {
    ($v:expr, $a:ident => $body:expr) => {
        match $v {
            $crate::Values::I8($a) => $body,
            $crate::Values::U8($a) => $body,
            $crate::Values::I16($a) => $body,
            $crate::Values::U16($a) => $body,
            $crate::Values::I32($a) => $body,
            $crate::Values::U32($a) => $body,
            $crate::Values::I64($a) => $body,
            $crate::Values::U64($a) => $body,
            $crate::Values::F32($a) => $body,
            $crate::Values::F64($a) => $body,
        }
    };
}

impl Values {
    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        match self {
            Self::I8(_) => DType::I8,
            Self::U8(_) => DType::U8,
            Self::I16(_) => DType::I16,
            Self::U16(_) => DType::U16,
            Self::I32(_) => DType::I32,
            Self::U32(_) => DType::U32,
            Self::I64(_) => DType::I64,
            Self::U64(_) => DType::U64,
            Self::F32(_) => DType::F32,
            Self::F64(_) => DType::F64,
        }
    }

    /// The shape.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        with_values!(self, a => a.shape())
    }

    /// Number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        with_values!(self, a => a.len())
    }

    /// True when empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All values converted to `f64` (no CF decoding).
    #[must_use]
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_lossless,
        clippy::unnecessary_cast
    )]
    pub fn to_f64(&self) -> ArrayD<f64> {
        with_values!(self, a => a.mapv(|x| x as f64))
    }

    /// All values converted to `f32` (no CF decoding).
    #[must_use]
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_lossless,
        clippy::unnecessary_cast
    )]
    pub fn to_f32(&self) -> ArrayD<f32> {
        with_values!(self, a => a.mapv(|x| x as f32))
    }

    /// A copy of the window `start..start+count`.
    ///
    /// # Panics
    /// When the window does not lie inside the block (callers check windows first, e.g.
    /// with [`crate::check_window`]).
    #[must_use]
    pub fn window(&self, start: &[usize], count: &[usize]) -> Self {
        let s = window_slice(start, count);
        let s = s.as_slice();
        match self {
            Self::I8(a) => Self::I8(a.slice(s).to_owned()),
            Self::U8(a) => Self::U8(a.slice(s).to_owned()),
            Self::I16(a) => Self::I16(a.slice(s).to_owned()),
            Self::U16(a) => Self::U16(a.slice(s).to_owned()),
            Self::I32(a) => Self::I32(a.slice(s).to_owned()),
            Self::U32(a) => Self::U32(a.slice(s).to_owned()),
            Self::I64(a) => Self::I64(a.slice(s).to_owned()),
            Self::U64(a) => Self::U64(a.slice(s).to_owned()),
            Self::F32(a) => Self::F32(a.slice(s).to_owned()),
            Self::F64(a) => Self::F64(a.slice(s).to_owned()),
        }
    }

    /// A block of `shape` filled with `value` cast to `dtype` (text is not a value type).
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    pub fn filled(dtype: DType, shape: &[usize], value: f64) -> Option<Self> {
        let s = ndarray::IxDyn(shape);
        Some(match dtype {
            DType::I8 => Self::I8(ArrayD::from_elem(s, value as i8)),
            DType::U8 => Self::U8(ArrayD::from_elem(s, value as u8)),
            DType::I16 => Self::I16(ArrayD::from_elem(s, value as i16)),
            DType::U16 => Self::U16(ArrayD::from_elem(s, value as u16)),
            DType::I32 => Self::I32(ArrayD::from_elem(s, value as i32)),
            DType::U32 => Self::U32(ArrayD::from_elem(s, value as u32)),
            DType::I64 => Self::I64(ArrayD::from_elem(s, value as i64)),
            DType::U64 => Self::U64(ArrayD::from_elem(s, value as u64)),
            DType::F32 => Self::F32(ArrayD::from_elem(s, value as f32)),
            DType::F64 => Self::F64(ArrayD::from_elem(s, value)),
            DType::Text => return None,
        })
    }
}

/// The ndarray slice of the window `start..start+count` (unit steps).
#[must_use]
pub fn window_slice(start: &[usize], count: &[usize]) -> Vec<ndarray::SliceInfoElem> {
    start
        .iter()
        .zip(count)
        .map(|(&s, &c)| ndarray::SliceInfoElem::Slice {
            start: isize::try_from(s).expect("array index fits isize"),
            end: Some(isize::try_from(s + c).expect("array index fits isize")),
            step: 1,
        })
        .collect()
}
