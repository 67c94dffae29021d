//! The emitted Verilog of every PE configuration and leaf is deterministic and passes
//! `verilator --lint-only -Wall`, `iverilog -g2005` and yosys `synth; check -assert` with no
//! latches, and PAM designs contain no multiplier cells. Needs verilator, iverilog and yosys
//! (`apt-get install -y verilator iverilog yosys`); without them these tests fail.

use std::path::Path;
use std::process::Command;

use pamgen_hdl::blocks::catalog::{Dataflow, PeConfig};
use pamgen_hdl::emit::VerilogModule;
use pamgen_hdl::{FloatFormat, Multiplier};

fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(found, "`{name}` is not installed: these tests need verilator, iverilog and yosys (Debian: apt-get install -y verilator iverilog yosys)");
    Command::new(name)
}

#[track_caller]
fn run(mut cmd: Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

fn write(dir: &Path, mods: &[VerilogModule]) -> Vec<String> {
    mods.iter()
        .map(|m| {
            let p = dir.join(format!("{}.v", m.name));
            std::fs::write(&p, &m.text).unwrap();
            p.to_string_lossy().into_owned()
        })
        .collect()
}

/// Lint, compile and synthesise `top` from `files`; returns yosys' statistics.
fn check_design(top: &str, files: &[String], pam: bool) -> String {
    let mut v = tool("verilator");
    v.args(["--lint-only", "-Wall", "--top-module", top])
        .args(files);
    run(v, &format!("verilator lint of {top}"));
    let mut iv = tool("iverilog");
    iv.args(["-g2005", "-o", "/dev/null", "-s", top])
        .args(files);
    run(iv, &format!("iverilog of {top}"));
    let mut script = format!(
        "read_verilog {}; synth -top {top}; check -assert; ",
        files.join(" ")
    );
    if pam {
        script.push_str("select -assert-none t:$mul; ");
    }
    script.push_str("select -assert-none t:$dlatch t:$_DLATCH_*; stat");
    let mut y = tool("yosys");
    y.args(["-q", "-p", &script]);
    run(y, &format!("yosys synthesis of {top}"))
}

fn configs() -> Vec<PeConfig> {
    let mut v = Vec::new();
    for operand in [FloatFormat::BF16, FloatFormat::FP16, FloatFormat::FP32] {
        for multiplier in [Multiplier::Pam, Multiplier::Exact] {
            for dataflow in [Dataflow::Os, Dataflow::Ws] {
                for pipelined in [false, true] {
                    v.push(PeConfig {
                        operand,
                        acc: FloatFormat::FP32,
                        multiplier,
                        offset: 0,
                        dataflow,
                        pipelined,
                    });
                }
            }
        }
    }
    v
}

#[test]
fn every_pe_configuration_is_lint_and_synthesis_clean() {
    use rayon::prelude::*;
    configs().par_iter().for_each(|cfg| {
        let dir = tempfile::tempdir().unwrap();
        let mods = cfg.emit_pe().unwrap();
        assert_eq!(
            mods,
            cfg.emit_pe().unwrap(),
            "emission must be deterministic"
        );
        let files = write(dir.path(), &mods);
        check_design(&cfg.pe_name(), &files, cfg.multiplier == Multiplier::Pam);
    });
}

#[test]
fn leaves_are_lint_and_synthesis_clean() {
    for operand in [FloatFormat::BF16, FloatFormat::FP16, FloatFormat::FP32] {
        for multiplier in [Multiplier::Pam, Multiplier::Exact] {
            let cfg = PeConfig {
                operand,
                acc: FloatFormat::FP32,
                multiplier,
                offset: 0,
                dataflow: Dataflow::Os,
                pipelined: false,
            };
            let dir = tempfile::tempdir().unwrap();
            let mods = cfg.emit_leaves().unwrap();
            let files = write(dir.path(), &mods);
            // Each top is a module whose name does not extend another top's name.
            let tops: Vec<&str> = [
                "fp_add_fp32",
                &format!("pam_mul_{operand}"),
                &format!("widen_{operand}_fp32"),
                &format!("fp_mul_{operand}_fp32"),
            ]
            .into_iter()
            .filter(|t| mods.iter().any(|m| m.name == *t))
            .map(|t| mods.iter().find(|m| m.name == t).unwrap().name.as_str())
            .collect();
            for top in tops {
                let mine: Vec<String> = files
                    .iter()
                    .filter(|f| {
                        Path::new(f)
                            .file_stem()
                            .unwrap()
                            .to_string_lossy()
                            .starts_with(top)
                    })
                    .cloned()
                    .collect();
                check_design(top, &mine, multiplier == Multiplier::Pam);
            }
        }
    }
}

#[test]
fn module_names_and_headers_are_clean() {
    let cfg = PeConfig {
        operand: FloatFormat::BF16,
        acc: FloatFormat::FP32,
        multiplier: Multiplier::Pam,
        offset: 3,
        dataflow: Dataflow::Os,
        pipelined: true,
    };
    let mods = cfg.emit_pe().unwrap();
    assert_eq!(mods[0].name, "pam_pe_os_bf16_fp32_off3_pipe");
    for m in &mods {
        assert!(!m.text.contains('$'), "{}: `$` left in identifiers", m.name);
        assert!(
            m.text.contains(
                "Configuration: operand bf16, accumulator fp32, multiplier pam, offset 3"
            ),
            "{}",
            m.name
        );
        assert!(m.text.contains(&format!("module {}(", m.name)));
        assert!(
            !has_cast(&m.text),
            "{}: rust-hdl cast left:\n{}",
            m.name,
            m.text
        );
    }
    let names: Vec<&str> = mods.iter().map(|m| m.name.as_str()).collect();
    assert!(
        names.contains(&"pam_pe_os_bf16_fp32_off3_pipe_reg_w32"),
        "{names:?}"
    );
    let unique: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "one module per name: {names:?}");
}

/// Whether a rust-hdl width cast `((x) & N'hff..f)` is left in the text.
fn has_cast(text: &str) -> bool {
    text.match_indices(") & ").any(|(i, _)| {
        let rest = &text[i + 4..];
        let lit: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '\'')
            .collect();
        match lit.split_once("'h") {
            Some((n, hex)) => {
                n.parse::<u32>().is_ok()
                    && !hex.is_empty()
                    && hex
                        .chars()
                        .all(|c| c == 'f' || c == '1' || c == '3' || c == '7')
                    && rest[lit.len()..].starts_with(')')
            }
            None => false,
        }
    })
}
