//! `rsdat convert` (in progress).
use crate::cli::GlobalArgs;
use clap::Args;
/// Convert to Zarr.
#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// Inputs.
    pub(crate) inputs: Vec<String>,
}
pub(crate) fn run(_args: &ConvertArgs, _global: &GlobalArgs) -> anyhow::Result<()> {
    anyhow::bail!("convert is not available in this build")
}
