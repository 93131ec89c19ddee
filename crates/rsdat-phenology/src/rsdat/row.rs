//! The streaming kernel of the `rsdat` preset: one row of cells, fed one day at a time.

// Lane loops index several arrays by lane, the form LLVM vectorises.
#![allow(clippy::needless_range_loop)]

use super::lanes::{gdh_lanes_with, DayLengthLanes, Lanes, LANES};
use super::DayLengthRow;
use crate::gdh::ln_table;
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
    /// State of each chunk of [`LANES`] neighbouring cells; the last chunk is padded with cells
    /// that are never pending.
    chunks: Vec<ChunkState>,
    /// One per cell, padding included.
    cells: Vec<Cell>,
    pending: usize,
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
        // State is padded to whole chunks; the padding cells are never pending.
        let n_chunks = n_cells.div_ceil(LANES);
        let mut cells = vec![Cell::Pending; n_chunks * LANES];
        cells[n_cells..].fill(Cell::Done);
        Ok(SpringIndexRow {
            n_cells,
            start_day: cfg.start_day(),
            end_day: cfg.end_day(),
            plants: cfg.plants(),
            events: cfg.events(),
            units: cfg.units(),
            next: cfg.start_day(),
            chunks: vec![ChunkState::new(); n_chunks],
            cells,
            pending: n_cells,
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
        let units = self.units;
        self.feed(
            day,
            [
                ("tmin", tmin.len()),
                ("tmax", tmax.len()),
                ("dayl", dayl_s.len()),
            ],
            &Raw {
                tmin,
                tmax,
                dayl_s,
                units,
            },
        )
    }

    /// Like [`SpringIndexRow::push_day`] with the day-length terms computed beforehand, to share
    /// them between years (see [`DayLengthRow`]); gives the same outputs, bit for bit.
    ///
    /// # Errors
    /// As [`SpringIndexRow::push_day`].
    pub fn push_day_shared(
        &mut self,
        day: u32,
        tmin: &[f32],
        tmax: &[f32],
        day_length: &DayLengthRow,
    ) -> Result<()> {
        let units = self.units;
        self.feed(
            day,
            [
                ("tmin", tmin.len()),
                ("tmax", tmax.len()),
                ("dayl", day_length.n_cells()),
            ],
            &Shared {
                tmin,
                tmax,
                day_length,
                units,
            },
        )
    }

    /// Like [`SpringIndexRow::push_day`] with `f64` inputs already in °F and hours.
    pub(crate) fn push_day_f64(
        &mut self,
        day: u32,
        tmin_f: &[f64],
        tmax_f: &[f64],
        day_length_h: &[f64],
    ) -> Result<()> {
        self.feed(
            day,
            [
                ("tmin", tmin_f.len()),
                ("tmax", tmax_f.len()),
                ("dayl", day_length_h.len()),
            ],
            &Converted {
                tmin_f,
                tmax_f,
                day_length_h,
            },
        )
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

    /// Checks a day's input lengths and order, then steps every cell (unless the window is
    /// over or every cell has its events).
    fn feed(
        &mut self,
        day: u32,
        lens: [(&'static str, usize); 3],
        inputs: &impl DayInputs,
    ) -> Result<()> {
        self.check_input(day, lens)?;
        if self.next > self.end_day || self.all_done() {
            self.next = self.next.saturating_add(1);
            return Ok(());
        }
        self.step(day, inputs);
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
        for (i, cell) in self.cells[..self.n_cells].iter().enumerate() {
            if *cell == Cell::Invalid {
                continue;
            }
            for plant in self.plants.iter() {
                let (p, layer) = (plant.index(), Layer::from(plant));
                if self.events.leaf() {
                    out.set_leaf(layer, i, self.chunks[i / LANES].leaf[p][i % LANES]);
                }
                out.set_bloom(layer, i, self.chunks[i / LANES].bloom[p][i % LANES]);
            }
            if self.plants.is_all() {
                out.fill_mean(i);
            }
        }
    }

    /// One day for every pending cell; inputs in °F and hours.
    ///
    /// Cells go in chunks of [`LANES`] neighbours; a chunk with no pending cell is skipped. Within
    /// a chunk every lane is updated without branches (lanes already done or invalid are updated
    /// too: their reported values can no longer change), which gives the same outputs as the
    /// cell-by-cell state machine, bit for bit.
    fn step(&mut self, day: u32, inputs: &impl DayInputs) {
        let n = self.n_cells;
        let ln = ln_table();
        let first = day == self.start_day;
        let slot = usize::try_from(day - self.start_day).unwrap_or(0) % LAGS;
        let back = |k: usize| (slot + LAGS - k) % LAGS;
        let day_consts = DayConsts {
            first,
            slots: [slot, back(1), back(2), back(5), back(6), back(7)],
            mds0: f64::from(day - 1),
            day0: f64::from(day - 1),
            day1: f64::from(day),
            bloom_wanted: self.events.bloom(),
        };
        for i0 in (0..n).step_by(LANES) {
            let cells: &[Cell; LANES] = (&self.cells[i0..i0 + LANES])
                .try_into()
                .expect("state is padded to whole chunks");
            if !cells.contains(&Cell::Pending) {
                continue;
            }
            let (lo, hi, day_length) = inputs.chunk(i0);
            let g = gdh_lanes_with(&lo, &hi, &day_length, ln);
            self.update_chunk(i0, &g, &day_consts);
        }
        self.next = day + 1;
    }

    /// The state update of the chunk of cells `i0..i0 + LANES` given their GDH.
    fn update_chunk(&mut self, i0: usize, g: &Lanes, d: &DayConsts) {
        let [today, s1, s2, s5, s6, s7] = d.slots;
        let st = &mut self.chunks[i0 / LANES];
        if d.first {
            // The seed pads GDH with copies of the first day.
            st.lags = [*g; LAGS];
        }
        let lags = &st.lags;
        let dde2: Lanes = std::array::from_fn(|j| g[j] + lags[s1][j] + lags[s2][j]);
        let dd57: Lanes = std::array::from_fn(|j| lags[s5][j] + lags[s6][j] + lags[s7][j]);
        st.lags[today] = *g;
        for j in 0..LANES {
            st.synop[j] += if dde2[j] >= SYNOP_THRESHOLD { 1.0 } else { 0.0 };
        }
        let synop = st.synop;

        let mut done = [true; LANES];
        for plant in self.plants.iter() {
            let p = plant.index();
            let coeffs = plant.coeffs();
            let offset = f64::from(coeffs.leaf_offset);
            let leaf = &mut st.leaf[p];
            if leaf.iter().any(|l| l.is_nan()) {
                for j in 0..LANES {
                    let hit = leaf[j].is_nan()
                        && coeffs.leaf_score(d.mds0, synop[j], dde2[j], dd57[j]) > EVENT_THRESHOLD;
                    leaf[j] = if hit { d.day0 + offset } else { leaf[j] };
                }
            }
            let leaf = *leaf;
            let bloom = &mut st.bloom[p];
            // Bloom can change only in lanes with a leaf day and no bloom yet.
            if d.bloom_wanted && (0..LANES).any(|j| bloom[j].is_nan() && !leaf[j].is_nan()) {
                let agdh = &mut st.agdh[p];
                for j in 0..LANES {
                    // MDS0 = 1-based day - 0-based leaf day (whole numbers, so no floor is
                    // needed); GDH accumulates where it is > 0. NaN leaf: m is NaN, inactive.
                    let m = d.day1 - leaf[j];
                    let active = bloom[j].is_nan() && m > 0.0;
                    agdh[j] = if active { agdh[j] + g[j] } else { agdh[j] };
                    let hit = active && coeffs.bloom_score(m, agdh[j]) > EVENT_THRESHOLD;
                    bloom[j] = if hit { d.day0 } else { bloom[j] };
                }
            }
            for j in 0..LANES {
                done[j] &= !leaf[j].is_nan() && (!d.bloom_wanted || !bloom[j].is_nan());
            }
        }
        for j in 0..LANES {
            let cell = &mut self.cells[i0 + j];
            if *cell != Cell::Pending {
                continue;
            }
            if g[j].is_nan() {
                *cell = Cell::Invalid;
                self.pending -= 1;
            } else if done[j] {
                *cell = Cell::Done;
                self.pending -= 1;
            }
        }
    }
}

/// The state of [`LANES`] neighbouring cells, kept together.
#[derive(Clone, Debug)]
struct ChunkState {
    /// GDH of the last 7 days, slot `(day - start_day) % 7`.
    lags: [Lanes; LAGS],
    /// Synoptic events so far.
    synop: Lanes,
    /// Per plant: leaf day (0-based, plant offset applied), NaN until found.
    leaf: [Lanes; 3],
    /// Per plant: GDH accumulated since the leaf day.
    agdh: [Lanes; 3],
    /// Per plant: bloom day (0-based), NaN until found.
    bloom: [Lanes; 3],
}

impl ChunkState {
    fn new() -> Self {
        ChunkState {
            lags: [[0.0; LANES]; LAGS],
            synop: [0.0; LANES],
            leaf: [[f64::NAN; LANES]; 3],
            agdh: [[0.0; LANES]; 3],
            bloom: [[f64::NAN; LANES]; 3],
        }
    }
}

/// One day's inputs of a row, read a chunk of [`LANES`] cells at a time.
trait DayInputs {
    /// Tmin, Tmax (°F) and the day-length terms of cells `i0..i0 + LANES`; cells past the end
    /// of the row get a mild day (their results are never reported).
    fn chunk(&self, i0: usize) -> (Lanes, Lanes, DayLengthLanes);
}

/// Temperatures in `units` (`f32`) to °F, padded past the end of the row.
#[inline]
fn fahrenheit(v: &[f32], i0: usize, units: TempUnits, pad: f64) -> Lanes {
    std::array::from_fn(|j| {
        v.get(i0 + j)
            .map_or(pad, |&x| units.to_fahrenheit(f64::from(x)))
    })
}

/// Inputs as pushed: temperatures in the configured units, day length in seconds, `f32`.
struct Raw<'a> {
    tmin: &'a [f32],
    tmax: &'a [f32],
    dayl_s: &'a [f32],
    units: TempUnits,
}

impl DayInputs for Raw<'_> {
    #[inline]
    fn chunk(&self, i0: usize) -> (Lanes, Lanes, DayLengthLanes) {
        let hours: Lanes = std::array::from_fn(|j| {
            self.dayl_s
                .get(i0 + j)
                .map_or(12.0, |&x| f64::from(x) / 3600.0)
        });
        (
            fahrenheit(self.tmin, i0, self.units, 40.0),
            fahrenheit(self.tmax, i0, self.units, 60.0),
            DayLengthLanes::new(&hours),
        )
    }
}

/// Temperatures as pushed with day-length terms computed beforehand.
struct Shared<'a> {
    tmin: &'a [f32],
    tmax: &'a [f32],
    day_length: &'a DayLengthRow,
    units: TempUnits,
}

