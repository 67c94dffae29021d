//! Processing elements in rust-hdl's simulator against the reference chain, bit for bit:
//! several back-to-back tiles with random K (including K = 1), with and without the pipeline
//! register, both multipliers, bf16 / fp16 / fp32 operands with an fp32 accumulator.

mod common;

use common::special_biased;
use pamgen_hdl::blocks::pe::{pe_latency, OsPeExact, OsPePam, WsPeExact, WsPePam};
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{fp_add, FloatFormat, MatmulSpec, Multiplier};
use rust_hdl::prelude::*;

const F32: FloatFormat = FloatFormat::FP32;

/// An operand: mostly ordinary values, sometimes a special one.
fn operand(rng: &mut SplitMix64, fmt: FloatFormat) -> u32 {
    if rng.below(8) == 0 {
        special_biased(rng, fmt)
    } else {
        fmt.from_f64(rng.normal())
    }
}

fn settle<B: Block>(uut: &mut B) {
    assert!(simulate(uut, 1000), "logic did not converge");
}

macro_rules! os_test {
    ($fn_name:ident, $pe:ident, $w:literal, $fmt:expr, $mul:expr, $offset:expr) => {
        #[test]
        fn $fn_name() {
            for pipelined in [false, true] {
                let fmt: FloatFormat = $fmt;
                let spec = MatmulSpec::new(fmt, F32, $mul, $offset).unwrap();
                let mut pe = $pe::<
                    $w,
                    { $w + 2 },
                    {
                        if $w == 32 {
                            48
                        } else {
                            26
                        }
                    },
                >::new(fmt, $offset, pipelined);
                pe.connect_all();
                let latency = pe_latency(pipelined);
                let mut rng = SplitMix64::new(0x05 + $w + pipelined as u64);
                // Beats: (a, b, valid, first, last); expected results in tile order.
                let mut beats = Vec::new();
                let mut expected = Vec::new();
                let mut last_edges = Vec::new();
                for tile in 0..60 {
                    let k = if tile % 5 == 0 {
                        1
                    } else {
                        1 + rng.below(12) as usize
                    };
                    let mut acc = 0u32;
                    let mut done = 0;
                    while done < k {
                        if rng.below(6) == 0 {
                            // A bubble inside or between tiles: garbage operands, not valid.
                            beats.push((
                                rng.next_u32() & fmt.bits_mask(),
                                rng.next_u32() & fmt.bits_mask(),
                                false,
                                false,
                                false,
                            ));
                            continue;
                        }
                        let (a, b) = (operand(&mut rng, fmt), operand(&mut rng, fmt));
                        acc = fp_add(F32, acc, spec.product(a, b));
                        if done == k - 1 {
                            last_edges.push(beats.len());
                        }
                        beats.push((a, b, true, done == 0, done == k - 1));
                        done += 1;
                    }
                    expected.push(acc);
                }
                // Reset, then one beat per clock edge, then drain.
                pe.rst_ni.next = false;
                pe.en_i.next = true;
                pe.clk_i.next = Clock::from(false);
                settle(&mut pe);
                pe.clk_i.next = Clock::from(true);
                settle(&mut pe);
                pe.rst_ni.next = true;
                let mut got = Vec::new();
                for edge in 0..beats.len() + latency + 1 {
                    let (a, b, valid, first, last) = beats
                        .get(edge)
                        .copied()
                        .unwrap_or((0, 0, false, false, false));
                    pe.clk_i.next = Clock::from(false);
                    pe.a_i.next = (a as u64).into();
                    pe.b_i.next = (b as u64).into();
                    pe.valid_i.next = valid;
                    pe.first_i.next = first;
                    pe.last_i.next = last;
                    settle(&mut pe);
                    pe.clk_i.next = Clock::from(true);
                    settle(&mut pe);
                    // Operands pass on unchanged one cycle later.
                    assert_eq!(pe.a_o.val().to_u32(), a);
                    assert_eq!(pe.b_o.val().to_u32(), b);
                    assert_eq!(
                        (pe.valid_o.val(), pe.first_o.val(), pe.last_o.val()),
                        (valid, first, last)
                    );
                    if pe.c_valid_o.val() {
                        got.push((edge, pe.c_o.val().to_u32()));
                    }
                }
                assert_eq!(
                    got.len(),
                    expected.len(),
                    "pipelined {pipelined}: result count"
                );
                for (t, ((edge, c), want)) in got.iter().zip(&expected).enumerate() {
                    assert_eq!(
                        *edge,
                        last_edges[t] + latency,
                        "pipelined {pipelined}: tile {t} latency"
                    );
                    assert_eq!(
                        *c, *want,
                        "pipelined {pipelined}: tile {t}: PE {c:#010x}, reference {want:#010x}"
                    );
                }
            }
        }
    };
}

os_test!(
    os_pe_pam_bf16,
    OsPePam,
    16,
    FloatFormat::BF16,
    Multiplier::Pam,
    0
);
os_test!(
    os_pe_pam_fp16,
    OsPePam,
    16,
    FloatFormat::FP16,
    Multiplier::Pam,
    0
);
os_test!(os_pe_pam_fp32, OsPePam, 32, F32, Multiplier::Pam, 0);
os_test!(
    os_pe_pam_bf16_offset,
    OsPePam,
    16,
    FloatFormat::BF16,
    Multiplier::Pam,
    9
);
os_test!(
    os_pe_exact_bf16,
    OsPeExact,
    16,
    FloatFormat::BF16,
    Multiplier::Exact,
    0
);
os_test!(
    os_pe_exact_fp16,
    OsPeExact,
    16,
    FloatFormat::FP16,
    Multiplier::Exact,
    0
);
os_test!(os_pe_exact_fp32, OsPeExact, 32, F32, Multiplier::Exact, 0);

