//! Sweep outputs: `results.csv` and `results.json` (one row per point), SVG plots and a short
//! `summary.md` with the headline ratios, all written atomically from the finished rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use pamgen_gen::config::ArrayConfig;
use pamgen_hdl::blocks::catalog::Dataflow;

use crate::error::SimError;
use crate::npy::write_atomic;
use crate::schedule::Schedule;
use crate::sweep::point::{PointResult, CSV_COLUMNS};
use crate::sweep::svg::{render, Chart, Series};

fn write(path: &Path, text: &str) -> Result<(), SimError> {
    write_atomic(path, text.as_bytes(), true).map_err(|e| SimError::Io {
        what: format!("writing {}", path.display()),
        error: std::io::Error::other(e.to_string()),
    })
}

/// Write `results.csv` and `results.json` into `dir` (rows sorted by sweep index).
pub fn write_tables(dir: &Path, rows: &[PointResult]) -> Result<(), SimError> {
    let mut sorted: Vec<&PointResult> = rows.iter().collect();
    sorted.sort_by_key(|r| r.index);
    let mut csv = CSV_COLUMNS.join(",") + "\n";
    for r in &sorted {
        csv.push_str(&r.csv_row());
        csv.push('\n');
    }
    write(&dir.join("results.csv"), &csv)?;
    let json = serde_json::to_string_pretty(&sorted).expect("rows serialise") + "\n";
    write(&dir.join("results.json"), &json)
}

/// Configuration key of a row without its multiplier and offset: what PAM and exact share.
fn shape_key(r: &PointResult) -> String {
    format!(
        "{} {}x{} {}->{}",
        r.dataflow, r.rows, r.cols, r.format, r.acc
    )
}

/// Write the plots into `dir/plots/` and `summary.md` into `dir`.
pub fn write_report(dir: &Path, rows: &[PointResult], header: &str) -> Result<(), SimError> {
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots)
        .map_err(SimError::io(format!("creating {}", plots.display())))?;
    let mut sorted: Vec<&PointResult> = rows.iter().collect();
    sorted.sort_by_key(|r| r.index);

    // Area per PE against array size, one series per (dataflow, format, multiplier, offset).
    let mut area: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for r in &sorted {
        if let Some(v) = r.ice40_lut4_per_pe_cells {
            let off = if r.offset.is_empty() || r.offset == "0" {
                String::new()
            } else {
                format!(" off {}", r.offset)
            };
            area.entry(format!(
                "{} {} {}{}",
                r.dataflow, r.format, r.multiplier, off
            ))
            .or_default()
            .push((r.pes as f64, v));
        }
    }
    let series: Vec<Series> = area
        .into_iter()
        .map(|(name, mut points)| {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series { name, points }
        })
        .collect();
    write(
        &plots.join("area_per_pe.svg"),
        &render(
            &Chart {
                title: "iCE40 LUT4 per PE (array logic shared out)",
                x_label: "PEs in the array (rows x cols)",
                y_label: "LUT4 per PE",
                log_x: true,
                log_y: false,
                x_names: None,
                lines: true,
            },
            &series,
        ),
    )?;

    // Utilization against K from the cycle model, per array shape and dataflow.
    let mut shapes: BTreeMap<(String, usize, usize), Dataflow> = BTreeMap::new();
    for r in &sorted {
        let df = if r.dataflow == "ws" {
            Dataflow::Ws
        } else {
            Dataflow::Os
        };
        shapes.insert((r.dataflow.clone(), r.rows, r.cols), df);
    }
    let ks: Vec<usize> = (0..=10).map(|e| 1usize << e).collect();
    let mut series = Vec::new();
    for ((name, rows, cols), df) in shapes {
        let cfg = ArrayConfig {
            rows,
            cols,
            dataflow: df,
            ..ArrayConfig::default()
        };
        let (m, n) = (64usize.max(rows), 64usize.max(cols));
        let points = ks
            .iter()
            .filter_map(|&k| {
                let s = Schedule::new(&cfg, m, k, n).ok()?;
                Some((
                    k as f64,
                    100.0 * s.ideal_cycles() / s.predict().cycles as f64,
                ))
            })
            .collect();
        series.push(Series {
            name: format!("{name} {rows}x{cols}"),
            points,
        });
    }
    write(
        &plots.join("utilization_vs_k.svg"),
        &render(
            &Chart {
                title: "Utilization of a 64 x K x 64 GEMM (cycle model, exact against the RTL)",
                x_label: "K",
                y_label: "utilization (%)",
                log_x: true,
                log_y: false,
                x_names: None,
                lines: true,
            },
            &series,
        ),
    )?;

    // Accuracy by format and offset: relative Frobenius error of the workload vs exact f64.
    let mut cats: Vec<String> = Vec::new();
    let mut acc: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for r in &sorted {
        let Some(e) = r.rel_frobenius_error else {
            continue;
        };
        let cat = if r.multiplier == "exact" {
            format!("{} exact", r.format)
        } else {
            format!("{} pam off {}", r.format, r.offset)
        };
        let x = match cats.iter().position(|c| *c == cat) {
            Some(i) => i,
            None => {
                cats.push(cat);
                cats.len() - 1
            }
        };
        acc.entry(format!("{} {}x{}", r.dataflow, r.rows, r.cols))
            .or_default()
            .push((x as f64, e));
    }
    let series: Vec<Series> = acc
        .into_iter()
        .map(|(name, points)| Series { name, points })
        .collect();
    write(
        &plots.join("accuracy.svg"),
        &render(
            &Chart {
                title: "Error of the workload against exact f64 (relative Frobenius, worst GEMM)",
                x_label: "format, multiplier, offset",
                y_label: "relative error",
                log_x: false,
                log_y: true,
                x_names: Some(cats),
                lines: false,
            },
            &series,
        ),
    )?;

    write(&dir.join("summary.md"), &summary(&sorted, header))
}

