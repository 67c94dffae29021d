//! IEEE addition and multiplication against independent implementations: the host CPU's `f32`
//! arithmetic for fp32, and the `half` crate's conversions (of an `f32`/`f64` result that is
//! provably free of double-rounding errors) for bf16 and fp16.

mod common;

use common::{add_pair, par_seeds, special_biased, special_grid};
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{fp_add, fp_mul, FloatFormat};

const F32: FloatFormat = FloatFormat::FP32;
const BF16: FloatFormat = FloatFormat::BF16;
const FP16: FloatFormat = FloatFormat::FP16;

/// The host result with any NaN made canonical (the contract's NaN).
fn canon32(x: f32) -> u32 {
    if x.is_nan() {
        F32.canonical_nan()
    } else {
        x.to_bits()
    }
}

#[track_caller]
fn check_add32(a: u32, b: u32) {
    let want = canon32(f32::from_bits(a) + f32::from_bits(b));
    let got = fp_add(F32, a, b);
    assert_eq!(
        got, want,
        "fp32 {a:#010x} + {b:#010x}: got {got:#010x}, host {want:#010x}"
    );
}

#[test]
fn fp32_add_matches_host_on_ten_million_class_biased_pairs() {
    const CHUNKS: u64 = 64;
    const PER_CHUNK: u64 = 10_000_000 / CHUNKS + 1;
    par_seeds(CHUNKS, |seed| {
        let mut rng = SplitMix64::new(0xadd0_0000 + seed);
        for _ in 0..PER_CHUNK {
            let (a, b) = add_pair(&mut rng, F32);
            check_add32(a, b);
        }
    });
}

#[test]
fn fp32_add_matches_host_on_special_grid_and_edge_patterns() {
    let mut vals = special_grid(F32);
    // Every exponent field with a few mantissas, both signs.
    for e in 0..=0xffu32 {
        for m in [0u32, 1, 0x40_0000, 0x7f_ffff, 0x2a_aaaa] {
            vals.push(F32.assemble(0, e, m));
            vals.push(F32.assemble(1, e, m));
        }
    }
    for &a in &vals {
        for &b in &vals {
            check_add32(a, b);
        }
    }
}

/// bf16/fp16 sums via `f32` addition then `half`'s round-to-nearest-even. An `f32` sum of two
/// such values followed by a rounding to p <= 11 bits equals a single rounding of the exact
/// sum, because 24 >= 2p + 2 (the classic innocuous double rounding bound).
fn half_add(fmt: FloatFormat, a: u32, b: u32) -> Option<u32> {
    let s = fmt.to_f32(a) + fmt.to_f32(b);
    let bits = if fmt == BF16 {
        half::bf16::from_f32(s).to_bits() as u32
    } else {
        half::f16::from_f32(s).to_bits() as u32
    };
    (!s.is_nan()).then_some(bits)
}

fn check_half_add(fmt: FloatFormat, a: u32, b: u32) {
    let got = fp_add(fmt, a, b);
    match half_add(fmt, a, b) {
        None => assert_eq!(got, fmt.canonical_nan(), "{fmt} {a:#06x} + {b:#06x}"),
        Some(want) => assert_eq!(got, want, "{fmt} {a:#06x} + {b:#06x}"),
    }
}

#[test]
fn bf16_and_fp16_add_match_half_crate_on_random_pairs() {
    for fmt in [BF16, FP16] {
        par_seeds(32, |seed| {
            let mut rng = SplitMix64::new(0xb16_0000 + seed + ((fmt.man_bits() as u64) << 32));
            for _ in 0..100_000 {
                let (a, b) = add_pair(&mut rng, fmt);
                check_half_add(fmt, a, b);
            }
        });
    }
}

#[test]
fn bf16_add_with_one_fixed_operand_grid_is_exhaustive_over_the_other() {
    // Every bf16 pattern against each value of the special grid: 2^16 * 28 sums.
    for fmt in [BF16, FP16] {
        let grid = special_grid(fmt);
        for a in 0..=0xffffu32 {
            for &b in &grid {
                check_half_add(fmt, a, b);
                check_half_add(fmt, b, a);
            }
        }
    }
}

#[test]
fn fp8_e5m2_add_is_exhaustively_a_single_rounding_of_the_exact_sum() {
    // fp8 sums are exact in f64; the format's own from_f64 is checked against the host's
    // f64 -> f32 cast in the rounding tests, so this checks the adder's alignment logic.
    let f = FloatFormat::FP8_E5M2;
    for a in 0..=0xffu32 {
        for b in 0..=0xffu32 {
            let s = f.to_f64(a) + f.to_f64(b);
            let want = if s.is_nan() {
                f.canonical_nan()
            } else if s == 0.0 {
                // Signed-zero rule of IEEE round-to-nearest.
                if a == 0x80 && b == 0x80 {
                    0x80
                } else {
                    0
                }
            } else {
                f.from_f64(s)
            };
            assert_eq!(fp_add(f, a, b), want, "e5m2 {a:#04x} + {b:#04x}");
        }
    }
}

