//! `pamgen simulate` end to end on generated designs under Verilator: the RTL's C equals
//! `pamgen reference`'s, reports carry cycles, utilization and accuracy, a wrong design is
//! caught with coordinates and exit 1, and bad input exits 2 with nothing written.

mod common;

use common::{pamgen, stderr};

use std::path::{Path, PathBuf};

use pamgen_hdl::rng::SplitMix64;
use pamgen_sim::{read_npy, NpyArray, NpyData};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn generate(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["generate", "--out", name];
    args.extend_from_slice(extra);
    let o = pamgen(&args, dir);
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join(name)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_rtl_gives_the_reference_result_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    generate(d, "os", &["--rows", "2", "--cols", "3", "--format", "fp16"]);
    let (a, b) = (examples().join("a.npy"), examples().join("b.npy"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let o = pamgen(
        &[
            "simulate", "--design", "os", "--a", a, "--b", b, "--out", "c.npy", "--report",
            "r.json",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("bit-exact against the reference: yes"),
        "{stdout}"
    );
    let o = pamgen(
        &[
            "reference",
            "--format",
            "fp16",
            "--a",
            a,
            "--b",
            b,
            "--out",
            "ref.npy",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (rtl, reference) = (
        read_npy(&d.join("c.npy")).unwrap(),
        read_npy(&d.join("ref.npy")).unwrap(),
    );
    assert_eq!(rtl.shape, [64, 32]);
    assert_eq!(rtl, reference, "RTL result differs from pamgen reference");

    let r = json(&d.join("r.json"));
    assert_eq!(r["passed"], true);
    let g = &r["gemms"][0];
    assert_eq!(
        (g["m"].as_u64(), g["k"].as_u64(), g["n"].as_u64()),
        (Some(64), Some(128), Some(32))
    );
    assert_eq!(g["cycles"], g["predicted_cycles"]);
    assert_eq!(g["mismatches"], 0);
    let ideal = g["ideal_cycles"].as_f64().unwrap();
    assert_eq!(ideal, 64.0 * 128.0 * 32.0 / 6.0);
    let util = g["utilization"].as_f64().unwrap();
    assert!((util - ideal / g["cycles"].as_f64().unwrap()).abs() < 1e-12);
    // 64 rows on 2-row tiles, 32 columns on 3-column tiles (the last one 2/3 used).
    assert!(util > 0.9 && util < 32.0 / 33.0 + 1e-9, "{util}");
    for key in [
        "wall_seconds",
        "cycles_per_second",
        "simulated_macs_per_second",
    ] {
        assert!(g[key].as_f64().unwrap() > 0.0, "{key}");
    }
    assert!(g["accuracy"]["cosine"].as_f64().unwrap() > 0.99);
    assert!(r["build"]["verilator"]
        .as_str()
        .unwrap()
        .starts_with("Verilator 5"));

    // The second run uses the cached model; raw output holds the same bits.
    let o = pamgen(
        &[
            "simulate", "--design", "os", "--a", a, "--b", b, "--out", "raw.npy", "--raw",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("model: cached"), "{}", stderr(&o));
    let raw = read_npy(&d.join("raw.npy")).unwrap();
    match (raw.data, rtl.data) {
        (NpyData::U32(bits), NpyData::F32(vals)) => {
            assert_eq!(bits, vals.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        }
        other => panic!("unexpected arrays {other:?}"),
    }
}

#[test]
fn a_wrong_design_is_caught_with_coordinates_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let design = generate(d, "ws", &["--rows", "2", "--cols", "2", "--dataflow", "ws"]);
    // The RTL adds offset 0; claim in the manifest that it was generated with offset 5.
    let m = design.join("manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(&m, text.replacen("\"offset\": 0,", "\"offset\": 5,", 1)).unwrap();
    let mut rng = SplitMix64::new(4);
    let v: Vec<f32> = (0..15).map(|_| rng.normal() as f32).collect();
    NpyArray::matrix(3, 5, NpyData::F32(v.clone()))
        .write(&d.join("a.npy"), false)
        .unwrap();
    NpyArray::matrix(5, 3, NpyData::F32(v))
        .write(&d.join("b.npy"), false)
        .unwrap();
    let o = pamgen(
        &[
            "simulate", "--design", "ws", "--a", "a.npy", "--b", "b.npy", "--out", "c.npy",
            "--report", "r.json",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("FAILED") && e.contains("C[0][0]: expected 0x"),
        "{e}"
    );
    assert!(e.contains("RTL 0x"), "{e}");
    let r = json(&d.join("r.json"));
    assert_eq!(r["passed"], false);
    assert!(r["gemms"][0]["mismatches"].as_u64().unwrap() > 0);
    assert_eq!(r["gemms"][0]["first_mismatches"][0]["i"], 0);
}

#[test]
fn a_transformer_layer_runs_with_a_table_and_totals() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    generate(d, "ws", &["--rows", "4", "--cols", "4", "--dataflow", "ws"]);
    let o = pamgen(
        &[
            "simulate",
            "--design",
            "ws",
            "--workload",
            "transformer",
            "--d-model",
            "16",
            "--heads",
            "2",
            "--d-ff",
            "24",
            "--seq",
            "6",
            "--seed",
            "3",
            "--report",
            "t.json",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    for name in [
        "q_proj",
        "scores.h1",
        "pv.h0",
        "out_proj",
        "ffn_up",
        "ffn_down",
        "total",
    ] {
        assert!(stdout.contains(name), "{name} missing from:\n{stdout}");
    }
    let r = json(&d.join("t.json"));
    assert_eq!(r["gemms"].as_array().unwrap().len(), 10);
    assert_eq!(r["workload"]["shape"]["d_model"], 16);
    assert_eq!(r["totals"]["mismatches"], 0);
    let cycles: u64 = r["gemms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["cycles"].as_u64().unwrap())
        .sum();
    assert_eq!(r["totals"]["cycles"], cycles);
}

#[test]
fn waveforms_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    generate(d, "os", &["--rows", "2", "--cols", "2"]);
    NpyArray::matrix(2, 3, NpyData::F32(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
        .write(&d.join("a.npy"), false)
        .unwrap();
    NpyArray::matrix(3, 2, NpyData::F32(vec![1.0, 0.5, -1.0, 2.0, 0.25, 3.0]))
        .write(&d.join("b.npy"), false)
        .unwrap();
    let o = pamgen(
        &[
            "simulate", "--design", "os", "--a", "a.npy", "--b", "b.npy", "--out", "c.npy",
            "--trace", "wave.fst",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let fst = std::fs::read(d.join("wave.fst")).unwrap();
    assert!(fst.len() > 100, "FST file of {} bytes", fst.len());
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    generate(
        d,
        "os",
        &["--rows", "2", "--cols", "2", "--out-format", "bf16"],
    );
    generate(
        d,
        "wsr",
        &[
            "--rows",
            "2",
            "--cols",
            "2",
            "--dataflow",
            "ws",
            "--out-format",
            "bf16",
        ],
    );
    NpyArray::matrix(2, 3, NpyData::F32(vec![1.0; 6]))
        .write(&d.join("a.npy"), false)
        .unwrap();
    NpyArray::matrix(4, 2, NpyData::F32(vec![1.0; 8]))
        .write(&d.join("b4.npy"), false)
        .unwrap();
    NpyArray::matrix(3, 2, NpyData::F32(vec![1.0; 6]))
        .write(&d.join("b.npy"), false)
        .unwrap();
    std::fs::write(d.join("taken.npy"), b"keep").unwrap();
    let gemm = "--design os --a a.npy --b b.npy --out";
    let cases: Vec<(String, &str)> = vec![
        (
            "--design nowhere --a a.npy --b b.npy --out c.npy".into(),
            "nowhere",
        ),
        (
            "--design os --a a.npy --b b4.npy --out c.npy".into(),
            "columns of A must equal the rows of B",
        ),
        (
            "--design os --a a.npy --b missing.npy --out c.npy".into(),
            "missing.npy",
        ),
        (format!("{gemm} taken.npy"), "already exists"),
        (format!("{gemm} c.npy --trace w.txt"), ".vcd or .fst"),
        (
            "--design os --workload transformer --heads 5".into(),
            "--heads",
        ),
        ("--design os --workload transformer --seq 0".into(), "--seq"),
        (
            format!("{gemm} c.npy --workload transformer"),
            "cannot be used",
        ),
        (
            "--design wsr --a a.npy --b b.npy --out c.npy".into(),
            "folds",
        ),
    ];
    for (args, needle) in cases {
        let mut full = vec!["simulate"];
        full.extend(args.split_whitespace());
        let o = pamgen(&full, d);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert!(!d.join("c.npy").exists(), "{args:?} wrote c.npy");
    }
    assert_eq!(std::fs::read(d.join("taken.npy")).unwrap(), b"keep");
}

#[test]
fn a_missing_verilator_says_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    generate(d, "os", &["--rows", "1", "--cols", "1"]);
    NpyArray::matrix(1, 1, NpyData::F32(vec![1.0]))
        .write(&d.join("a.npy"), false)
        .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pamgen"))
        .args([
            "simulate", "--design", "os", "--a", "a.npy", "--b", "a.npy", "--out", "c.npy",
        ])
        .env("PAMGEN_VERILATOR", "/nonexistent/verilator")
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("apt-get install -y verilator"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("c.npy").exists());
}
