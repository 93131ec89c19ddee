//! The streaming kernel of the `rsdat` preset: one row of cells, fed one day at a time.

use crate::gdh::{gdh, ln_table};
use crate::plants::{EVENT_THRESHOLD, SYNOP_THRESHOLD};
use crate::{Config, Error, Events, Layer, Outputs, Plants, Preset, Result, TempUnits};

/// Number of past days of GDH the leaf predictors need (DD57 reaches back 7 days).
const LAGS: usize = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    /// Still looking for events.
    Pending,
    /// Every requested event found.
    Done,
    /// A NaN input arrived while events were pending: all outputs NaN.
    Invalid,
}

/// The `rsdat` preset as a day-by-day state machine over a row of cells.
///
/// State is O(1) per cell (7 lagged GDH values, SYNOP, and per plant the leaf day, accumulated
/// GDH and bloom day), kept as contiguous per-variable vectors so the per-day loop runs over
/// slices. Feed days `start_day..=end_day` in order with [`SpringIndexRow::push_day`]; stop as soon
/// as [`SpringIndexRow::next_day`] returns `None` (window over, or every cell done), then call
/// [`SpringIndexRow::finish`].
///
/// NaN rule: a NaN input (Tmin, Tmax or day length) on a day when a cell still has events to find
/// makes all of that cell's outputs NaN. Days after a cell's last event are not used, so stopping
/// early gives exactly the same outputs as feeding the whole window.
///
/// # Examples
/// ```
/// use rsdat_phenology::{Config, Layer, SpringIndexRow};
///
/// let n = 3;
/// let mut row = SpringIndexRow::new(n, &Config::rsdat())?;
/// while let Some(day) = row.next_day() {
///     // Read day `day` of the three Daymet inputs for this row (here: a steady spring).
///     let (tmin_c, tmax_c, dayl_s) = ([5.0_f32; 3], [20.0_f32; 3], [43_200.0_f32; 3]);
///     row.push_day(day, &tmin_c, &tmax_c, &dayl_s)?;
/// }
/// let out = row.finish();
/// assert!(out.leaf(Layer::Mean).iter().all(|d| *d > 0.0));
/// # Ok::<(), rsdat_phenology::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SpringIndexRow {
    n_cells: usize,
    start_day: u32,
    end_day: u32,
    plants: Plants,
    events: Events,
    units: TempUnits,
    /// Next day expected, `end_day + 1` once the window is over.
    next: u32,
    /// GDH of the last 7 days: slot `(day - start_day) % 7`, each slot `n_cells` long.
    lags: Vec<f64>,
    synop: Vec<f64>,
    /// Per plant: leaf day (0-based, plant offset applied), NaN until found.
    leaf: [Vec<f64>; 3],
    /// Per plant: GDH accumulated since the leaf day.
    agdh: [Vec<f64>; 3],
    /// Per plant: bloom day (0-based), NaN until found.
    bloom: [Vec<f64>; 3],
    cells: Vec<Cell>,
    pending: usize,
    /// Scratch inputs converted to °F and hours.
    scratch: [Vec<f64>; 3],
}

impl SpringIndexRow {
    /// A row of `n_cells` cells for an `rsdat` configuration.
    ///
    /// # Errors
    /// [`Error::Config`] if `cfg` is not an `rsdat` configuration (the `matlab` preset needs
    /// whole series: use [`crate::matlab_series`]).
    pub fn new(n_cells: usize, cfg: &Config) -> Result<Self> {
        if cfg.preset() != Preset::Rsdat {
            return Err(Error::Config(format!(
                "the streaming row runs the rsdat preset only, got {}; \
                 the matlab preset needs the whole window at once (use matlab_series)",
                cfg.preset()
            )));
        }
        let nan = || vec![f64::NAN; n_cells];
        let zero = || vec![0.0; n_cells];
        Ok(SpringIndexRow {
            n_cells,
            start_day: cfg.start_day(),
            end_day: cfg.end_day(),
            plants: cfg.plants(),
            events: cfg.events(),
            units: cfg.units(),
            next: cfg.start_day(),
            lags: vec![0.0; LAGS * n_cells],
            synop: zero(),
            leaf: [nan(), nan(), nan()],
            agdh: [zero(), zero(), zero()],
            bloom: [nan(), nan(), nan()],
            cells: vec![Cell::Pending; n_cells],
            pending: n_cells,
            scratch: [zero(), zero(), zero()],
        })
    }

    /// Number of cells in the row.
    #[must_use]
    pub fn n_cells(&self) -> usize {
        self.n_cells
    }

    /// The day to push next, or `None` when no more days are needed: the window is over or
    /// [`SpringIndexRow::all_done`] holds.
    #[must_use]
    pub fn next_day(&self) -> Option<u32> {
        (self.next <= self.end_day && !self.all_done()).then_some(self.next)
    }

