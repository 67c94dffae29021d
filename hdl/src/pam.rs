//! Piecewise affine multiplication (PAM) on bit patterns.
//!
//! PAM approximates `a * b` by adding the magnitude bit patterns of the operands as integers
//! and subtracting the pattern of 1.0 (`bias << M`): the exponents add and the mantissas add
//! linearly, which is `2^(ea+eb) * (1 + ma + mb)` in place of `2^(ea+eb) * (1 + ma)(1 + mb)`.
//! The result never exceeds the true product (for offset 0) and is at most 1/9 below it.
//! See "Multiplication-Free Transformer Training via Piecewise Affine Operations"
//! (Kosson & Jaggi, NeurIPS 2023) and the numerics contract in the README.

use thiserror::Error;

use crate::format::FloatFormat;

/// An offset outside the allowed range for the operand format.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "PAM offset {offset} out of range for {format}: allowed {min}..={max} \
     (less than one binade, 2^{man_bits} units of the last place)"
)]
pub struct OffsetError {
    /// The offending offset.
    pub offset: i64,
    /// The operand format it was meant for.
    pub format: String,
    /// Mantissa bits of that format.
    pub man_bits: u32,
    /// Smallest allowed offset.
    pub min: i64,
    /// Largest allowed offset.
    pub max: i64,
}

/// Check that `offset` (in units of the operand format's last mantissa place) is less than one
/// binade in magnitude: `-(2^M - 1) ..= 2^M - 1`. Larger offsets would be a power-of-two scale
/// factor rather than a correction.
pub fn check_offset(fmt: FloatFormat, offset: i64) -> Result<i32, OffsetError> {
    let max = fmt.man_mask() as i64;
    if (-max..=max).contains(&offset) {
        Ok(offset as i32)
    } else {
        Err(OffsetError {
            offset,
            format: fmt.name(),
            man_bits: fmt.man_bits(),
            min: -max,
            max,
        })
    }
}

/// Named PAM offsets, as `(name, description)`.
pub const OFFSET_PRESETS: [(&str, &str); 3] = [
    ("none", "0: plain PAM, never overestimates"),
    ("unbiased", "the offset that makes the mean of PAM(a, b) / (a b) closest to 1 over uniformly distributed mantissas (plain PAM's mean is 0.9615)"),
    ("lmul", "L-Mul (Luo & Sun 2024): 2^(M - l(M)) with l(M) = M for M <= 3, 3 for M = 4, 4 for M > 4"),
];

/// The offset of a named preset for `fmt` (see [`OFFSET_PRESETS`]), or `None` for an unknown
/// name.
pub fn offset_preset(fmt: FloatFormat, name: &str) -> Option<i64> {
    let m = fmt.man_bits();
    match name.trim().to_ascii_lowercase().as_str() {
        "none" => Some(0),
        "lmul" | "l-mul" => {
            let l = match m {
                0..=3 => m,
                4 => 3,
                _ => 4,
            };
            Some(1i64 << (m - l))
        }
        "unbiased" => Some(unbiased_offset(fmt)),
        _ => None,
    }
}

/// A PAM offset as given by a user: a number, or the name of a preset resolved per format.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Offset {
    /// An offset in units of the operand's last mantissa place.
    Value(i64),
    /// A preset name from [`OFFSET_PRESETS`].
    Preset(String),
}

impl Default for Offset {
    fn default() -> Self {
        Offset::Value(0)
    }
}

impl std::fmt::Display for Offset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Offset::Value(v) => write!(f, "{v}"),
            Offset::Preset(p) => write!(f, "{p}"),
        }
    }
}

impl std::str::FromStr for Offset {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().parse::<i64>() {
            Ok(v) => Offset::Value(v),
            Err(_) => Offset::Preset(s.trim().to_string()),
        })
    }
}

impl Offset {
    /// The integer offset for operand format `fmt`; an unknown preset name is an error listing
    /// the known ones.
    pub fn resolve(&self, fmt: FloatFormat) -> Result<i64, String> {
        match self {
            Offset::Value(v) => Ok(*v),
            Offset::Preset(name) => offset_preset(fmt, name).ok_or_else(|| {
                let known: Vec<&str> = OFFSET_PRESETS.iter().map(|(n, _)| *n).collect();
                format!(
                    "unknown offset preset '{name}': use an integer or one of {}",
                    known.join(", ")
                )
            }),
        }
    }
}

