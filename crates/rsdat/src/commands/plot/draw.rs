//! Rendering with plotters into a PNG: faceted maps with one colour scale, and line plots.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::{register_font, FontStyle};

use super::grid::{Axis, Map, Series};

/// The embedded label font (DejaVu Sans, see `assets/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";
const MISSING: RGBColor = RGBColor(225, 225, 225);

/// Registers the embedded font once.
fn fonts() -> anyhow::Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    if *DONE.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok()) {
        Ok(())
    } else {
        anyhow::bail!("the embedded font cannot be loaded (a bug: please report it)")
    }
}

/// Finite minimum and maximum over `values`, widened when empty or flat.
fn value_range<'a>(values: impl Iterator<Item = &'a f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

/// Tick labels with as many decimals as a range of width `span` needs.
fn tick_format(span: f64) -> impl Fn(&f64) -> String {
    let decimals = match span.abs() {
        s if s >= 10.0 => 0,
        s if s >= 2.0 => 1,
        s if s >= 0.2 => 2,
        _ => 4,
    };
    move |v: &f64| format!("{v:.decimals$}")
}

/// The outer edges of an axis's cells (centres ± half a cell), low to high.
fn extent(a: &Axis) -> (f64, f64) {
    let first = a.values.first().copied().unwrap_or(0.0);
    let last = a.values.last().copied().unwrap_or(0.0);
    let half = if a.values.len() > 1 {
        ((last - first) / (a.values.len() - 1) as f64).abs() / 2.0
    } else {
        0.5
    };
    (first.min(last) - half, first.max(last) + half)
}

/// The cell index of display coordinate `v` on a regular axis, if inside.
fn cell(a: &Axis, v: f64) -> Option<usize> {
    let n = a.values.len();
    let step = if n > 1 {
        a.values[1] - a.values[0]
    } else {
        1.0
    };
    let i = ((v - a.values[0]) / step).round();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (i >= 0.0 && i < n as f64).then_some(i as usize)
}

fn colour(v: f64, lo: f64, hi: f64) -> RGBColor {
    if v.is_finite() {
        ViridisRGB::get_color_normalized(v, lo, hi)
    } else {
        MISSING
    }
}

/// Draws `m` as one panel per layer and a shared colour bar on the right; returns the PNG.
pub(crate) fn map(m: &Map, size: (u32, u32)) -> anyhow::Result<Vec<u8>> {
    fonts()?;
    let mut rgb = vec![0; size.0 as usize * size.1 as usize * 3];
    draw_map(m, &mut rgb, size)?;
    png(rgb, size)
}

