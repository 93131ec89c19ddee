//! Per-cell results of a spring-index run.

use crate::plants::plant_mean;
use crate::{Error, Layer, Result};

/// Results for a row of cells: first leaf and first bloom per [`Layer`] (three plants and their
/// mean), and last freeze.
///
/// Values are days as `f64`, NaN where there is no event, the input was missing, or the value
/// was not asked for. The `rsdat` preset reports 0-based days (days since 1 January), the
/// `matlab` preset 1-based days of year. Each layer is a contiguous slice of `n_cells` values,
/// so a row drops straight into a `(plant, y, x)` array.
#[derive(Clone, Debug, PartialEq)]
pub struct Outputs {
    n_cells: usize,
    /// Layer-major: `leaf[layer * n_cells + cell]`.
    leaf: Vec<f64>,
    bloom: Vec<f64>,
    last_freeze: Vec<f64>,
}

impl Outputs {
    /// All-NaN outputs for `n_cells` cells.
    #[must_use]
    pub fn new(n_cells: usize) -> Self {
        Outputs {
            n_cells,
            leaf: vec![f64::NAN; 4 * n_cells],
            bloom: vec![f64::NAN; 4 * n_cells],
            last_freeze: vec![f64::NAN; n_cells],
        }
    }

    /// Number of cells.
    #[must_use]
    pub fn n_cells(&self) -> usize {
        self.n_cells
    }

    /// First leaf of `layer` for every cell.
    #[must_use]
    pub fn leaf(&self, layer: Layer) -> &[f64] {
        let i = layer.index() * self.n_cells;
        &self.leaf[i..i + self.n_cells]
    }

    /// First bloom of `layer` for every cell.
    #[must_use]
    pub fn bloom(&self, layer: Layer) -> &[f64] {
        let i = layer.index() * self.n_cells;
        &self.bloom[i..i + self.n_cells]
    }

    /// Last freeze (last day with Tmin <= 28 °F in the window) for every cell; NaN unless asked
    /// for with the `matlab` preset.
    #[must_use]
    pub fn last_freeze(&self) -> &[f64] {
        &self.last_freeze
    }

    /// All first-leaf values, layer-major (`[layer][cell]` flattened, [`Layer::ALL`] order).
    #[must_use]
    pub fn leaf_all(&self) -> &[f64] {
        &self.leaf
    }

    /// All first-bloom values, layer-major (`[layer][cell]` flattened, [`Layer::ALL`] order).
    #[must_use]
    pub fn bloom_all(&self) -> &[f64] {
        &self.bloom
    }

    /// Resets every value to NaN, keeping the allocation.
    pub fn clear(&mut self) {
        self.leaf.fill(f64::NAN);
        self.bloom.fill(f64::NAN);
        self.last_freeze.fill(f64::NAN);
    }

    pub(crate) fn check_cells(&self, n_cells: usize) -> Result<()> {
        if self.n_cells == n_cells {
            Ok(())
        } else {
            Err(Error::Length {
                name: "outputs",
                got: self.n_cells,
                expected: n_cells,
            })
        }
    }

    pub(crate) fn set_leaf(&mut self, layer: Layer, cell: usize, v: f64) {
        self.leaf[layer.index() * self.n_cells + cell] = v;
    }

    pub(crate) fn set_bloom(&mut self, layer: Layer, cell: usize, v: f64) {
        self.bloom[layer.index() * self.n_cells + cell] = v;
    }

    pub(crate) fn set_last_freeze(&mut self, cell: usize, v: f64) {
        self.last_freeze[cell] = v;
    }

    /// Fills the mean layers from the plant layers of `cell`.
    pub(crate) fn fill_mean(&mut self, cell: usize) {
        let n = self.n_cells;
        let leaf = [
            self.leaf[cell],
            self.leaf[n + cell],
            self.leaf[2 * n + cell],
        ];
        let bloom = [
            self.bloom[cell],
            self.bloom[n + cell],
            self.bloom[2 * n + cell],
        ];
        self.leaf[3 * n + cell] = plant_mean(leaf);
        self.bloom[3 * n + cell] = plant_mean(bloom);
    }
}
