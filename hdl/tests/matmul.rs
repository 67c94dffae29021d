//! The fast reference matmul against the literal chain definition, and against independent
//! host arithmetic where the contract says they must agree.

mod common;

use common::special_biased;
use pamgen_hdl::matmul::matmul_f64;
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{
    fp_add, matmul, matmul_chain, pam_mul, widen, AccuracyStats, BitMatrix, FloatFormat,
    MatmulError, MatmulSpec, Multiplier,
};

const PAIRS: [(FloatFormat, FloatFormat); 8] = [
    (FloatFormat::BF16, FloatFormat::FP32),
    (FloatFormat::FP16, FloatFormat::FP32),
    (FloatFormat::FP32, FloatFormat::FP32),
    (FloatFormat::TF32, FloatFormat::FP32),
    (FloatFormat::FP8_E5M2, FloatFormat::FP16),
    (FloatFormat::FP8_E5M2, FloatFormat::FP32),
    (FloatFormat::BF16, FloatFormat::BF16),
    (FloatFormat::FP16, FloatFormat::FP16),
];

/// A matrix of gaussian values at `scale`, with a fraction `special` of class-biased patterns
/// (zeros, subnormals, extremes, Inf, NaN).
fn random_matrix(
    rng: &mut SplitMix64,
    rows: usize,
    cols: usize,
    fmt: FloatFormat,
    scale: f64,
    special: f64,
) -> BitMatrix {
    let bits = (0..rows * cols)
        .map(|_| {
            if rng.unit_f64() < special {
                special_biased(rng, fmt)
            } else {
                fmt.from_f64(rng.normal() * scale)
            }
        })
        .collect();
    BitMatrix::new(rows, cols, fmt, bits).unwrap()
}

#[track_caller]
fn assert_same_bits(got: &BitMatrix, want: &BitMatrix, what: &str) {
    assert_eq!(
        (got.rows(), got.cols()),
        (want.rows(), want.cols()),
        "{what}: shape"
    );
    let mismatches: Vec<String> = (0..got.rows())
        .flat_map(|i| (0..got.cols()).map(move |j| (i, j)))
        .filter(|&(i, j)| got.get(i, j) != want.get(i, j))
        .take(5)
        .map(|(i, j)| {
            format!(
                "({i}, {j}): got {:#x} want {:#x}",
                got.get(i, j),
                want.get(i, j)
            )
        })
        .collect();
    assert!(mismatches.is_empty(), "{what}: mismatches {mismatches:?}");
}

