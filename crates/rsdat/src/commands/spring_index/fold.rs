//! The spring index as a fold of the engine, registered by name so worker processes (local
//! or on SLURM) rebuild it. `rsdat` preset: per tile of cells, one pass over the days with
//! O(1) state per cell, rows of cells computed in parallel, stopping once every cell has its
//! events. `matlab` preset: the toolbox's 30-day block rules need a cell's whole window, so
//! the tile keeps its 240 days of tmin/tmax (f32) and runs the per-series model at the end.

use std::sync::Arc;

use rayon::prelude::*;
use rsdat_array::{FoldFactory, FoldKernel, KernelRegistry};
use rsdat_phenology::{
    matlab_series, Config, Events, Layer, Plant, Plants, Preset, SpringIndexRow, TempUnits,
};
use serde_json::{json, Value};

/// Registered name of the fold.
pub(crate) const NAME: &str = "spring-index";

/// Cells per row of the tile computed by one thread: small enough to balance, large enough
/// to amortise.
const ROW_CELLS: usize = 4096;

/// Bytes of `rsdat` kernel state per cell (a bound: model state and the day's f32 inputs),
/// for the plan's memory estimate.
const STATE_BYTES_PER_CELL: usize = 176;

/// Bytes per cell and day the `matlab` kernel keeps: tmin and tmax as f32.
const SERIES_BYTES_PER_CELL_DAY: usize = 8;

/// Registers the fold with the engine.
pub(crate) fn register() {
    KernelRegistry::global().register(NAME, SpringIndexFold::make);
}

/// Makes spring-index kernels for tiles. Inputs, in order: tmin and tmax (°C) and, for the
/// `rsdat` preset, dayl (s), for the `matlab` preset the latitude (degrees north, the same
/// every day), over days `start_day..=end_day` of the config (fold step 0 is `start_day`).
/// Outputs: first leaf of each [`Layer`], then first bloom of each.
#[derive(Debug, Clone)]
pub(crate) struct SpringIndexFold {
    cfg: Config,
}

impl SpringIndexFold {
    pub(crate) fn new(cfg: Config) -> Arc<Self> {
        Arc::new(Self { cfg })
    }

    fn make(params: &Value) -> rsdat_array::Result<Arc<dyn FoldFactory>> {
        let bad = |what: &str| rsdat_array::Error::Spec(format!("spring-index fold: {what}"));
        let day = |k: &str| {
            params
                .get(k)
                .and_then(Value::as_u64)
                .and_then(|d| u32::try_from(d).ok())
                .ok_or_else(|| bad(&format!("`{k}` must be a day of year")))
        };
        let plants = params
            .get("plants")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("`plants` must be a list"))?
            .iter()
            .map(|p| {
                p.as_str()
                    .and_then(|s| Plant::ALL.into_iter().find(|q| q.name() == s))
                    .ok_or_else(|| bad(&format!("unknown plant {p}")))
            })
            .collect::<rsdat_array::Result<Plants>>()?;
        let events: Events = params
            .get("events")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("`events` must be leaf, bloom or both"))?
            .parse()
            .map_err(|e| bad(&format!("{e}")))?;
        let preset: Preset = params
            .get("preset")
            .and_then(Value::as_str)
            .unwrap_or("rsdat")
            .parse()
            .map_err(|e| bad(&format!("{e}")))?;
        let cfg = Config::for_preset(preset)
            .with_units(TempUnits::Celsius)
            .with_days(day("start_day")?, day("end_day")?)
            .and_then(|c| c.with_plants(plants))
            .map_err(|e| bad(&e.to_string()))?
            .with_events(events);
        Ok(Self::new(cfg))
    }
}

impl FoldFactory for SpringIndexFold {
    fn name(&self) -> &str {
        NAME
    }

    fn params(&self) -> Value {
        json!({
            "preset": self.cfg.preset().to_string(),
            "start_day": self.cfg.start_day(),
            "end_day": self.cfg.end_day(),
            "plants": self.cfg.plants().iter().map(Plant::name).collect::<Vec<_>>(),
            "events": self.cfg.events().to_string(),
        })
    }

    fn outputs(&self) -> usize {
        2 * Layer::ALL.len()
    }

    fn state_bytes_per_cell(&self) -> usize {
        match self.cfg.preset() {
            Preset::Matlab => {
                let days = (self.cfg.end_day() - self.cfg.start_day() + 1) as usize;
                days * SERIES_BYTES_PER_CELL_DAY + STATE_BYTES_PER_CELL
            }
            _ => STATE_BYTES_PER_CELL,
        }
    }

    fn start(&self, cells: usize) -> rsdat_array::Result<Box<dyn FoldKernel>> {
        if self.cfg.preset() == Preset::Matlab {
            return Ok(Box::new(SeriesTile {
                cfg: self.cfg.clone(),
                cells,
                tmin: Vec::new(),
                tmax: Vec::new(),
                lat: Vec::new(),
            }));
        }
        let rows = (0..cells)
            .step_by(ROW_CELLS)
            .map(|a| {
                let b = (a + ROW_CELLS).min(cells);
                SpringIndexRow::new(b - a, &self.cfg).map(|model| Row {
                    cells: a..b,
                    model,
                    f32s: Default::default(),
                })
            })
            .collect::<Result<_, _>>()
            .map_err(|e| rsdat_array::Error::Spec(e.to_string()))?;
        Ok(Box::new(Tile {
            start_day: self.cfg.start_day(),
            cells,
            rows,
        }))
    }
}

