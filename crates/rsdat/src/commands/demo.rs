//! `rsdat demo`: the main job on generated data, no network, no configuration.

use std::path::PathBuf;

use clap::Args;

use crate::cli::GlobalArgs;
use crate::commands::sample_data::{self, DaymetArgs, RegionArg};

/// Run the demo.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  rsdat demo --dir rsdat-demo")]
pub(crate) struct DemoArgs {
    /// Working directory for the sample data and the results.
    #[arg(long, default_value = "rsdat-demo")]
    pub(crate) dir: PathBuf,
}

pub(crate) fn run(args: &DemoArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    let data = args.dir.join("data");
    let daymet = DaymetArgs {
        out: data.clone(),
        region: RegionArg::Na,
        years: (1980, 1980),
        ny: 100,
        nx: 100,
        overwrite: false,
    };
    let spec = rsdat_netcdf::sample::SampleSpec {
        region: daymet.region.region(),
        years: daymet.years,
        ny: daymet.ny,
        nx: daymet.nx,
    };
    let files = spec.paths(&data);
    if files.iter().all(|f| f.exists()) {
        tracing::info!("sample data already in {}", data.display());
    } else {
        sample_data::write(
            &DaymetArgs {
                overwrite: true,
                ..daymet
            },
            global.quiet,
        )?;
    }
    let inputs: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    super::info::run(
        &super::info::InfoArgs {
            inputs,
            group: None,
        },
        global,
    )
}
