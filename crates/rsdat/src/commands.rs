//! One module per subcommand.

pub(crate) mod bench;
pub(crate) mod convert;
pub(crate) mod demo;
pub(crate) mod engine;
pub(crate) mod graph;
pub(crate) mod info;
pub(crate) mod jobs;
pub(crate) mod plot;
pub(crate) mod sample_data;
pub(crate) mod spring_index;
pub(crate) mod stac;
pub(crate) mod worker;

use crate::cli::{Command, GlobalArgs};

/// Dispatches a parsed command.
pub(crate) fn run(command: Command, global: &GlobalArgs) -> anyhow::Result<()> {
    match command {
        Command::Info(args) => info::run(&args, global),
        Command::Convert(args) => convert::run(&args, global),
        Command::SampleData(args) => sample_data::run(&args, global),
        Command::Demo(args) => demo::run(&args, global),
        Command::SpringIndex(args) => spring_index::run(&args, global),
        Command::Plot(args) => plot::run(&args, global),
        Command::Graph(args) => graph::run(&args, global),
        Command::Stac(args) => stac::run(&args, global),
        Command::Bench(args) => bench::run(&args, global),
        Command::Jobs(args) => jobs::run(&args, global),
        Command::Worker(args) => worker::run(&args, global),
    }
}
