//! [`rsdat_model::Source`] for [`GeoTiff`].

use ndarray::{ArrayD, IxDyn};
use rsdat_model::{check_window, DType, Dataset, Result, Source, Values};

use crate::dataset::centres;
use crate::sample::Sample;
use crate::window::{read_window, Window};
use crate::GeoTiff;

impl Source for GeoTiff {
    fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    fn location(&self) -> &str {
        self.shared.file.location()
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Values> {
        check_window(&self.dataset, self.location(), var, start, count)?;
        let shape = IxDyn(count);
        let wrap = |v: Vec<f64>| -> Result<Values> { Ok(Values::F64(array(shape.clone(), v)?)) };
        match var {
            "band" => {
                let v = (start[0]..start[0] + count[0])
                    .map(|b| b as i64 + 1)
                    .collect();
                Ok(Values::I64(array(shape, v)?))
            }
            "x" | "y" => wrap(centres(
                self.dataset.transform.as_ref(),
                var,
                start[0],
                count[0],
            )),
            _ => self
                .read_band_data(start, count)
                .map_err(|e| e.into_model(self.location(), var)),
        }
    }
}

fn array<T>(shape: IxDyn, v: Vec<T>) -> Result<ArrayD<T>> {
    ArrayD::from_shape_vec(shape, v).map_err(|e| rsdat_model::Error::Invalid(e.to_string()))
}

impl GeoTiff {
    /// Reads `band_data[start..start+count]` (already checked against the shape).
    fn read_band_data(&self, start: &[usize], count: &[usize]) -> crate::Result<Values> {
        let w = Window {
            bands: start[0]..start[0] + count[0],
            rows: start[1]..start[1] + count[1],
            cols: start[2]..start[2] + count[2],
        };
        let fill = self.shared.bands.nodata.unwrap_or(0.0);
        match self.image().dtype {
            DType::U8 => self.typed::<u8>(&w, fill, count),
            DType::I8 => self.typed::<i8>(&w, fill, count),
            DType::U16 => self.typed::<u16>(&w, fill, count),
            DType::I16 => self.typed::<i16>(&w, fill, count),
            DType::U32 => self.typed::<u32>(&w, fill, count),
            DType::I32 => self.typed::<i32>(&w, fill, count),
            DType::U64 => self.typed::<u64>(&w, fill, count),
            DType::I64 => self.typed::<i64>(&w, fill, count),
            DType::F32 => self.typed::<f32>(&w, fill, count),
            _ => self.typed::<f64>(&w, fill, count),
        }
    }

    fn typed<T: Sample>(&self, w: &Window, fill: f64, count: &[usize]) -> crate::Result<Values> {
        let v = read_window::<T>(&self.shared.file, self.image(), w, T::from_f64(fill))?;
        let a = ArrayD::from_shape_vec(IxDyn(count), v)
            .map_err(|e| self.shared.file.invalid(e.to_string()))?;
        Ok(T::into_values(a))
    }
}
