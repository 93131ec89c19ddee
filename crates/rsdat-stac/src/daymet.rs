//! The Daymet V4 daily catalog: one item per region and year, one NetCDF asset per
//! variable at the ORNL DAAC THREDDS file URL, one sub-catalog per region.

use serde_json::{json, Map, Value};

use crate::tree::{relative_asset_hrefs, Fields};
use crate::{Catalog, Error, Result};

/// Where the Daymet V4 daily files are served (THREDDS `fileServer`), without the dataset id.
pub const DAYMET_BASE_URL: &str = "https://thredds.daac.ornl.gov/thredds/fileServer/ornldaac";
/// The ORNL DAAC dataset id of Daymet V4 R1 daily data.
pub const DAYMET_DATASET_ID: &str = "2129";
/// Daymet's daily variables.
pub const DAYMET_VARIABLES: [&str; 7] = ["tmin", "tmax", "dayl", "prcp", "srad", "swe", "vp"];

const PROJ_EXT: &str = "https://stac-extensions.github.io/projection/v2.0.0/schema.json";
const SCI_EXT: &str = "https://stac-extensions.github.io/scientific/v1.0.0/schema.json";
const DOI: &str = "10.3334/ORNLDAAC/2129";

/// Daymet's Lambert Conformal Conic grid (standard parallels 25 and 60 N, origin 42.5 N
/// 100 W, WGS 84) as WKT2.
pub const DAYMET_LCC_WKT2: &str = include_str!("daymet_lcc.wkt");

/// A Daymet region: code, name and bounding box (west, south, east, north; degrees).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DaymetRegion {
    /// `na`, `hi` or `pr`.
    pub code: &'static str,
    /// Human name.
    pub name: &'static str,
    /// West, south, east, north in degrees.
    pub bbox: [f64; 4],
}

/// The three Daymet V4 regions (extents from the ORNL DAAC dataset pages).
pub const DAYMET_REGIONS: [DaymetRegion; 3] = [
    DaymetRegion {
        code: "na",
        name: "North America",
        bbox: [-178.1333, 14.0749, -53.0567, 82.9143],
    },
    DaymetRegion {
        code: "hi",
        name: "Hawaii",
        bbox: [-160.3056, 17.9539, -154.772, 23.5186],
    },
    DaymetRegion {
        code: "pr",
        name: "Puerto Rico",
        bbox: [-67.9927, 16.8444, -64.1196, 19.9382],
    },
];

/// What to put in a Daymet catalog.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DaymetOptions {
    /// Region codes (`na`, `hi`, `pr`), in catalog order.
    pub regions: Vec<String>,
    /// First and last year, inclusive.
    pub years: (i32, i32),
    /// Variables, one asset each.
    pub variables: Vec<String>,
    /// THREDDS `fileServer` base URL (without the dataset id).
    pub base_url: String,
    /// ORNL DAAC dataset id.
    pub dataset_id: String,
}

impl Default for DaymetOptions {
    fn default() -> Self {
        Self {
            regions: DAYMET_REGIONS.iter().map(|r| r.code.to_owned()).collect(),
            years: (1980, 2021),
            variables: DAYMET_VARIABLES.iter().map(|v| (*v).to_owned()).collect(),
            base_url: DAYMET_BASE_URL.to_owned(),
            dataset_id: DAYMET_DATASET_ID.to_owned(),
        }
    }
}

/// Builds the Daymet catalog in memory: root `daymet-v4-daily`, one child catalog per region,
/// one item per region-year (`daymet_v4_daily_<region>_<year>`, the year as its datetime
/// range, the region's bbox as geometry, projection and scientific extensions) with one
/// asset per variable at `<base_url>/<dataset_id>/daymet_v4_daily_<region>_<var>_<year>.nc`.
/// Save it with [`Catalog::normalize_and_save`].
///
/// # Errors
/// [`Error::Input`] for an unknown region, an empty variable list or reversed years.
pub fn daymet_catalog(opts: &DaymetOptions) -> Result<Catalog> {
    let (y0, y1) = opts.years;
    if y0 > y1 {
        return Err(Error::Input(format!(
            "years {y0}-{y1} run backwards; give FIRST-LAST, e.g. 1980-2021"
        )));
    }
    if opts.variables.is_empty() || opts.variables.iter().any(String::is_empty) {
        return Err(Error::Input(
            "no variables given; use e.g. --vars tmin,tmax,dayl".into(),
        ));
    }
    let base = opts.base_url.trim_end_matches('/');
    let mut tree = Catalog::new(
        "daymet-v4-daily",
        &format!(
            "Daymet V4 daily surface weather and climatological summaries on a 1 km grid \
             (ORNL DAAC dataset {}), one item per region and year",
            opts.dataset_id
        ),
        Some("Daymet V4 daily"),
    );
    let root = tree.root();
    for code in &opts.regions {
        let region = DAYMET_REGIONS
            .iter()
            .find(|r| r.code == code)
            .ok_or_else(|| {
                Error::Input(format!("unknown Daymet region `{code}`; use na, hi or pr"))
            })?;
        let mut sub = stac::Catalog::new(
            region.code,
            format!(
                "Daymet V4 daily data over {}, one item per year",
                region.name
            ),
        );
        sub.title = Some(format!("Daymet V4 daily, {}", region.name));
        let sub = tree.add_child(root, sub)?;
        let items = RegionItems::new(region, y0, &opts.variables, base, &opts.dataset_id)?;
        // One thread: an item's text is a few string copies.
        let mut buf = Vec::new();
        let texts = (y0..=y1)
            .map(|year| items.item(year, &mut buf))
            .collect::<Result<Vec<_>>>()?;
        tree.add_item_fields(sub, texts);
    }
    Ok(tree)
}

