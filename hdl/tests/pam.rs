//! PAM properties, the special-case table, agreement with the paper's CUDA kernel formula, and
//! agreement with an independent value-domain formulation
//! `sign * pa_exp2(pa_log2|a| + pa_log2|b|)` (sampled here; exhaustive over all 2^32 bf16
//! pairs in the ignored test `exhaustive_bf16_value_domain`).

mod common;

use common::{normal_in, par_seeds, special_biased, special_grid};
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{pam_mul, FloatClass, FloatFormat};

const FORMATS: [FloatFormat; 5] = [
    FloatFormat::BF16,
    FloatFormat::FP16,
    FloatFormat::FP32,
    FloatFormat::TF32,
    FloatFormat::FP8_E5M2,
];

/// Piecewise-affine log2 of a positive normal value: `e + m` for `2^e * (1 + m)`.
fn pa_log2(x: f64) -> f64 {
    let e = x.log2().floor();
    // Correct the rare floor error of log2 right at powers of two.
    let e = if 2f64.powf(e) > x {
        e - 1.0
    } else if 2f64.powf(e + 1.0) <= x {
        e + 1.0
    } else {
        e
    };
    e + (x / 2f64.powf(e) - 1.0)
}

/// Piecewise-affine exp2: `2^floor(y) * (1 + frac(y))`.
fn pa_exp2(y: f64) -> f64 {
    let e = y.floor();
    2f64.powf(e) * (1.0 + (y - e))
}

/// The value-domain PAM: classification by value, `pa_exp2(pa_log2|a| + pa_log2|b| + offset
/// ulps)`, then underflow (result exponent below emin) to zero and overflow to Inf.
fn value_domain_pam(fmt: FloatFormat, offset: i32, a: u32, b: u32) -> u32 {
    let (x, y) = (fmt.to_f64(a), fmt.to_f64(b));
    let negative = (x.is_sign_negative()) != (y.is_sign_negative());
    let sign = if negative { fmt.sign_mask() } else { 0 };
    if x.is_nan() || y.is_nan() {
        return fmt.canonical_nan();
    }
    let min_normal = 2f64.powi(fmt.emin());
    let (zx, zy) = (x.abs() < min_normal, y.abs() < min_normal);
    if (x.is_infinite() && zy) || (y.is_infinite() && zx) {
        return fmt.canonical_nan();
    }
    if x.is_infinite() || y.is_infinite() {
        return sign | fmt.inf_bits();
    }
    if zx || zy {
        return sign;
    }
    let l =
        pa_log2(x.abs()) + pa_log2(y.abs()) + offset as f64 * 2f64.powi(-(fmt.man_bits() as i32));
    if l.floor() < fmt.emin() as f64 {
        return sign;
    }
    if l.floor() > fmt.emax() as f64 {
        return sign | fmt.inf_bits();
    }
    let v = pa_exp2(l);
    let bits = fmt.from_f64(v);
    assert_eq!(
        fmt.to_f64(bits),
        v,
        "value-domain result must be representable"
    );
    sign | bits
}

#[test]
fn matches_value_domain_formulation_on_random_and_special_pairs() {
    for fmt in FORMATS {
        for offset in [0, 1, -1, fmt.man_mask() as i32 / 3] {
            let grid = special_grid(fmt);
            for &a in &grid {
                for &b in &grid {
                    assert_eq!(
                        pam_mul(fmt, offset, a, b),
                        value_domain_pam(fmt, offset, a, b),
                        "{fmt} off {offset}: {a:#x} * {b:#x}"
                    );
                }
            }
            par_seeds(16, |seed| {
                let mut rng =
                    SplitMix64::new((seed * 1000 + fmt.width() as u64).wrapping_add(offset as u64));
                for _ in 0..20_000 {
                    let (a, b) = (special_biased(&mut rng, fmt), special_biased(&mut rng, fmt));
                    assert_eq!(
                        pam_mul(fmt, offset, a, b),
                        value_domain_pam(fmt, offset, a, b),
                        "{fmt} off {offset}: {a:#x} * {b:#x}"
                    );
                }
            });
        }
    }
}

#[test]
#[ignore = "exhaustive over all 2^32 bf16 pairs: run with `cargo test --release -p pamgen-hdl --test pam -- --ignored`"]
fn exhaustive_bf16_value_domain() {
    let f = FloatFormat::BF16;
    par_seeds(1 << 16, |a| {
        let a = a as u32;
        for b in 0..=0xffffu32 {
            let (got, want) = (pam_mul(f, 0, a, b), value_domain_pam(f, 0, a, b));
            assert_eq!(
                got, want,
                "bf16 {a:#06x} * {b:#06x}: got {got:#06x}, value domain {want:#06x}"
            );
        }
    });
}

