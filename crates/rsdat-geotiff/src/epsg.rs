//! PROJ.4 strings for common EPSG codes, as PROJ 9 writes them, without a database.

/// The PROJ.4 string of EPSG `code`, when rsdat knows it.
pub(crate) fn proj4(code: u32) -> Option<String> {
    let utm = |zone: u32, south: bool, datum: &str| {
        let s = if south { " +south" } else { "" };
        format!("+proj=utm +zone={zone}{s} {datum} +units=m +no_defs")
    };
    const ETRS89: &str = "+ellps=GRS80 +towgs84=0,0,0,0,0,0,0";
    Some(match code {
        32601..=32660 => utm(code - 32600, false, "+datum=WGS84"),
        32701..=32760 => utm(code - 32700, true, "+datum=WGS84"),
        26901..=26923 => utm(code - 26900, false, "+datum=NAD83"),
        25828..=25838 => utm(code - 25800, false, ETRS89),
        _ => fixed(code)?.to_owned(),
    })
}

fn fixed(code: u32) -> Option<&'static str> {
    Some(match code {
        4326 => "+proj=longlat +datum=WGS84 +no_defs",
        4269 => "+proj=longlat +datum=NAD83 +no_defs",
        4267 => "+proj=longlat +datum=NAD27 +no_defs",
        4258 => "+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs",
        4230 => "+proj=longlat +ellps=intl +no_defs",
        3857 => "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs",
        3395 => "+proj=merc +lon_0=0 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
        4087 => "+proj=eqc +lat_ts=0 +lat_0=0 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
        6933 => "+proj=cea +lat_ts=30 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
        8857 => "+proj=eqearth +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
        5070 => "+proj=aea +lat_0=23 +lon_0=-96 +lat_1=29.5 +lat_2=45.5 +x_0=0 +y_0=0 +datum=NAD83 +units=m +no_defs",
        3035 => "+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m +no_defs",
        3067 => "+proj=utm +zone=35 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
        2154 => "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
        28992 => "+proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +units=m +no_defs",
        27700 => "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +units=m +no_defs",
        3413 => "+proj=stere +lat_0=90 +lat_ts=70 +lon_0=-45 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
        3031 => "+proj=stere +lat_0=-90 +lat_ts=-71 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
        3976 => "+proj=stere +lat_0=-90 +lat_ts=-70 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
        3995 => "+proj=stere +lat_0=90 +lat_ts=71 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
        32661 => "+proj=stere +lat_0=90 +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs",
        32761 => "+proj=stere +lat_0=-90 +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utm_zones() {
        assert_eq!(
            proj4(32631).as_deref(),
            Some("+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs")
        );
        assert_eq!(
            proj4(32760).as_deref(),
            Some("+proj=utm +zone=60 +south +datum=WGS84 +units=m +no_defs")
        );
        assert!(proj4(32661).is_some_and(|p| p.contains("+k=0.994")));
        assert_eq!(proj4(32700), None);
    }
}