#[test]
fn fast_matmul_equals_chain_for_every_pair_multiplier_and_offset() {
    let mut rng = SplitMix64::new(42);
    let shapes = [
        (1, 1, 1),
        (3, 1, 5),
        (7, 13, 9),
        (16, 33, 17),
        (2, 0, 3),
        (0, 4, 4),
        (5, 64, 40),
    ];
    for (op, acc) in PAIRS {
        for mul in [Multiplier::Pam, Multiplier::Exact] {
            let offsets: &[i64] = if mul == Multiplier::Pam {
                &[0, 3, -2]
            } else {
                &[0]
            };
            for &off in offsets {
                let spec = MatmulSpec::new(op, acc, mul, off).unwrap();
                for &(m, k, n) in &shapes {
                    for special in [0.0, 0.05, 0.5] {
                        let a = random_matrix(&mut rng, m, k, op, 1.0, special);
                        let b = random_matrix(&mut rng, k, n, op, 0.3, special);
                        let fast = matmul(&spec, &a, &b).unwrap();
                        let chain = matmul_chain(&spec, &a, &b).unwrap();
                        assert_same_bits(
                            &fast,
                            &chain,
                            &format!("{op}->{acc} {mul} off {off} {m}x{k}x{n} special {special}"),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn chain_is_the_contract_written_out() {
    // An independent spelling of the contract for one element: acc from +0, k ascending.
    let mut rng = SplitMix64::new(7);
    let (op, acc) = (FloatFormat::BF16, FloatFormat::FP32);
    let spec = MatmulSpec::new(op, acc, Multiplier::Pam, 0).unwrap();
    let a = random_matrix(&mut rng, 4, 50, op, 1.0, 0.1);
    let b = random_matrix(&mut rng, 50, 3, op, 1.0, 0.1);
    let c = matmul(&spec, &a, &b).unwrap();
    for i in 0..4 {
        for j in 0..3 {
            let mut s = 0u32;
            for k in 0..50 {
                s = fp_add(
                    acc,
                    s,
                    widen(op, acc, pam_mul(op, 0, a.get(i, k), b.get(k, j))),
                );
            }
            assert_eq!(c.get(i, j), s, "({i}, {j})");
        }
    }
}

#[test]
fn exact_fp32_matmul_equals_host_triple_loop() {
    let mut rng = SplitMix64::new(3);
    let f = FloatFormat::FP32;
    let spec = MatmulSpec::new(f, f, Multiplier::Exact, 0).unwrap();
    let (m, k, n) = (9, 31, 11);
    let a = random_matrix(&mut rng, m, k, f, 1.0, 0.02);
    let b = random_matrix(&mut rng, k, n, f, 1.0, 0.02);
    let (af, bf) = (a.to_f32(), b.to_f32());
    let c = matmul(&spec, &a, &b).unwrap();
    for i in 0..m {
        for j in 0..n {
            let mut s = 0f32;
            for kk in 0..k {
                s += af[i * k + kk] * bf[kk * n + j];
            }
            let want = if s.is_nan() {
                f.canonical_nan()
            } else {
                s.to_bits()
            };
            assert_eq!(c.get(i, j), want, "({i}, {j})");
        }
    }
}

#[test]
fn pam_fp32_matmul_equals_host_chain_with_paper_kernel_products() {
    // For normal operands with in-range products, the product is the paper kernel's integer
    // formula and the accumulation is host f32 addition.
    let mut rng = SplitMix64::new(11);
    let f = FloatFormat::FP32;
    let spec = MatmulSpec::new(f, f, Multiplier::Pam, 0).unwrap();
    let (m, k, n) = (6, 40, 10);
    let a = random_matrix(&mut rng, m, k, f, 1.0, 0.0);
    let b = random_matrix(&mut rng, k, n, f, 1.0, 0.0);
    let c = matmul(&spec, &a, &b).unwrap();
    for i in 0..m {
        for j in 0..n {
            let mut s = 0f32;
            for kk in 0..k {
                let p = (a.get(i, kk) as i32)
                    .wrapping_add(b.get(kk, j) as i32)
                    .wrapping_sub(0x3f80_0000);
                s += f32::from_bits(p as u32);
            }
            assert_eq!(c.get(i, j), s.to_bits(), "({i}, {j})");
        }
    }
}

#[test]
fn nan_results_are_canonical_and_specials_propagate() {
    let f = FloatFormat::BF16;
    let spec = MatmulSpec::new(f, FloatFormat::FP32, Multiplier::Pam, 0).unwrap();
    let inf = f.inf_bits();
    // Row 0: Inf * 1 + (-Inf) * 1 = NaN; row 1: Inf * 0 = NaN; row 2: 1 * 1 + subnormal * 1.
    let a = BitMatrix::new(
        3,
        2,
        f,
        vec![inf, inf | f.sign_mask(), inf, 0, f.one_bits(), 1],
    )
    .unwrap();
    let b = BitMatrix::new(2, 1, f, vec![f.one_bits(), f.one_bits()]).unwrap();
    let b0 = BitMatrix::new(2, 1, f, vec![0, f.one_bits()]).unwrap();
    let c = matmul(&spec, &a, &b).unwrap();
    assert_eq!(c.bits(), &[0x7fc0_0000, 0x7f80_0000, 0x3f80_0000]);
    let c0 = matmul(&spec, &a, &b0).unwrap();
    assert_eq!(c0.bits(), &[0x7fc0_0000, 0x7fc0_0000, 0x0000_0000]);
}

#[test]
fn spec_and_operands_are_validated() {
    let e = MatmulSpec::new(FloatFormat::FP32, FloatFormat::BF16, Multiplier::Pam, 0).unwrap_err();
    assert!(matches!(e, MatmulError::AccTooNarrow { .. }), "{e}");
    assert!(e.to_string().contains("narrower"), "{e}");
    let e = MatmulSpec::new(FloatFormat::FP16, FloatFormat::BF16, Multiplier::Pam, 0).unwrap_err();
    assert!(
        e.to_string()
            .contains("at least 5 exponent and 10 mantissa"),
        "{e}"
    );
    let e =
        MatmulSpec::new(FloatFormat::BF16, FloatFormat::FP32, Multiplier::Pam, 200).unwrap_err();
    assert!(e.to_string().contains("-127..=127"), "{e}");
    let e =
        MatmulSpec::new(FloatFormat::BF16, FloatFormat::FP32, Multiplier::Exact, 1).unwrap_err();
    assert!(matches!(e, MatmulError::OffsetWithExact(1)));
    let spec = MatmulSpec::new(FloatFormat::BF16, FloatFormat::FP32, Multiplier::Pam, 0).unwrap();
    let a = BitMatrix::new(2, 3, FloatFormat::BF16, vec![0; 6]).unwrap();
    let e = matmul(&spec, &a, &a).unwrap_err();
    assert!(e.to_string().contains("A is 2x3 and B is 2x3"), "{e}");
    let e = BitMatrix::new(1, 2, FloatFormat::BF16, vec![0, 0x1_0000]).unwrap_err();
    assert!(e.to_string().contains("(0, 1)"), "{e}");
    let h = BitMatrix::new(3, 1, FloatFormat::FP16, vec![0; 3]).unwrap();
    assert!(matches!(
        matmul(&spec, &a, &h),
        Err(MatmulError::Format { name: "B", .. })
    ));
}

#[test]
fn pam_accuracy_on_gaussian_data_is_close_to_exact() {
    let mut rng = SplitMix64::new(100);
    let f = FloatFormat::BF16;
    let a = random_matrix(&mut rng, 32, 256, f, 1.0, 0.0);
    let b = random_matrix(&mut rng, 256, 32, f, 0.06, 0.0);
    let exact = matmul_f64(&a, &b);
    let stat = |mul| {
        let spec = MatmulSpec::new(f, FloatFormat::FP32, mul, 0).unwrap();
        let c = matmul(&spec, &a, &b).unwrap();
        let cf: Vec<f64> = c.to_f64();
        AccuracyStats::compare(&cf, &exact)
    };
    let (pam, ex) = (stat(Multiplier::Pam), stat(Multiplier::Exact));
    assert!(ex.rel_frobenius < 1e-6, "{ex:?}");
    // PAM's per-product error is in [-1/9, 0] with mean about -4%; on zero-mean data the
    // errors partly cancel, but it is clearly worse than exact and clearly not garbage.
    assert!(
        pam.rel_frobenius > 1e-3 && pam.rel_frobenius < 0.1,
        "{pam:?}"
    );
    assert!(pam.cosine > 0.99, "{pam:?}");
}