    /// Whether every cell has all its requested events (or is NaN): later days cannot change
    /// the outputs, so the caller may stop reading.
    #[must_use]
    pub fn all_done(&self) -> bool {
        self.pending == 0
    }

    /// Feeds day `day` (1-based day of year) for every cell: Tmin and Tmax in the configured
    /// units (°C by default, as Daymet), day length in seconds (Daymet `dayl`).
    ///
    /// Pushing a day after [`SpringIndexRow::next_day`] returned `None` is allowed and changes
    /// nothing.
    ///
    /// # Errors
    /// [`Error::Length`] if a slice does not hold `n_cells` values; [`Error::DayOrder`] if `day`
    /// is not the day expected next.
    pub fn push_day(&mut self, day: u32, tmin: &[f32], tmax: &[f32], dayl_s: &[f32]) -> Result<()> {
        self.check_input(
            day,
            [
                ("tmin", tmin.len()),
                ("tmax", tmax.len()),
                ("dayl", dayl_s.len()),
            ],
        )?;
        if self.next > self.end_day || self.all_done() {
            self.next = self.next.saturating_add(1);
            return Ok(());
        }
        let units = self.units;
        let [mut lo, mut hi, mut hours] = std::mem::take(&mut self.scratch);
        for (o, &v) in lo.iter_mut().zip(tmin) {
            *o = units.to_fahrenheit(f64::from(v));
        }
        for (o, &v) in hi.iter_mut().zip(tmax) {
            *o = units.to_fahrenheit(f64::from(v));
        }
        for (o, &v) in hours.iter_mut().zip(dayl_s) {
            *o = f64::from(v) / 3600.0;
        }
        self.step(day, &lo, &hi, &hours);
        self.scratch = [lo, hi, hours];
        Ok(())
    }

    /// Like [`SpringIndexRow::push_day`] with `f64` inputs already in °F and hours.
    pub(crate) fn push_day_f64(
        &mut self,
        day: u32,
        tmin_f: &[f64],
        tmax_f: &[f64],
        day_length_h: &[f64],
    ) -> Result<()> {
        self.check_input(
            day,
            [
                ("tmin", tmin_f.len()),
                ("tmax", tmax_f.len()),
                ("dayl", day_length_h.len()),
            ],
        )?;
        if self.next > self.end_day || self.all_done() {
            self.next = self.next.saturating_add(1);
            return Ok(());
        }
        self.step(day, tmin_f, tmax_f, day_length_h);
        Ok(())
    }

    /// The outputs: 0-based days (days since 1 January), Arnold Red's leaf one day after its
    /// trigger, NaN where no event was found or the cell had a NaN input.
    #[must_use]
    pub fn finish(self) -> Outputs {
        let mut out = Outputs::new(self.n_cells);
        self.write(&mut out);
        out
    }

    /// Like [`SpringIndexRow::finish`], writing into `out` to reuse its allocation.
    ///
    /// # Errors
    /// [`Error::Length`] if `out` is not sized for this row.
    pub fn finish_into(self, out: &mut Outputs) -> Result<()> {
        out.check_cells(self.n_cells)?;
        out.clear();
        self.write(out);
        Ok(())
    }

