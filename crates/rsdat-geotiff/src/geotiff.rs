//! [`GeoTiff`]: opening a file, its overviews, and georeferencing.

use std::sync::Arc;

use rsdat_model::{Attributes, Crs, Dataset, GeoTransform};
use rsdat_storage::ReadStore;

use crate::geokeys::GeoKeys;
use crate::header::TiffBytes;
use crate::ifd::{self, Ifd};
use crate::image::Image;
use crate::metadata;
use crate::{dataset, tags, transform, Error, Result};

/// What every level of one file shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) file: TiffBytes,
    /// The full-resolution image, then the overviews, largest first.
    pub(crate) images: Vec<Image>,
    pub(crate) crs: Option<Crs>,
    pub(crate) transform: Option<GeoTransform>,
    /// Band-level facts of the full image.
    pub(crate) bands: dataset::BandInfo,
    /// Dataset-level `GDAL_METADATA` items.
    pub(crate) attrs: Attributes,
}

/// A GeoTIFF or COG opened for window reads, at full resolution or one overview level.
///
/// Its [`Dataset`] looks as `xarray.open_dataset(path, engine="rasterio")` shows it:
/// `band_data(band, y, x)` with coordinates `band` (1..n), `y` and `x` (pixel
/// centres), and the CRS and transform in [`Dataset::crs`] and [`Dataset::transform`].
/// Read it through [`rsdat_model::Source`]. Cloning is cheap: levels share the file.
#[derive(Debug, Clone)]
pub struct GeoTiff {
    pub(crate) shared: Arc<Shared>,
    /// Index into `shared.images` (0 = full resolution).
    pub(crate) level: usize,
    pub(crate) dataset: Dataset,
}

impl GeoTiff {
    /// Opens the GeoTIFF at `url` (a path, `file://` or `http(s)://` URL).
    ///
    /// # Errors
    /// [`Error::Storage`] when the location cannot be opened, else as [`GeoTiff::from_store`].
    pub fn open(url: &str) -> Result<Self> {
        let store =
            rsdat_storage::open_read(url).map_err(|e| Error::storage(url, "the file", e))?;
        Self::from_store(store)
    }

    /// Opens a GeoTIFF served by `store`, reading its header and IFDs only.
    ///
    /// # Errors
    /// [`Error::NotTiff`], [`Error::Truncated`], [`Error::Invalid`] for a damaged file,
    /// [`Error::Unsupported`] for a compression or sample layout rsdat does not read.
    pub fn from_store(store: Arc<dyn ReadStore>) -> Result<Self> {
        let file = TiffBytes::open(store)?;
        let ifds = ifd::read_chain(&file)?;
        let main = Image::from_ifd(&file, &ifds[0])?;
        let overviews = overviews(&file, &ifds, &main)?;
        let ifd0 = &ifds[0];
        let keys = GeoKeys::read(&file, ifd0)?.unwrap_or_default();
        let transform = transform::geo_transform(
            file.floats(ifd0, tags::MODEL_PIXEL_SCALE)?.as_deref(),
            file.floats(ifd0, tags::MODEL_TIEPOINT)?.as_deref(),
            file.floats(ifd0, tags::MODEL_TRANSFORMATION)?.as_deref(),
            keys.is_pixel_is_point(),
        );
        let crs = crate::crs::from_geokeys(&keys);
        let nodata = file
            .ascii(ifd0, tags::GDAL_NODATA)?
            .and_then(|t| metadata::parse_nodata(&t));
        let items = file
            .ascii(ifd0, tags::GDAL_METADATA)?
            .map(|x| metadata::parse_items(&x))
            .unwrap_or_default();
        let band_item = |role: &str| {
            items
                .iter()
                .find(|i| i.sample == Some(0) && i.role.as_deref() == Some(role))
                .and_then(|i| i.value.trim().parse::<f64>().ok())
        };
        let bands = dataset::BandInfo {
            nodata,
            scale: band_item("scale"),
            offset: band_item("offset"),
            pixel_is_point: keys.is_pixel_is_point(),
        };
        let attrs = items
            .iter()
            .filter(|i| i.sample.is_none() && i.domain.is_none() && !i.name.is_empty())
            .map(|i| (i.name.clone(), i.value.clone()))
            .collect();
        let mut images = vec![main];
        images.extend(overviews);
        let shared = Arc::new(Shared {
            file,
            images,
            crs,
            transform,
            bands,
            attrs,
        });
        Ok(Self::at_level(shared, 0))
    }

