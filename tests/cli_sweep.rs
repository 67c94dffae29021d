//! `pamgen sweep` end to end: a small sweep with synthesis and simulation, its CSV columns and
//! PAM's smaller area; resume, shards and merge; failing points and missing tools; bad input.

mod common;

use common::{pamgen, stderr};

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Split one CSV line (RFC 4180 quoting).
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn csv(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = fields(lines.next().unwrap());
    let rows = lines
        .map(|l| {
            let f = fields(l);
            assert_eq!(f.len(), header.len(), "{l}");
            header.iter().cloned().zip(f).collect()
        })
        .collect();
    (header, rows)
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = '{}'", row[col]))
}

const SWEEP: &[&str] = &[
    "sweep",
    "--rows",
    "2,4",
    "--formats",
    "bf16",
    "--multipliers",
    "pam,exact",
    "--workload",
    "gemm:8x12x8",
];

#[test]
fn a_small_sweep_synthesizes_simulates_resumes_and_merges() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut args = SWEEP.to_vec();
    args.extend([
        "--out",
        "full",
        "--jobs",
        "2",
        "--require",
        "synth,sim,fmax",
    ]);
    let o = pamgen(&args, d);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = csv(&d.join("full/results.csv"));
    for col in [
        "id",
        "rows",
        "cols",
        "pes",
        "format",
        "multiplier",
        "ice40_lut4_cells",
        "ice40_carry_cells",
        "ice40_dff_cells",
        "xilinx_lut_cells",
        "xilinx_ff_cells",
        "xilinx_dsp_cells",
        "cmos_transistors",
        "ice40_lut4_per_pe_cells",
        "synth_time_s",
        "verilator_build_s",
        "cycles",
        "ideal_cycles",
        "utilization_pct",
        "sim_wall_s",
        "sim_cycles_per_s",
        "sim_macs_per_s",
        "mismatches",
        "rel_frobenius_error",
        "cosine_similarity",
        "status",
        "error",
    ] {
        assert!(
            header.iter().any(|h| h == col),
            "column {col} missing: {header:?}"
        );
    }
    assert_eq!(rows.len(), 4);
    for r in &rows {
        assert_eq!(r["status"], "ok", "{r:?}");
        assert_eq!(r["mismatches"], "0");
        let u = num(r, "utilization_pct");
        assert!(u > 50.0 && u <= 100.0, "{u}");
        assert_eq!(num(r, "ideal_cycles"), 8.0 * 12.0 * 8.0 / num(r, "pes"));
    }
    for size in ["2", "4"] {
        let get = |m: &str| {
            rows.iter()
                .find(|r| r["rows"] == size && r["multiplier"] == m)
                .unwrap_or_else(|| panic!("{size} {m}"))
        };
        let (p, e) = (get("pam"), get("exact"));
        for col in ["ice40_lut4_cells", "xilinx_lut_cells", "cmos_transistors"] {
            assert!(
                num(p, col) < num(e, col),
                "{size}x{size} {col}: PAM {} vs exact {}",
                p[col],
                e[col]
            );
        }
        assert_eq!(num(p, "xilinx_dsp_cells"), 0.0);
        // One integer adder instead of a multiplier: the PE clocks faster on iCE40.
        assert!(num(e, "pe_fmax_mhz") > 1.0);
        assert!(num(p, "pe_fmax_mhz") > num(e, "pe_fmax_mhz"), "{p:?} {e:?}");
        assert!(num(e, "xilinx_dsp_cells") > 0.0);
        assert!(num(p, "rel_frobenius_error") > num(e, "rel_frobenius_error"));
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("full/results.json")).unwrap())
            .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 4);
    for plot in ["area_per_pe", "utilization_vs_k", "accuracy"] {
        let svg = std::fs::read_to_string(d.join(format!("full/plots/{plot}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<circle"), "{plot}");
    }
    let summary = std::fs::read_to_string(d.join("full/summary.md")).unwrap();
    assert!(summary.contains("| os 2x2 bf16->fp32 |"), "{summary}");

    // Running again into the same directory needs --resume (or --force); resuming runs nothing.
    let o = pamgen(&args, d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let before = std::fs::read(d.join("full/points.jsonl")).unwrap();
    let mut resume = args.clone();
    resume.push("--resume");
    let o = pamgen(&resume, d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("sweep: 0 of 4 points to run (4 finished earlier)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(d.join("full/points.jsonl")).unwrap(), before);

    // Two shards (the caches make them fast) merge into the same rows.
    for s in ["0/2", "1/2"] {
        let mut a = SWEEP.to_vec();
        let out = format!("shard{}", &s[..1]);
        a.extend(["--out", &out, "--shard", s]);
        let o = pamgen(&a, d);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(csv(&d.join(&out).join("results.csv")).1.len(), 2);
    }
    let o = pamgen(
        &["sweep", "merge", "--out", "merged", "shard0", "shard1"],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, merged) = csv(&d.join("merged/results.csv"));
    let stable = |rs: &[BTreeMap<String, String>]| -> Vec<Vec<String>> {
        rs.iter()
            .map(|r| {
                [
                    "id",
                    "ice40_lut4_cells",
                    "cmos_transistors",
                    "cycles",
                    "mismatches",
                    "rel_frobenius_error",
                ]
                .iter()
                .map(|c| r[*c].clone())
                .collect()
            })
            .collect()
    };
    assert_eq!(stable(&merged), stable(&rows));
    assert!(d.join("merged/plots/area_per_pe.svg").exists());
}

#[test]
fn failing_points_are_recorded_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A "Verilator" that reports version 5 and fails every build.
    let fake = d.join("fake-verilator");
    std::fs::write(
        &fake,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'Verilator 5.999 fake'; exit 0; fi\necho '%Error: fake failure for the test' >&2\nexit 1\n",
    )
    .unwrap();
    Command::new("chmod").arg("+x").arg(&fake).status().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_pamgen"))
        .args([
            "sweep",
            "--rows",
            "1,2",
            "--multipliers",
            "pam",
            "--no-synth",
            "--out",
            "s",
        ])
        .env("PAMGEN_VERILATOR", &fake)
        .env("PAMGEN_MODEL_CACHE", d.join("cache"))
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let (_, rows) = csv(&d.join("s/results.csv"));
    assert_eq!(rows.len(), 2, "every point is recorded");
    for r in &rows {
        assert_eq!(r["status"], "failed");
        assert!(r["error"].contains("fake failure"), "{r:?}");
        assert_eq!(r["ice40_lut4_cells"], "", "no synthesis was asked for");
    }
    assert!(std::fs::read_to_string(d.join("s/summary.md"))
        .unwrap()
        .contains("## Failed points"));
}

#[test]
fn missing_tools_leave_columns_empty_unless_required() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let empty = d.join("empty-path");
    std::fs::create_dir(&empty).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["sweep", "--rows", "1", "--multipliers", "pam", "--out"];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_pamgen"))
            .args(&args)
            .env("PATH", &empty)
            .env_remove("PAMGEN_VERILATOR")
            .current_dir(d)
            .output()
            .unwrap()
    };
    let o = run(&["a"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert_eq!(e.matches("yosys is not installed").count(), 1, "{e}");
    assert!(e.contains("verilator"), "{e}");
    let (_, rows) = csv(&d.join("a/results.csv"));
    assert_eq!(rows[0]["status"], "ok");
    assert_eq!(rows[0]["cmos_transistors"], "");
    assert_eq!(rows[0]["cycles"], "");
    let o = run(&["b", "--require", "synth"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--require synth") && stderr(&o).contains("apt-get"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("b").exists(), "nothing written before the refusal");
}

#[test]
fn bad_sweeps_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.toml"), "rows = [2]\ncolours = [3]\n").unwrap();
    for (args, needle) in [
        (vec!["--rows", "0"], "--rows"),
        (vec!["--rows", "300"], "256"),
        (vec!["--workload", "gemm:1x2"], "gemm:MxKxN"),
        (vec!["--workload", "transformer", "--heads", "5"], "--heads"),
        (vec!["--shard", "2/2"], "--shard"),
        (vec!["--jobs", "0"], "--jobs"),
        (vec!["--formats", "e8m4"], "format"),
        (vec!["--config", "bad.toml"], "colours"),
    ] {
        let mut full = vec!["sweep", "--out", "s"];
        full.extend(args.iter());
        let o = pamgen(&full, d);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert!(
            !d.join("s").exists(),
            "{args:?} created the output directory"
        );
    }
}

#[test]
fn flat_synthesis_is_at_most_the_hierarchical_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut lut = Vec::new();
    for (out, extra) in [("hier", None), ("flat", Some("--flat-synth"))] {
        let mut args = vec![
            "sweep",
            "--rows",
            "1",
            "--cols",
            "2",
            "--multipliers",
            "pam",
            "--no-sim",
            "--out",
            out,
        ];
        args.extend(extra);
        let o = pamgen(&args, d);
        assert!(o.status.success(), "{}", stderr(&o));
        let (_, rows) = csv(&d.join(out).join("results.csv"));
        assert_eq!(rows[0]["status"], "ok", "{:?}", rows[0]);
        let flow = if extra.is_some() {
            "flat"
        } else {
            "hierarchical"
        };
        assert_eq!(rows[0]["synth_flow"], flow);
        lut.push(num(&rows[0], "ice40_lut4_cells"));
    }
    assert!(
        lut[1] > 0.0 && lut[1] <= lut[0],
        "flat {} vs hierarchical {}",
        lut[1],
        lut[0]
    );
}
