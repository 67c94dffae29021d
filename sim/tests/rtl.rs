//! GEMMs and a transformer layer on Verilated designs: bit-exact against the reference, every
//! result beat on the cycle the cycle model predicts. Needs Verilator 5 (these tests fail, with
//! the install command, when it is missing).

use std::path::PathBuf;
use std::sync::OnceLock;

use pamgen_gen::config::ArrayConfig;
use pamgen_hdl::blocks::catalog::Dataflow;
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{BitMatrix, FloatFormat, Multiplier};
use pamgen_sim::workload::{transformer, TransformerShape};
use pamgen_sim::{build, simulate_gemm, DesignDir, Model, Toolchain};

fn tools() -> &'static Toolchain {
    static T: OnceLock<Toolchain> = OnceLock::new();
    T.get_or_init(|| Toolchain::detect().unwrap_or_else(|e| panic!("{e}")))
}

/// Models built by these tests live in the shared cache (target/pamgen-models).
fn cache() -> PathBuf {
    pamgen_sim::default_cache_dir()
}

fn model(cfg: &ArrayConfig) -> Model {
    let design = DesignDir::from_config(cfg).unwrap();
    build(tools(), &design, None, &cache()).unwrap_or_else(|e| panic!("{e}"))
}

fn cfg(dataflow: Dataflow, r: usize, c: usize, f: FloatFormat, m: Multiplier) -> ArrayConfig {
    ArrayConfig {
        rows: r,
        cols: c,
        format: f,
        multiplier: m,
        dataflow,
        top: "dut".into(),
        ..ArrayConfig::default()
    }
}

/// Operands with the hard cases mixed in: zeros, infinities, NaN-producing patterns,
/// subnormals and random bit patterns among normal values.
fn operand(rng: &mut SplitMix64, f: FloatFormat) -> u32 {
    match rng.below(16) {
        0 => 0,
        1 => f.sign_mask(),
        2 => f.inf_bits() | ((rng.next_u32() & 1) * f.sign_mask()),
        3 => rng.next_u32() & f.bits_mask(),
        4 => rng.next_u32() & ((1 << f.man_bits()) - 1),
        _ => f.from_f64(rng.normal()),
    }
}

fn matrix(rng: &mut SplitMix64, rows: usize, cols: usize, f: FloatFormat) -> BitMatrix {
    BitMatrix::new(
        rows,
        cols,
        f,
        (0..rows * cols).map(|_| operand(rng, f)).collect(),
    )
    .unwrap()
}

fn check_gemm(model: &Model, m: usize, k: usize, n: usize, seed: u64) {
    let f = model.design.config.format;
    let mut rng = SplitMix64::new(seed);
    let a = matrix(&mut rng, m, k, f);
    let b = matrix(&mut rng, k, n, f);
    let c = &model.design.config;
    let what = format!(
        "{} {}x{} {} {}{}: {m}x{k}x{n}",
        c.dataflow,
        c.rows,
        c.cols,
        c.format,
        c.multiplier,
        c.rounded_output()
            .map(|o| format!(" -> {o}"))
            .unwrap_or_default()
    );
    let out =
        simulate_gemm(model, "random", &a, &b, None).unwrap_or_else(|e| panic!("{what}: {e}"));
    let r = &out.report;
    assert_eq!(
        r.mismatches, 0,
        "{what}: {} mismatches, first: {:?}",
        r.mismatches, r.first_mismatches
    );
    assert_eq!(out.rtl, out.reference, "{what}");
    assert_eq!(r.tlast_errors, 0, "{what}: c_tlast");
    assert!(
        r.cycle_model_matches,
        "{what}: RTL took {} cycles, the model predicts {}",
        r.cycles, r.predicted_cycles
    );
}

/// Shapes for an R x C array: single elements, K = 1, K larger than the array, sizes that are
/// not multiples of the array.
fn shapes(r: usize, c: usize) -> Vec<(usize, usize, usize)> {
    vec![
        (1, 1, 1),
        (r + 1, 1, c + 3),
        (2 * r + 3, 3 * r + 1, c.max(2) - 1),
        (3, 2 * r + 5, 2 * c + 1),
        (r, r, c),
    ]
}

/// Every CI configuration: 2x2 and 4x4 in both dataflows and 8x8 output-stationary, for each
/// operand format and both multipliers; plus output rounding, a pipelined PE and an 8x8
/// weight-stationary array.
fn matrix_configs() -> Vec<ArrayConfig> {
    let mut v = Vec::new();
    for f in [FloatFormat::BF16, FloatFormat::FP16, FloatFormat::FP32] {
        for mul in [Multiplier::Pam, Multiplier::Exact] {
            for (df, r, c) in [
                (Dataflow::Os, 2, 2),
                (Dataflow::Ws, 2, 2),
                (Dataflow::Os, 4, 4),
                (Dataflow::Ws, 4, 4),
                (Dataflow::Os, 8, 8),
            ] {
                v.push(cfg(df, r, c, f, mul));
            }
        }
    }
    v.push(ArrayConfig {
        out_format: Some(FloatFormat::BF16),
        ..cfg(Dataflow::Os, 4, 4, FloatFormat::BF16, Multiplier::Pam)
    });
    v.push(ArrayConfig {
        out_format: Some(FloatFormat::FP16),
        pipelined: true,
        ..cfg(Dataflow::Ws, 3, 5, FloatFormat::FP16, Multiplier::Pam)
    });
    v.push(ArrayConfig {
        pipelined: true,
        ..cfg(Dataflow::Os, 3, 2, FloatFormat::FP8_E5M2, Multiplier::Exact)
    });
    v.push(cfg(Dataflow::Ws, 8, 8, FloatFormat::BF16, Multiplier::Pam));
    v
}

