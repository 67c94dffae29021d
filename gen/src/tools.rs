//! Running the HDL tools on a design: Verilator lint, Icarus Verilog compilation and Yosys
//! synthesis checks. A missing tool is an error that says how to install it.

use std::path::PathBuf;
use std::process::Command;

use thiserror::Error;

/// A tool is missing or reported a problem.
#[derive(Debug, Error)]
pub enum ToolError {
    /// The tool is not installed.
    #[error("`{0}` is not installed (Debian: apt-get install -y verilator iverilog yosys)")]
    Missing(&'static str),
    /// The tool failed; its output follows.
    #[error("{what} failed:\n{output}")]
    Failed {
        /// What was run.
        what: String,
        /// Its output.
        output: String,
    },
}

fn run(tool: &'static str, args: &[String], what: String) -> Result<String, ToolError> {
    let out = Command::new(tool)
        .args(args)
        .output()
        .map_err(|_| ToolError::Missing(tool))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        Ok(text)
    } else {
        Err(ToolError::Failed { what, output: text })
    }
}

fn paths(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect()
}

/// `verilator --lint-only -Wall --top-module top files...`
pub fn verilator_lint(files: &[PathBuf], top: &str) -> Result<(), ToolError> {
    let mut args = vec![
        "--lint-only".into(),
        "-Wall".into(),
        "--top-module".into(),
        top.into(),
    ];
    args.extend(paths(files));
    run(
        "verilator",
        &args,
        format!("verilator --lint-only -Wall of {top}"),
    )
    .map(|_| ())
}

/// `iverilog -g2005 -s top -o out files...`; returns the compiled image path.
pub fn iverilog_compile(
    files: &[PathBuf],
    top: &str,
    out: &std::path::Path,
) -> Result<(), ToolError> {
    let mut args = vec![
        "-g2005".into(),
        "-s".into(),
        top.into(),
        "-o".into(),
        out.to_string_lossy().into_owned(),
    ];
    args.extend(paths(files));
    run("iverilog", &args, format!("iverilog -g2005 of {top}")).map(|_| ())
}

/// Run a compiled iverilog image with `vvp`; returns its output.
pub fn vvp(image: &std::path::Path) -> Result<String, ToolError> {
    run(
        "vvp",
        &["-n".into(), image.to_string_lossy().into_owned()],
        "vvp".into(),
    )
}

/// Yosys `synth -top top; check -assert`, no latches, and (when `no_multipliers`) no `$mul`.
pub fn yosys_check(files: &[PathBuf], top: &str, no_multipliers: bool) -> Result<(), ToolError> {
    let mut script = format!(
        "read_verilog {}; synth -top {top}; check -assert; ",
        paths(files).join(" ")
    );
    if no_multipliers {
        script.push_str("select -assert-none t:$mul; ");
    }
    script.push_str("select -assert-none t:$dlatch t:$_DLATCH_*");
    run(
        "yosys",
        &["-q".into(), "-p".into(), script],
        format!("yosys synthesis check of {top}"),
    )
    .map(|_| ())
}
