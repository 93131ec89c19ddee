//! `rsdat spring-index`: the Extended Spring Indices (first leaf, first bloom) for stations
//! and for Daymet grids.

mod fold;
pub(crate) mod grid;
mod stations;

use clap::{Args, Subcommand, ValueEnum};
use rsdat_phenology::{Config, Events, Plant, Plants, Preset, TempUnits};

use crate::cli::GlobalArgs;

pub(crate) use fold::register as register_fold;
pub(crate) use stations::StationsArgs;

/// Compute the Extended Spring Indices (SI-x): first leaf and first bloom of lilac, Arnold Red
/// and Zabelii, and their mean.
#[derive(Debug, Args)]
pub(crate) struct SpringIndexArgs {
    /// Which input.
    #[command(subcommand)]
    pub(crate) kind: SpringIndexCommand,
}

/// Spring-index workflows.
#[derive(Debug, Subcommand)]
pub(crate) enum SpringIndexCommand {
    /// Station series: a long daily CSV in, one row per station, year and plant out.
    Stations(StationsArgs),
    /// Daymet grids: NetCDF files of tmin, tmax, dayl in, one Zarr group per year out.
    Grid(Box<grid::GridArgs>),
}

/// The model formulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PresetArg {
    /// The published MATLAB toolbox (Ault et al. 2015): days 1-240, 30-day block quality rules,
    /// day length from latitude, 1-based days of year; °F by default.
    Matlab,
    /// The RS-DAT seed notebook: days 1-300, `dayl` column or latitude day length, 0-based days
    /// (days since 1 January); °C by default.
    Rsdat,
}

/// Units of input temperatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum UnitsArg {
    /// Degrees Celsius.
    #[value(name = "C", alias = "c")]
    Celsius,
    /// Degrees Fahrenheit.
    #[value(name = "F", alias = "f")]
    Fahrenheit,
}

/// Model options shared by the spring-index workflows.
#[derive(Debug, Args, Clone)]
pub(crate) struct ModelArgs {
    /// Model formulation.
    #[arg(long, value_enum, default_value_t = PresetArg::Matlab)]
    pub(crate) preset: PresetArg,
    /// Units of `tmin` and `tmax` [default: F for matlab, C for rsdat].
    #[arg(long, value_enum)]
    pub(crate) units: Option<UnitsArg>,
    /// Plants to compute, comma-separated: lilac, arnold-red, zabelii (the mean needs all three).
    #[arg(long, value_delimiter = ',', value_parser = parse_plant)]
    pub(crate) plants: Vec<Plant>,
    /// Events to report, comma-separated: leaf, bloom [default: leaf,bloom].
    #[arg(long, value_delimiter = ',', value_parser = parse_events)]
    pub(crate) events: Vec<Events>,
    /// Also report the last freeze (last day 1-240 with Tmin <= 28 °F; matlab preset only).
    #[arg(long)]
    pub(crate) last_freeze: bool,
}

pub(crate) fn parse_plant(s: &str) -> Result<Plant, String> {
    s.parse().map_err(|e: rsdat_phenology::Error| e.to_string())
}

pub(crate) fn parse_events(s: &str) -> Result<Events, String> {
    s.parse().map_err(|e: rsdat_phenology::Error| e.to_string())
}

impl ModelArgs {
    /// The validated kernel configuration.
    pub(crate) fn config(&self) -> anyhow::Result<Config> {
        let preset = match self.preset {
            PresetArg::Matlab => Preset::Matlab,
            PresetArg::Rsdat => Preset::Rsdat,
        };
        if self.last_freeze && preset != Preset::Matlab {
            anyhow::bail!(
                "--last-freeze needs the matlab preset (the rsdat preset has no last freeze); \
                 add --preset matlab or drop --last-freeze"
            );
        }
        let mut cfg = Config::for_preset(preset).with_last_freeze(self.last_freeze);
        if let Some(units) = self.units {
            cfg = cfg.with_units(match units {
                UnitsArg::Celsius => TempUnits::Celsius,
                UnitsArg::Fahrenheit => TempUnits::Fahrenheit,
            });
        }
        if !self.plants.is_empty() {
            cfg = cfg.with_plants(self.plants.iter().copied().collect::<Plants>())?;
        }
        let (leaf, bloom) = self
            .events
            .iter()
            .fold((false, false), |(l, b), e| (l || e.leaf(), b || e.bloom()));
        cfg = cfg.with_events(match (leaf, bloom) {
            (true, false) => Events::Leaf,
            (false, true) => Events::Bloom,
            _ => Events::Both,
        });
        Ok(cfg)
    }
}

pub(crate) fn run(args: &SpringIndexArgs, global: &GlobalArgs) -> anyhow::Result<()> {
    match &args.kind {
        SpringIndexCommand::Stations(a) => stations::run(a, global),
        SpringIndexCommand::Grid(a) => grid::run(a, global),
    }
}
