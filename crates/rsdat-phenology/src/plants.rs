//! The three indicator plants, their model coefficients and the output layers.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// An indicator plant of the Extended Spring Indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Plant {
    /// Lilac, *Syringa chinensis* 'Red Rothomagensis'.
    Lilac,
    /// Honeysuckle *Lonicera tatarica* 'Arnold Red'.
    ArnoldRed,
    /// Honeysuckle *Lonicera korolkowii* 'Zabelii' (named `zabelli` in outputs, as the seed workflow
    /// spells it).
    Zabelii,
}

impl Plant {
    /// All plants, in output order.
    pub const ALL: [Plant; 3] = [Plant::Lilac, Plant::ArnoldRed, Plant::Zabelii];

    /// Position in [`Plant::ALL`] and in the output layers.
    #[must_use]
    pub fn index(self) -> usize {
        match self {
            Plant::Lilac => 0,
            Plant::ArnoldRed => 1,
            Plant::Zabelii => 2,
        }
    }

    /// Name used in outputs: `lilac`, `arnold red`, `zabelli` (the seed workflow's spelling).
    #[must_use]
    pub fn name(self) -> &'static str {
        Layer::from(self).name()
    }

    pub(crate) fn coeffs(self) -> &'static Coeffs {
        &COEFFS[self.index()]
    }
}

impl fmt::Display for Plant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Plant {
    type Err = Error;

    /// Accepts `lilac`, `arnold red` (also `arnold-red`, `arnold_red`, `arnoldred`) and `zabelii`
    /// (also `zabelli`), in any case.
    fn from_str(s: &str) -> Result<Self> {
        let key: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "lilac" => Ok(Plant::Lilac),
            "arnoldred" => Ok(Plant::ArnoldRed),
            "zabelii" | "zabelli" => Ok(Plant::Zabelii),
            _ => Err(Error::Config(format!(
                "unknown plant `{s}`; use lilac, arnold red or zabelii"
            ))),
        }
    }
}

/// A set of plants to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Plants(u8);

impl Plants {
    /// All three plants (needed for the mean layer).
    pub const ALL: Plants = Plants(0b111);

    /// The empty set.
    pub const NONE: Plants = Plants(0);

    /// A set holding one plant.
    #[must_use]
    pub fn only(plant: Plant) -> Self {
        Plants(1 << plant.index())
    }

    /// This set plus `plant`.
    #[must_use]
    pub fn with(self, plant: Plant) -> Self {
        Plants(self.0 | (1 << plant.index()))
    }

    /// Whether `plant` is in the set.
    #[must_use]
    pub fn contains(self, plant: Plant) -> bool {
        self.0 & (1 << plant.index()) != 0
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether all three plants are in the set, so the mean layer can be computed.
    #[must_use]
    pub fn is_all(self) -> bool {
        self == Plants::ALL
    }

    /// The plants in the set, in output order.
    pub fn iter(self) -> impl Iterator<Item = Plant> {
        Plant::ALL.into_iter().filter(move |p| self.contains(*p))
    }
}

impl Default for Plants {
    fn default() -> Self {
        Plants::ALL
    }
}

impl FromIterator<Plant> for Plants {
    fn from_iter<I: IntoIterator<Item = Plant>>(iter: I) -> Self {
        iter.into_iter().fold(Plants::NONE, Plants::with)
    }
}

/// One output layer: a plant or the plant mean, in the `plant` dimension order of the outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Layer {
    /// Lilac.
    Lilac,
    /// Arnold Red.
    ArnoldRed,
    /// Zabelii (named `zabelli`).
    Zabelii,
    /// Rounded mean of the three plants; NaN unless all three have a date.
    Mean,
}

impl Layer {
    /// All layers, in output order: `lilac`, `arnold red`, `zabelli`, `mean`.
    pub const ALL: [Layer; 4] = [Layer::Lilac, Layer::ArnoldRed, Layer::Zabelii, Layer::Mean];

