//! Validated settings of one spring-index run: preset, window, plants, events, units.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Plants, Result};

/// Which formulation of the model to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// The seed workflow (RS-DAT notebooks on Daymet): Daymet day length, days 1..=300, strict
    /// `>`, 0-based day outputs, no quality rules. Streams day by day.
    Rsdat,
    /// The published MATLAB toolbox (Ault et al. 2015): 240-day window, 30-day block quality
    /// rules, latitude day length, consistency fix, cold-day skip, GDH clamps, `>=`, 1-based
    /// days. Needs the whole window at once.
    Matlab,
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Preset::Rsdat => "rsdat",
            Preset::Matlab => "matlab",
        })
    }
}

impl FromStr for Preset {
    type Err = Error;

    /// Accepts `rsdat` or `matlab`, in any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rsdat" => Ok(Preset::Rsdat),
            "matlab" => Ok(Preset::Matlab),
            _ => Err(Error::Config(format!(
                "unknown preset `{s}`; use rsdat or matlab"
            ))),
        }
    }
}

/// Which phenological events to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Events {
    /// First leaf only.
    Leaf,
    /// First bloom only (first leaf is still computed, since bloom counts from it, but reported
    /// as NaN).
    Bloom,
    /// Both.
    #[default]
    Both,
}

impl Events {
    /// Whether first leaf is reported.
    #[must_use]
    pub fn leaf(self) -> bool {
        matches!(self, Events::Leaf | Events::Both)
    }

    /// Whether first bloom is computed and reported.
    #[must_use]
    pub fn bloom(self) -> bool {
        matches!(self, Events::Bloom | Events::Both)
    }
}

impl fmt::Display for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Events::Leaf => "leaf",
            Events::Bloom => "bloom",
            Events::Both => "both",
        })
    }
}

impl FromStr for Events {
    type Err = Error;

    /// Accepts `leaf`, `bloom` or `both`, in any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "leaf" => Ok(Events::Leaf),
            "bloom" => Ok(Events::Bloom),
            "both" => Ok(Events::Both),
            _ => Err(Error::Config(format!(
                "unknown event `{s}`; use leaf, bloom or both"
            ))),
        }
    }
}

/// Units of input temperatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TempUnits {
    /// Degrees Celsius (Daymet, GHCN-Daily after scaling).
    Celsius,
    /// Degrees Fahrenheit (the model's own unit, the toolbox's input).
    Fahrenheit,
}

impl TempUnits {
    /// Converts one value to degrees Fahrenheit (F = 1.8 C + 32).
    #[inline]
    #[must_use]
    pub fn to_fahrenheit(self, v: f64) -> f64 {
        match self {
            TempUnits::Celsius => v * 1.8 + 32.0,
            TempUnits::Fahrenheit => v,
        }
    }
}

impl FromStr for TempUnits {
    type Err = Error;

    /// Accepts `C`, `celsius`, `F`, `fahrenheit`, in any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "c" | "celsius" | "degc" => Ok(TempUnits::Celsius),
            "f" | "fahrenheit" | "degf" => Ok(TempUnits::Fahrenheit),
            _ => Err(Error::Config(format!(
                "unknown temperature unit `{s}`; use C or F"
            ))),
        }
    }
}

/// Settings of a spring-index run, validated on construction.
///
/// Start from [`Config::rsdat`] or [`Config::matlab`] and adjust with the `with_*` methods.
///
/// Units of input temperatures default per preset: °C for `rsdat` (Daymet) and °F for `matlab`
/// (the toolbox and its published test data). Day length is always in seconds (Daymet `dayl`)
/// where it is an input.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    preset: Preset,
    start_day: u32,
    end_day: u32,
    plants: Plants,
    events: Events,
    units: TempUnits,
    last_freeze: bool,
}

/// Last day of the `matlab` preset's window.
pub(crate) const MATLAB_END_DAY: u32 = 240;

impl Config {
    /// The seed formulation: days 1..=300, all plants, both events, °C.
    #[must_use]
    pub fn rsdat() -> Self {
        Config {
            preset: Preset::Rsdat,
            start_day: 1,
            end_day: 300,
            plants: Plants::ALL,
            events: Events::Both,
            units: TempUnits::Celsius,
            last_freeze: false,
        }
    }

    /// The published toolbox: days 1..=240, all plants, both events, °F, no last freeze.
    #[must_use]
    pub fn matlab() -> Self {
        Config {
            preset: Preset::Matlab,
            start_day: 1,
            end_day: MATLAB_END_DAY,
            plants: Plants::ALL,
            events: Events::Both,
            units: TempUnits::Fahrenheit,
            last_freeze: false,
        }
    }

