//! Building folds along one dimension.

use std::sync::Arc;

use crate::expr::{Node, Op, Runtime};
use crate::fold::FoldFactory;
use crate::{Error, LazyArray, Result};

impl LazyArray {
    /// Folds `inputs` (same dims and shape) along `dim` with `kernel`; returns one array
    /// per kernel output over the other dims. A task is a tile of the first input's
    /// chunks on the other dims, streaming over its chunks along `dim`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for no inputs or mismatched dims; [`Error::UnknownDim`].
    pub fn fold(inputs: &[&Self], dim: &str, kernel: Arc<dyn FoldFactory>) -> Result<Vec<Self>> {
        let first = inputs
            .first()
            .ok_or_else(|| Error::invalid("fold", "no inputs"))?;
        let axis = first.axis(dim)?;
        for x in &inputs[1..] {
            if x.dims != first.dims || x.shape() != first.shape() {
                return Err(Error::invalid(
                    &x.name,
                    format!(
                        "fold inputs need the same dims and shape: [{}] {:?} vs `{}` [{}] {:?}",
                        x.dims.join(", "),
                        x.shape(),
                        first.name,
                        first.dims.join(", "),
                        first.shape()
                    ),
                ));
            }
        }
        let mut dims = first.dims.clone();
        dims.remove(axis);
        let mut shape = first.shape().to_vec();
        shape.remove(axis);
        let mut chunks = first.chunks().to_vec();
        chunks.remove(axis);
        let outputs = kernel.outputs();
        let mut node = Node::same_axes(
            Op::Fold {
                kernel: kernel.name().to_owned(),
                params: kernel.params(),
                axis,
                outputs,
            },
            inputs.iter().map(|x| x.node.clone()).collect(),
            shape.clone(),
            chunks.clone(),
            format!("{}:{}", kernel.name(), first.name),
        );
        node.runtime = Runtime::Kernel(kernel);
        let folded = first.derive(dims.clone(), node);
        Ok((0..outputs)
            .map(|k| {
                let n = Node::same_axes(
                    Op::Field { k },
                    vec![folded.node.clone()],
                    shape.clone(),
                    chunks.clone(),
                    format!("{}[{k}]", folded.name),
                );
                let mut a = folded.derive(dims.clone(), n);
                a.dtype = rsdat_model::DType::F64;
                a
            })
            .collect())
    }
}
