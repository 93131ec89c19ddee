//! CF grid-mapping attributes from a PROJ.4 string.

use rsdat_model::{AttrValue, Attributes};

/// `+key=value` parameters of a PROJ.4 string (flags get an empty value).
pub(crate) fn params(proj4: &str) -> Vec<(&str, &str)> {
    proj4
        .split_whitespace()
        .filter_map(|p| p.strip_prefix('+'))
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect()
}

/// Semi-major axis and inverse flattening of an ellipsoid named in PROJ.
fn ellipsoid(name: &str) -> Option<(f64, f64)> {
    Some(match name {
        "WGS84" => (6_378_137.0, 298.257_223_563),
        "GRS80" | "NAD83" => (6_378_137.0, 298.257_222_101),
        "bessel" => (6_377_397.155, 299.152_812_8),
        "airy" => (6_377_563.396, 299.324_964_6),
        "intl" => (6_378_388.0, 297.0),
        "clrk66" | "NAD27" => (6_378_206.4, 294.978_698_213_898),
        _ => return None,
    })
}

/// CF grid-mapping attributes for `proj4`; empty for projections CF does not name.
pub(crate) fn grid_mapping(proj4: &str) -> Attributes {
    let p = params(proj4);
    let get = |k: &str| p.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let num = |k: &str| get(k).and_then(|v| v.parse::<f64>().ok());
    let or0 = |k: &str| num(k).unwrap_or(0.0);
    let proj = get("proj").unwrap_or_default();
    let mut a: Vec<(&str, AttrValue)> = Vec::new();
    let mut set = |k: &'static str, v: AttrValue| a.push((k, v));
    let f = AttrValue::from;
    let name = match proj {
        "longlat" | "latlong" => "latitude_longitude",
        "utm" => {
            let zone = num("zone").unwrap_or(0.0);
            let south = get("south").is_some();
            set("scale_factor_at_central_meridian", f(0.9996));
            set("longitude_of_central_meridian", f(zone * 6.0 - 183.0));
            set("latitude_of_projection_origin", f(0.0));
            set("false_easting", f(500_000.0));
            set("false_northing", f(if south { 10_000_000.0 } else { 0.0 }));
            "transverse_mercator"
        }
        "tmerc" => {
            let k = num("k").or(num("k_0")).unwrap_or(1.0);
            set("scale_factor_at_central_meridian", f(k));
            set("longitude_of_central_meridian", f(or0("lon_0")));
            set("latitude_of_projection_origin", f(or0("lat_0")));
            "transverse_mercator"
        }
        "aea" | "lcc" => {
            let parallels = match (num("lat_1"), num("lat_2")) {
                (Some(p1), Some(p2)) if p1 != p2 => vec![p1, p2],
                (Some(p1), _) => vec![p1],
                _ => vec![or0("lat_0")],
            };
            set("standard_parallel", AttrValue::Float(parallels));
            set("longitude_of_central_meridian", f(or0("lon_0")));
            set("latitude_of_projection_origin", f(or0("lat_0")));
            if proj == "aea" {
                "albers_conical_equal_area"
            } else {
                "lambert_conformal_conic"
            }
        }
        "laea" => {
            set("longitude_of_projection_origin", f(or0("lon_0")));
            set("latitude_of_projection_origin", f(or0("lat_0")));
            "lambert_azimuthal_equal_area"
        }
        "stere" if num("lat_0").is_some_and(|l| l.abs() == 90.0) => {
            set("straight_vertical_longitude_from_pole", f(or0("lon_0")));
            set("latitude_of_projection_origin", f(or0("lat_0")));
            match num("lat_ts") {
                Some(ts) => set("standard_parallel", f(ts)),
                None => set(
                    "scale_factor_at_projection_origin",
                    f(num("k").unwrap_or(1.0)),
                ),
            }
            "polar_stereographic"
        }
        "sterea" => {
            set("longitude_of_projection_origin", f(or0("lon_0")));
            set("latitude_of_projection_origin", f(or0("lat_0")));
            set(
                "scale_factor_at_projection_origin",
                f(num("k").unwrap_or(1.0)),
            );
            "oblique_stereographic"
        }
        "merc" => {
            set("longitude_of_projection_origin", f(or0("lon_0")));
            match num("lat_ts") {
                Some(ts) => set("standard_parallel", f(ts)),
                None => set(
                    "scale_factor_at_projection_origin",
                    f(num("k").unwrap_or(1.0)),
                ),
            }
            "mercator"
        }
        "cea" => {
            set("longitude_of_central_meridian", f(or0("lon_0")));
            set("standard_parallel", f(or0("lat_ts")));
            "lambert_cylindrical_equal_area"
        }
        _ => return Attributes::new(),
    };
    if !matches!(proj, "longlat" | "latlong" | "utm") {
        set("false_easting", f(or0("x_0")));
        set("false_northing", f(or0("y_0")));
    }
    let ell = get("datum")
        .or(get("ellps"))
        .and_then(ellipsoid)
        .or_else(|| {
            let a = num("a")?;
            match (num("rf"), num("b")) {
                (Some(rf), _) => Some((a, rf)),
                (None, Some(b)) if b != a => Some((a, a / (a - b))),
                _ => Some((a, 0.0)),
            }
        });
    if let Some((major, rf)) = ell {
        set("semi_major_axis", f(major));
        set("inverse_flattening", f(rf));
        if name == "latitude_longitude" {
            set("longitude_of_prime_meridian", f(0.0));
        }
    }
    std::iter::once(("grid_mapping_name", AttrValue::from(name)))
        .chain(a)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utm_south() {
        let a = grid_mapping("+proj=utm +zone=60 +south +datum=WGS84 +units=m +no_defs");
        assert_eq!(a.get_str("grid_mapping_name"), Some("transverse_mercator"));
        assert_eq!(a.get_f64("longitude_of_central_meridian"), Some(177.0));
        assert_eq!(a.get_f64("false_northing"), Some(10_000_000.0));
        assert_eq!(a.get_f64("inverse_flattening"), Some(298.257_223_563));
    }

    #[test]
    fn albers_and_unknown() {
        let a = grid_mapping(
            "+proj=aea +lat_0=23 +lon_0=-96 +lat_1=29.5 +lat_2=45.5 +x_0=0 +y_0=0 +datum=NAD83",
        );
        assert_eq!(
            a.get("standard_parallel"),
            Some(&AttrValue::Float(vec![29.5, 45.5]))
        );
        assert_eq!(a.get_f64("false_easting"), Some(0.0));
        assert!(grid_mapping("+proj=eqearth +datum=WGS84").is_empty());
    }
}
