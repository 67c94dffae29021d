//! The PAM multiplier: one integer adder and the special-case logic of the contract.

use rust_hdl::prelude::*;

use crate::format::FloatFormat;

/// Combinational PAM multiplier for one operand format of width `W` (`WX = W + 2`: the
/// integer sum with room for carry and sign). See [`crate::pam_mul`] for the exact behaviour.
#[derive(LogicBlock)]
pub struct PamMul<const W: usize, const WX: usize> {
    /// Operand A (bit pattern).
    pub a_i: Signal<In, Bits<W>>,
    /// Operand B (bit pattern).
    pub b_i: Signal<In, Bits<W>>,
    /// The PAM product (bit pattern).
    pub y_o: Signal<Out, Bits<W>>,
    mag_mask: Constant<Bits<W>>,
    sign_mask: Constant<Bits<W>>,
    inf: Constant<Bits<W>>,
    min_normal: Constant<Bits<W>>,
    nan: Constant<Bits<W>>,
    addend: Constant<Bits<WX>>,
    min_normal_x: Constant<Bits<WX>>,
    inf_x: Constant<Bits<WX>>,
    negative_x: Constant<Bits<WX>>,
    am: Signal<Local, Bits<W>>,
    bm: Signal<Local, Bits<W>>,
    sign: Signal<Local, Bits<W>>,
    r: Signal<Local, Bits<WX>>,
}

impl<const W: usize, const WX: usize> PamMul<W, WX> {
    /// A PAM multiplier for `fmt` (whose width must be `W`) with the given offset
    /// (checked with [`crate::check_offset`]).
    ///
    /// # Panics
    /// If `W` or `WX` do not match the format.
    pub fn new(fmt: FloatFormat, offset: i32) -> Self {
        assert_eq!(
            W,
            fmt.width() as usize,
            "PamMul width must equal the format width"
        );
        assert_eq!(WX, W + 2, "PamMul needs WX = W + 2");
        let wrap = |x: i64| (x as u64) & ((1u64 << WX) - 1);
        PamMul {
            a_i: Default::default(),
            b_i: Default::default(),
            y_o: Default::default(),
            mag_mask: Constant::new((fmt.mag_mask() as u64).into()),
            sign_mask: Constant::new((fmt.sign_mask() as u64).into()),
            inf: Constant::new((fmt.inf_bits() as u64).into()),
            min_normal: Constant::new((fmt.min_normal_bits() as u64).into()),
            nan: Constant::new((fmt.canonical_nan() as u64).into()),
            addend: Constant::new(wrap(offset as i64 - fmt.one_bits() as i64).into()),
            min_normal_x: Constant::new((fmt.min_normal_bits() as u64).into()),
            inf_x: Constant::new((fmt.inf_bits() as u64).into()),
            negative_x: Constant::new((1u64 << (WX - 1)).into()),
            am: Default::default(),
            bm: Default::default(),
            sign: Default::default(),
            r: Default::default(),
        }
    }
}

impl<const W: usize, const WX: usize> Logic for PamMul<W, WX> {
    #[hdl_gen]
    fn update(&mut self) {
        self.am.next = self.a_i.val() & self.mag_mask.val();
        self.bm.next = self.b_i.val() & self.mag_mask.val();
        self.sign.next = (self.a_i.val() ^ self.b_i.val()) & self.sign_mask.val();
        self.r.next =
            bit_cast::<WX, W>(self.am.val()) + bit_cast::<WX, W>(self.bm.val()) + self.addend.val();
        if (self.am.val() > self.inf.val()) | (self.bm.val() > self.inf.val()) {
            self.y_o.next = self.nan.val();
        } else if ((self.am.val() == self.inf.val()) & (self.bm.val() < self.min_normal.val()))
            | ((self.bm.val() == self.inf.val()) & (self.am.val() < self.min_normal.val()))
        {
            self.y_o.next = self.nan.val();
        } else if (self.am.val() == self.inf.val()) | (self.bm.val() == self.inf.val()) {
            self.y_o.next = self.sign.val() | self.inf.val();
        } else if (self.am.val() < self.min_normal.val()) | (self.bm.val() < self.min_normal.val())
        {
            self.y_o.next = self.sign.val();
        } else if (self.r.val() >= self.negative_x.val()) | (self.r.val() < self.min_normal_x.val())
        {
            self.y_o.next = self.sign.val();
        } else if self.r.val() >= self.inf_x.val() {
            self.y_o.next = self.sign.val() | self.inf.val();
        } else {
            self.y_o.next = self.sign.val() | bit_cast::<W, WX>(self.r.val());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_example() {
        let mut uut = PamMul::<16, 18>::new(FloatFormat::BF16, 0);
        uut.connect_all();
        uut.a_i.next = 0xc0c0u64.into(); // -6
        uut.b_i.next = 0x4040u64.into(); // 3
        assert!(simulate(&mut uut, 100));
        assert_eq!(uut.y_o.val().to_u32(), 0xc180); // -16
    }
}
