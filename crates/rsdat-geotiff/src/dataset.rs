//! The [`Dataset`] a GeoTIFF level presents, and its coordinate values.

use rsdat_model::{AttrValue, Attributes, DType, Dataset, Dimension, GeoTransform, Variable};

use crate::geotiff::Shared;
use crate::image::Image;

/// Name of the data variable, as xarray's rasterio engine names it.
pub const BAND_DATA: &str = "band_data";

/// Band-level facts read from GDAL's tags.
#[derive(Debug, Clone, Default)]
pub(crate) struct BandInfo {
    /// `GDAL_NODATA`.
    pub(crate) nodata: Option<f64>,
    /// Scale of band 1 from `GDAL_METADATA`.
    pub(crate) scale: Option<f64>,
    /// Offset of band 1 from `GDAL_METADATA`.
    pub(crate) offset: Option<f64>,
    /// `RasterTypeGeoKey` is `PixelIsPoint`.
    pub(crate) pixel_is_point: bool,
}

/// The dataset of `img` with transform `t` (already scaled for overviews).
pub(crate) fn build(img: &Image, t: Option<GeoTransform>, shared: &Shared) -> Dataset {
    let (nb, ny, nx) = (img.bands, img.height, img.width);
    let dims = |names: &[(&str, usize)]| -> Vec<(String, usize)> {
        names.iter().map(|&(n, l)| (n.to_owned(), l)).collect()
    };
    let band = Variable::new("band", DType::I64, dims(&[("band", nb)]));
    let mut y = Variable::new("y", DType::F64, dims(&[("y", ny)]));
    let mut x = Variable::new("x", DType::F64, dims(&[("x", nx)]));
    if let Some(crs) = &shared.crs {
        let geographic = crs.cf.get_str("grid_mapping_name") == Some("latitude_longitude");
        y.attrs = axis_attrs("Y", geographic);
        x.attrs = axis_attrs("X", geographic);
    }
    let mut data = Variable::new(
        BAND_DATA,
        img.dtype,
        dims(&[("band", nb), ("y", ny), ("x", nx)]),
    );
    data.chunks = Some(vec![1, img.chunk_h.min(ny), img.chunk_w.min(nx)]);
    data.compression = img.compression.name().map(str::to_owned);
    let info = &shared.bands;
    let area = if info.pixel_is_point { "Point" } else { "Area" };
    data.attrs.insert("AREA_OR_POINT", area);
    if let Some(nd) = info.nodata {
        data.attrs.insert("_FillValue", fill_attr(img.dtype, nd));
    }
    if let Some(s) = info.scale.filter(|&s| s != 1.0) {
        data.attrs.insert("scale_factor", s);
    }
    if let Some(o) = info.offset.filter(|&o| o != 0.0) {
        data.attrs.insert("add_offset", o);
    }
    if shared.crs.is_some() {
        data.attrs.insert("grid_mapping", crate::crs::GRID_MAPPING);
    }
    Dataset {
        dims: vec![
            Dimension::new("band", nb),
            Dimension::new("y", ny),
            Dimension::new("x", nx),
        ],
        variables: vec![band, y, x, data],
        attrs: shared.attrs.clone(),
        crs: shared.crs.clone(),
        transform: t,
    }
}

/// `_FillValue` in the variable's own kind: an integer for integer bands.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn fill_attr(dtype: DType, nodata: f64) -> AttrValue {
    if !dtype.is_float() && nodata.fract() == 0.0 && nodata.abs() < 9.0e15 {
        AttrValue::Int(vec![nodata as i64])
    } else {
        AttrValue::Float(vec![nodata])
    }
}

/// CF attributes of the `x`/`y` coordinates, as rioxarray writes them.
fn axis_attrs(axis: &str, geographic: bool) -> Attributes {
    let (name, units) = match (axis, geographic) {
        ("X", true) => ("longitude", "degrees_east"),
        ("Y", true) => ("latitude", "degrees_north"),
        ("X", false) => ("projection_x_coordinate", "metre"),
        _ => ("projection_y_coordinate", "metre"),
    };
    let long_name = match (axis, geographic) {
        (_, true) => name.to_owned(),
        (a, false) => format!("{} coordinate of projection", a.to_ascii_lowercase()),
    };
    [
        ("axis", axis.to_owned()),
        ("long_name", long_name),
        ("standard_name", name.to_owned()),
        ("units", units.to_owned()),
    ]
    .into_iter()
    .collect()
}

/// Pixel-centre coordinates `start..start+count` along `axis` (`x` or `y`), as rioxarray
/// computes them: `(col + 0.5, 0.5) * affine` for x, `(0.5, row + 0.5) * affine` for y.
/// Without a transform, the identity (rasterio's default) is used.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn centres(
    t: Option<&GeoTransform>,
    axis: &str,
    start: usize,
    count: usize,
) -> Vec<f64> {
    let g = t.map_or([0.0, 1.0, 0.0, 0.0, 0.0, 1.0], |t| t.0);
    (start..start + count)
        .map(|i| {
            let v = i as f64 + 0.5;
            if axis == "x" {
                v * g[1] + 0.5 * g[2] + g[0]
            } else {
                0.5 * g[4] + v * g[5] + g[3]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centres_and_fill() {
        let t = GeoTransform([100.0, 10.0, 0.0, 50.0, 0.0, -5.0]);
        assert_eq!(centres(Some(&t), "x", 1, 2), [115.0, 125.0]);
        assert_eq!(centres(Some(&t), "y", 0, 1), [47.5]);
        assert_eq!(centres(None, "y", 0, 2), [0.5, 1.5]);
        assert_eq!(fill_attr(DType::U16, 0.0), AttrValue::Int(vec![0]));
        assert_eq!(
            fill_attr(DType::F32, -9999.0),
            AttrValue::Float(vec![-9999.0])
        );
    }
}
