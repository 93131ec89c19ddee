//! CRS <-> CF grid-mapping variable, as xarray/rioxarray store it in Zarr.
//!
//! rioxarray writes a scalar `spatial_ref` coordinate whose attributes are the CF
//! grid-mapping parameters plus `crs_wkt`, `spatial_ref` (both WKT) and `GeoTransform`; data
//! variables point to it with `grid_mapping` and list it in `coordinates`. NetCDF sources
//! (Daymet) name it after the projection (`lambert_conformal_conic`); the name is kept.

use rsdat_model::{AttrValue, Attributes, Crs, DType, GeoTransform, Values, Variable};

/// Name of the grid-mapping variable when the CRS does not say (rioxarray's choice).
pub(crate) const DEFAULT_GRID_MAPPING: &str = "spatial_ref";

/// Attributes that carry WKT.
const WKT_ATTRS: [&str; 2] = ["crs_wkt", "spatial_ref"];

/// The scalar grid-mapping variable for `crs`, merged with `source` (the source's own
/// grid-mapping variable, whose attributes win) when there is one.
pub(crate) fn grid_mapping_variable(
    crs: &Crs,
    transform: Option<&GeoTransform>,
    source: Option<&Variable>,
) -> Variable {
    let name = crs
        .grid_mapping
        .clone()
        .or_else(|| source.map(|v| v.name.clone()))
        .unwrap_or_else(|| DEFAULT_GRID_MAPPING.to_owned());
    let dtype = source
        .map(|v| v.dtype)
        .filter(|d| *d != DType::Text && !d.is_float())
        .unwrap_or(DType::I32);
    let mut var = Variable::new(name, dtype, Vec::new());
    if let Some(src) = source {
        for (k, v) in src.attrs.iter() {
            if k != "_FillValue" {
                var.attrs.insert(k, v.clone());
            }
        }
    }
    let mut add = |k: &str, v: AttrValue| {
        if var.attrs.get(k).is_none() {
            var.attrs.insert(k, v);
        }
    };
    for (k, v) in crs.cf.iter() {
        add(k, v.clone());
    }
    if let Some(wkt) = &crs.wkt {
        for k in WKT_ATTRS {
            add(k, AttrValue::Text(wkt.clone()));
        }
    }
    if let Some(t) = transform {
        let text = t.0.iter().map(f64::to_string).collect::<Vec<_>>().join(" ");
        add("GeoTransform", AttrValue::Text(text));
    }
    var
}

/// The value stored in the grid-mapping variable: a 0-d zero.
pub(crate) fn grid_mapping_value(dtype: DType) -> Values {
    Values::filled(dtype, &[], 0.0)
        .unwrap_or_else(|| Values::I32(ndarray::ArrayD::zeros(ndarray::IxDyn(&[]))))
}

/// The CRS described by grid-mapping variable `name` with attributes `attrs`.
pub(crate) fn crs_from_attrs(name: &str, attrs: &Attributes) -> Crs {
    let wkt = WKT_ATTRS
        .iter()
        .find_map(|k| attrs.get_str(k))
        .map(str::to_owned);
    let cf: Attributes = attrs
        .iter()
        .filter(|(k, _)| !WKT_ATTRS.contains(k) && *k != "GeoTransform" && *k != "_FillValue")
        .map(|(k, v)| (k, v.clone()))
        .collect();
    let proj4 = ["proj4", "proj4text", "proj4_params"]
        .iter()
        .find_map(|k| attrs.get_str(k))
        .map(str::to_owned)
        .or_else(|| proj4_from_cf(attrs));
    let epsg = wkt.as_deref().and_then(epsg_of_wkt).or_else(|| {
        attrs
            .get_str("epsg_code")
            .and_then(|s| s.trim_start_matches("EPSG:").parse().ok())
    });
    Crs {
        proj4,
        epsg,
        wkt,
        cf,
        grid_mapping: Some(name.to_owned()),
    }
}

/// The transform rioxarray stores in `GeoTransform` (six numbers, GDAL order).
pub(crate) fn transform_from_attrs(attrs: &Attributes) -> Option<GeoTransform> {
    let v: Vec<f64> = attrs
        .get_str("GeoTransform")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    Some(GeoTransform(v.try_into().ok()?))
}

/// The EPSG code of the root of a WKT1 (`AUTHORITY["EPSG","5070"]]` at the end) or WKT2
/// (`ID["EPSG",5070]]`) string.
fn epsg_of_wkt(wkt: &str) -> Option<u32> {
    let trimmed = wkt.trim_end();
    let tail = trimmed.trim_end_matches(']');
    // The root's authority closes itself and the root: exactly two brackets at the end.
    if trimmed.len() - tail.len() != 2 {
        return None;
    }
    let at = tail.rfind("AUTHORITY[").or_else(|| tail.rfind("ID["))?;
    let inner = &tail[at..];
    if inner.matches('[').count() != 1 {
        return None;
    }
    let (_, rest) = inner.split_once(',')?;
    if !inner.to_ascii_uppercase().contains("EPSG") {
        return None;
    }
    rest.trim_matches(|c: char| c == '"' || c == ']' || c.is_whitespace())
        .parse()
        .ok()
}

