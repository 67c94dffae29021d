//! Normalise, round to nearest even and pack into fp32: the one rounder shared by the adder,
//! the exact multiplier and widening (the hardware twin of [`crate::round::round_scaled`]).

use rust_hdl::prelude::*;

/// Bias of the offset encoding of `exp_i`: the port carries `exp + 2048`.
pub const EXP_OFFSET: i64 = 2048;

/// Width of the exponent port.
pub const EXP_BITS: usize = 12;

/// Rounds `(-1)^sign_i * sig_i * 2^(exp - 127 - (SW - 1))`, with `exp = exp_i - 2048`, into
/// fp32: the top bit of `sig_i`, if set, has biased exponent `exp`. Normalises left (never
/// below exponent 1), shifts right with sticky when `exp < 1` (gradual underflow), rounds to
/// nearest even, and overflows to infinity. `SW` must be at least 26 (24 kept bits, a guard
/// bit and sticky bits).
#[derive(LogicBlock)]
pub struct NormRound<const SW: usize> {
    /// Sign of the value.
    pub sign_i: Signal<In, Bit>,
    /// Significand; bit `SW - 1` has biased exponent `exp_i - 2048`.
    pub sig_i: Signal<In, Bits<SW>>,
    /// Biased fp32 exponent of bit `SW - 1`, plus 2048.
    pub exp_i: Signal<In, Bits<EXP_BITS>>,
    /// A result decided before rounding (special values, exact zero) ...
    pub special_i: Signal<In, Bits<32>>,
    /// ... used instead of the rounded value when this is set.
    pub use_special_i: Signal<In, Bit>,
    /// The rounded fp32 result (or `special_i`).
    pub y_o: Signal<Out, Bits<32>>,
    top: [Constant<Bits<SW>>; 6],
    thr: [Constant<Bits<EXP_BITS>>; 6],
    step: [Constant<Bits<EXP_BITS>>; 6],
    exp_one: Constant<Bits<EXP_BITS>>,
    sw_c: Constant<Bits<EXP_BITS>>,
    one_c: Constant<Bits<SW>>,
    zero_c: Constant<Bits<SW>>,
    zero_e: Constant<Bits<EXP_BITS>>,
    zero32: Constant<Bits<32>>,
    kept_at: Constant<Bits<8>>,
    guard_at: Constant<Bits<8>>,
    rest_mask: Constant<Bits<SW>>,
    inf36: Constant<Bits<36>>,
    one36: Constant<Bits<36>>,
    zero36: Constant<Bits<36>>,
    inf32: Constant<Bits<32>>,
    sign32: Constant<Bits<32>>,
    x: [Signal<Local, Bits<SW>>; 7],
    e: [Signal<Local, Bits<EXP_BITS>>; 7],
    rs: Signal<Local, Bits<EXP_BITS>>,
    xr: Signal<Local, Bits<SW>>,
    xf: Signal<Local, Bits<SW>>,
    ef: Signal<Local, Bits<EXP_BITS>>,
    kept: Signal<Local, Bits<24>>,
    round_up: Signal<Local, Bits<36>>,
    em1: Signal<Local, Bits<EXP_BITS>>,
    mag: Signal<Local, Bits<36>>,
    sign_bits: Signal<Local, Bits<32>>,
}

/// Mask of the top `k` bits of a `width`-bit field (all of it when `k >= width`).
pub(crate) fn top_bits(width: usize, k: usize) -> u64 {
    let all = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    if k >= width {
        all
    } else {
        all & !((1u64 << (width - k)) - 1)
    }
}

