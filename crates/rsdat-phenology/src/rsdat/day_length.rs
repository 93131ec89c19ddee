//! Day-length terms of GDH shared between years.

use super::lanes::{DayLengthLanes, Lanes, LANES};

/// The day-length part of the growing-degree-hour computation for one row of cells on one day:
/// everything that depends on day length alone, including the three transcendental calls per
/// cell that dominate the kernel's cost.
///
/// Daymet `dayl` depends on latitude and day of year only, so a multi-year run can build this
/// once per row and day and push it to every year with [`super::SpringIndexRow::push_day_shared`]:
/// the outputs are bit-identical to [`super::SpringIndexRow::push_day`] with the same `dayl`.
///
/// # Examples
/// ```
/// use rsdat_phenology::{Config, DayLengthRow, Layer, SpringIndexRow};
///
/// let cfg = Config::rsdat();
/// // Two years of the same two cells.
/// let mut years = [SpringIndexRow::new(2, &cfg)?, SpringIndexRow::new(2, &cfg)?];
/// for day in cfg.start_day()..=cfg.end_day() {
///     let dayl = DayLengthRow::new(&[43_200.0, 43_300.0]);
///     for (k, row) in years.iter_mut().enumerate() {
///         let warm = 2.0 * k as f32;
///         row.push_day_shared(day, &[4.0 + warm; 2], &[18.0 + warm; 2], &dayl)?;
///     }
/// }
/// let [a, b] = years.map(SpringIndexRow::finish);
/// assert!(b.leaf(Layer::Mean)[0] < a.leaf(Layer::Mean)[0]); // the warmer year leafs earlier
/// # Ok::<(), rsdat_phenology::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct DayLengthRow {
    n_cells: usize,
    chunks: Vec<DayLengthLanes>,
}

impl DayLengthRow {
    /// The terms for day lengths `dayl_s` in seconds (Daymet `dayl`), one per cell.
    #[must_use]
    pub fn new(dayl_s: &[f32]) -> Self {
        let chunks = dayl_s
            .chunks(LANES)
            .map(|c| {
                let hours: Lanes =
                    std::array::from_fn(|j| c.get(j).map_or(12.0, |&x| f64::from(x) / 3600.0));
                DayLengthLanes::new(&hours)
            })
            .collect();
        DayLengthRow {
            n_cells: dayl_s.len(),
            chunks,
        }
    }

    /// Number of cells.
    #[must_use]
    pub fn n_cells(&self) -> usize {
        self.n_cells
    }

    /// The terms of cells `i0..i0 + LANES` (`i0` a multiple of [`LANES`]).
    pub(crate) fn chunk(&self, i0: usize) -> &DayLengthLanes {
        &self.chunks[i0 / LANES]
    }
}
