use std::collections::HashMap;
use std::sync::Arc;

use rsdat_model::{Dataset, Source, Values};

use crate::{open, Error, Result};

/// Several sources seen as one dataset, merged by variable: the first source that has a
/// variable serves it, and shared dimensions must agree in length (as
/// `xarray.open_mfdataset(..., compat="override")` does for Daymet's per-variable files).
pub struct MergedSource {
    sources: Vec<Arc<dyn Source>>,
    owner: HashMap<String, usize>,
    dataset: Dataset,
    location: String,
}

impl std::fmt::Debug for MergedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MergedSource")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl MergedSource {
    /// Merges already opened sources.
    ///
    /// # Errors
    /// [`Error::Merge`] when a dimension's length differs between sources.
    pub fn new(sources: Vec<Arc<dyn Source>>) -> Result<Self> {
        let mut dataset = Dataset::default();
        let mut owner = HashMap::new();
        for (k, src) in sources.iter().enumerate() {
            let ds = src.dataset();
            for d in &ds.dims {
                match dataset.dim_len(&d.name) {
                    Some(n) if n != d.len => {
                        return Err(Error::Merge {
                            location: src.location().to_owned(),
                            reason: format!(
                                "dimension `{}` has length {} here but {n} in `{}`",
                                d.name,
                                d.len,
                                sources[0].location()
                            ),
                        })
                    }
                    Some(_) => {}
                    None => dataset.dims.push(d.clone()),
                }
            }
            for v in &ds.variables {
                if !owner.contains_key(&v.name) {
                    owner.insert(v.name.clone(), k);
                    dataset.variables.push(v.clone());
                }
            }
            for (name, value) in ds.attrs.iter() {
                if dataset.attrs.get(name).is_none() {
                    dataset.attrs.insert(name, value.clone());
                }
            }
            dataset.crs = dataset.crs.take().or_else(|| ds.crs.clone());
            dataset.transform = dataset.transform.or(ds.transform);
        }
        let location = sources
            .iter()
            .map(|s| s.location())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Self {
            sources,
            owner,
            dataset,
            location,
        })
    }

    /// The source serving `var`.
    #[must_use]
    pub fn source_of(&self, var: &str) -> Option<&Arc<dyn Source>> {
        self.owner.get(var).map(|&k| &self.sources[k])
    }
}

impl Source for MergedSource {
    fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    fn location(&self) -> &str {
        &self.location
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> rsdat_model::Result<Values> {
        match self.source_of(var) {
            Some(src) => src.read(var, start, count),
            None => Err(rsdat_model::Error::UnknownVariable {
                location: self.location.clone(),
                var: var.to_owned(),
                found: self.dataset.variable_names().join(", "),
            }),
        }
    }
}

/// Opens every path or URL and merges them by variable; one input is returned as is
/// (wrapped).
///
/// # Errors
/// The first file that fails to open, or [`Error::Merge`].
pub fn open_merged<S: AsRef<str>>(urls: &[S]) -> Result<MergedSource> {
    let sources = urls
        .iter()
        .map(|u| open(u.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    MergedSource::new(sources)
}
