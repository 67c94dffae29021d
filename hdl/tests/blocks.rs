//! The rust-hdl leaves in rust-hdl's own simulator against the bit-exact reference, bit for
//! bit: random class-biased vectors plus special-value grids for each block and format pair.

mod common;

use common::{add_pair, special_biased, special_grid};
use pamgen_hdl::blocks::fp_add::FpAdd32;
use pamgen_hdl::blocks::pam_mul::PamMul;
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{fp_add, pam_mul, FloatFormat};
use rust_hdl::prelude::*;

const F32: FloatFormat = FloatFormat::FP32;

/// Vectors per block and format pair.
const RANDOM_VECTORS: usize = 100_000;

/// Settle a combinational block after its inputs changed.
fn settle<B: Block>(uut: &mut B) {
    assert!(simulate(uut, 1000), "logic did not converge");
}

/// Random operand pairs and every pair of the special grid.
fn pairs(fmt: FloatFormat, seed: u64, adder: bool) -> Vec<(u32, u32)> {
    let grid = special_grid(fmt);
    let mut v: Vec<(u32, u32)> = grid
        .iter()
        .flat_map(|&a| grid.iter().map(move |&b| (a, b)))
        .collect();
    let mut rng = SplitMix64::new(seed);
    v.extend((0..RANDOM_VECTORS).map(|_| {
        if adder {
            add_pair(&mut rng, fmt)
        } else {
            (special_biased(&mut rng, fmt), special_biased(&mut rng, fmt))
        }
    }));
    v
}

#[test]
fn fp_add32_block_matches_reference() {
    let mut uut = FpAdd32::default();
    uut.connect_all();
    for (a, b) in pairs(F32, 1, true) {
        uut.a_i.next = (a as u64).into();
        uut.b_i.next = (b as u64).into();
        settle(&mut uut);
        let (got, want) = (uut.y_o.val().to_u32(), fp_add(F32, a, b));
        assert_eq!(
            got, want,
            "fp32 {a:#010x} + {b:#010x}: block {got:#010x}, reference {want:#010x}"
        );
    }
}

fn check_pam<const W: usize, const WX: usize>(fmt: FloatFormat, offset: i32) {
    let mut uut = PamMul::<W, WX>::new(fmt, offset);
    uut.connect_all();
    for (a, b) in pairs(fmt, 2 + offset as u64, false) {
        uut.a_i.next = (a as u64).into();
        uut.b_i.next = (b as u64).into();
        settle(&mut uut);
        let (got, want) = (uut.y_o.val().to_u32(), pam_mul(fmt, offset, a, b));
        assert_eq!(
            got, want,
            "{fmt} offset {offset}: {a:#x} * {b:#x}: block {got:#x}, reference {want:#x}"
        );
    }
}

#[test]
fn pam_mul_blocks_match_reference() {
    check_pam::<16, 18>(FloatFormat::BF16, 0);
    check_pam::<16, 18>(FloatFormat::FP16, 0);
    check_pam::<32, 34>(F32, 0);
    check_pam::<16, 18>(FloatFormat::BF16, 5);
    check_pam::<16, 18>(FloatFormat::FP16, 0x3ff);
}

fn check_widen<const W: usize>(fmt: FloatFormat) {
    let mut uut = pamgen_hdl::blocks::widen::Widen::<W>::new(fmt);
    uut.connect_all();
    // Every pattern of a 16-bit format; random patterns of wider ones.
    let patterns: Vec<u32> = if W <= 16 {
        (0..1u32 << W).collect()
    } else {
        let mut rng = SplitMix64::new(3);
        let mut v = special_grid(fmt);
        v.extend((0..RANDOM_VECTORS).map(|_| special_biased(&mut rng, fmt)));
        v
    };
    for a in patterns {
        uut.a_i.next = (a as u64).into();
        settle(&mut uut);
        let (got, want) = (uut.y_o.val().to_u32(), pamgen_hdl::widen(fmt, F32, a));
        assert_eq!(
            got, want,
            "widen {fmt} {a:#x}: block {got:#010x}, reference {want:#010x}"
        );
    }
}