impl DayInputs for Shared<'_> {
    #[inline]
    fn chunk(&self, i0: usize) -> (Lanes, Lanes, DayLengthLanes) {
        (
            fahrenheit(self.tmin, i0, self.units, 40.0),
            fahrenheit(self.tmax, i0, self.units, 60.0),
            *self.day_length.chunk(i0),
        )
    }
}

/// Inputs already in °F and hours.
struct Converted<'a> {
    tmin_f: &'a [f64],
    tmax_f: &'a [f64],
    day_length_h: &'a [f64],
}

impl DayInputs for Converted<'_> {
    #[inline]
    fn chunk(&self, i0: usize) -> (Lanes, Lanes, DayLengthLanes) {
        let pad = |v: &[f64], x: f64| -> Lanes {
            std::array::from_fn(|j| v.get(i0 + j).copied().unwrap_or(x))
        };
        (
            pad(self.tmin_f, 40.0),
            pad(self.tmax_f, 60.0),
            DayLengthLanes::new(&pad(self.day_length_h, 12.0)),
        )
    }
}

/// What one day's update needs besides the cells' state.
struct DayConsts {
    /// Whether this is the window's first day (pad the lags).
    first: bool,
    /// Lag slots: today, then 1, 2, 5, 6 and 7 days back.
    slots: [usize; 6],
    /// Days since 1 January (the leaf predictor MDS0).
    mds0: f64,
    /// 0-based day index (reported dates).
    day0: f64,
    /// 1-based day of year (bloom MDS0).
    day1: f64,
    bloom_wanted: bool,
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

