//! OGC WKT 1 of the CRSs rsdat knows, in GDAL's flavour: what rasterio's `CRS.to_wkt()`
//! returns and rioxarray stores in `crs_wkt` and `spatial_ref`.

use rsdat_model::{AttrValue, Attributes};

const DEGREE: &str = r#"UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]]"#;
const GREENWICH: &str = r#"PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]]"#;
const METRE: &str = r#"UNIT["metre",1,AUTHORITY["EPSG","9001"]]"#;
const EN_AXES: &str = r#"AXIS["Easting",EAST],AXIS["Northing",NORTH]"#;
const LATLON_AXES: &str = r#"AXIS["Latitude",NORTH],AXIS["Longitude",EAST]"#;

/// A geographic CRS of the EPSG registry.
struct Geographic {
    name: &'static str,
    datum: &'static str,
    spheroid: &'static str,
    a: f64,
    rf: f64,
    spheroid_code: u32,
    datum_code: u32,
    code: u32,
}

const WGS84: Geographic = Geographic {
    name: "WGS 84",
    datum: "WGS_1984",
    spheroid: "WGS 84",
    a: 6_378_137.0,
    rf: 298.257_223_563,
    spheroid_code: 7030,
    datum_code: 6326,
    code: 4326,
};
const NAD83: Geographic = Geographic {
    name: "NAD83",
    datum: "North_American_Datum_1983",
    spheroid: "GRS 1980",
    a: 6_378_137.0,
    rf: 298.257_222_101,
    spheroid_code: 7019,
    datum_code: 6269,
    code: 4269,
};
const ETRS89: Geographic = Geographic {
    name: "ETRS89",
    datum: "European_Terrestrial_Reference_System_1989",
    spheroid: "GRS 1980",
    a: 6_378_137.0,
    rf: 298.257_222_101,
    spheroid_code: 7019,
    datum_code: 6258,
    code: 4258,
};

fn geogcs(g: &Geographic, axes: bool) -> String {
    format!(
        r#"GEOGCS["{}",DATUM["{}",SPHEROID["{}",{},{},AUTHORITY["EPSG","{}"]],AUTHORITY["EPSG","{}"]],{GREENWICH},{DEGREE},{}AUTHORITY["EPSG","{}"]]"#,
        g.name,
        g.datum,
        g.spheroid,
        g.a,
        g.rf,
        g.spheroid_code,
        g.datum_code,
        if axes {
            format!("{LATLON_AXES},")
        } else {
            String::new()
        },
        g.code
    )
}

fn utm(g: &Geographic, zone: u32, south: bool, code: u32) -> String {
    let central = f64::from(zone) * 6.0 - 183.0;
    format!(
        r#"PROJCS["{} / UTM zone {zone}{}",{},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{central}],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",{}],{METRE},{EN_AXES},AUTHORITY["EPSG","{code}"]]"#,
        g.name,
        if south { "S" } else { "N" },
        geogcs(g, false),
        if south { 10_000_000 } else { 0 },
    )
}

/// The WKT of EPSG `code` for the geographic CRSs WGS 84, NAD83 and ETRS89 and the UTM
/// zones on them; `None` for other codes.
pub(crate) fn from_epsg(code: u32) -> Option<String> {
    Some(match code {
        4326 => geogcs(&WGS84, true),
        4269 => geogcs(&NAD83, true),
        4258 => geogcs(&ETRS89, true),
        32601..=32660 => utm(&WGS84, code - 32600, false, code),
        32701..=32760 => utm(&WGS84, code - 32700, true, code),
        26901..=26923 => utm(&NAD83, code - 26900, false, code),
        25828..=25837 => utm(&ETRS89, code - 25800, false, code),
        _ => return None,
    })
}

