//! `rsdat spring-index stations`: the SI-x over station series in a long daily CSV.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use rsdat_phenology::{run_stations, Config, StationSummary};
use rsdat_storage::{AtomicFile, IfExists};
use serde::Serialize;

use super::ModelArgs;
use crate::cli::GlobalArgs;
use crate::output::emit;

/// Compute first leaf and first bloom per station and year from daily temperatures.
#[derive(Debug, Args)]
#[command(after_help = "\
Input: CSV with a header naming station, lat, year, doy, tmin, tmax in any order (a `date`
column YYYY-MM-DD may replace year and doy; an optional `dayl` column in seconds gives the day
length for the rsdat preset). Missing values are empty fields or NaN.
Output: CSV station,year,plant,first_leaf,first_bloom[,last_freeze], one row per station,
year and plant (lilac, arnold red, zabelli, mean); days of year (1-based for matlab, 0-based
for rsdat), NaN where there is no event.

Examples:
  rsdat spring-index stations ghcn.csv --out si.csv
  rsdat spring-index stations daymet-points.csv --out - --preset rsdat --events leaf
  rsdat spring-index stations ghcn.csv --out si.csv --last-freeze --json")]
pub(crate) struct StationsArgs {
    /// Daily station series (CSV); `-` reads standard input.
    pub(crate) input: PathBuf,
    /// Output CSV; `-` writes standard output.
    #[arg(short, long)]
    pub(crate) out: PathBuf,
    /// Replace the output if it exists.
    #[arg(long)]
    pub(crate) overwrite: bool,
    /// Model options.
    #[command(flatten)]
    pub(crate) model: ModelArgs,
}

#[derive(Serialize)]
struct Summary {
    input: String,
    output: String,
    preset: String,
    rows_read: usize,
    station_years: usize,
    rows_written: usize,
}

fn is_dash(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Runs the kernel, turning its input errors into one line naming the file.
fn compute(
    input: impl BufRead,
    output: impl Write,
    name: &str,
    cfg: &Config,
) -> anyhow::Result<StationSummary> {
    use rsdat_phenology::Error;
    run_stations(input, output, cfg).map_err(|e| match e {
        Error::Field { .. } | Error::Csv { .. } => anyhow::anyhow!("`{name}`, {e}"),
        Error::Read { .. } => anyhow::Error::new(e).context(format!("cannot read `{name}`")),
        other => anyhow::Error::new(other),
    })
}

pub(crate) fn run(args: &StationsArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let cfg = args.model.config()?;
    let to_stdout = is_dash(&args.out);
    if to_stdout && global.json {
        anyhow::bail!(
            "--json prints the summary on standard output, which `--out -` uses for the table; \
             write the table to a file with --out FILE"
        );
    }
    let input_name = if is_dash(&args.input) {
        "<stdin>".to_owned()
    } else {
        args.input.display().to_string()
    };
    // Claim the output first, so an existing file is refused before any work.
    let mut target = if to_stdout {
        None
    } else {
        let if_exists = if args.overwrite {
            IfExists::Replace
        } else {
            IfExists::Refuse
        };
        Some(AtomicFile::create(&args.out, if_exists)?)
    };
    let reader: Box<dyn BufRead> = if is_dash(&args.input) {
        Box::new(std::io::stdin().lock())
    } else {
        let f = File::open(&args.input).with_context(|| {
            format!("cannot open `{input_name}`; check the path of the station CSV")
        })?;
        Box::new(BufReader::new(f))
    };
    let summary = match target.as_mut() {
        Some(file) => compute(reader, file, &input_name, &cfg)?,
        None => compute(reader, std::io::stdout().lock(), &input_name, &cfg)?,
    };
    if let Some(file) = target {
        file.commit()?;
    }
    let s = Summary {
        input: input_name,
        output: if to_stdout {
            "-".to_owned()
        } else {
            args.out.display().to_string()
        },
        preset: cfg.preset().to_string(),
        rows_read: summary.rows_read,
        station_years: summary.station_years,
        rows_written: summary.rows_written,
    };
    tracing::info!(
        rows_read = s.rows_read,
        station_years = s.station_years,
        "spring index done"
    );
    if to_stdout {
        return Ok(());
    }
    emit(global.json, &s, |out| {
        writeln!(
            out,
            "{}: {} station-years ({} rows read) -> {} rows in {}",
            s.input, s.station_years, s.rows_read, s.rows_written, s.output
        )
    })
}