    /// The cell-by-cell state machine the chunked update replaced, kept as the reference: one
    /// cell, scalar GDH, branches.
    fn scalar_reference(cfg: &Config, tmin: &[f64], tmax: &[f64], hours: &[f64]) -> Outputs {
        use crate::gdh::gdh;
        let ln = ln_table();
        let (mut lags, mut synop) = ([0.0_f64; LAGS], 0.0);
        let (mut leaf, mut agdh, mut bloom) = ([f64::NAN; 3], [0.0; 3], [f64::NAN; 3]);
        let mut out = Outputs::new(1);
        let bloom_wanted = cfg.events().bloom();
        for day in cfg.start_day()..=cfg.end_day() {
            let i = day as usize - 1;
            let g = gdh(tmin[i], tmax[i], hours[i], false, ln);
            if g.is_nan() {
                return out;
            }
            if day == cfg.start_day() {
                lags = [g; LAGS];
            }
            let slot = (day - cfg.start_day()) as usize % LAGS;
            let at = |k: usize| lags[(slot + LAGS - k) % LAGS];
            let dde2 = g + at(1) + at(2);
            let dd57 = at(5) + at(6) + at(7);
            lags[slot] = g;
            if dde2 >= SYNOP_THRESHOLD {
                synop += 1.0;
            }
            let mut done = true;
            for plant in cfg.plants().iter() {
                let (p, c) = (plant.index(), plant.coeffs());
                if leaf[p].is_nan()
                    && c.leaf_score(f64::from(day - 1), synop, dde2, dd57) > EVENT_THRESHOLD
                {
                    leaf[p] = f64::from(day - 1) + f64::from(c.leaf_offset);
                }
                if bloom_wanted && bloom[p].is_nan() && !leaf[p].is_nan() {
                    let m = f64::from(day) - leaf[p];
                    if m > 0.0 {
                        agdh[p] += g;
                        if c.bloom_score(m.floor(), agdh[p]) > EVENT_THRESHOLD {
                            bloom[p] = f64::from(day - 1);
                        }
                    }
                }
                done &= !leaf[p].is_nan() && (!bloom_wanted || !bloom[p].is_nan());
            }
            if done {
                break;
            }
        }
        for plant in cfg.plants().iter() {
            let (p, layer) = (plant.index(), Layer::from(plant));
            if cfg.events().leaf() {
                out.set_leaf(layer, 0, leaf[p]);
            }
            out.set_bloom(layer, 0, bloom[p]);
        }
        if cfg.plants().is_all() {
            out.fill_mean(0);
        }
        out
    }

