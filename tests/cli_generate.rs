//! `pamgen generate` end to end: defaults, TOML plus flag overrides, the files and manifest
//! it writes (hashes checked), determinism, and refusal of bad input with exit code 2 and
//! nothing on disk. (Lint, synthesis and simulation of the arrays: gen/tests/array.rs.)

mod common;

use common::{listing, pamgen, stderr};

use sha2::{Digest, Sha256};

#[test]
fn default_design_with_manifest_constraints_and_core() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = pamgen(&["generate", "--out", "build/"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = listing(&d.join("build"));
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "pam_array.v",
        "pam_array.sdc",
        "pam_array.xdc",
        "pam_array.core",
        "files.f",
        "manifest.json",
        "pam_pe_os_bf16_fp32.v",
    ] {
        assert!(names.contains(&want), "{want} missing: {names:?}");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&files.iter().find(|(n, _)| n == "manifest.json").unwrap().1)
            .unwrap();
    assert_eq!(manifest["config"]["rows"], 8);
    assert_eq!(manifest["config"]["format"], "bf16");
    assert_eq!(manifest["result_latency_cycles"], 9);
    let ports = manifest["ports"].as_array().unwrap();
    let a = ports.iter().find(|p| p["name"] == "a_tdata").unwrap();
    assert_eq!(
        (a["width"].as_u64(), a["direction"].as_str()),
        (Some(128), Some("input"))
    );
    let c = ports.iter().find(|p| p["name"] == "c_tdata").unwrap();
    assert_eq!(c["width"].as_u64(), Some(256));
    for f in manifest["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let bytes = &files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} listed but missing"))
            .1;
        let hex: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"].as_str(), Some(hex.as_str()), "{name}");
    }
    let list = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "files.f")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert_eq!(list.lines().last(), Some("pam_array.v"));
    assert!(list.lines().all(|l| names.contains(&l)));
    let sdc = String::from_utf8_lossy(&files.iter().find(|(n, _)| n == "pam_array.sdc").unwrap().1)
        .into_owned();
    assert!(
        sdc.contains("create_clock -name clk_i -period 5.000"),
        "{sdc}"
    );
    let core =
        String::from_utf8_lossy(&files.iter().find(|(n, _)| n == "pam_array.core").unwrap().1)
            .into_owned();
    assert!(
        core.starts_with("CAPI=2:") && core.contains("lint:") && core.contains("verilator"),
        "{core}"
    );
    // Same input, same bytes.
    let o = pamgen(&["generate", "--out", "again"], d);
    assert!(o.status.success());
    assert_eq!(listing(&d.join("again")), files);
}

#[test]
fn toml_config_with_flag_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("a.toml"), "rows = 2\ncols = 3\nformat = \"fp16\"\nmultiplier = \"exact\"\npipelined = true\ntop = \"mm\"\nclock_mhz = 100.0\n").unwrap();
    let o = pamgen(
        &[
            "generate",
            "--config",
            "a.toml",
            "--cols",
            "5",
            "--pipelined",
            "false",
            "--out",
            "o",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("o/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["config"]["rows"], 2);
    assert_eq!(m["config"]["cols"], 5);
    assert_eq!(m["config"]["format"], "fp16");
    assert_eq!(m["config"]["multiplier"], "exact");
    assert_eq!(m["config"]["pipelined"], false);
    assert!(d.join("o/mm.v").exists() && d.join("o/exact_pe_os_fp16_fp32.v").exists());
    // Results rounded to bf16 leave in 16-bit lanes, through the rounding stage.
    let o = pamgen(
        &[
            "generate",
            "--out-format",
            "bf16",
            "--rows",
            "2",
            "--cols",
            "2",
            "--out",
            "r",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r/manifest.json")).unwrap()).unwrap();
    let c = m["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "c_tdata")
        .unwrap()
        .clone();
    assert_eq!(c["width"], 32);
    assert!(d.join("r/round_fp32_bf16.v").exists());
    // Weight-stationary: different streams, recorded in the manifest and the constraints.
    let o = pamgen(
        &[
            "generate",
            "--dataflow",
            "ws",
            "--rows",
            "4",
            "--cols",
            "2",
            "--out",
            "w",
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("w/manifest.json")).unwrap()).unwrap();
    let names: Vec<&str> = m["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"w_tdata") && names.contains(&"p_tdata") && !names.contains(&"b_tdata"),
        "{names:?}"
    );
    assert_eq!(m["result_latency_cycles"], 4 + 2 - 1 + 1);
    let sdc = std::fs::read_to_string(d.join("w/pam_array.sdc")).unwrap();
    assert!(
        sdc.contains("w_tdata[*]") && sdc.contains("p_tready"),
        "{sdc}"
    );
}

#[test]
fn bad_configurations_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("unknown.toml"), "rows = 4\ncolums = 4\n").unwrap();
    std::fs::write(d.join("type.toml"), "rows = \"four\"\n").unwrap();
    for (args, needle) in [
        (vec!["--rows", "0"], "rows = 0: allowed 1..=256"),
        (vec!["--cols", "999"], "cols = 999: allowed 1..=256"),
        (
            vec!["--offset", "128"],
            "offset = 128: allowed -127..=127 for bf16",
        ),
        (vec!["--acc", "fp16"], "acc = fp16"),
        (vec!["--top", "module"], "top = 'module'"),
        (vec!["--clock-mhz", "0"], "clock_mhz = 0"),
        (vec!["--dataflow", "rs"], "allowed os, ws"),
        (vec!["--format", "fp12"], "unknown number format"),
        (vec!["--out-format", "e8m23x"], "unknown number format"),
        (vec!["--out-format", "e5m5"], "out_format = e5m5"),
        (vec!["--config", "unknown.toml"], "colums"),
        (vec!["--config", "type.toml"], "rows"),
        (vec!["--config", "missing.toml"], "missing.toml"),
    ] {
        let mut all = vec!["generate", "--out", "out"];
        all.extend(args.iter().copied());
        let o = pamgen(&all, d);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(needle),
            "{args:?}: expected '{needle}' in {}",
            stderr(&o)
        );
        assert!(!d.join("out").exists(), "{args:?} left output behind");
    }
    let leftovers: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers.len(), 2, "only the two TOML files: {leftovers:?}");
    // A non-empty directory is replaced only with --force.
    std::fs::create_dir(d.join("mine")).unwrap();
    std::fs::write(d.join("mine/notes.txt"), "keep").unwrap();
    let o = pamgen(&["generate", "--out", "mine"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("mine/notes.txt")).unwrap(),
        "keep"
    );
    let o = pamgen(&["generate", "--out", "mine", "--force"], d);
    assert!(o.status.success());
    assert!(!d.join("mine/notes.txt").exists() && d.join("mine/pam_array.v").exists());
}