/// Mean of PAM(a, b) / (a * b) with `offset`, over a grid of mantissa pairs (all pairs for
/// M <= 8, else a 256 x 256 grid of cell midpoints), for operands in one binade.
pub fn mean_ratio(fmt: FloatFormat, offset: i64) -> f64 {
    let m = fmt.man_bits();
    let n: u64 = if m <= 8 { 1 << m } else { 256 };
    let scale = (1u64 << m) as f64;
    let delta = offset as f64 / scale;
    let frac = |i: u64| {
        if m <= 8 {
            i as f64 / scale
        } else {
            (i as f64 + 0.5) / n as f64
        }
    };
    let mut sum = 0.0;
    for i in 0..n {
        for j in 0..n {
            let (x, y) = (frac(i), frac(j));
            // pa_log2 of each is its mantissa fraction; pa_exp2 of the sum.
            let l = x + y + delta;
            let e = l.floor();
            let pam = 2f64.powf(e) * (1.0 + (l - e));
            sum += pam / ((1.0 + x) * (1.0 + y));
        }
    }
    sum / (n * n) as f64
}

/// The integer offset whose mean ratio is closest to 1 (the mean ratio grows with the offset).
fn unbiased_offset(fmt: FloatFormat) -> i64 {
    let (mut lo, mut hi) = (0i64, (fmt.man_mask() as i64) / 4);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if mean_ratio(fmt, mid) < 1.0 {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    // lo is the first offset with mean ratio >= 1; the one below may be closer.
    if lo > 0 && (1.0 - mean_ratio(fmt, lo - 1)).abs() < (mean_ratio(fmt, lo) - 1.0).abs() {
        lo - 1
    } else {
        lo
    }
}

/// PAM product of two values of `fmt`, result in `fmt`:
///
/// - sign = sign(a) XOR sign(b);
/// - a NaN operand, or Inf times zero, gives the canonical NaN; Inf times non-zero gives signed
///   Inf;
/// - zero or subnormal operands count as zero (so Inf times a subnormal is NaN) and give
///   signed zero;
/// - otherwise `R = |a| + |b| - (bias << M) + offset` on the magnitude bits; `R < 1 << M`
///   (result exponent <= 0) gives signed zero, `R >= inf` gives signed Inf, else the result
///   is `sign : R`.
///
/// `offset` must satisfy [`check_offset`].
#[inline]
pub fn pam_mul(fmt: FloatFormat, offset: i32, a: u32, b: u32) -> u32 {
    let sign = (a ^ b) & fmt.sign_mask();
    let (am, bm) = (a & fmt.mag_mask(), b & fmt.mag_mask());
    let inf = fmt.inf_bits();
    if am > inf || bm > inf {
        return fmt.canonical_nan();
    }
    let a_zero = am < fmt.min_normal_bits();
    let b_zero = bm < fmt.min_normal_bits();
    let (a_inf, b_inf) = (am == inf, bm == inf);
    if (a_inf && b_zero) || (b_inf && a_zero) {
        return fmt.canonical_nan();
    }
    if a_inf || b_inf {
        return sign | inf;
    }
    if a_zero || b_zero {
        return sign;
    }
    let r = am as i64 + bm as i64 - fmt.one_bits() as i64 + offset as i64;
    if r < fmt.min_normal_bits() as i64 {
        sign
    } else if r >= inf as i64 {
        sign | inf
    } else {
        sign | r as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F32: FloatFormat = FloatFormat::FP32;

    fn pam32(a: f32, b: f32) -> f32 {
        f32::from_bits(pam_mul(F32, 0, a.to_bits(), b.to_bits()))
    }

    #[test]
    fn contract_facts() {
        assert_eq!(pam32(-6.0, 3.0), -16.0);
        assert_eq!(pam32(3.0, -6.0), -16.0);
        // 1.3 * -1.3 = -1.69; PAM gives 2^0 * (1 + 0.3 + 0.3) = -1.6 (up to fp32 rounding of 1.3).
        assert!(
            (pam32(1.3, -1.3) + 1.6).abs() < 1e-6,
            "{}",
            pam32(1.3, -1.3)
        );
        assert_eq!(pam32(1.5, 1.5), 2.0);
        assert_eq!(pam32(0.7, 1.0), 0.7);
        assert_eq!(pam32(0.7, 8.0), 5.6);
        assert_eq!(pam32(0.7, 0.125), 0.7 * 0.125);
    }

    #[test]
    fn special_table() {
        let f = FloatFormat::BF16;
        let (inf, nan, neg) = (f.inf_bits(), f.canonical_nan(), f.sign_mask());
        let one = f.one_bits();
        let sub = 1; // smallest subnormal
        assert_eq!(pam_mul(f, 0, inf, 0), nan);
        assert_eq!(pam_mul(f, 0, 0, inf | neg), nan);
        assert_eq!(pam_mul(f, 0, inf, sub), nan);
        assert_eq!(pam_mul(f, 0, inf, one | neg), inf | neg);
        assert_eq!(pam_mul(f, 0, inf | neg, inf | neg), inf);
        assert_eq!(pam_mul(f, 0, 0x7f81, one), nan);
        assert_eq!(pam_mul(f, 0, 0xffff, 0), nan);
        assert_eq!(pam_mul(f, 0, sub | neg, one), neg);
        assert_eq!(pam_mul(f, 0, 0, one | neg), neg);
        assert_eq!(pam_mul(f, 0, neg, neg), 0);
        // Underflow and overflow.
        assert_eq!(pam_mul(f, 0, f.min_normal_bits(), 0x3f7f), 0);
        assert_eq!(pam_mul(f, 0, f.min_normal_bits(), one), f.min_normal_bits());
        assert_eq!(pam_mul(f, 0, f.max_finite_bits(), 0x4000), inf);
        assert_eq!(
            pam_mul(f, 0, f.max_finite_bits() | neg, one),
            f.max_finite_bits() | neg
        );
    }

    #[test]
    fn presets() {
        assert_eq!(offset_preset(FloatFormat::BF16, "lmul"), Some(8));
        assert_eq!(offset_preset(FloatFormat::FP16, "lmul"), Some(64));
        assert_eq!(offset_preset(FloatFormat::FP8_E5M2, "lmul"), Some(1));
        assert_eq!(offset_preset(FloatFormat::BF16, "none"), Some(0));
        assert_eq!(offset_preset(FloatFormat::BF16, "paper2"), None);
        // Plain PAM underestimates on average by about 3.85 %; the unbiased offset fixes that.
        let base = mean_ratio(FloatFormat::BF16, 0);
        assert!((0.960..0.963).contains(&base), "{base}");
        for f in [FloatFormat::BF16, FloatFormat::FP16] {
            let o = offset_preset(f, "unbiased").unwrap();
            assert!(o > 0);
            assert!((mean_ratio(f, o) - 1.0).abs() <= (mean_ratio(f, o + 1) - 1.0).abs());
            assert!((mean_ratio(f, o) - 1.0).abs() <= (mean_ratio(f, o - 1) - 1.0).abs());
            assert!((mean_ratio(f, o) - 1.0).abs() < 1.0 / (1u64 << f.man_bits()) as f64);
        }
    }

    #[test]
    fn offset_range() {
        assert_eq!(check_offset(FloatFormat::BF16, 127), Ok(127));
        assert_eq!(check_offset(FloatFormat::BF16, -127), Ok(-127));
        let e = check_offset(FloatFormat::BF16, 128)
            .unwrap_err()
            .to_string();
        assert!(e.contains("-127..=127"), "{e}");
        assert_eq!(pam_mul(FloatFormat::BF16, 3, 0x3f80, 0x3f80), 0x3f83);
        assert_eq!(pam_mul(FloatFormat::BF16, -1, 0x3f80, 0x3f80), 0x3f7f);
    }
}
