//! The CRS of a GeoTIFF from its GeoKeys: EPSG code, PROJ.4 string and CF attributes.

use rsdat_model::Crs;

use crate::geokeys::{key, GeoKeys};
use crate::{cf, epsg, wkt};

/// Name given to the grid mapping, as rioxarray names its CRS coordinate.
pub(crate) const GRID_MAPPING: &str = "spatial_ref";

/// `GeoKey` value meaning "user-defined".
const USER_DEFINED: u16 = 32767;

/// The CRS the keys describe; `None` when they name none rsdat understands.
pub(crate) fn from_geokeys(keys: &GeoKeys) -> Option<Crs> {
    let model = keys.short(key::MODEL_TYPE);
    let code = |k| keys.short(k).filter(|&c| c != 0 && c != USER_DEFINED);
    let (epsg, proj4) = match (model, code(key::PROJECTED_TYPE)) {
        (_, Some(pcs)) => (Some(u32::from(pcs)), epsg::proj4(u32::from(pcs))),
        (Some(1), None) => (None, user_projected(keys)),
        _ => match code(key::GEOGRAPHIC_TYPE) {
            Some(gcs) => (Some(u32::from(gcs)), epsg::proj4(u32::from(gcs))),
            None => (
                None,
                ellipsoid(keys).map(|e| format!("+proj=longlat {e} +no_defs")),
            ),
        },
    };
    if epsg.is_none() && proj4.is_none() {
        tracing::debug!(citation = keys.text(key::CITATION), "CRS not understood");
        return None;
    }
    let cf = proj4.as_deref().map(cf::grid_mapping).unwrap_or_default();
    let wkt = epsg.and_then(wkt::from_epsg).or_else(|| wkt::from_cf(&cf));
    Some(Crs {
        proj4,
        epsg,
        wkt,
        cf,
        grid_mapping: Some(GRID_MAPPING.to_owned()),
    })
}

/// The datum/ellipsoid part of a PROJ.4 string from the geographic keys.
fn ellipsoid(keys: &GeoKeys) -> Option<String> {
    let known = |code: u16| -> Option<&'static str> {
        Some(match code {
            4326 | 6326 => "+datum=WGS84",
            4269 | 6269 => "+datum=NAD83",
            4267 | 6267 => "+datum=NAD27",
            4258 | 6258 => "+ellps=GRS80 +towgs84=0,0,0,0,0,0,0",
            7030 => "+ellps=WGS84",
            7019 => "+ellps=GRS80",
            7004 => "+ellps=bessel",
            7022 => "+ellps=intl",
            7001 => "+ellps=airy",
            7008 => "+ellps=clrk66",
            _ => return None,
        })
    };
    let by_code = [key::GEOGRAPHIC_TYPE, key::GEODETIC_DATUM, key::ELLIPSOID]
        .iter()
        .find_map(|&k| keys.short(k).and_then(known));
    if let Some(e) = by_code {
        return Some(e.to_owned());
    }
    let a = keys.double(key::SEMI_MAJOR_AXIS)?;
    Some(
        match (
            keys.double(key::INV_FLATTENING),
            keys.double(key::SEMI_MINOR_AXIS),
        ) {
            (Some(rf), _) if rf != 0.0 => format!("+a={a} +rf={rf}"),
            (_, Some(b)) => format!("+a={a} +b={b}"),
            _ => format!("+a={a} +b={a}"),
        },
    )
}