/// The items of one region as compact JSON text: one year's item is made through
/// [`stac::Item`] with a marker in place of each value that names the year (id, start and
/// end datetime, asset HREFs and titles), serialised once, and cut at the markers; an item
/// is then the cut text with its own values in between. Equal to serialising each item
/// (tested), and many times cheaper.
struct RegionItems<'a> {
    region: &'a DaymetRegion,
    vars: &'a [String],
    base: &'a str,
    dataset: &'a str,
    /// Text before each slot, then the text after the last one (`slots.len() + 1` parts).
    parts: Vec<String>,
    slots: Vec<Slot>,
    /// The asset HREFs are relative (a relative base URL).
    relative_assets: bool,
}

/// A value of a region's item that depends on the year.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Id,
    Start,
    End,
    Href(usize),
    Title(usize),
}

/// Starts a marker string in the serialised template (a control character, which
/// serde_json writes escaped and which no value of a Daymet item holds).
const MARK: &str = "\\u0001";

impl<'a> RegionItems<'a> {
    fn new(
        region: &'a DaymetRegion,
        year: i32,
        vars: &'a [String],
        base: &'a str,
        dataset: &'a str,
    ) -> Result<Self> {
        let mut f = item_fields(region_year_item(region, year, vars, base, dataset)?)?;
        let relative_assets = relative_asset_hrefs(&f);
        let mut slots = Vec::new();
        let mut mark = |slot: Slot| {
            slots.push(slot);
            Value::String(format!("\u{1}{}", slots.len() - 1))
        };
        f.insert("id".into(), mark(Slot::Id));
        if let Some(Value::Object(p)) = f.get_mut("properties") {
            p.insert("start_datetime".into(), mark(Slot::Start));
            p.insert("end_datetime".into(), mark(Slot::End));
        }
        if let Some(Value::Object(assets)) = f.get_mut("assets") {
            for (i, var) in vars.iter().enumerate() {
                if let Some(Value::Object(a)) = assets.get_mut(var.as_str()) {
                    a.insert("href".into(), mark(Slot::Href(i)));
                    a.insert("title".into(), mark(Slot::Title(i)));
                }
            }
        }
        let text = serde_json::to_string(&f)
            .map_err(|e| Error::Input(format!("cannot serialize an item: {e}")))?;
        let mut parts = Vec::with_capacity(slots.len() + 1);
        let mut rest = text.as_str();
        while let Some(at) = rest.find(&format!("\"{MARK}")) {
            parts.push(rest[..at].to_owned());
            let after = &rest[at + 1 + MARK.len()..];
            let end = after.find('"').unwrap_or(after.len());
            rest = after.get(end + 1..).unwrap_or_default();
        }
        parts.push(rest.to_owned());
        if parts.len() != slots.len() + 1 {
            return Err(Error::Input(format!(
                "the Daymet item template of {} holds a control character; \
                 check the variable names",
                region.code
            )));
        }
        Ok(Self {
            region,
            vars,
            base,
            dataset,
            parts,
            slots,
            relative_assets,
        })
    }

    /// The id and the fields (compact JSON text) of the item of `year`, made in `out`
    /// (cleared first; reused from item to item, so each text is allocated at its exact size).
    fn item(&self, year: i32, out: &mut Vec<u8>) -> Result<(String, Fields)> {
        let region = self.region;
        let id = item_id(region, year);
        let [start, end] = year_bounds(year)?;
        out.clear();
        let bad = |e: serde_json::Error| Error::Input(format!("year {year}: {e}"));
        for (part, slot) in self.parts.iter().zip(&self.slots) {
            out.extend_from_slice(part.as_bytes());
            match *slot {
                Slot::Id => serde_json::to_writer(&mut *out, &id),
                Slot::Start => serde_json::to_writer(&mut *out, &start),
                Slot::End => serde_json::to_writer(&mut *out, &end),
                Slot::Href(i) => serde_json::to_writer(
                    &mut *out,
                    &asset_href(region, &self.vars[i], year, self.base, self.dataset),
                ),
                Slot::Title(i) => {
                    serde_json::to_writer(&mut *out, &asset_title(region, &self.vars[i], year))
                }
            }
            .map_err(bad)?;
        }
        out.extend_from_slice(self.parts.last().map_or("", String::as_str).as_bytes());
        let json = std::str::from_utf8(out)
            .map_err(|e| Error::Input(format!("year {year}: item text is not UTF-8: {e}")))?
            .to_owned();
        Ok((id, Fields::text(json, self.relative_assets)))
    }
}

