//! Small, dependency-free SVG line charts for sweep results: axes with ticks, one polyline with
//! markers per series, a legend. Good enough to read trends; the numbers are in the CSV.

use std::fmt::Write as _;

/// One series: a name and its points.
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// (x, y) points, drawn in the given order.
    pub points: Vec<(f64, f64)>,
}

/// A chart's labels and axis scales.
pub struct Chart<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// X axis label.
    pub x_label: &'a str,
    /// Y axis label.
    pub y_label: &'a str,
    /// Logarithmic x axis (base 2).
    pub log_x: bool,
    /// Logarithmic y axis (base 10).
    pub log_y: bool,
    /// Names for integer x positions (a categorical axis) instead of numbers.
    pub x_names: Option<Vec<String>>,
    /// Join each series' points with a line (off for categorical comparisons).
    pub lines: bool,
}

const COLORS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#000000", "#aec7e8", "#ff9896", "#98df8a",
];
/// Dash patterns, cycled once the colours run out.
const DASHES: &[&str] = &["", "6,3", "2,2"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn fmt_tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.0e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// Render the chart as an SVG document.
pub fn render(chart: &Chart, series: &[Series]) -> String {
    let (w, h) = (
        760.0,
        if chart.x_names.is_some() {
            520.0
        } else {
            460.0
        },
    );
    let (left, right, top, bottom) = (
        80.0,
        220.0,
        40.0,
        if chart.x_names.is_some() { 120.0 } else { 60.0 },
    );
    let (pw, ph) = (w - left - right, h - top - bottom);
    let tx = |x: f64| if chart.log_x { x.max(1e-300).log2() } else { x };
    let ty = |y: f64| {
        if chart.log_y {
            y.max(1e-300).log10()
        } else {
            y
        }
    };
    let pts: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|(x, y)| x.is_finite() && y.is_finite() && (!chart.log_y || *y > 0.0))
        .map(|(x, y)| (tx(x), ty(y)))
        .collect();
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="15">{}</text>"#,
        left + pw / 2.0,
        esc(chart.title)
    );
    if pts.is_empty() {
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle">no data</text></svg>"#,
            w / 2.0,
            h / 2.0
        );
        return svg;
    }
    let (mut x0, mut x1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (mut y0, mut y1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    if x1 - x0 < 1e-12 {
        x0 -= 0.5;
        x1 += 0.5;
    }
    if y1 - y0 < 1e-12 {
        let d = if y0.abs() > 0.0 { y0.abs() * 0.05 } else { 0.5 };
        y0 -= d;
        y1 += d;
    }
    let pad = (y1 - y0) * 0.06;
    if !chart.log_y && y0 >= 0.0 && y0 - pad < 0.0 {
        y0 = 0.0;
    } else {
        y0 -= pad;
    }
    y1 += pad;
    if chart.x_names.is_some() {
        x0 -= 0.5;
        x1 += 0.5;
    }
    let sx = |x: f64| left + (x - x0) / (x1 - x0) * pw;
    let sy = |y: f64| top + ph - (y - y0) / (y1 - y0) * ph;
    // Frame and grid.
    let _ = writeln!(
        svg,
        r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>"##
    );
    let yticks: Vec<f64> = if chart.log_y {
        (y0.ceil() as i64..=y1.floor() as i64)
            .map(|e| e as f64)
            .collect()
    } else {
        nice_ticks(y0, y1, 6)
    };
    for t in yticks {
        let y = sy(t);
        let label = if chart.log_y {
            fmt_tick(10f64.powf(t))
        } else {
            fmt_tick(t)
        };
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{label}</text>"##,
            left + pw,
            left - 6.0,
            y + 4.0
        );
    }
    let xticks: Vec<(f64, String)> = match &chart.x_names {
        Some(names) => names
            .iter()
            .enumerate()
            .map(|(i, n)| (i as f64, n.clone()))
            .collect(),
        None if chart.log_x => (x0.ceil() as i64..=x1.floor() as i64)
            .map(|e| (e as f64, fmt_tick(2f64.powi(e as i32))))
            .collect(),
        None => nice_ticks(x0, x1, 8)
            .into_iter()
            .map(|t| (t, fmt_tick(t)))
            .collect(),
    };
    let rotate = chart.x_names.is_some();
    for (t, label) in xticks {
        let x = sx(t);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{}" stroke="#eee"/>"##,
            top + ph
        );
        if rotate {
            let _ = writeln!(
                svg,
                r#"<text x="{x:.1}" y="{}" text-anchor="end" transform="rotate(-30 {x:.1} {})" font-size="10">{}</text>"#,
                top + ph + 14.0,
                top + ph + 14.0,
                esc(&label)
            );
        } else {
            let _ = writeln!(
                svg,
                r#"<text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
                top + ph + 18.0,
                esc(&label)
            );
        }
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        left + pw / 2.0,
        h - 12.0,
        esc(chart.x_label)
    );
    let _ = writeln!(
        svg,
        r#"<text x="18" y="{}" text-anchor="middle" transform="rotate(-90 18 {})">{}</text>"#,
        top + ph / 2.0,
        top + ph / 2.0,
        esc(chart.y_label)
    );
    // Series.
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let dash = match DASHES[(i / COLORS.len()) % DASHES.len()] {
            "" => String::new(),
            d => format!(r#" stroke-dasharray="{d}""#),
        };
        let p: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite() && (!chart.log_y || *y > 0.0))
            .map(|&(x, y)| (sx(tx(x)), sy(ty(y))))
            .collect();
        if chart.lines && p.len() > 1 {
            let line: Vec<String> = p.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = writeln!(
                svg,
                r#"<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{}"/>"#,
                line.join(" ")
            );
        }
        for (x, y) in &p {
            let _ = writeln!(
                svg,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{color}"/>"#
            );
        }
        let ly = top + 10.0 + 18.0 * i as f64;
        let lx = left + pw + 14.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="2"{dash}/><circle cx="{}" cy="{ly}" r="3.5" fill="{color}"/><text x="{}" y="{}">{}</text>"#,
            lx + 22.0,
            lx + 11.0,
            lx + 28.0,
            ly + 4.0,
            esc(&s.name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// About `n` round tick values covering [lo, hi].
fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let raw = (hi - lo) / n as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut v = Vec::new();
    while t <= hi + step * 1e-9 {
        v.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_have_their_series_and_labels() {
        let s = render(
            &Chart {
                title: "t <1>",
                x_label: "x",
                y_label: "y",
                log_x: true,
                log_y: false,
                x_names: None,
                lines: true,
            },
            &[
                Series {
                    name: "pam".into(),
                    points: vec![(4.0, 1.0), (16.0, 2.0), (64.0, 3.0)],
                },
                Series {
                    name: "exact".into(),
                    points: vec![(4.0, 2.0)],
                },
            ],
        );
        assert!(s.starts_with("<svg") && s.ends_with("</svg>\n"));
        assert!(s.contains("t &lt;1&gt;") && s.contains(">pam<") && s.contains(">exact<"));
        assert_eq!(s.matches("<polyline").count(), 1);
        assert_eq!(s.matches("<circle").count(), 4 + 2);
        assert!(s.contains(">16<") && s.contains(">64<"), "log2 ticks");
        assert_eq!(
            nice_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
    }
}