#[test]
fn widen_blocks_match_reference() {
    check_widen::<16>(FloatFormat::BF16);
    check_widen::<16>(FloatFormat::FP16);
    check_widen::<32>(F32);
}

fn check_fp_mul<const W: usize, const PW: usize>(fmt: FloatFormat) {
    let mut uut = pamgen_hdl::blocks::fp_mul::FpMul::<W, PW>::new(fmt);
    uut.connect_all();
    let mut rng = SplitMix64::new(4);
    let mut v = pairs(fmt, 5, false);
    // Products near fp32's underflow and overflow edges.
    v.extend((0..RANDOM_VECTORS / 4).map(|_| {
        let a = special_biased(&mut rng, fmt);
        let e = fmt.split(a).1;
        (
            a,
            fmt.assemble(
                rng.next_u32(),
                (2 * fmt.bias() as u32).saturating_sub(e),
                rng.next_u32(),
            ),
        )
    }));
    for (a, b) in v {
        uut.a_i.next = (a as u64).into();
        uut.b_i.next = (b as u64).into();
        settle(&mut uut);
        let (got, want) = (uut.y_o.val().to_u32(), pamgen_hdl::fp_mul(fmt, F32, a, b));
        assert_eq!(
            got, want,
            "{fmt} {a:#x} * {b:#x} -> fp32: block {got:#010x}, reference {want:#010x}"
        );
    }
}

#[test]
fn fp_mul_blocks_match_reference() {
    check_fp_mul::<16, 26>(FloatFormat::BF16);
    check_fp_mul::<16, 26>(FloatFormat::FP16);
    check_fp_mul::<32, 48>(F32);
}

#[test]
fn pam_widening_is_exact_on_every_non_subnormal_pattern() {
    for fmt in [FloatFormat::BF16, FloatFormat::FP16] {
        let mut uut = pamgen_hdl::blocks::widen::Widen::<16>::for_pam(fmt);
        uut.connect_all();
        for a in (0..1u32 << 16).filter(|&a| fmt.classify(a) != pamgen_hdl::FloatClass::Subnormal) {
            uut.a_i.next = (a as u64).into();
            settle(&mut uut);
            assert_eq!(
                uut.y_o.val().to_u32(),
                pamgen_hdl::widen(fmt, F32, a),
                "{fmt} {a:#06x}"
            );
        }
    }
}

fn check_narrow<const OW: usize>(fmt: FloatFormat) {
    let mut uut = pamgen_hdl::blocks::narrow::Narrow::<OW>::new(fmt);
    uut.connect_all();
    let mut rng = SplitMix64::new(21);
    let mut v = special_grid(F32);
    v.extend((0..RANDOM_VECTORS).map(|_| special_biased(&mut rng, F32)));
    // Values around the output format's range and its rounding boundaries.
    v.extend((0..RANDOM_VECTORS).map(|_| {
        let e = (127 + fmt.emin() - fmt.man_bits() as i32 - 2
            + rng.below((fmt.emax() - fmt.emin()) as u32 + fmt.man_bits() + 5) as i32)
            .clamp(0, 254);
        F32.assemble(rng.next_u32(), e as u32, rng.next_u32())
    }));
    for a in v {
        uut.a_i.next = (a as u64).into();
        settle(&mut uut);
        let (got, want) = (uut.y_o.val().to_u32(), pamgen_hdl::convert(F32, fmt, a));
        assert_eq!(
            got, want,
            "fp32 {a:#010x} -> {fmt}: block {got:#x}, reference {want:#x}"
        );
    }
}

#[test]
fn narrow_blocks_match_reference() {
    check_narrow::<16>(FloatFormat::BF16);
    check_narrow::<16>(FloatFormat::FP16);
    check_narrow::<8>(FloatFormat::FP8_E5M2);
    check_narrow::<19>(FloatFormat::TF32);
}