#[test]
fn fp32_mul_matches_host() {
    par_seeds(32, |seed| {
        let mut rng = SplitMix64::new(0x0a11_0000 + seed);
        for _ in 0..100_000 {
            let a = special_biased(&mut rng, F32);
            let b = if rng.below(4) == 0 {
                // Products near the underflow and overflow edges.
                let e = F32.split(a).1;
                F32.assemble(rng.next_u32(), 254u32.saturating_sub(e), rng.next_u32())
            } else {
                special_biased(&mut rng, F32)
            };
            let want = canon32(f32::from_bits(a) * f32::from_bits(b));
            assert_eq!(fp_mul(F32, F32, a, b), want, "fp32 {a:#010x} * {b:#010x}");
        }
    });
    let grid = special_grid(F32);
    for &a in &grid {
        for &b in &grid {
            let want = canon32(f32::from_bits(a) * f32::from_bits(b));
            assert_eq!(fp_mul(F32, F32, a, b), want, "fp32 {a:#010x} * {b:#010x}");
        }
    }
}

#[test]
fn half_formats_mul_into_fp32_and_into_themselves() {
    for fmt in [BF16, FP16] {
        let grid = special_grid(fmt);
        let mut rng = SplitMix64::new(0x3a1 + fmt.man_bits() as u64);
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for &a in &grid {
            for &b in &grid {
                pairs.push((a, b));
            }
        }
        pairs.extend(
            (0..500_000).map(|_| (special_biased(&mut rng, fmt), special_biased(&mut rng, fmt))),
        );
        for (a, b) in pairs {
            // The f64 product of two <= 11-bit significands is exact.
            let p = fmt.to_f64(a) * fmt.to_f64(b);
            let want32 = canon32(p as f32);
            assert_eq!(
                fp_mul(fmt, F32, a, b),
                want32,
                "{fmt}->fp32 {a:#06x} * {b:#06x}"
            );
            let got = fp_mul(fmt, fmt, a, b);
            if p.is_nan() {
                assert_eq!(got, fmt.canonical_nan());
            } else {
                let want = half_from_f64(fmt, p);
                assert_eq!(got, want, "{fmt} {a:#06x} * {b:#06x} = {p:e}");
            }
        }
    }
}

/// `x` rounded to odd in `f32`: truncated towards zero, with the last bit forced to 1 when
/// inexact. Rounding that to nearest-even in a format of p <= 22 bits equals rounding `x`
/// directly (round-to-odd keeps the sticky information).
fn round_to_odd_f32(x: f64) -> f32 {
    let mut t = x as f32;
    if (t as f64).abs() > x.abs() {
        t = f32::from_bits(t.to_bits() - 1);
    }
    if t as f64 != x && t.is_finite() {
        t = f32::from_bits(t.to_bits() | 1);
    }
    t
}

/// `half`'s round-to-nearest-even from f32, applied to the round-to-odd `f32` of `x`.
/// (`half::bf16::from_f64` rounds twice through f32 and is wrong near ties: it gives 0x0e0c for
/// 1.7317974320780667e-30, whose nearest bf16 is 0x0e0d.)
fn half_from_f64(fmt: FloatFormat, x: f64) -> u32 {
    let t = round_to_odd_f32(x);
    if fmt == BF16 {
        half::bf16::from_f32(t).to_bits() as u32
    } else {
        half::f16::from_f32(t).to_bits() as u32
    }
}

#[test]
fn rounding_from_f64_matches_host_cast_and_half_crate() {
    let mut rng = SplitMix64::new(77);
    for _ in 0..2_000_000 {
        // Random f64 patterns concentrated around the formats' ranges.
        let e = 1023 - 160 + rng.below(320) as u64;
        let x = f64::from_bits((rng.next_u64() & 0x800f_ffff_ffff_ffff) | (e << 52));
        assert_eq!(F32.from_f64(x), (x as f32).to_bits(), "fp32 {x:e}");
        assert_eq!(BF16.from_f64(x), half_from_f64(BF16, x), "bf16 {x:e}");
        assert_eq!(FP16.from_f64(x), half_from_f64(FP16, x), "fp16 {x:e}");
    }
}
