//! ADLER32 (RFC 1950), the checksum dCache keeps for every file.

/// A running ADLER32 checksum.
///
/// ```
/// let mut a = rsdat_transfer::Adler32::new();
/// a.update(b"Wiki");
/// a.update(b"pedia");
/// assert_eq!(a.finish(), 0x11E6_0398);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adler32 {
    a: u32,
    b: u32,
}

impl Default for Adler32 {
    fn default() -> Self {
        Self::new()
    }
}

const MOD: u32 = 65_521;
/// The most bytes summed before `b` could overflow a `u32`.
const NMAX: usize = 5552;

impl Adler32 {
    /// The checksum of nothing (1).
    #[must_use]
    pub fn new() -> Self {
        Self { a: 1, b: 0 }
    }

    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        let (mut a, mut b) = (self.a, self.b);
        for chunk in bytes.chunks(NMAX) {
            for &x in chunk {
                a += u32::from(x);
                b += a;
            }
            a %= MOD;
            b %= MOD;
        }
        self.a = a;
        self.b = b;
    }

    /// The checksum so far.
    #[must_use]
    pub fn finish(&self) -> u32 {
        (self.b << 16) | self.a
    }
}