impl<const SW: usize> Default for NormRound<SW> {
    fn default() -> Self {
        assert!((26..=64).contains(&SW), "NormRound needs 26 <= SW <= 64");
        let ks = [32usize, 16, 8, 4, 2, 1];
        NormRound {
            sign_i: Default::default(),
            sig_i: Default::default(),
            exp_i: Default::default(),
            special_i: Default::default(),
            use_special_i: Default::default(),
            y_o: Default::default(),
            // Stage k shifts left by k when the top k bits are zero ...
            top: ks.map(|k| Constant::new(top_bits(SW, k).into())),
            // ... and the exponent stays at least 1: exp - k >= 1.
            thr: ks.map(|k| Constant::new((EXP_OFFSET as u64 + 1 + k as u64).into())),
            step: ks.map(|k| Constant::new((k as u64).into())),
            exp_one: Constant::new((EXP_OFFSET as u64 + 1).into()),
            sw_c: Constant::new((SW as u64).into()),
            one_c: Constant::new(1u64.into()),
            zero_c: Constant::new(0u64.into()),
            zero_e: Constant::new(0u64.into()),
            zero32: Constant::new(0u64.into()),
            kept_at: Constant::new(((SW - 24) as u64).into()),
            guard_at: Constant::new(((SW - 25) as u64).into()),
            rest_mask: Constant::new(((1u64 << (SW - 25)) - 1).into()),
            inf36: Constant::new(0x7f80_0000u64.into()),
            one36: Constant::new(1u64.into()),
            zero36: Constant::new(0u64.into()),
            inf32: Constant::new(0x7f80_0000u64.into()),
            sign32: Constant::new(0x8000_0000u64.into()),
            x: Default::default(),
            e: Default::default(),
            rs: Default::default(),
            xr: Default::default(),
            xf: Default::default(),
            ef: Default::default(),
            kept: Default::default(),
            round_up: Default::default(),
            em1: Default::default(),
            mag: Default::default(),
            sign_bits: Default::default(),
        }
    }
}

impl<const SW: usize> Logic for NormRound<SW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.x[0].next = self.sig_i.val();
        self.e[0].next = self.exp_i.val();
        // Left normalisation in stages of 32, 16, 8, 4, 2, 1 (greedy: the shift is
        // min(leading zeros, exp - 1)).
        for i in 0..6 {
            if ((self.x[i].val() & self.top[i].val()) == self.zero_c.val())
                & (self.e[i].val() >= self.thr[i].val())
            {
                self.x[i + 1].next = self.x[i].val() << self.step[i].val();
                self.e[i + 1].next = self.e[i].val() - self.step[i].val();
            } else {
                self.x[i + 1].next = self.x[i].val();
                self.e[i + 1].next = self.e[i].val();
            }
        }
        // Gradual underflow: exponent below 1 shifts right, keeping a sticky bit.
        if self.e[6].val() < self.exp_one.val() {
            self.rs.next = self.exp_one.val() - self.e[6].val();
        } else {
            self.rs.next = self.zero_e.val();
        }
        if self.rs.val() > self.sw_c.val() {
            self.xr.next = self.zero_c.val();
        } else {
            self.xr.next = self.x[6].val() >> self.rs.val();
        }
        if self.rs.val() > self.sw_c.val() {
            self.xf.next = self.zero_c.val() | self.one_c.val();
        } else if (self.xr.val() << self.rs.val()) != self.x[6].val() {
            self.xf.next = self.xr.val() | self.one_c.val();
        } else {
            self.xf.next = self.xr.val();
        }
        if self.e[6].val() < self.exp_one.val() {
            self.ef.next = self.exp_one.val();
        } else {
            self.ef.next = self.e[6].val();
        }
        // Round to nearest even on the top 24 bits.
        self.kept.next = self.xf.val().get_bits::<24>(self.kept_at.val().index());
        if self.xf.val().get_bit(self.guard_at.val().index())
            & (((self.xf.val() & self.rest_mask.val()) != self.zero_c.val())
                | self.kept.val().get_bit(0))
        {
            self.round_up.next = self.one36.val();
        } else {
            self.round_up.next = self.zero36.val();
        }
        // Pack: (exponent - 1) << 23 plus the significand, whose leading one adds the missing 1
        // (and a rounding carry moves into the exponent by itself).
        self.em1.next = self.ef.val() - self.exp_one.val();
        self.mag.next = (bit_cast::<36, EXP_BITS>(self.em1.val()) << 23)
            + bit_cast::<36, 24>(self.kept.val())
            + self.round_up.val();
        if self.sign_i.val() {
            self.sign_bits.next = self.sign32.val();
        } else {
            self.sign_bits.next = self.zero32.val();
        }
        if self.use_special_i.val() {
            self.y_o.next = self.special_i.val();
        } else if self.sig_i.val() == self.zero_c.val() {
            self.y_o.next = self.sign_bits.val();
        } else if self.mag.val() >= self.inf36.val() {
            self.y_o.next = self.sign_bits.val() | self.inf32.val();
        } else {
            self.y_o.next = self.sign_bits.val() | bit_cast::<32, 36>(self.mag.val());
        }
    }
}