fn draw_map(m: &Map, rgb: &mut [u8], (width, height): (u32, u32)) -> anyhow::Result<()> {
    let root = BitMapBackend::with_buffer(rgb, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let body = root.titled(&m.title, (FAMILY, 28))?;
    let bar_width = 150;
    let (panels, bar) = body.split_horizontally(width.saturating_sub(bar_width));
    let k = m.panels.len().max(1);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let cols = (k as f64).sqrt().ceil() as usize;
    let rows = k.div_ceil(cols);
    let areas = panels.split_evenly((rows, cols));
    let (lo, hi) = value_range(m.panels.iter().flat_map(|(_, v)| v));
    let (x0, x1) = extent(&m.x);
    let (y0, y1) = extent(&m.y);
    let nx = m.x.values.len();

    for (area, (label, values)) in areas.iter().zip(&m.panels) {
        let (caption, area) = area.split_vertically(32);
        if !label.is_empty() {
            caption.titled(label, (FAMILY, 22))?;
        }
        // Keep the grid's aspect ratio: measure the plotting area, then pad it.
        macro_rules! panel {
            ($area:expr) => {
                ChartBuilder::on($area)
                    .margin(10)
                    .x_label_area_size(45)
                    .y_label_area_size(70)
                    .build_cartesian_2d(x0..x1, y0..y1)?
            };
        }
        let (px, py) = panel!(&area).plotting_area().get_pixel_range();
        let (pw, ph) = (f64::from(px.end - px.start), f64::from(py.end - py.start));
        let ratio = (x1 - x0) / (y1 - y0);
        #[allow(clippy::cast_possible_truncation)]
        let padded = if pw / ph > ratio {
            let extra = ((pw - ph * ratio) / 2.0) as i32;
            area.margin(0, 0, extra, extra)
        } else {
            let extra = ((ph - pw / ratio) / 2.0) as i32;
            area.margin(0, 2 * extra, 0, 0)
        };
        let mut chart = panel!(&padded);
        let (fx, fy) = (tick_format(x1 - x0), tick_format(y1 - y0));
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&fx)
            .y_label_formatter(&fy)
            .x_desc(&m.x.label)
            .y_desc(&m.y.label)
            .label_style((FAMILY, 15))
            .axis_desc_style((FAMILY, 16))
            .x_labels(5)
            .y_labels(5)
            .draw()?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let (pw, ph) = (f64::from(px.end - px.start), f64::from(py.end - py.start));
        for iy in py.clone() {
            let yd = y1 - (f64::from(iy - py.start) + 0.5) / ph * (y1 - y0);
            let Some(r) = cell(&m.y, yd) else { continue };
            for ix in px.clone() {
                let xd = x0 + (f64::from(ix - px.start) + 0.5) / pw * (x1 - x0);
                let Some(c) = cell(&m.x, xd) else { continue };
                root.draw_pixel((ix, iy), &colour(values[r * nx + c], lo, hi))?;
            }
        }
    }

    // The colour bar, labelled with what the values are.
    let mut chart = ChartBuilder::on(&bar)
        .margin_top(40)
        .margin_bottom(60)
        .margin_right(40)
        .y_label_area_size(75)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    let fv = tick_format(hi - lo);
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&fv)
        .y_desc(&m.label)
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .draw()?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    let ph = f64::from(py.end - py.start);
    for iy in py.clone() {
        let v = hi - (f64::from(iy - py.start) + 0.5) / ph * (hi - lo);
        for ix in px.clone() {
            root.draw_pixel((ix, iy), &colour(v, lo, hi))?;
        }
    }
    root.present()?;
    Ok(())
}

/// Draws the lines of `s`; returns the PNG.
pub(crate) fn series(s: &Series, size: (u32, u32)) -> anyhow::Result<Vec<u8>> {
    fonts()?;
    let mut rgb = vec![0; size.0 as usize * size.1 as usize * 3];
    draw_series(s, &mut rgb, size)?;
    png(rgb, size)
}

fn draw_series(s: &Series, rgb: &mut [u8], size: (u32, u32)) -> anyhow::Result<()> {
    let root = BitMapBackend::with_buffer(rgb, size).into_drawing_area();
    root.fill(&WHITE)?;
    let steps = s.layers.iter().map(|(_, v)| v.len()).max().unwrap_or(1);
    let (lo, hi) = value_range(s.layers.iter().flat_map(|(_, v)| v));
    let pad = (hi - lo) * 0.05;
    #[allow(clippy::cast_precision_loss)]
    let x_end = steps.saturating_sub(1).max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(&s.title, (FAMILY, 26))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..x_end, (lo - pad)..(hi + pad))?;
    let (fx, fy) = (tick_format(x_end), tick_format(hi - lo));
    chart
        .configure_mesh()
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .x_desc(&s.x_label)
        .y_desc(&s.y_label)
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 17))
        .draw()?;
    for (i, (name, values)) in s.layers.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        // One line per run of finite values, so gaps stay gaps.
        let mut first = true;
        for run in values
            .iter()
            .enumerate()
            .collect::<Vec<_>>()
            .split(|(_, v)| !v.is_finite())
            .filter(|r| !r.is_empty())
        {
            #[allow(clippy::cast_precision_loss)]
            let points = run.iter().map(|(t, v)| (*t as f64, **v));
            let drawn = chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
            if first && s.layers.len() > 1 {
                drawn.label(name.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            }
            first = false;
        }
    }
    if s.layers.len() > 1 {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FAMILY, 16))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// Encodes an RGB buffer as PNG.
fn png(rgb: Vec<u8>, (width, height): (u32, u32)) -> anyhow::Result<Vec<u8>> {
    let img = image::RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| anyhow::anyhow!("the drawing buffer has the wrong size (a bug)"))?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageOutputFormat::Png)?;
    Ok(out.into_inner())
}