    /// Position in [`Layer::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        match self {
            Layer::Lilac => 0,
            Layer::ArnoldRed => 1,
            Layer::Zabelii => 2,
            Layer::Mean => 3,
        }
    }

    /// Name of the layer in outputs (the seed's `plant` coordinate).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Layer::Lilac => "lilac",
            Layer::ArnoldRed => "arnold red",
            Layer::Zabelii => "zabelli",
            Layer::Mean => "mean",
        }
    }
}

impl From<Plant> for Layer {
    fn from(p: Plant) -> Self {
        match p {
            Plant::Lilac => Layer::Lilac,
            Plant::ArnoldRed => Layer::ArnoldRed,
            Plant::Zabelii => Layer::Zabelii,
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Model coefficients of one plant (spec tables 3 and 4).
#[derive(Debug)]
pub(crate) struct Coeffs {
    /// Leaf: MDS0, SYNOP, DDE2, DD57.
    pub(crate) leaf: [f64; 4],
    /// Days added to the leaf trigger day (Arnold Red: 1).
    pub(crate) leaf_offset: u32,
    /// Bloom: MDS0, AGDH.
    pub(crate) bloom: [f64; 2],
}

impl Coeffs {
    /// Leaf score S = a0 MDS0 + a1 SYNOP + a2 DDE2 + a3 DD57.
    #[inline]
    pub(crate) fn leaf_score(&self, mds0: f64, synop: f64, dde2: f64, dd57: f64) -> f64 {
        let [a0, a1, a2, a3] = self.leaf;
        a0 * mds0 + a1 * synop + a2 * dde2 + a3 * dd57
    }

    /// Bloom score S = b0 MDS0 + b1 AGDH.
    #[inline]
    pub(crate) fn bloom_score(&self, mds0: f64, agdh: f64) -> f64 {
        let [b0, b1] = self.bloom;
        b0 * mds0 + b1 * agdh
    }
}

/// Coefficients in [`Plant::ALL`] order.
pub(crate) const COEFFS: [Coeffs; 3] = [
    Coeffs {
        leaf: [3.306, 13.878, 0.201, 0.153],
        leaf_offset: 0,
        bloom: [-23.934, 0.116],
    },
    Coeffs {
        leaf: [4.266, 20.899, 0.000, 0.248],
        leaf_offset: 1,
        bloom: [-24.825, 0.127],
    },
    Coeffs {
        leaf: [2.802, 21.433, 0.266, 0.000],
        leaf_offset: 0,
        bloom: [-11.368, 0.096],
    },
];

/// Score an event must exceed (`rsdat`: `>`; `matlab`: `>=`).
pub(crate) const EVENT_THRESHOLD: f64 = 999.5;

/// DDE2 at or above this counts as a synoptic event.
pub(crate) const SYNOP_THRESHOLD: f64 = 637.0;

/// Rounded mean of three plant dates: NaN unless all three are numbers; halves round away from
/// zero.
pub(crate) fn plant_mean(dates: [f64; 3]) -> f64 {
    if dates.iter().any(|d| d.is_nan()) {
        return f64::NAN;
    }
    ((dates[0] + dates[1] + dates[2]) / 3.0).round()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_parsing() {
        assert_eq!(Plant::Zabelii.name(), "zabelli");
        assert_eq!("Arnold Red".parse::<Plant>().ok(), Some(Plant::ArnoldRed));
        assert_eq!("zabelii".parse::<Plant>().ok(), Some(Plant::Zabelii));
        assert_eq!("zabelli".parse::<Plant>().ok(), Some(Plant::Zabelii));
        assert!("rose".parse::<Plant>().is_err());
    }

    #[test]
    fn plant_sets() {
        let s: Plants = [Plant::Lilac, Plant::Zabelii].into_iter().collect();
        assert!(s.contains(Plant::Lilac) && !s.contains(Plant::ArnoldRed));
        assert!(!s.is_all());
        assert_eq!(s.iter().count(), 2);
        assert!(Plants::ALL.is_all());
    }

    #[test]
    fn mean_needs_all_three() {
        assert!(plant_mean([1.0, f64::NAN, 3.0]).is_nan());
        assert_eq!(plant_mean([90.0, 91.0, 91.0]), 91.0);
        assert_eq!(plant_mean([90.0, 90.0, 91.0]), 90.0);
    }
}