/// A PROJ.4 string for a user-defined projected CRS, for the projections GDAL writes
/// most; `None` for others.
fn user_projected(keys: &GeoKeys) -> Option<String> {
    let d = |k| keys.double(k);
    let first = |ks: &[u16]| ks.iter().find_map(|&k| d(k));
    let or0 = |ks: &[u16]| first(ks).unwrap_or(0.0);
    let nat_lat = or0(&[key::NAT_ORIGIN_LAT, key::FALSE_ORIGIN_LAT, key::CENTER_LAT]);
    let nat_lon = or0(&[
        key::NAT_ORIGIN_LONG,
        key::FALSE_ORIGIN_LONG,
        key::CENTER_LONG,
    ]);
    let fe = or0(&[
        key::FALSE_EASTING,
        key::FALSE_ORIGIN_EASTING,
        key::CENTER_EASTING,
    ]);
    let fn_ = or0(&[
        key::FALSE_NORTHING,
        key::FALSE_ORIGIN_NORTHING,
        key::CENTER_NORTHING,
    ]);
    let k0 = first(&[key::SCALE_AT_NAT_ORIGIN, key::SCALE_AT_CENTER]).unwrap_or(1.0);
    let p1 = d(key::STD_PARALLEL1);
    let p2 = d(key::STD_PARALLEL2);
    let fo_lat = or0(&[key::FALSE_ORIGIN_LAT, key::NAT_ORIGIN_LAT, key::CENTER_LAT]);
    let fo_lon = or0(&[
        key::FALSE_ORIGIN_LONG,
        key::NAT_ORIGIN_LONG,
        key::CENTER_LONG,
    ]);
    let fo_e = or0(&[key::FALSE_ORIGIN_EASTING, key::FALSE_EASTING]);
    let fo_n = or0(&[key::FALSE_ORIGIN_NORTHING, key::FALSE_NORTHING]);
    let c_lat = or0(&[key::CENTER_LAT, key::NAT_ORIGIN_LAT]);
    let c_lon = or0(&[key::CENTER_LONG, key::NAT_ORIGIN_LONG]);
    let proj = match keys.short(key::COORD_TRANS)? {
        1 => format!("+proj=tmerc +lat_0={nat_lat} +lon_0={nat_lon} +k={k0} +x_0={fe} +y_0={fn_}"),
        7 => match p1 {
            Some(ts) => format!("+proj=merc +lat_ts={ts} +lon_0={nat_lon} +x_0={fe} +y_0={fn_}"),
            None => format!("+proj=merc +lon_0={nat_lon} +k={k0} +x_0={fe} +y_0={fn_}"),
        },
        8 => format!(
            "+proj=lcc +lat_0={fo_lat} +lon_0={fo_lon} +lat_1={} +lat_2={} +x_0={fo_e} +y_0={fo_n}",
            p1.unwrap_or(fo_lat),
            p2.or(p1).unwrap_or(fo_lat)
        ),
        9 => format!(
            "+proj=lcc +lat_1={nat_lat} +lat_0={nat_lat} +lon_0={nat_lon} +k_0={k0} +x_0={fe} +y_0={fn_}"
        ),
        10 => format!("+proj=laea +lat_0={c_lat} +lon_0={c_lon} +x_0={fe} +y_0={fn_}"),
        11 => format!(
            "+proj=aea +lat_0={nat_lat} +lon_0={nat_lon} +lat_1={} +lat_2={} +x_0={fe} +y_0={fn_}",
            p1.unwrap_or(nat_lat),
            p2.or(p1).unwrap_or(nat_lat)
        ),
        15 => {
            let lon = d(key::STRAIGHT_VERT_POLE_LONG).unwrap_or(nat_lon);
            let pole = if nat_lat < 0.0 { -90 } else { 90 };
            if nat_lat.abs() == 90.0 {
                format!("+proj=stere +lat_0={pole} +lon_0={lon} +k={k0} +x_0={fe} +y_0={fn_}")
            } else {
                format!("+proj=stere +lat_0={pole} +lat_ts={nat_lat} +lon_0={lon} +x_0={fe} +y_0={fn_}")
            }
        }
        16 => format!("+proj=sterea +lat_0={nat_lat} +lon_0={nat_lon} +k={k0} +x_0={fe} +y_0={fn_}"),
        17 => format!(
            "+proj=eqc +lat_ts={} +lat_0={nat_lat} +lon_0={nat_lon} +x_0={fe} +y_0={fn_}",
            p1.unwrap_or(0.0)
        ),
        28 => format!(
            "+proj=cea +lat_ts={} +lon_0={nat_lon} +x_0={fe} +y_0={fn_}",
            p1.unwrap_or(0.0)
        ),
        _ => return None,
    };
    let units = match keys.short(key::LINEAR_UNITS) {
        None | Some(9001) => "+units=m",
        Some(9002) => "+units=ft",
        Some(9003) => "+units=us-ft",
        Some(_) => return None,
    };
    let ell = ellipsoid(keys)?;
    Some(format!("{proj} {ell} {units} +no_defs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsg_projected_and_geographic() {
        let keys = GeoKeys::parse(&[1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32631], &[], "");
        let crs = from_geokeys(&keys).expect("crs");
        assert_eq!(crs.epsg, Some(32631));
        assert_eq!(
            crs.cf.get_str("grid_mapping_name"),
            Some("transverse_mercator")
        );
        let keys = GeoKeys::parse(&[1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326], &[], "");
        let crs = from_geokeys(&keys).expect("crs");
        assert_eq!(
            crs.proj4.as_deref(),
            Some("+proj=longlat +datum=WGS84 +no_defs")
        );
    }

    #[test]
    fn user_defined_lcc() {
        // Daymet's Lambert conformal conic on WGS 84.
        let dir = [
            1, 1, 0, 10, //
            1024, 0, 1, 1, //
            2048, 0, 1, 4326, //
            3072, 0, 1, 32767, //
            3075, 0, 1, 8, //
            3078, 34736, 1, 0, //
            3079, 34736, 1, 1, //
            3084, 34736, 1, 2, //
            3085, 34736, 1, 3, //
            3086, 34736, 1, 4, //
            3087, 34736, 1, 5,
        ];
        let keys = GeoKeys::parse(&dir, &[25.0, 60.0, -100.0, 42.5, 0.0, 0.0], "");
        let crs = from_geokeys(&keys).expect("crs");
        assert_eq!(crs.epsg, None);
        assert_eq!(
            crs.proj4.as_deref(),
            Some("+proj=lcc +lat_0=42.5 +lon_0=-100 +lat_1=25 +lat_2=60 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs")
        );
        assert_eq!(
            crs.cf.get_str("grid_mapping_name"),
            Some("lambert_conformal_conic")
        );
    }
}
