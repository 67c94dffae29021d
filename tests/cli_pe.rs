//! `pamgen pe`: writes a complete, deterministic set of module files with a file list, refuses
//! to overwrite a non-empty directory without --force, and refuses bad configurations with exit
//! code 2 and nothing written. (Lint and synthesis of these modules: hdl/tests/verilog.rs.)

mod common;

use common::{listing, pamgen};

#[test]
fn writes_modules_and_file_list_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = pamgen(
        &[
            "pe",
            "--format",
            "fp16",
            "--dataflow",
            "ws",
            "--pipelined",
            "--out",
            "build/pe",
        ],
        d,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let first = listing(&d.join("build/pe"));
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"pam_pe_ws_fp16_fp32_pipe.v") && names.contains(&"files.f"),
        "{names:?}"
    );
    let list = String::from_utf8(
        first
            .iter()
            .find(|(n, _)| n == "files.f")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let listed: Vec<&str> = list.lines().collect();
    assert_eq!(listed.len(), first.len() - 1, "every module is listed once");
    assert_eq!(
        listed.last(),
        Some(&"pam_pe_ws_fp16_fp32_pipe.v"),
        "top last"
    );
    for (name, text) in &first {
        if let Some(module) = name.strip_suffix(".v") {
            let text = String::from_utf8_lossy(text);
            assert!(
                text.contains(&format!("module {module}(")),
                "{name} holds module {module}"
            );
        }
    }
    // Same input, same bytes; a non-empty directory needs --force.
    let o = pamgen(
        &[
            "pe",
            "--format",
            "fp16",
            "--dataflow",
            "ws",
            "--pipelined",
            "--out",
            "build/pe",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    let o = pamgen(
        &[
            "pe",
            "--format",
            "fp16",
            "--dataflow",
            "ws",
            "--pipelined",
            "--out",
            "build/pe",
            "--force",
        ],
        d,
    );
    assert!(o.status.success());
    assert_eq!(listing(&d.join("build/pe")), first);
}

#[test]
fn bad_configurations_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    for (args, needle) in [
        (vec!["--format", "fp12"], "unknown number format"),
        (vec!["--format", "e2m13"], "widths 8, 16, 19 and 32"),
        (vec!["--offset", "300"], "-127..=127"),
        (vec!["--multiplier", "exact", "--offset", "1"], "no offset"),
        (vec!["--dataflow", "rs"], "allowed os, ws"),
    ] {
        let mut all = vec!["pe", "--out", "out"];
        all.extend(args.iter().copied());
        let o = pamgen(&all, d);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(
            std::fs::read_dir(d).unwrap().next().is_none(),
            "{args:?} left files behind"
        );
    }
}
