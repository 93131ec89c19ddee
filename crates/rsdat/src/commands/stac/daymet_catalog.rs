//! `rsdat stac daymet-catalog`: the Daymet V4 daily catalog of the RS-DAT workflow.

use anyhow::{bail, Context};
use clap::Args;
use rsdat_stac::{daymet_catalog, DaymetOptions, DAYMET_BASE_URL, DAYMET_DATASET_ID};

use super::{CatalogTypeArg, JsonStyleArg};
use crate::cli::GlobalArgs;
use crate::output::emit;

/// Build and save the Daymet V4 daily catalog: one sub-catalog per region, one item per
/// region and year, one NetCDF asset per variable at the THREDDS file URL.
#[derive(Debug, Args)]
#[command(
    after_help = "Asset URLs: <base-url>/<dataset-id>/daymet_v4_daily_<region>_<var>_<year>.nc\n\nExamples:\n  rsdat stac daymet-catalog --out daymet\n  rsdat stac daymet-catalog --out daymet --regions na --years 1980-1990 --vars tmin,tmax,dayl"
)]
pub(crate) struct DaymetCatalogArgs {
    /// Directory to write the catalog to (catalog.json at its top).
    #[arg(long, short)]
    pub(crate) out: String,
    /// Regions, comma-separated: na (North America), hi (Hawaii), pr (Puerto Rico).
    #[arg(long, value_delimiter = ',', default_value = "na,hi,pr")]
    pub(crate) regions: Vec<String>,
    /// Years, FIRST-LAST or one year.
    #[arg(long, default_value = "1980-2021")]
    pub(crate) years: String,
    /// Variables, comma-separated; one asset each.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "tmin,tmax,dayl,prcp,srad,swe,vp"
    )]
    pub(crate) vars: Vec<String>,
    /// THREDDS fileServer base URL (the dataset id is appended).
    #[arg(long, default_value = DAYMET_BASE_URL)]
    pub(crate) base_url: String,
    /// ORNL DAAC dataset id.
    #[arg(long, default_value = DAYMET_DATASET_ID)]
    pub(crate) dataset_id: String,
    /// How the catalog links its files.
    #[arg(long, value_enum, default_value_t = CatalogTypeArg::SelfContained)]
    pub(crate) catalog_type: CatalogTypeArg,
    /// The JSON text of the files: as pystac writes it with Python's json module, or with
    /// orjson (pystac's choice when orjson is installed).
    #[arg(long, value_enum, default_value_t = JsonStyleArg::Python)]
    pub(crate) json_style: JsonStyleArg,
}

fn parse_years(s: &str) -> anyhow::Result<(i32, i32)> {
    let year = |y: &str| -> anyhow::Result<i32> {
        y.trim()
            .parse()
            .with_context(|| format!("--years `{s}`: `{y}` is not a year; use e.g. 1980-2021"))
    };
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (year(a)?, year(b)?),
        None => {
            let y = year(s)?;
            (y, y)
        }
    };
    if a > b {
        bail!("--years `{s}` runs backwards; use FIRST-LAST, e.g. 1980-2021");
    }
    Ok((a, b))
}

pub(crate) fn run(args: &DaymetCatalogArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let mut opts = DaymetOptions::default();
    opts.regions = args.regions.iter().map(|r| r.trim().to_owned()).collect();
    opts.years = parse_years(&args.years)?;
    opts.variables = args.vars.iter().map(|v| v.trim().to_owned()).collect();
    opts.base_url = args.base_url.clone();
    opts.dataset_id = args.dataset_id.clone();
    let mut cat = daymet_catalog(&opts)?;
    cat.set_json_style(args.json_style.into());
    let summary = cat
        .normalize_and_save(&args.out, Some(args.catalog_type.into()))
        .with_context(|| format!("saving the Daymet catalog to `{}`", args.out))?;
    let report = serde_json::json!({
        "root": summary.root,
        "catalog_type": cat.catalog_type().to_string(),
        "files": summary.files,
        "items": summary.items,
    });
    let catalog_type = cat.catalog_type();
    // The command ends here: freeing the tree (hundreds of thousands of allocations for a
    // large catalog) would only delay the exit.
    std::mem::forget(cat);
    emit(global.json, &report, |out| {
        writeln!(
            out,
            "wrote {} items ({} files, {}) to {}",
            summary.items,
            summary.files,
            catalog_type,
            summary.root.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::parse_years;

    #[test]
    fn years() {
        assert_eq!(parse_years("1980-2021").unwrap_or_default(), (1980, 2021));
        assert_eq!(parse_years("1999").unwrap_or_default(), (1999, 1999));
        assert!(parse_years("2021-1980").is_err());
        assert!(parse_years("x-1980").is_err());
    }
}
