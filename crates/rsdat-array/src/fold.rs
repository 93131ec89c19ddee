//! Folds along one axis with per-cell state: the engine's scan primitive.
//!
//! A fold task owns a tile of cells (the input chunk's extent on the other axes) and
//! streams over the input chunks along the fold axis, reading each once, handing the
//! kernel one step (a day) at a time. The kernel may stop early ([`FoldKernel::done`]).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::{Error, Result};

/// The per-tile state machine of a fold.
pub trait FoldKernel: Send {
    /// Absorbs step `index` along the fold axis; `inputs[i][c]` is input `i` at cell `c`
    /// of the tile.
    ///
    /// # Errors
    /// When the data are unusable; the task fails with this message.
    fn step(&mut self, index: usize, inputs: &[&[f64]]) -> Result<()>;

    /// True when further steps cannot change the outputs (the task stops reading).
    fn done(&self) -> bool {
        false
    }

    /// The outputs, one vector of one value per cell each.
    ///
    /// # Errors
    /// When the kernel cannot conclude.
    fn finish(self: Box<Self>) -> Result<Vec<Vec<f64>>>;
}

/// Makes fold kernels for tiles; named and parameterised so another process can rebuild it.
pub trait FoldFactory: Send + Sync {
    /// Registered name.
    fn name(&self) -> &str;

    /// Parameters, as JSON, that [`KernelRegistry::make`] passes back to rebuild this.
    fn params(&self) -> serde_json::Value {
        serde_json::Value::Null
    }

    /// Number of outputs per cell.
    fn outputs(&self) -> usize;

    /// Bytes of state per cell (for the plan's memory estimate).
    fn state_bytes_per_cell(&self) -> usize;

    /// A kernel for a tile of `cells` cells.
    ///
    /// # Errors
    /// When the kernel cannot be set up.
    fn start(&self, cells: usize) -> Result<Box<dyn FoldKernel>>;
}

/// A constructor of a fold factory from its JSON parameters.
pub type FactoryFn = fn(&serde_json::Value) -> Result<Arc<dyn FoldFactory>>;

/// Fold kernels by name, so a worker process rebuilds a plan's folds.
#[derive(Debug, Default)]
pub struct KernelRegistry {
    makers: RwLock<BTreeMap<String, FactoryFn>>,
}

impl KernelRegistry {
    /// The process-wide registry, with the built-in kernels.
    #[must_use]
    pub fn global() -> &'static Self {
        static GLOBAL: std::sync::OnceLock<KernelRegistry> = std::sync::OnceLock::new();
        GLOBAL.get_or_init(|| {
            let r = Self::default();
            r.register("sum-until", SumUntil::make);
            r
        })
    }

    /// Registers `make` under `name` (replacing any earlier one).
    pub fn register(&self, name: &str, make: FactoryFn) {
        self.makers
            .write()
            .expect("registry lock")
            .insert(name.to_owned(), make);
    }

    /// Builds kernel `name` with `params`.
    ///
    /// # Errors
    /// [`Error::UnknownKernel`], or the kernel's refusal of `params`.
    pub fn make(&self, name: &str, params: &serde_json::Value) -> Result<Arc<dyn FoldFactory>> {
        let f = self
            .makers
            .read()
            .expect("registry lock")
            .get(name)
            .copied()
            .ok_or_else(|| Error::UnknownKernel(name.to_owned()))?;
        f(params)
    }
}

/// A built-in example kernel: per cell, the running sum of input 0 until it reaches
/// `threshold`; outputs the step it was reached at (NaN if never) and the sum then.
/// NaN inputs are skipped. All cells done ends the fold early.
#[derive(Debug, Clone, Copy)]
pub struct SumUntil {
    /// The threshold.
    pub threshold: f64,
}

impl SumUntil {
    fn make(params: &serde_json::Value) -> Result<Arc<dyn FoldFactory>> {
        let threshold = params
            .get("threshold")
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| Error::Spec("sum-until needs a numeric `threshold`".into()))?;
        Ok(Arc::new(Self { threshold }))
    }
}

impl FoldFactory for SumUntil {
    fn name(&self) -> &str {
        "sum-until"
    }

    fn params(&self) -> serde_json::Value {
        serde_json::json!({ "threshold": self.threshold })
    }

    fn outputs(&self) -> usize {
        2
    }

    fn state_bytes_per_cell(&self) -> usize {
        16
    }

    fn start(&self, cells: usize) -> Result<Box<dyn FoldKernel>> {
        Ok(Box::new(SumUntilState {
            threshold: self.threshold,
            sum: vec![0.0; cells],
            at: vec![f64::NAN; cells],
            pending: cells,
        }))
    }
}

struct SumUntilState {
    threshold: f64,
    sum: Vec<f64>,
    at: Vec<f64>,
    pending: usize,
}

impl FoldKernel for SumUntilState {
    #[allow(clippy::cast_precision_loss)]
    fn step(&mut self, index: usize, inputs: &[&[f64]]) -> Result<()> {
        for ((s, at), &x) in self.sum.iter_mut().zip(&mut self.at).zip(inputs[0]) {
            if at.is_nan() && !x.is_nan() {
                *s += x;
                if *s >= self.threshold {
                    *at = index as f64;
                    self.pending -= 1;
                }
            }
        }
        Ok(())
    }

    fn done(&self) -> bool {
        self.pending == 0
    }

    fn finish(self: Box<Self>) -> Result<Vec<Vec<f64>>> {
        Ok(vec![self.at, self.sum])
    }
}