/// The state of one tile: its cells cut into rows.
struct Tile {
    start_day: u32,
    cells: usize,
    rows: Vec<Row>,
}

/// A row of a tile: its cells, their model state, and the day's inputs as f32 (reused).
struct Row {
    cells: std::ops::Range<usize>,
    model: SpringIndexRow,
    f32s: [Vec<f32>; 3],
}

impl FoldKernel for Tile {
    fn step(&mut self, index: usize, inputs: &[&[f64]]) -> rsdat_array::Result<()> {
        let day = self.start_day + u32::try_from(index).unwrap_or(u32::MAX);
        let [tmin, tmax, dayl] = inputs else {
            return Err(rsdat_array::Error::Spec(format!(
                "spring-index fold needs tmin, tmax and dayl, got {} inputs",
                inputs.len()
            )));
        };
        let push = |row: &mut Row| {
            if row.model.all_done() {
                return Ok(());
            }
            for (buf, input) in row.f32s.iter_mut().zip([tmin, tmax, dayl]) {
                buf.clear();
                #[allow(clippy::cast_possible_truncation)]
                buf.extend(input[row.cells.clone()].iter().map(|&x| x as f32));
            }
            let [tmin, tmax, dayl] = &row.f32s;
            row.model.push_day(day, tmin, tmax, dayl)
        };
        if self.rows.len() > 1 {
            self.rows.par_iter_mut().try_for_each(push)
        } else {
            self.rows.iter_mut().try_for_each(push)
        }
        .map_err(|e| rsdat_array::Error::Spec(format!("day {day}: {e}")))
    }

    fn done(&self) -> bool {
        self.rows.iter().all(|row| row.model.all_done())
    }

    fn finish(self: Box<Self>) -> rsdat_array::Result<Vec<Vec<f64>>> {
        let n = Layer::ALL.len();
        let mut out = vec![vec![f64::NAN; self.cells]; 2 * n];
        for Row { cells, model, .. } in self.rows {
            let o = model.finish();
            for layer in Layer::ALL {
                out[layer.index()][cells.clone()].copy_from_slice(o.leaf(layer));
                out[n + layer.index()][cells.clone()].copy_from_slice(o.bloom(layer));
            }
        }
        Ok(out)
    }
}

/// A tile of the `matlab` preset: the window's days, day-major, then the model per cell.
struct SeriesTile {
    cfg: Config,
    cells: usize,
    tmin: Vec<f32>,
    tmax: Vec<f32>,
    lat: Vec<f64>,
}

impl FoldKernel for SeriesTile {
    fn step(&mut self, index: usize, inputs: &[&[f64]]) -> rsdat_array::Result<()> {
        let [tmin, tmax, lat] = inputs else {
            return Err(rsdat_array::Error::Spec(format!(
                "the matlab spring-index fold needs tmin, tmax and lat, got {} inputs",
                inputs.len()
            )));
        };
        if index == 0 {
            self.lat = lat.to_vec();
        }
        #[allow(clippy::cast_possible_truncation)]
        {
            self.tmin.extend(tmin.iter().map(|&x| x as f32));
            self.tmax.extend(tmax.iter().map(|&x| x as f32));
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> rsdat_array::Result<Vec<Vec<f64>>> {
        let n = self.cells;
        let days = self.tmin.len() / n.max(1);
        let per_cell: Vec<Vec<f64>> = (0..n)
            .into_par_iter()
            .map(|c| -> rsdat_array::Result<Vec<f64>> {
                let series = |v: &[f32]| -> Vec<f64> {
                    (0..days).map(|d| f64::from(v[d * n + c])).collect()
                };
                let o = matlab_series(
                    &series(&self.tmin),
                    &series(&self.tmax),
                    self.lat.get(c).copied().unwrap_or(f64::NAN),
                    &self.cfg,
                )
                .map_err(|e| rsdat_array::Error::Spec(e.to_string()))?;
                Ok(Layer::ALL
                    .iter()
                    .map(|&l| o.leaf(l)[0])
                    .chain(Layer::ALL.iter().map(|&l| o.bloom(l)[0]))
                    .collect())
            })
            .collect::<rsdat_array::Result<_>>()?;
        Ok((0..2 * Layer::ALL.len())
            .map(|k| per_cell.iter().map(|v| v[k]).collect())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_rebuild_the_same_fold() {
        let cfg = Config::rsdat()
            .with_days(5, 200)
            .and_then(|c| c.with_plants(Plants::only(Plant::Lilac)))
            .expect("config")
            .with_events(Events::Leaf);
        let f = SpringIndexFold::new(cfg.clone());
        let again = SpringIndexFold::make(&f.params()).expect("rebuilt");
        assert_eq!(again.params(), f.params());
        assert!(SpringIndexFold::make(&json!({"start_day": 1})).is_err());
    }
}