macro_rules! ws_test {
    ($fn_name:ident, $pe:ident, $w:literal, $fmt:expr, $mul:expr, $offset:expr) => {
        #[test]
        fn $fn_name() {
            for pipelined in [false, true] {
                let fmt: FloatFormat = $fmt;
                let spec = MatmulSpec::new(fmt, F32, $mul, $offset).unwrap();
                let mut pe = $pe::<
                    $w,
                    { $w + 2 },
                    {
                        if $w == 32 {
                            48
                        } else {
                            26
                        }
                    },
                >::new(fmt, $offset, pipelined);
                pe.connect_all();
                let latency = pe_latency(pipelined);
                let mut rng = SplitMix64::new(0x77 + $w + pipelined as u64);
                // Per cycle: (a, valid, swap, w, w_shift); a psum for every valid beat.
                struct Beat {
                    a: u32,
                    valid: bool,
                    swap: bool,
                    w: u32,
                    shift: bool,
                    psum: u32,
                }
                let mut beats: Vec<Beat> = Vec::new();
                let mut expected: Vec<(usize, u32)> = Vec::new();
                // Preload the first weight.
                let mut next_w = operand(&mut rng, fmt);
                beats.push(Beat {
                    a: 0,
                    valid: false,
                    swap: false,
                    w: next_w,
                    shift: true,
                    psum: 0,
                });
                for tile in 0..40 {
                    let k = if tile % 4 == 0 {
                        1
                    } else {
                        1 + rng.below(10) as usize
                    };
                    let w = next_w;
                    next_w = operand(&mut rng, fmt);
                    // Preload the next weight somewhere during this tile (overlapping compute).
                    let preload_at = rng.below(k as u32) as usize;
                    for i in 0..k {
                        let a = operand(&mut rng, fmt);
                        let psum = if rng.below(3) == 0 {
                            0
                        } else {
                            F32.from_f64(rng.normal() * 4.0)
                        };
                        let shift = i == preload_at;
                        expected
                            .push((beats.len() + latency, fp_add(F32, psum, spec.product(a, w))));
                        beats.push(Beat {
                            a,
                            valid: true,
                            swap: i == 0,
                            w: if shift { next_w } else { 0 },
                            shift,
                            psum,
                        });
                    }
                }
                pe.rst_ni.next = false;
                pe.en_i.next = true;
                pe.clk_i.next = Clock::from(false);
                settle(&mut pe);
                pe.clk_i.next = Clock::from(true);
                settle(&mut pe);
                pe.rst_ni.next = true;
                let mut got = Vec::new();
                for edge in 0..beats.len() + latency + 1 {
                    pe.clk_i.next = Clock::from(false);
                    if let Some(b) = beats.get(edge) {
                        pe.a_i.next = (b.a as u64).into();
                        pe.valid_i.next = b.valid;
                        pe.swap_i.next = b.swap;
                        pe.w_i.next = (b.w as u64).into();
                        pe.w_shift_i.next = b.shift;
                    } else {
                        pe.valid_i.next = false;
                        pe.swap_i.next = false;
                        pe.w_shift_i.next = false;
                    }
                    // The partial sum for the beat that entered `latency` edges ago.
                    let psum = edge
                        .checked_sub(latency)
                        .and_then(|e| beats.get(e))
                        .map_or(0, |b| b.psum);
                    pe.psum_i.next = (psum as u64).into();
                    settle(&mut pe);
                    pe.clk_i.next = Clock::from(true);
                    settle(&mut pe);
                    if pe.psum_valid_o.val() {
                        got.push((edge, pe.psum_o.val().to_u32()));
                    }
                }
                assert_eq!(
                    got.len(),
                    expected.len(),
                    "pipelined {pipelined}: result count"
                );
                for (i, (g, w)) in got.iter().zip(&expected).enumerate() {
                    assert_eq!(
                        g, w,
                        "pipelined {pipelined}: beat {i}: (edge, psum) PE vs reference"
                    );
                }
            }
        }
    };
}

ws_test!(
    ws_pe_pam_bf16,
    WsPePam,
    16,
    FloatFormat::BF16,
    Multiplier::Pam,
    0
);
ws_test!(
    ws_pe_pam_fp16,
    WsPePam,
    16,
    FloatFormat::FP16,
    Multiplier::Pam,
    0
);
ws_test!(ws_pe_pam_fp32, WsPePam, 32, F32, Multiplier::Pam, 0);
ws_test!(
    ws_pe_exact_bf16,
    WsPeExact,
    16,
    FloatFormat::BF16,
    Multiplier::Exact,
    0
);
ws_test!(
    ws_pe_exact_fp16,
    WsPeExact,
    16,
    FloatFormat::FP16,
    Multiplier::Exact,
    0
);
ws_test!(ws_pe_exact_fp32, WsPeExact, 32, F32, Multiplier::Exact, 0);