    #[test]
    fn chunked_row_is_bit_identical_to_the_cell_by_cell_reference() {
        use crate::{Plant, Plants};
        let mut state = 11_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            #[allow(clippy::cast_precision_loss)]
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            u
        };
        let configs = [
            Config::rsdat(),
            Config::rsdat().with_events(Events::Leaf),
            Config::rsdat().with_days(20, 250).unwrap(),
            Config::rsdat()
                .with_plants(Plants::only(Plant::ArnoldRed).with(Plant::Zabelii))
                .unwrap(),
        ];
        for (case, cfg) in (0..48).zip(configs.iter().cycle()) {
            let n = 1 + case % 11;
            let days = 366;
            // Day-major inputs in °F and hours, a season with noise and a spread of climates.
            let (mut lo, mut hi, mut hours) = (vec![], vec![], vec![]);
            let lat_hours = 12.0 + 2.0 * next();
            for d in 0..days {
                let season = ((f64::from(d) - 105.0) / 365.0 * std::f64::consts::TAU).sin();
                for c in 0..n {
                    #[allow(clippy::cast_precision_loss)]
                    let mean = 10.0 + 30.0 * (c as f64 / n as f64) + 25.0 * season;
                    let t = mean + 15.0 * (next() - 0.5);
                    lo.push(t);
                    hi.push(t + 25.0 * next());
                    hours.push(lat_hours + 3.0 * season + 0.01 * next());
                }
            }
            if case % 3 == 0 {
                let k = (next() * (days as f64) * n as f64) as usize;
                [&mut lo, &mut hi, &mut hours][case % 2][k] = f64::NAN;
            }
            let mut row = SpringIndexRow::new(n, cfg).unwrap();
            while let Some(day) = row.next_day() {
                let i = (day as usize - 1) * n;
                row.push_day_f64(day, &lo[i..i + n], &hi[i..i + n], &hours[i..i + n])
                    .unwrap();
            }
            let got = row.finish();
            for c in 0..n {
                let col = |v: &[f64]| (0..days as usize).map(|d| v[d * n + c]).collect::<Vec<_>>();
                let want = scalar_reference(cfg, &col(&lo), &col(&hi), &col(&hours));
                for layer in Layer::ALL {
                    assert_eq!(
                        got.leaf(layer)[c].to_bits(),
                        want.leaf(layer)[0].to_bits(),
                        "case {case} cell {c} leaf {layer}"
                    );
                    assert_eq!(
                        got.bloom(layer)[c].to_bits(),
                        want.bloom(layer)[0].to_bits(),
                        "case {case} cell {c} bloom {layer}"
                    );
                }
            }
        }
    }
}