/// A PROJ.4 string from CF grid-mapping attributes, for the common projections.
pub(crate) fn proj4_from_cf(a: &Attributes) -> Option<String> {
    let num = |k: &str| a.get_f64(k);
    let mut p: Vec<String> = Vec::new();
    fn put(p: &mut Vec<String>, k: &str, v: Option<f64>) {
        if let Some(v) = v {
            p.push(format!("+{k}={v}"));
        }
    }
    let parallels = a
        .get("standard_parallel")
        .and_then(AttrValue::as_f64_vec)
        .unwrap_or_default();
    let projected = match a.get_str("grid_mapping_name")? {
        "latitude_longitude" => {
            p.push("+proj=longlat".into());
            false
        }
        name @ ("lambert_conformal_conic" | "albers_conical_equal_area") => {
            p.push(format!(
                "+proj={}",
                if name == "albers_conical_equal_area" {
                    "aea"
                } else {
                    "lcc"
                }
            ));
            put(&mut p, "lat_1", parallels.first().copied());
            put(
                &mut p,
                "lat_2",
                parallels.get(1).or(parallels.first()).copied(),
            );
            put(&mut p, "lat_0", num("latitude_of_projection_origin"));
            put(&mut p, "lon_0", num("longitude_of_central_meridian"));
            true
        }
        "transverse_mercator" => {
            p.push("+proj=tmerc".into());
            put(&mut p, "lat_0", num("latitude_of_projection_origin"));
            put(&mut p, "lon_0", num("longitude_of_central_meridian"));
            put(&mut p, "k_0", num("scale_factor_at_central_meridian"));
            true
        }
        "polar_stereographic" => {
            p.push("+proj=stere".into());
            put(&mut p, "lat_0", num("latitude_of_projection_origin"));
            put(&mut p, "lat_ts", parallels.first().copied());
            put(
                &mut p,
                "lon_0",
                num("straight_vertical_longitude_from_pole"),
            );
            put(&mut p, "k_0", num("scale_factor_at_projection_origin"));
            true
        }
        "lambert_azimuthal_equal_area" => {
            p.push("+proj=laea".into());
            put(&mut p, "lat_0", num("latitude_of_projection_origin"));
            put(&mut p, "lon_0", num("longitude_of_projection_origin"));
            true
        }
        "mercator" => {
            p.push("+proj=merc".into());
            put(&mut p, "lon_0", num("longitude_of_projection_origin"));
            put(&mut p, "lat_ts", parallels.first().copied());
            put(&mut p, "k_0", num("scale_factor_at_projection_origin"));
            true
        }
        _ => return None,
    };
    if projected {
        put(&mut p, "x_0", num("false_easting").or(Some(0.0)));
        put(&mut p, "y_0", num("false_northing").or(Some(0.0)));
    }
    match (
        num("semi_major_axis"),
        num("inverse_flattening"),
        num("semi_minor_axis"),
        num("earth_radius"),
    ) {
        (Some(ax), Some(rf), _, _) if rf != 0.0 => {
            put(&mut p, "a", Some(ax));
            put(&mut p, "rf", Some(rf));
        }
        (Some(ax), _, Some(b), _) => {
            put(&mut p, "a", Some(ax));
            put(&mut p, "b", Some(b));
        }
        (Some(r), _, _, _) | (None, _, _, Some(r)) => put(&mut p, "R", Some(r)),
        _ => p.push("+datum=WGS84".into()),
    }
    if projected {
        p.push("+units=m".into());
    }
    p.push("+no_defs".into());
    Some(p.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daymet() -> Attributes {
        let mut a = Attributes::new();
        a.insert("grid_mapping_name", "lambert_conformal_conic");
        a.insert("longitude_of_central_meridian", -100.0);
        a.insert("latitude_of_projection_origin", 42.5);
        a.insert("false_easting", 0.0);
        a.insert("false_northing", 0.0);
        a.insert("standard_parallel", AttrValue::Float(vec![25.0, 60.0]));
        a.insert("semi_major_axis", 6_378_137.0);
        a.insert("inverse_flattening", 298.257_223_563);
        a
    }

    #[test]
    fn daymet_lcc_to_proj4() {
        assert_eq!(
            proj4_from_cf(&daymet()).as_deref(),
            Some("+proj=lcc +lat_1=25 +lat_2=60 +lat_0=42.5 +lon_0=-100 +x_0=0 +y_0=0 +a=6378137 +rf=298.257223563 +units=m +no_defs")
        );
    }

    #[test]
    fn round_trips_through_the_variable() {
        let crs = Crs {
            wkt: Some(r#"PROJCS["NAD83 / Conus Albers",AUTHORITY["EPSG","5070"]]"#.into()),
            cf: daymet(),
            grid_mapping: Some("lambert_conformal_conic".into()),
            ..Crs::default()
        };
        let t = GeoTransform([0.0, 1000.0, 0.0, 10.0, 0.0, -1000.0]);
        let var = grid_mapping_variable(&crs, Some(&t), None);
        assert_eq!(var.name, "lambert_conformal_conic");
        let back = crs_from_attrs(&var.name, &var.attrs);
        assert_eq!(back.wkt, crs.wkt);
        assert_eq!(back.cf, crs.cf);
        assert_eq!(back.epsg, Some(5070));
        assert!(back.proj4.is_some_and(|p| p.starts_with("+proj=lcc")));
        assert_eq!(transform_from_attrs(&var.attrs), Some(t));
    }
}
