//! Sample types: decoding from file bytes and wrapping into [`Values`].

use ndarray::ArrayD;
use rsdat_model::Values;

/// A numeric sample type a GeoTIFF band can hold.
pub(crate) trait Sample: Copy + Default + Send + Sync + 'static {
    /// Size in bytes.
    const SIZE: usize;
    /// Decodes one sample from `SIZE` bytes.
    fn from_bytes(b: &[u8], big_endian: bool) -> Self;
    /// Adds bit patterns with wraparound (horizontal predictor).
    #[must_use]
    fn wrapping_add(self, other: Self) -> Self;
    /// `x` converted as a fill value (`as` cast semantics).
    fn from_f64(x: f64) -> Self;
    /// Wraps an array into [`Values`].
    fn into_values(a: ArrayD<Self>) -> Values;
}

macro_rules! int_sample {
    ($t:ty, $variant:ident) => {
        impl Sample for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn from_bytes(b: &[u8], big_endian: bool) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(&b[..Self::SIZE]);
                if big_endian {
                    <$t>::from_be_bytes(a)
                } else {
                    <$t>::from_le_bytes(a)
                }
            }
            fn wrapping_add(self, other: Self) -> Self {
                <$t>::wrapping_add(self, other)
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            fn into_values(a: ArrayD<Self>) -> Values {
                Values::$variant(a)
            }
        }
    };
}

macro_rules! float_sample {
    ($t:ty, $bits:ty, $variant:ident) => {
        impl Sample for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn from_bytes(b: &[u8], big_endian: bool) -> Self {
                <$t>::from_bits(<$bits as Sample>::from_bytes(b, big_endian))
            }
            fn wrapping_add(self, other: Self) -> Self {
                <$t>::from_bits(self.to_bits().wrapping_add(other.to_bits()))
            }
            #[allow(clippy::cast_possible_truncation)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            fn into_values(a: ArrayD<Self>) -> Values {
                Values::$variant(a)
            }
        }
    };
}

int_sample!(u8, U8);
int_sample!(i8, I8);
int_sample!(u16, U16);
int_sample!(i16, I16);
int_sample!(u32, U32);
int_sample!(i32, I32);
int_sample!(u64, U64);
int_sample!(i64, I64);
float_sample!(f32, u32, F32);
float_sample!(f64, u64, F64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_orders() {
        assert_eq!(u16::from_bytes(&[1, 2], false), 0x0201);
        assert_eq!(u16::from_bytes(&[1, 2], true), 0x0102);
        assert_eq!(f32::from_bytes(&1.5f32.to_be_bytes(), true), 1.5);
        assert_eq!(200u8.wrapping_add(100), 44);
    }
}