/// The WKT of a projected CRS given by CF grid-mapping attributes (no EPSG code), for
/// Lambert conformal conic (Daymet's), Albers equal-area and transverse Mercator mappings
/// on an ellipsoid given by `semi_major_axis` and `inverse_flattening`; `None` otherwise.
pub(crate) fn from_cf(cf: &Attributes) -> Option<String> {
    let num = |k: &str| cf.get_f64(k);
    let or0 = |k: &str| num(k).unwrap_or(0.0);
    let a = num("semi_major_axis")?;
    let rf = num("inverse_flattening").unwrap_or(0.0);
    let geog = format!(
        r#"GEOGCS["unknown",DATUM["unknown",SPHEROID["unknown",{a},{rf}]],{GREENWICH},{DEGREE}]"#
    );
    let parallels = cf
        .get("standard_parallel")
        .and_then(AttrValue::as_f64_vec)
        .unwrap_or_default();
    let p1 = parallels.first().copied();
    let p2 = parallels.get(1).copied().or(p1);
    let param = |k: &str, v: f64| format!(r#"PARAMETER["{k}",{v}]"#);
    let (projection, params) = match cf.get_str("grid_mapping_name")? {
        "lambert_conformal_conic" => (
            "Lambert_Conformal_Conic_2SP",
            vec![
                param("latitude_of_origin", or0("latitude_of_projection_origin")),
                param("central_meridian", or0("longitude_of_central_meridian")),
                param("standard_parallel_1", p1?),
                param("standard_parallel_2", p2?),
            ],
        ),
        "albers_conical_equal_area" => (
            "Albers_Conic_Equal_Area",
            vec![
                param("latitude_of_center", or0("latitude_of_projection_origin")),
                param("longitude_of_center", or0("longitude_of_central_meridian")),
                param("standard_parallel_1", p1?),
                param("standard_parallel_2", p2?),
            ],
        ),
        "transverse_mercator" => (
            "Transverse_Mercator",
            vec![
                param("latitude_of_origin", or0("latitude_of_projection_origin")),
                param("central_meridian", or0("longitude_of_central_meridian")),
                param(
                    "scale_factor",
                    num("scale_factor_at_central_meridian").unwrap_or(1.0),
                ),
            ],
        ),
        _ => return None,
    };
    Some(format!(
        r#"PROJCS["unknown",{geog},PROJECTION["{projection}"],{},{},{},{METRE},{EN_AXES}]"#,
        params.join(","),
        param("false_easting", or0("false_easting")),
        param("false_northing", or0("false_northing")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every WKT written here, checked by rasterio (GDAL): EPSG ones are exactly
    /// `CRS.from_epsg(code).to_wkt()`, CF ones the same CRS as the PROJ.4 string rsdat
    /// derives for them.
    #[test]
    fn rasterio_agrees() {
        let mut cases: Vec<(String, String)> = Vec::new();
        for code in [4326, 4269, 4258, 32601, 32631, 32660, 32701, 32733, 32760]
            .into_iter()
            .chain([26901, 26917, 26923, 25828, 25832, 25837])
        {
            cases.push((format!("EPSG:{code}"), from_epsg(code).expect("known code")));
        }
        assert_eq!(from_epsg(32600), None);
        assert_eq!(from_epsg(3857), None);
        assert_eq!(from_epsg(25838), None); // deprecated in the EPSG registry
        for proj4 in [
            // Daymet's Lambert conformal conic.
            "+proj=lcc +lat_0=42.5 +lon_0=-100 +lat_1=25 +lat_2=60 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
            "+proj=lcc +lat_0=40 +lon_0=10 +lat_1=45 +lat_2=45 +x_0=1000 +y_0=-20 +ellps=GRS80 +units=m +no_defs",
            "+proj=aea +lat_0=23 +lon_0=-96 +lat_1=29.5 +lat_2=45.5 +x_0=0 +y_0=0 +datum=NAD83 +units=m +no_defs",
            "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +units=m +no_defs",
        ] {
            let wkt = from_cf(&crate::cf::grid_mapping(proj4)).expect(proj4);
            cases.push((proj4.to_owned(), wkt));
        }
        let json = serde_json::to_string(&cases).expect("json");
        let out = rsdat_testkit::run_python(
            r#"
import json, sys
from rasterio.crs import CRS
bad = []
for ref, wkt in json.loads(sys.argv[1]):
    theirs = CRS.from_user_input(ref)
    ours = CRS.from_wkt(wkt)
    if ref.startswith("EPSG:"):
        ok = theirs.to_wkt() == wkt
    else:
        ok = ours == theirs
    if not ok:
        bad.append([ref, wkt, theirs.to_wkt()])
print(json.dumps(bad))
"#,
            &[&json],
        );
        assert_eq!(out.trim(), "[]", "rasterio disagrees: {out}");
        let mut geographic = Attributes::new();
        geographic.insert("grid_mapping_name", "latitude_longitude");
        geographic.insert("semi_major_axis", 6_378_137.0);
        assert_eq!(
            from_cf(&geographic),
            None,
            "axis order is ambiguous without a code"
        );
    }
}