    /// The defaults of `preset`.
    #[must_use]
    pub fn for_preset(preset: Preset) -> Self {
        match preset {
            Preset::Rsdat => Config::rsdat(),
            Preset::Matlab => Config::matlab(),
        }
    }

    /// Sets the window of days searched, 1-based day of year, both ends included.
    ///
    /// Outputs of the `rsdat` preset stay days since 1 January whatever the start day (the seed
    /// reports indices into its window, which is the same thing for its start day 1), MDS0 stays
    /// days since 1 January, and GDH before the start day is padded with the start day's GDH, as
    /// the seed pads its window.
    ///
    /// # Errors
    /// [`Error::Config`] unless `1 <= start_day <= end_day <= 366`, or if the preset is `matlab`
    /// and the window is not 1..=240 (its block rules are tied to that window).
    pub fn with_days(mut self, start_day: u32, end_day: u32) -> Result<Self> {
        if !(1..=end_day).contains(&start_day) || end_day > 366 {
            return Err(Error::Config(format!(
                "window {start_day}..={end_day} is not within days 1..=366 or is empty; \
                 pick 1 <= start <= end <= 366"
            )));
        }
        if self.preset == Preset::Matlab && (start_day, end_day) != (1, MATLAB_END_DAY) {
            return Err(Error::Config(format!(
                "the matlab preset has a fixed window 1..={MATLAB_END_DAY}, \
                 got {start_day}..={end_day}; use the rsdat preset for other windows"
            )));
        }
        self.start_day = start_day;
        self.end_day = end_day;
        Ok(self)
    }

    /// Sets the plants computed. The mean layer needs all three.
    ///
    /// # Errors
    /// [`Error::Config`] if `plants` is empty.
    pub fn with_plants(mut self, plants: Plants) -> Result<Self> {
        if plants.is_empty() {
            return Err(Error::Config(
                "no plant selected; pick at least one of lilac, arnold red, zabelii".into(),
            ));
        }
        self.plants = plants;
        Ok(self)
    }

    /// Sets the events reported.
    #[must_use]
    pub fn with_events(mut self, events: Events) -> Self {
        self.events = events;
        self
    }

    /// Sets the units of input temperatures.
    #[must_use]
    pub fn with_units(mut self, units: TempUnits) -> Self {
        self.units = units;
        self
    }

    /// Asks for the last-freeze output (`matlab` preset only; always NaN for `rsdat`).
    #[must_use]
    pub fn with_last_freeze(mut self, on: bool) -> Self {
        self.last_freeze = on;
        self
    }

    /// The preset.
    #[must_use]
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// First day of the window (1-based day of year).
    #[must_use]
    pub fn start_day(&self) -> u32 {
        self.start_day
    }

    /// Last day of the window (1-based day of year, included).
    #[must_use]
    pub fn end_day(&self) -> u32 {
        self.end_day
    }

    /// Plants computed.
    #[must_use]
    pub fn plants(&self) -> Plants {
        self.plants
    }

    /// Events reported.
    #[must_use]
    pub fn events(&self) -> Events {
        self.events
    }

    /// Units of input temperatures.
    #[must_use]
    pub fn units(&self) -> TempUnits {
        self.units
    }

    /// Whether the last-freeze output is computed.
    #[must_use]
    pub fn last_freeze(&self) -> bool {
        self.last_freeze
    }
}

impl Default for Config {
    /// [`Config::rsdat`].
    fn default() -> Self {
        Config::rsdat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_checked() {
        assert!(Config::rsdat().with_days(0, 10).is_err());
        assert!(Config::rsdat().with_days(20, 10).is_err());
        assert!(Config::rsdat().with_days(1, 367).is_err());
        assert!(Config::rsdat().with_days(60, 200).is_ok());
        assert!(Config::matlab().with_days(1, 300).is_err());
        assert!(Config::matlab().with_days(1, 240).is_ok());
        assert!(Config::rsdat().with_plants(Plants::NONE).is_err());
    }

    #[test]
    fn parsing() {
        assert_eq!("MATLAB".parse::<Preset>().ok(), Some(Preset::Matlab));
        assert_eq!("f".parse::<TempUnits>().ok(), Some(TempUnits::Fahrenheit));
        assert_eq!("both".parse::<Events>().ok(), Some(Events::Both));
        assert!("x".parse::<Events>().is_err());
        assert_eq!(TempUnits::Celsius.to_fahrenheit(100.0), 212.0);
    }
}
