//! Test-vector generators shared by the integration tests.
#![allow(dead_code)]

use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::FloatFormat;

/// A random bit pattern of `fmt` drawn to hit every class often: zeros of both signs,
/// subnormals, the smallest normals, values near overflow, infinities, NaNs (quiet and
/// signalling payloads), values near 1 and fully random patterns.
pub fn special_biased(rng: &mut SplitMix64, fmt: FloatFormat) -> u32 {
    let sign = rng.next_u32() & 1;
    let man = rng.next_u32() & fmt.man_mask();
    let emax = fmt.exp_field_max();
    let exp = match rng.below(10) {
        0 => return fmt.assemble(sign, 0, 0),
        1 => 0,                                           // subnormal (or zero)
        2 => 1 + rng.below(2),                            // smallest normals
        3 => emax - 1 - rng.below(2),                     // near overflow
        4 => return fmt.assemble(sign, emax, 0),          // infinity
        5 => return fmt.assemble(sign, emax, man.max(1)), // NaN
        6 => (fmt.bias() as u32)
            .wrapping_add(rng.below(5))
            .wrapping_sub(2), // near 1
        _ => return rng.next_u32() & fmt.bits_mask(),
    };
    fmt.assemble(sign, exp, man)
}

/// A pair of operands for addition tests: independent class-biased operands, or pairs built
/// to stress the adder: equal magnitudes of opposite sign, near-cancellation, large exponent
/// gaps, carries across binades and sums at the overflow edge.
pub fn add_pair(rng: &mut SplitMix64, fmt: FloatFormat) -> (u32, u32) {
    let a = special_biased(rng, fmt);
    let flip = fmt.sign_mask();
    let b = match rng.below(8) {
        0 => a ^ flip, // x + (-x)
        1 => (a ^ flip).wrapping_add(rng.below(7)).wrapping_sub(3) & fmt.bits_mask(), // near-cancel
        2 => {
            // Large (or just-beyond-precision) exponent gap.
            let (s, e, _) = fmt.split(a);
            let gap = rng.below(2 * fmt.man_bits() + 8);
            let e2 = e.saturating_sub(gap);
            fmt.assemble(s ^ (rng.next_u32() & 1), e2, rng.next_u32())
        }
        3 => {
            // Same binade, random mantissa, random sign: carries and one-bit cancellations.
            let (_, e, _) = fmt.split(a);
            fmt.assemble(rng.next_u32(), e, rng.next_u32())
        }
        _ => special_biased(rng, fmt),
    };
    (a, b)
}

/// A random normal value of `fmt` whose unbiased exponent lies in `lo..=hi`.
pub fn normal_in(rng: &mut SplitMix64, fmt: FloatFormat, lo: i32, hi: i32) -> u32 {
    let e = lo + rng.below((hi - lo + 1) as u32) as i32;
    fmt.assemble(rng.next_u32(), (e + fmt.bias()) as u32, rng.next_u32())
}

/// One representative list of bit patterns per class, both signs: zeros, subnormals
/// (smallest, largest), normals (smallest, 1.0, 1.5, largest), infinities, NaNs.
pub fn special_grid(fmt: FloatFormat) -> Vec<u32> {
    let mut v = Vec::new();
    let mags = [
        0,
        1,
        fmt.min_normal_bits() - 1,
        fmt.min_normal_bits(),
        fmt.min_normal_bits() + 1,
        fmt.one_bits(),
        fmt.one_bits() | (1 << (fmt.man_bits() - 1)),
        fmt.one_bits() + fmt.man_mask(),
        fmt.max_finite_bits() - 1,
        fmt.max_finite_bits(),
        fmt.inf_bits(),
        fmt.inf_bits() | 1,
        fmt.canonical_nan(),
        fmt.mag_mask(),
    ];
    for m in mags {
        v.push(m);
        v.push(m | fmt.sign_mask());
    }
    v
}

/// Run `body(seed)` for `chunks` seeds in parallel and return after all finished.
pub fn par_seeds(chunks: u64, body: impl Fn(u64) + Sync) {
    use rayon::prelude::*;
    (0..chunks).into_par_iter().for_each(|s| body(s));
}