fn item_fields(item: stac::Item) -> Result<Map<String, Value>> {
    match serde_json::to_value(item) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::Input(
            "an item must serialize to a JSON object".into(),
        )),
        Err(e) => Err(Error::Input(format!("cannot serialize an item: {e}"))),
    }
}

fn item_id(region: &DaymetRegion, year: i32) -> String {
    format!("daymet_v4_daily_{}_{year}", region.code)
}

fn asset_href(region: &DaymetRegion, var: &str, year: i32, base: &str, dataset: &str) -> String {
    format!(
        "{base}/{dataset}/daymet_v4_daily_{}_{var}_{year}.nc",
        region.code
    )
}

fn asset_title(region: &DaymetRegion, var: &str, year: i32) -> String {
    format!("Daymet V4 daily {var}, {}, {year}", region.name)
}

/// The first and last second of `year` (UTC) as RFC 3339 text; years that do not parse
/// back (not four digits) are refused.
fn year_bounds(year: i32) -> Result<[String; 2]> {
    let bounds = [
        format!("{year}-01-01T00:00:00Z"),
        format!("{year}-12-31T23:59:59Z"),
    ];
    for b in &bounds {
        parse_utc(b, year)?;
    }
    Ok(bounds)
}

fn parse_utc(s: &str, year: i32) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .map_err(|e| Error::Input(format!("bad year {year}: {e}")))
}

fn region_year_item(
    region: &DaymetRegion,
    year: i32,
    vars: &[String],
    base: &str,
    dataset: &str,
) -> Result<stac::Item> {
    let [w, s, e, n] = region.bbox;
    let mut item = stac::Item::new(item_id(region, year));
    item.extensions = vec![PROJ_EXT.to_owned(), SCI_EXT.to_owned()];
    let geometry = json!({
        "type": "Polygon",
        "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
    });
    item.geometry = Some(
        serde_json::from_value(geometry)
            .map_err(|e| Error::Input(format!("bad geometry for {}: {e}", region.code)))?,
    );
    item.bbox = Some(stac::Bbox::TwoDimensional(region.bbox));
    let [start, end] = year_bounds(year)?;
    item.properties.datetime = None;
    item.properties.start_datetime = Some(parse_utc(&start, year)?);
    item.properties.end_datetime = Some(parse_utc(&end, year)?);
    let extra = &mut item.properties.additional_fields;
    extra.insert("region".into(), Value::String(region.code.to_owned()));
    extra.insert("proj:code".into(), Value::Null);
    extra.insert(
        "proj:wkt2".into(),
        Value::String(DAYMET_LCC_WKT2.to_owned()),
    );
    extra.insert("sci:doi".into(), Value::String(DOI.to_owned()));
    for var in vars {
        let mut asset = stac::Asset::new(asset_href(region, var, year, base, dataset));
        asset.r#type = Some("application/netcdf".into());
        asset.title = Some(asset_title(region, var, year));
        asset.roles = vec!["data".into()];
        item.assets.insert(var.clone(), asset);
    }
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The items cut from the template equal the ones made through `stac::Item`, key
    /// order included.
    #[test]
    fn region_items_equal_serialised_items() {
        let vars: Vec<String> = DAYMET_VARIABLES.iter().map(|v| (*v).to_owned()).collect();
        for region in &DAYMET_REGIONS {
            for base in [DAYMET_BASE_URL, "https://example.org/dépôt \"q\""] {
                let items =
                    RegionItems::new(region, 1980, &vars, base, "2129").expect("template item");
                for year in [1000, 1980, 1981, 2021, 4333, 9999] {
                    let (id, fast) = items.item(year, &mut Vec::new()).expect("item text");
                    let fast = fast.map();
                    let slow = item_fields(
                        region_year_item(region, year, &vars, base, "2129").expect("item"),
                    )
                    .expect("item fields");
                    assert_eq!(id, slow["id"], "{} {year}", region.code);
                    assert_eq!(
                        serde_json::to_string(fast).expect("json"),
                        serde_json::to_string(&slow).expect("json"),
                        "{} {year}",
                        region.code
                    );
                }
                assert!(
                    items.item(999, &mut Vec::new()).is_err(),
                    "a three-digit year is refused"
                );
            }
        }
        let marked = ["\u{1}0".to_owned()];
        let bad = RegionItems::new(&DAYMET_REGIONS[0], 1980, &marked, DAYMET_BASE_URL, "2129");
        assert!(bad.is_err(), "a variable named like a marker is refused");
    }
}
