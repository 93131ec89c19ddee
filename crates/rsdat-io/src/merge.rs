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

    fn stored_encoding(&self, var: &str) -> Option<rsdat_model::StoredEncoding> {
        self.source_of(var)?.stored_encoding(var)
    }

    fn stored_chunk(&self, var: &str, start: &[usize]) -> rsdat_model::Result<Option<Vec<u8>>> {
        match self.source_of(var) {
            Some(src) => src.stored_chunk(var, start),
            None => Ok(None),
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

/// As [`open_merged`], reading group `group` of every NetCDF-4 input that has it (the root
/// of the others: per-variable Daymet files have no groups, and `rsdat convert --group`
/// then only names the output group). Returns the dataset and whether any input was read
/// from `group`.
///
/// # Errors
/// As [`open_merged`].
pub fn open_merged_group<S: AsRef<str>>(
    urls: &[S],
    group: Option<&str>,
) -> Result<(MergedSource, bool)> {
    let Some(group) = group.map(|g| g.trim_matches('/')).filter(|g| !g.is_empty()) else {
        return Ok((open_merged(urls)?, false));
    };
    let mut from_group = false;
    let mut sources: Vec<Arc<dyn Source>> = Vec::new();
    for url in urls {
        let url = url.as_ref();
        if crate::detect(url)? == crate::Format::Netcdf {
            match rsdat_netcdf::NetcdfSource::open_group(url, Some(group)) {
                Ok(src) => {
                    from_group = true;
                    sources.push(Arc::new(src));
                    continue;
                }
                Err(rsdat_netcdf::Error::NoGroup { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        sources.push(crate::open(url)?);
    }
    Ok((MergedSource::new(sources)?, from_group))
}
