//! The GeoKey directory (tags 34735-34737): typed access to GeoTIFF keys.

use std::collections::BTreeMap;

use crate::header::TiffBytes;
use crate::ifd::Ifd;
use crate::tags;
use crate::Result;

/// GeoKey numbers the reader uses.
pub(crate) mod key {
    pub(crate) const MODEL_TYPE: u16 = 1024;
    pub(crate) const RASTER_TYPE: u16 = 1025;
    pub(crate) const CITATION: u16 = 1026;
    pub(crate) const GEOGRAPHIC_TYPE: u16 = 2048;
    pub(crate) const GEODETIC_DATUM: u16 = 2050;
    pub(crate) const ELLIPSOID: u16 = 2056;
    pub(crate) const SEMI_MAJOR_AXIS: u16 = 2057;
    pub(crate) const SEMI_MINOR_AXIS: u16 = 2058;
    pub(crate) const INV_FLATTENING: u16 = 2059;
    pub(crate) const PROJECTED_TYPE: u16 = 3072;
    pub(crate) const COORD_TRANS: u16 = 3075;
    pub(crate) const LINEAR_UNITS: u16 = 3076;
    pub(crate) const STD_PARALLEL1: u16 = 3078;
    pub(crate) const STD_PARALLEL2: u16 = 3079;
    pub(crate) const NAT_ORIGIN_LONG: u16 = 3080;
    pub(crate) const NAT_ORIGIN_LAT: u16 = 3081;
    pub(crate) const FALSE_EASTING: u16 = 3082;
    pub(crate) const FALSE_NORTHING: u16 = 3083;
    pub(crate) const FALSE_ORIGIN_LONG: u16 = 3084;
    pub(crate) const FALSE_ORIGIN_LAT: u16 = 3085;
    pub(crate) const FALSE_ORIGIN_EASTING: u16 = 3086;
    pub(crate) const FALSE_ORIGIN_NORTHING: u16 = 3087;
    pub(crate) const CENTER_LONG: u16 = 3088;
    pub(crate) const CENTER_LAT: u16 = 3089;
    pub(crate) const CENTER_EASTING: u16 = 3090;
    pub(crate) const CENTER_NORTHING: u16 = 3091;
    pub(crate) const SCALE_AT_NAT_ORIGIN: u16 = 3092;
    pub(crate) const SCALE_AT_CENTER: u16 = 3093;
    pub(crate) const STRAIGHT_VERT_POLE_LONG: u16 = 3095;
}

/// A GeoKey's value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GeoValue {
    /// SHORT values (codes).
    Short(Vec<u16>),
    /// DOUBLE values (parameters).
    Double(Vec<f64>),
    /// ASCII text (citations).
    Ascii(String),
}

/// The GeoKeys of one image.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct GeoKeys(BTreeMap<u16, GeoValue>);

impl GeoKeys {
    /// Reads the directory of `ifd`; `None` when the image has none.
    pub(crate) fn read(file: &TiffBytes, ifd: &Ifd) -> Result<Option<Self>> {
        let Some(dir) = file.uints(ifd, tags::GEO_KEY_DIRECTORY)? else {
            return Ok(None);
        };
        let doubles = file
            .floats(ifd, tags::GEO_DOUBLE_PARAMS)?
            .unwrap_or_default();
        let ascii = file.ascii(ifd, tags::GEO_ASCII_PARAMS)?.unwrap_or_default();
        Ok(Some(Self::parse(&dir, &doubles, &ascii)))
    }

    /// Parses a key directory with its double and ASCII parameters; malformed
    /// keys are skipped, as libgeotiff does.
    pub(crate) fn parse(dir: &[u64], doubles: &[f64], ascii: &str) -> Self {
        let mut keys = BTreeMap::new();
        let n = dir.get(3).map_or(0, |&n| usize::try_from(n).unwrap_or(0));
        for k in dir.get(4..).unwrap_or_default().chunks_exact(4).take(n) {
            let (Ok(id), Ok(loc)) = (u16::try_from(k[0]), u16::try_from(k[1])) else {
                continue;
            };
            let count = usize::try_from(k[2]).unwrap_or(0);
            let off = usize::try_from(k[3]).unwrap_or(usize::MAX);
            let value = match loc {
                0 => Some(GeoValue::Short(vec![u16::try_from(k[3]).unwrap_or(0)])),
                tags::GEO_KEY_DIRECTORY => dir.get(off..off.saturating_add(count)).map(|v| {
                    GeoValue::Short(v.iter().map(|&x| u16::try_from(x).unwrap_or(0)).collect())
                }),
                tags::GEO_DOUBLE_PARAMS => doubles
                    .get(off..off.saturating_add(count))
                    .map(|v| GeoValue::Double(v.to_vec())),
                tags::GEO_ASCII_PARAMS => ascii
                    .get(off..off.saturating_add(count))
                    .map(|s| GeoValue::Ascii(s.trim_end_matches(['|', '\0']).to_owned())),
                _ => None,
            };
            match value {
                Some(v) => {
                    keys.insert(id, v);
                }
                None => tracing::debug!(key = id, "skipping a malformed GeoKey"),
            }
        }
        Self(keys)
    }

    /// A SHORT key's first value.
    pub(crate) fn short(&self, key: u16) -> Option<u16> {
        match self.0.get(&key) {
            Some(GeoValue::Short(v)) => v.first().copied(),
            _ => None,
        }
    }

    /// A DOUBLE key's first value.
    pub(crate) fn double(&self, key: u16) -> Option<f64> {
        match self.0.get(&key) {
            Some(GeoValue::Double(v)) => v.first().copied(),
            _ => None,
        }
    }

    /// An ASCII key's text.
    pub(crate) fn text(&self, key: u16) -> Option<&str> {
        match self.0.get(&key) {
            Some(GeoValue::Ascii(s)) => Some(s),
            _ => None,
        }
    }

    /// True when `RasterTypeGeoKey` says `PixelIsPoint`.
    pub(crate) fn is_pixel_is_point(&self) -> bool {
        self.short(key::RASTER_TYPE) == Some(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utm_directory() {
        // As GDAL writes EPSG:32631: version, revision, minor, 4 keys.
        let dir = [
            1, 1, 0, 4, 1024, 0, 1, 1, 1025, 0, 1, 1, 1026, 34737, 22, 0, 3072, 0, 1, 32631,
        ];
        let k = GeoKeys::parse(&dir, &[], "WGS 84 / UTM zone 31N|");
        assert_eq!(k.short(key::PROJECTED_TYPE), Some(32631));
        assert_eq!(k.text(key::CITATION), Some("WGS 84 / UTM zone 31N"));
        assert!(!k.is_pixel_is_point());
        // Counts past the end are skipped, not a panic.
        let bad = GeoKeys::parse(&[1, 1, 0, 9, 3072, 34736, 5, 100], &[1.0], "");
        assert_eq!(bad.double(3072), None);
    }
}