    fn check_input(&self, day: u32, lens: [(&'static str, usize); 3]) -> Result<()> {
        for (name, got) in lens {
            if got != self.n_cells {
                return Err(Error::Length {
                    name,
                    got,
                    expected: self.n_cells,
                });
            }
        }
        if day != self.next {
            return Err(Error::DayOrder {
                got: day,
                expected: self.next,
            });
        }
        Ok(())
    }

    fn write(&self, out: &mut Outputs) {
        for (i, cell) in self.cells.iter().enumerate() {
            if *cell == Cell::Invalid {
                continue;
            }
            for plant in self.plants.iter() {
                let (p, layer) = (plant.index(), Layer::from(plant));
                if self.events.leaf() {
                    out.set_leaf(layer, i, self.leaf[p][i]);
                }
                out.set_bloom(layer, i, self.bloom[p][i]);
            }
            if self.plants.is_all() {
                out.fill_mean(i);
            }
        }
    }

    /// One day for every pending cell; inputs in °F and hours.
    fn step(&mut self, day: u32, tmin: &[f64], tmax: &[f64], day_length_h: &[f64]) {
        let n = self.n_cells;
        let ln = ln_table();
        let first = day == self.start_day;
        let slot = usize::try_from(day - self.start_day).unwrap_or(0) % LAGS;
        let back = |k: usize| ((slot + LAGS - k) % LAGS) * n;
        let (s1, s2, s5, s6, s7) = (back(1), back(2), back(5), back(6), back(7));
        let today = slot * n;
        let mds0 = f64::from(day - 1);
        let day0 = f64::from(day - 1);
        let bloom_wanted = self.events.bloom();

        for i in 0..n {
            if self.cells[i] != Cell::Pending {
                continue;
            }
            let g = gdh(tmin[i], tmax[i], day_length_h[i], false, ln);
            if g.is_nan() {
                self.cells[i] = Cell::Invalid;
                self.pending -= 1;
                continue;
            }
            if first {
                // The seed pads GDH with copies of the first day.
                for k in 0..LAGS {
                    self.lags[k * n + i] = g;
                }
            }
            let lags = &mut self.lags;
            let dde2 = g + lags[s1 + i] + lags[s2 + i];
            let dd57 = lags[s5 + i] + lags[s6 + i] + lags[s7 + i];
            lags[today + i] = g;
            if dde2 >= SYNOP_THRESHOLD {
                self.synop[i] += 1.0;
            }
            let synop = self.synop[i];

            let mut done = true;
            for plant in self.plants.iter() {
                let p = plant.index();
                let coeffs = plant.coeffs();
                let leaf = &mut self.leaf[p][i];
                if leaf.is_nan() && coeffs.leaf_score(mds0, synop, dde2, dd57) > EVENT_THRESHOLD {
                    *leaf = day0 + f64::from(coeffs.leaf_offset);
                }
                let leaf = *leaf;
                if bloom_wanted && self.bloom[p][i].is_nan() && !leaf.is_nan() {
                    // MDS0 = 1-based day - 0-based leaf day; GDH accumulates where it is > 0.
                    let m = f64::from(day) - leaf;
                    if m > 0.0 {
                        let agdh = &mut self.agdh[p][i];
                        *agdh += g;
                        if coeffs.bloom_score(m.floor(), *agdh) > EVENT_THRESHOLD {
                            self.bloom[p][i] = day0;
                        }
                    }
                }
                done &= !leaf.is_nan() && (!bloom_wanted || !self.bloom[p][i].is_nan());
            }
            if done {
                self.cells[i] = Cell::Done;
                self.pending -= 1;
            }
        }
        self.next = day + 1;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn steady(row: &mut SpringIndexRow, tmin_c: f32, tmax_c: f32) {
        let n = row.n_cells();
        while let Some(day) = row.next_day() {
            row.push_day(day, &vec![tmin_c; n], &vec![tmax_c; n], &vec![43_200.0; n])
                .unwrap();
        }
    }

    #[test]
    fn steady_spring_has_all_events_and_stops_early() {
        let mut row = SpringIndexRow::new(2, &Config::rsdat()).unwrap();
        steady(&mut row, 5.0, 20.0);
        assert!(row.all_done());
        let out = row.finish();
        for layer in Layer::ALL {
            assert!(out.leaf(layer).iter().all(|d| d.is_finite()), "{layer}");
            assert!(out.bloom(layer).iter().all(|d| d.is_finite()), "{layer}");
        }
        let ar = out.leaf(Layer::ArnoldRed)[0];
        assert_eq!(ar, ar.round());
    }

    #[test]
    fn cold_year_has_no_events() {
        // MDS0 alone reaches the threshold by about day 235 (Arnold Red), so stop before.
        let cfg = Config::rsdat().with_days(1, 200).unwrap();
        let mut row = SpringIndexRow::new(1, &cfg).unwrap();
        steady(&mut row, -20.0, -10.0);
        assert!(!row.all_done());
        let out = row.finish();
        assert!(out.leaf_all().iter().all(|d| d.is_nan()));
    }

    #[test]
    fn wrong_day_or_length_is_an_error() {
        let mut row = SpringIndexRow::new(2, &Config::rsdat()).unwrap();
        let v = [0.0_f32; 2];
        assert!(matches!(
            row.push_day(2, &v, &v, &v),
            Err(Error::DayOrder {
                got: 2,
                expected: 1
            })
        ));
        assert!(matches!(
            row.push_day(1, &v[..1], &v, &v),
            Err(Error::Length { name: "tmin", .. })
        ));
        assert!(SpringIndexRow::new(2, &Config::matlab()).is_err());
    }

    #[test]
    fn nan_cell_is_nan_and_does_not_block_early_exit() {
        let mut row = SpringIndexRow::new(2, &Config::rsdat()).unwrap();
        while let Some(day) = row.next_day() {
            row.push_day(day, &[5.0, f32::NAN], &[20.0, 20.0], &[43_200.0; 2])
                .unwrap();
        }
        assert!(row.all_done());
        let out = row.finish();
        assert!(out.leaf(Layer::Mean)[0].is_finite());
        assert!(out.leaf(Layer::Mean)[1].is_nan());
        assert!(out.bloom(Layer::Lilac)[1].is_nan());
    }
}