#[test]
fn random_gemms_are_bit_exact_on_every_configuration() {
    use rayon::prelude::*;
    let configs = matrix_configs();
    // Two builds at a time (each uses every core for its C++ compile).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        configs.par_iter().enumerate().for_each(|(n, c)| {
            let m = model(c);
            for (s, &(mm, k, nn)) in shapes(c.rows, c.cols).iter().enumerate() {
                // Rounded weight-stationary results cannot be folded: keep K within the array.
                let k = if c.dataflow == Dataflow::Ws && c.rounded_output().is_some() {
                    k.min(c.rows)
                } else {
                    k
                };
                check_gemm(&m, mm, k, nn, (n * 100 + s) as u64);
            }
        });
    });
}

#[test]
fn weight_stationary_folds_wait_for_their_partial_sums() {
    // One row of A through many folds: each fold's partial sum is the previous fold's result,
    // so every fold waits for the one before it; the cycle model must include the waits.
    let m = model(&cfg(Dataflow::Ws, 2, 3, FloatFormat::BF16, Multiplier::Pam));
    check_gemm(&m, 1, 11, 3, 7);
    check_gemm(&m, 2, 8, 7, 8);
}

#[test]
fn a_downscaled_transformer_layer_is_bit_exact() {
    let shape = TransformerShape {
        d_model: 32,
        heads: 2,
        d_ff: 64,
        seq: 12,
        seed: 5,
    };
    for dataflow in [Dataflow::Os, Dataflow::Ws] {
        let c = cfg(dataflow, 4, 4, FloatFormat::BF16, Multiplier::Pam);
        let m = model(&c);
        let spec = c.matmul_spec().unwrap();
        let gemms = transformer(&shape, &spec, None).unwrap();
        assert_eq!(gemms.len(), 3 + 2 * 2 + 3);
        for g in &gemms {
            let out = simulate_gemm(&m, &g.name, &g.a, &g.b, None).unwrap();
            let r = &out.report;
            assert!(
                r.passed(),
                "{dataflow} {}: {} mismatches {:?}, {} c_tlast errors, cycles {} vs model {}",
                g.name,
                r.mismatches,
                r.first_mismatches,
                r.tlast_errors,
                r.cycles,
                r.predicted_cycles
            );
            // Realistic data: PAM stays close to the exact product.
            assert!(
                r.accuracy.cosine > 0.99,
                "{dataflow} {}: cosine {}",
                g.name,
                r.accuracy.cosine
            );
        }
    }
}

#[test]
fn models_are_cached_and_concurrent_builds_share_one() {
    let dir = tempfile::tempdir().unwrap();
    let c = cfg(Dataflow::Os, 1, 2, FloatFormat::FP16, Multiplier::Pam);
    let design = DesignDir::from_config(&c).unwrap();
    let models: Vec<Model> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| build(tools(), &design, None, dir.path()).unwrap()))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(models[0].exe, models[1].exe);
    assert_eq!(
        models.iter().filter(|m| !m.cached).count(),
        1,
        "exactly one of two concurrent builds compiles"
    );
    let again = build(tools(), &design, None, dir.path()).unwrap();
    assert!(again.cached && again.exe == models[0].exe);
    check_gemm(&again, 3, 4, 5, 9);
    // Only the finished entry and its lock are left: no build directories.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [again.key.clone(), format!("{}.lock", again.key)]);
    // Another design (another configuration) is another model.
    let other = DesignDir::from_config(&ArrayConfig {
        offset: pamgen_hdl::Offset::Value(3),
        ..c
    })
    .unwrap();
    let m2 = build(tools(), &other, None, dir.path()).unwrap();
    assert!(!m2.cached && m2.key != again.key);
}

#[test]
fn a_broken_design_reports_verilators_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut design =
        DesignDir::from_config(&cfg(Dataflow::Os, 1, 1, FloatFormat::BF16, Multiplier::Pam))
            .unwrap();
    let top = design.verilog.last_mut().unwrap();
    let text = String::from_utf8(top.1.clone()).unwrap();
    top.1 = text
        .replacen("assign a_tready", "assign a_tready =;", 1)
        .into_bytes();
    let e = match build(tools(), &design, None, dir.path()) {
        Ok(_) => panic!("a design with a syntax error built"),
        Err(e) => e.to_string(),
    };
    assert!(
        e.contains("syntax error") && e.contains("%Error"),
        "the message must quote Verilator: {e}"
    );
    // Nothing half-built is left in the cache: only the lock and the failure log.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name.ends_with(".lock") || name.ends_with(".failed.log"),
            "{name}"
        );
    }
}

#[test]
fn waveforms_are_written_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let c = cfg(Dataflow::Os, 2, 2, FloatFormat::BF16, Multiplier::Pam);
    let design = DesignDir::from_config(&c).unwrap();
    let m = build(
        tools(),
        &design,
        Some(pamgen_sim::driver::TraceFormat::Vcd),
        &cache(),
    )
    .unwrap();
    let mut rng = SplitMix64::new(3);
    let a = matrix(&mut rng, 2, 3, c.format);
    let b = matrix(&mut rng, 3, 2, c.format);
    let vcd = dir.path().join("wave.vcd");
    let out = simulate_gemm(&m, "traced", &a, &b, Some(&vcd)).unwrap();
    assert!(out.report.passed());
    let text = std::fs::read_to_string(&vcd).unwrap();
    assert!(
        text.contains("$var") && text.contains("c_tvalid"),
        "VCD header"
    );
    // A model without tracing refuses a trace file instead of silently writing nothing.
    let plain = model(&c);
    let e = simulate_gemm(&plain, "x", &a, &b, Some(&dir.path().join("w2.vcd")))
        .unwrap_err()
        .to_string();
    assert!(e.contains("without tracing"), "{e}");
}