    fn at_level(shared: Arc<Shared>, level: usize) -> Self {
        let img = &shared.images[level];
        let full = &shared.images[0];
        let t = shared.transform.map(|t| {
            if level == 0 {
                t
            } else {
                transform::overview_transform(
                    &t,
                    (full.width, full.height),
                    (img.width, img.height),
                )
            }
        });
        let dataset = dataset::build(img, t, &shared);
        Self {
            shared,
            level,
            dataset,
        }
    }

    /// Number of overviews (reduced-resolution images) in the file; masks are not counted.
    #[must_use]
    pub fn overview_count(&self) -> usize {
        self.shared.images.len() - 1
    }

    /// The overview `level` (0 = the largest, as rasterio's `overview_level`), as a
    /// [`GeoTiff`] of its own with the pixel size scaled as GDAL scales it. Levels
    /// always count from the file's list, whichever level `self` is.
    ///
    /// # Errors
    /// [`Error::NoOverview`] when the file has no such level.
    pub fn overview(&self, level: usize) -> Result<Self> {
        if level >= self.overview_count() {
            return Err(Error::NoOverview {
                location: self.shared.file.location().to_owned(),
                level,
                count: self.overview_count(),
            });
        }
        Ok(Self::at_level(Arc::clone(&self.shared), level + 1))
    }

    /// The overview level this view reads (`None` for full resolution).
    #[must_use]
    pub fn level(&self) -> Option<usize> {
        self.level.checked_sub(1)
    }

    /// Width and height in pixels of this level.
    #[must_use]
    pub fn size(&self) -> (usize, usize) {
        let img = self.image();
        (img.width, img.height)
    }

    /// Number of bands.
    #[must_use]
    pub fn band_count(&self) -> usize {
        self.image().bands
    }

    pub(crate) fn image(&self) -> &Image {
        &self.shared.images[self.level]
    }
}

/// The overview images after the first IFD: reduced-resolution subfiles with the same
/// bands and type, smaller than the main image (GDAL's rule); masks, further pages and
/// overviews rsdat cannot decode are skipped.
fn overviews(file: &TiffBytes, ifds: &[Ifd], main: &Image) -> Result<Vec<Image>> {
    let mut out = Vec::new();
    for ifd in &ifds[1..] {
        let subfile = file.uint(ifd, tags::NEW_SUBFILE_TYPE)?.unwrap_or(0);
        if subfile & tags::SUBFILE_MASK != 0 {
            tracing::debug!(ifd = ifd.index, "skipping a mask IFD");
            continue;
        }
        if subfile & tags::SUBFILE_REDUCED == 0 {
            tracing::debug!(
                ifd = ifd.index,
                "skipping a further page; only the first is read"
            );
            continue;
        }
        // A bad or unsupported overview (say JPEG overviews of a deflate image) costs
        // that overview only, as in GDAL.
        let img = match Image::from_ifd(file, ifd) {
            Ok(img) => img,
            Err(e) => {
                tracing::warn!(ifd = ifd.index, error = %e, "skipping an overview rsdat cannot read");
                continue;
            }
        };
        if img.bands == main.bands
            && img.dtype == main.dtype
            && img.width <= main.width
            && img.height <= main.height
        {
            out.push(img);
        } else {
            tracing::debug!(
                ifd = ifd.index,
                "skipping a reduced image unlike the main one"
            );
        }
    }
    Ok(out)
}
