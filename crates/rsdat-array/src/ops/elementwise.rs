//! Elementwise operations, with broadcasting by dimension name.

use std::sync::Arc;

use rsdat_model::DType;

use crate::expr::{BinaryOp, Node, Op, RoundMode, Runtime, UnaryOp};
use crate::{Error, LazyArray, Result};

/// Output dims, shape, chunks, and per input the output axis of each of its axes.
type Broadcast = (Vec<String>, Vec<usize>, Vec<usize>, Vec<Vec<usize>>);

impl LazyArray {
    /// Applies elementwise `op`.
    #[must_use]
    pub fn unary(&self, op: UnaryOp) -> Self {
        let node = Node::same_axes(
            Op::Unary(op),
            vec![self.node.clone()],
            self.shape().to_vec(),
            self.chunks().to_vec(),
            self.name.clone(),
        );
        let mut out = self.derive(self.dims.clone(), node);
        if op == UnaryOp::ToF32 {
            out.dtype = DType::F32;
        }
        out
    }

    /// Applies a closure to every element (in-process executors only: a plan holding a
    /// closure cannot be sent to worker processes).
    #[must_use]
    pub fn map(&self, name: &str, f: impl Fn(f64) -> f64 + Send + Sync + 'static) -> Self {
        let mut node = Node::same_axes(
            Op::MapFn {
                name: name.to_owned(),
            },
            vec![self.node.clone()],
            self.shape().to_vec(),
            self.chunks().to_vec(),
            self.name.clone(),
        );
        node.runtime = Runtime::MapFn(Arc::new(f));
        self.derive(self.dims.clone(), node)
    }

    /// `self + c`
    #[must_use]
    pub fn add_scalar(&self, c: f64) -> Self {
        self.unary(UnaryOp::AddScalar(c))
    }

    /// `self * c`
    #[must_use]
    pub fn mul_scalar(&self, c: f64) -> Self {
        self.unary(UnaryOp::MulScalar(c))
    }

    /// Values clamped to `[lo, hi]`; NaN stays NaN.
    #[must_use]
    pub fn clip(&self, lo: f64, hi: f64) -> Self {
        self.unary(UnaryOp::Clip(lo, hi))
    }

    /// Rounded to `decimals` decimals, ties to even as `numpy.round`.
    #[must_use]
    pub fn round(&self, decimals: i32) -> Self {
        self.unary(UnaryOp::Round(decimals, RoundMode::HalfEven))
    }

    /// Rounded to `decimals` decimals with the given tie rule.
    #[must_use]
    pub fn round_with(&self, decimals: i32, mode: RoundMode) -> Self {
        self.unary(UnaryOp::Round(decimals, mode))
    }

    /// Cast to `dtype`: `float32` rounds values to single precision, `float64` keeps them.
    ///
    /// # Errors
    /// [`Error::Invalid`] for types other than `float32` and `float64`.
    pub fn astype(&self, dtype: DType) -> Result<Self> {
        match dtype {
            DType::F32 => Ok(self.unary(UnaryOp::ToF32)),
            DType::F64 => {
                let mut out = self.unary(UnaryOp::Noop);
                out.dtype = DType::F64;
                Ok(out)
            }
            other => Err(Error::invalid(
                &self.name,
                format!("astype({other}) is not supported; computations are float32 or float64"),
            )),
        }
    }

    /// Output dims and, per input, where its axes go: `a`'s dims first, then `b`'s new ones.
    fn broadcast_dims(arrays: &[&Self]) -> Result<Broadcast> {
        let mut dims: Vec<String> = Vec::new();
        let mut shape: Vec<usize> = Vec::new();
        let mut chunks: Vec<usize> = Vec::new();
        let mut owner: Vec<&Self> = Vec::new();
        for a in arrays {
            for (j, d) in a.dims.iter().enumerate() {
                match dims.iter().position(|e| e == d) {
                    Some(k) if shape[k] != a.shape()[j] => {
                        return Err(Error::DimMismatch {
                            a: owner[k].name.clone(),
                            b: a.name.clone(),
                            dim: d.clone(),
                            len_a: shape[k],
                            len_b: a.shape()[j],
                        })
                    }
                    Some(_) => {}
                    None => {
                        dims.push(d.clone());
                        shape.push(a.shape()[j]);
                        chunks.push(a.chunks()[j]);
                        owner.push(a);
                    }
                }
            }
        }
        let align = arrays
            .iter()
            .map(|a| {
                a.dims
                    .iter()
                    .map(|d| {
                        dims.iter()
                            .position(|e| e == d)
                            .expect("every dim was added")
                    })
                    .collect()
            })
            .collect();
        Ok((dims, shape, chunks, align))
    }

    fn nary(arrays: &[&Self], op: Op) -> Result<Self> {
        let (dims, shape, chunks, align) = Self::broadcast_dims(arrays)?;
        let first = arrays[0];
        let node = Node {
            op,
            inputs: arrays.iter().map(|a| a.node.clone()).collect(),
            align,
            shape,
            chunks,
            label: first.name.clone(),
            runtime: Runtime::None,
        };
        let mut out = first.derive(dims, node);
        for a in &arrays[1..] {
            for (k, v) in &a.coords {
                out.coords.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        out.dtype =
            arrays
                .iter()
                .map(|a| a.dtype)
                .fold(DType::F32, |acc, d| if d == DType::F64 { d } else { acc });
        Ok(out)
    }

    /// Applies `op` to `self` and `other`, broadcast by dimension name as xarray does:
    /// the result has `self`'s dims followed by `other`'s others.
    ///
    /// # Errors
    /// [`Error::DimMismatch`] when a shared dimension has two lengths.
    pub fn binary(&self, other: &Self, op: BinaryOp) -> Result<Self> {
        Self::nary(&[self, other], Op::Binary(op))
    }

    /// `self + other`, broadcast by dimension name.
    ///
    /// # Errors
    /// As [`LazyArray::binary`].
    pub fn add(&self, other: &Self) -> Result<Self> {
        self.binary(other, BinaryOp::Add)
    }

    /// `self - other`.
    ///
    /// # Errors
    /// As [`LazyArray::binary`].
    pub fn sub(&self, other: &Self) -> Result<Self> {
        self.binary(other, BinaryOp::Sub)
    }

    /// `self * other`.
    ///
    /// # Errors
    /// As [`LazyArray::binary`].
    pub fn mul(&self, other: &Self) -> Result<Self> {
        self.binary(other, BinaryOp::Mul)
    }

    /// `self / other`.
    ///
    /// # Errors
    /// As [`LazyArray::binary`].
    pub fn div(&self, other: &Self) -> Result<Self> {
        self.binary(other, BinaryOp::Div)
    }

    /// `self` where `cond` is true (non-zero, not NaN), else `other`, as `xarray.where`.
    ///
    /// # Errors
    /// As [`LazyArray::binary`].
    pub fn where_else(&self, cond: &Self, other: &Self) -> Result<Self> {
        let mut out = Self::nary(&[cond, self, other], Op::Where)?;
        out.name.clone_from(&self.name);
        Ok(out)
    }

    /// `self` where `cond` is true, else NaN, as `DataArray.where(cond)`.
    ///
    /// # Errors
    /// As [`LazyArray::binary`].
    pub fn where_(&self, cond: &Self) -> Result<Self> {
        let nan = Self::full("nan", &[], &[], f64::NAN)?;
        self.where_else(cond, &nan)
    }
}
