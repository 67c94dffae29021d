//! The product unit of a processing element: PAM then exact widening, or the exact IEEE
//! multiplier; both give an fp32 product for the accumulator. Both take the same const
//! parameters: operand width `W`, `WX = W + 2` (PAM) and `PW = product_width(fmt)` (exact).

use rust_hdl::prelude::*;

use super::fp_mul::FpMul;
use super::pam_mul::PamMul;
use super::widen::Widen;
use crate::format::FloatFormat;

/// `widen_fp32(pam_mul(a, b))`, structural.
#[derive(LogicBlock)]
pub struct PamProduct<const W: usize, const WX: usize, const PW: usize> {
    /// Operand A.
    pub a_i: Signal<In, Bits<W>>,
    /// Operand B.
    pub b_i: Signal<In, Bits<W>>,
    /// The product in fp32.
    pub y_o: Signal<Out, Bits<32>>,
    mul: PamMul<W, WX>,
    widen: Widen<W>,
}

impl<const W: usize, const WX: usize, const PW: usize> PamProduct<W, WX, PW> {
    /// The PAM product unit for `fmt` with `offset`.
    pub fn new(fmt: FloatFormat, offset: i32) -> Self {
        PamProduct {
            a_i: Default::default(),
            b_i: Default::default(),
            y_o: Default::default(),
            mul: PamMul::new(fmt, offset),
            widen: Widen::for_pam(fmt),
        }
    }
}

impl<const W: usize, const WX: usize, const PW: usize> Logic for PamProduct<W, WX, PW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.mul.a_i.next = self.a_i.val();
        self.mul.b_i.next = self.b_i.val();
        self.widen.a_i.next = self.mul.y_o.val();
        self.y_o.next = self.widen.y_o.val();
    }
}

/// `fp_mul(a, b)` rounded into fp32, structural (the baseline).
#[derive(LogicBlock)]
pub struct ExactProduct<const W: usize, const WX: usize, const PW: usize> {
    /// Operand A.
    pub a_i: Signal<In, Bits<W>>,
    /// Operand B.
    pub b_i: Signal<In, Bits<W>>,
    /// The product in fp32.
    pub y_o: Signal<Out, Bits<32>>,
    mul: FpMul<W, PW>,
}

impl<const W: usize, const WX: usize, const PW: usize> ExactProduct<W, WX, PW> {
    /// The exact product unit for `fmt`; the exact multiplier has no offset.
    ///
    /// # Panics
    /// If `offset` is not 0.
    pub fn new(fmt: FloatFormat, offset: i32) -> Self {
        assert_eq!(offset, 0, "the exact multiplier has no offset");
        ExactProduct {
            a_i: Default::default(),
            b_i: Default::default(),
            y_o: Default::default(),
            mul: FpMul::new(fmt),
        }
    }
}

impl<const W: usize, const WX: usize, const PW: usize> Logic for ExactProduct<W, WX, PW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.mul.a_i.next = self.a_i.val();
        self.mul.b_i.next = self.b_i.val();
        self.y_o.next = self.mul.y_o.val();
    }
}