/// The PAM row and the exact row of one configuration.
type PamExact<'a> = (Option<&'a PointResult>, Option<&'a PointResult>);

fn summary(rows: &[&PointResult], header: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# pamgen sweep summary\n\n{header}\n");
    let ok = rows.iter().filter(|r| r.ok()).count();
    let _ = writeln!(
        s,
        "{} points, {} ok, {} failed.\n",
        rows.len(),
        ok,
        rows.len() - ok
    );
    // PAM against exact for each shared configuration.
    // In sweep order (rows are sorted by index).
    let mut pairs: Vec<(String, PamExact)> = Vec::new();
    for r in rows {
        let key = shape_key(r);
        let at = match pairs.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                pairs.push((key, (None, None)));
                pairs.len() - 1
            }
        };
        let e = &mut pairs[at].1;
        if r.multiplier == "exact" {
            e.1 = Some(r);
        } else if e.0.is_none() || r.offset == "0" {
            e.0 = Some(r);
        }
    }
    let _ = writeln!(
        s,
        "## PAM against the exact multiplier (whole array; PAM at offset 0 where swept)\n"
    );
    let _ = writeln!(
        s,
        "| configuration | iCE40 LUT4 PAM / exact | ratio | transistors PAM / exact | ratio | Xilinx DSP PAM / exact | rel. error PAM / exact |"
    );
    let _ = writeln!(s, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let ratio = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) if b > 0 => format!("{:.2}", a as f64 / b as f64),
        _ => "—".into(),
    };
    let pair = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) => format!("{a} / {b}"),
        _ => "—".into(),
    };
    for (key, (p, e)) in &pairs {
        if let (Some(p), Some(e)) = (p, e) {
            let err = match (p.rel_frobenius_error, e.rel_frobenius_error) {
                (Some(a), Some(b)) => format!("{a:.2e} / {b:.2e}"),
                _ => "—".into(),
            };
            let _ = writeln!(
                s,
                "| {key} | {} | {} | {} | {} | {} | {err} |",
                pair(p.ice40_lut4_cells, e.ice40_lut4_cells),
                ratio(p.ice40_lut4_cells, e.ice40_lut4_cells),
                pair(p.cmos_transistors, e.cmos_transistors),
                ratio(p.cmos_transistors, e.cmos_transistors),
                pair(p.xilinx_dsp_cells, e.xilinx_dsp_cells),
            );
        }
    }
    let _ = writeln!(
        s,
        "\n## Cycles against ideal (the workload on each array)\n"
    );
    let _ = writeln!(s, "| point | cycles | ideal | utilization | simulated M MAC/s | Verilator build (s) | mismatches |");
    let _ = writeln!(s, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        if let (Some(c), Some(i)) = (r.cycles, r.ideal_cycles) {
            let _ = writeln!(
                s,
                "| {} | {c} | {i:.0} | {:.2}% | {:.1} | {} | {} |",
                r.id,
                100.0 * i / c as f64,
                r.sim_macs_per_s.unwrap_or(0.0) / 1e6,
                r.verilator_build_s
                    .map(|v| format!("{v:.1}"))
                    .unwrap_or_else(|| "—".into()),
                r.mismatches
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "—".into()),
            );
        }
    }
    let failed: Vec<&&PointResult> = rows.iter().filter(|r| !r.ok()).collect();
    if !failed.is_empty() {
        let _ = writeln!(s, "\n## Failed points\n");
        for r in failed {
            let _ = writeln!(s, "- `{}`: {}", r.id, r.error);
        }
    }
    let _ = writeln!(
        s,
        "\nPlots: `plots/area_per_pe.svg`, `plots/utilization_vs_k.svg`, `plots/accuracy.svg`. All numbers: `results.csv`, `results.json`."
    );
    s
}
