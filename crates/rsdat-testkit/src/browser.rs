//! A page in a real browser: headless Chromium (Debian `chromium`) takes a screenshot, and
//! the test looks at its pixels.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium program, or a panic that says how to install it.
///
/// # Panics
/// When neither `chromium` nor `chromium-browser` runs.
#[must_use]
pub fn chromium() -> &'static str {
    for c in ["chromium", "chromium-browser"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return c;
        }
    }
    panic!("headless Chromium is missing: run ./scripts/test (installs Debian `chromium`) or apt-get install --no-install-recommends chromium");
}

/// Screenshots `url` into the PNG `out`, in a `width` x `height` window, after
/// `virtual_ms` of the page's (virtual) time.
///
/// # Panics
/// When Chromium is missing, takes over 60 s or writes no screenshot.
pub fn screenshot(url: &str, out: &Path, (width, height): (u32, u32), virtual_ms: u32) {
    let profile = tempfile::tempdir().expect("browser profile folder");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--screenshot={}", out.display()),
            &format!("--window-size={width},{height}"),
            &format!("--virtual-time-budget={virtual_ms}"),
            url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("chromium status").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish its screenshot of {url} within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let done = child.wait_with_output().expect("chromium output");
    assert!(
        out.exists(),
        "no screenshot of {url}; chromium said: {}",
        String::from_utf8_lossy(&done.stderr)
    );
}

/// The RGB pixels of a screenshot.
pub struct Pixels {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Row by row.
    pub rgb: Vec<[u8; 3]>,
}

impl Pixels {
    /// Reads the PNG at `path`.
    ///
    /// # Panics
    /// When it is not a colour PNG.
    #[must_use]
    pub fn read(path: &Path) -> Self {
        let decoder = png::Decoder::new(std::fs::File::open(path).expect("open the screenshot"));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("a PNG frame");
        let step = info.color_type.samples();
        assert!(
            step >= 3,
            "colour screenshot expected, got {:?}",
            info.color_type
        );
        let rgb = buf[..info.buffer_size()]
            .chunks(step)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        Self {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    /// Pixels within 12 of colour `c` in every channel.
    #[must_use]
    pub fn count_near(&self, c: [u8; 3]) -> usize {
        self.rgb
            .iter()
            .filter(|p| p.iter().zip(c).all(|(&x, y)| x.abs_diff(y) <= 12))
            .count()
    }

    /// Number of distinct colours (a near-blank page has few).
    #[must_use]
    pub fn colours(&self) -> usize {
        self.rgb
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }
}

/// Asserts that a screenshot of rsdat's dashboard shows a run: the task stream and stage
/// graph (stage 0's colour), the progress bars (green) and the header band.
///
/// # Panics
/// When one of them is missing, naming it.
pub fn assert_dashboard_shows_a_run(px: &Pixels) {
    assert!(
        px.colours() > 50,
        "a near-blank page: {} colours",
        px.colours()
    );
    let stage0 = px.count_near([0x1c, 0x7e, 0xd6]);
    let progress = px.count_near([0x2f, 0x9e, 0x44]);
    let header = px.count_near([0x1d, 0x24, 0x30]);
    assert!(
        stage0 > 2000,
        "task stream not drawn: {stage0} pixels of stage 0's colour"
    );
    assert!(
        progress > 300,
        "progress bars not drawn: {progress} green pixels"
    );
    assert!(header > 20_000, "header not drawn: {header} pixels");
}