#[test]
fn error_is_within_minus_one_ninth_and_zero_for_offset_zero() {
    for fmt in FORMATS {
        let mut rng = SplitMix64::new(9 + fmt.width() as u64);
        let half_range = fmt.emax() / 2 - 1;
        let mut worst = 0f64;
        for _ in 0..300_000 {
            let a = normal_in(&mut rng, fmt, -half_range, half_range);
            let b = normal_in(&mut rng, fmt, -half_range, half_range);
            let exact = fmt.to_f64(a) * fmt.to_f64(b);
            let got = fmt.to_f64(pam_mul(fmt, 0, a, b));
            let rel = (got - exact) / exact.abs() * exact.signum();
            assert!(
                (-1.0 / 9.0..=0.0).contains(&rel),
                "{fmt} {a:#x} * {b:#x}: rel {rel}"
            );
            worst = worst.min(rel);
        }
        // The bound is attained at mantissas 1.5 x 1.5 (2 instead of 2.25).
        let x = fmt.one_bits() | 1 << (fmt.man_bits() - 1);
        assert_eq!(
            fmt.to_f64(pam_mul(fmt, 0, x, x)),
            2.0,
            "{fmt}: PAM(1.5, 1.5) = 2"
        );
        assert!(worst > -1.0 / 9.0 - 1e-12);
    }
}

#[test]
fn commutative_and_sign_rule() {
    for fmt in FORMATS {
        let mut rng = SplitMix64::new(31 + fmt.width() as u64);
        for _ in 0..200_000 {
            let (a, b) = (special_biased(&mut rng, fmt), special_biased(&mut rng, fmt));
            let p = pam_mul(fmt, 0, a, b);
            assert_eq!(p, pam_mul(fmt, 0, b, a), "{fmt} {a:#x} {b:#x}");
            if !fmt.is_nan(p) {
                assert_eq!(
                    p & fmt.sign_mask(),
                    (a ^ b) & fmt.sign_mask(),
                    "{fmt} {a:#x} {b:#x}"
                );
                // Negating one operand negates the product.
                assert_eq!(pam_mul(fmt, 0, a ^ fmt.sign_mask(), b), p ^ fmt.sign_mask());
            } else {
                assert_eq!(p, fmt.canonical_nan());
            }
        }
    }
}

#[test]
fn times_one_and_powers_of_two_are_exact() {
    for fmt in FORMATS {
        let mut rng = SplitMix64::new(5 + fmt.width() as u64);
        for _ in 0..100_000 {
            let x = normal_in(&mut rng, fmt, fmt.emin(), fmt.emax());
            assert_eq!(pam_mul(fmt, 0, x, fmt.one_bits()), x, "{fmt} {x:#x} * 1");
            let k = rng.below(21) as i32 - 10;
            let p2 = fmt.from_f64(2f64.powi(k));
            let exact = fmt.to_f64(x) * 2f64.powi(k);
            let got = fmt.to_f64(pam_mul(fmt, 0, x, p2));
            if exact.abs() >= 2f64.powi(fmt.emin()) && exact.abs() < 2f64.powi(fmt.emax() + 1) {
                assert_eq!(got, exact, "{fmt} {x:#x} * 2^{k}");
            }
        }
    }
}

#[test]
fn special_case_table() {
    for fmt in FORMATS {
        let grid = special_grid(fmt);
        for &a in &grid {
            for &b in &grid {
                let p = pam_mul(fmt, 0, a, b);
                let (ca, cb) = (fmt.classify(a), fmt.classify(b));
                let zeroish = |c| matches!(c, FloatClass::Zero | FloatClass::Subnormal);
                let sign = (a ^ b) & fmt.sign_mask();
                let want = if ca == FloatClass::Nan || cb == FloatClass::Nan {
                    Some(fmt.canonical_nan())
                } else if (ca == FloatClass::Inf && zeroish(cb))
                    || (cb == FloatClass::Inf && zeroish(ca))
                {
                    Some(fmt.canonical_nan())
                } else if ca == FloatClass::Inf || cb == FloatClass::Inf {
                    Some(sign | fmt.inf_bits())
                } else if zeroish(ca) || zeroish(cb) {
                    Some(sign)
                } else {
                    None
                };
                if let Some(w) = want {
                    assert_eq!(p, w, "{fmt} {a:#x} * {b:#x}");
                }
                assert_ne!(
                    fmt.classify(p),
                    FloatClass::Subnormal,
                    "PAM never returns a subnormal"
                );
            }
        }
    }
}

/// The paper's CUDA kernel: signed 32-bit addition of the raw fp32 patterns minus 0x3f800000.
fn paper_kernel(a: u32, b: u32) -> u32 {
    (a as i32).wrapping_add(b as i32).wrapping_sub(0x3f80_0000) as u32
}

#[test]
fn fp32_agrees_with_paper_kernel_where_its_product_is_in_range() {
    let f = FloatFormat::FP32;
    let mut rng = SplitMix64::new(2023);
    let mut checked = 0u32;
    while checked < 2_000_000 {
        let a = normal_in(&mut rng, f, -126, 127);
        let b = normal_in(&mut rng, f, -126, 127);
        let true_product = (f.to_f64(a) * f.to_f64(b)).abs();
        if !(1e-37..1e37).contains(&true_product) {
            continue;
        }
        checked += 1;
        assert_eq!(
            pam_mul(f, 0, a, b),
            paper_kernel(a, b),
            "{a:#010x} * {b:#010x}"
        );
    }
}
