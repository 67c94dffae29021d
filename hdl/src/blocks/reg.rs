//! A register with clock enable and asynchronous active-low reset, optionally bypassed (a wire),
//! in the lowRISC style: `always @(posedge clk_i or negedge rst_ni)`.

use rust_hdl::prelude::*;

/// `q_o <= en_i ? d_i : q_o` on the rising edge of `clk_i`; `q_o = 0` while `rst_ni` is low.
/// A bypassed register is a plain wire `q_o = d_i` (used for optional pipeline stages).
#[derive(LogicBlock)]
pub struct Reg<T: Synth> {
    /// Clock.
    pub clk_i: Signal<In, Clock>,
    /// Asynchronous reset, active low.
    pub rst_ni: Signal<In, Bit>,
    /// Clock enable.
    pub en_i: Signal<In, Bit>,
    /// Next value.
    pub d_i: Signal<In, T>,
    /// Current value.
    pub q_o: Signal<Out, T>,
    bypass: Constant<Bit>,
}

impl<T: Synth> Reg<T> {
    /// A register (`bypass == false`) or a wire standing in for one (`bypass == true`).
    pub fn new(bypass: bool) -> Self {
        Reg {
            clk_i: Default::default(),
            rst_ni: Default::default(),
            en_i: Default::default(),
            d_i: Default::default(),
            q_o: Default::default(),
            bypass: Constant::new(bypass),
        }
    }
}

impl<T: Synth> Default for Reg<T> {
    fn default() -> Self {
        Reg::new(false)
    }
}

impl<T: Synth> Logic for Reg<T> {
    fn update(&mut self) {
        if self.bypass.val() {
            self.q_o.next = self.d_i.val();
        } else if !self.rst_ni.val() {
            self.q_o.next = T::default();
        } else if self.clk_i.pos_edge() && self.en_i.val() {
            self.q_o.next = self.d_i.val();
        }
    }

    fn connect(&mut self) {
        self.q_o.connect();
    }

    fn hdl(&self) -> Verilog {
        if self.bypass.val() {
            Verilog::Custom(
                "\
// Bypassed pipeline stage: a wire.
wire unused_ctrl;
assign unused_ctrl = ^{clk_i, rst_ni, en_i};
always @(*) q_o = d_i;"
                    .into(),
            )
        } else {
            Verilog::Custom(format!(
                "\
always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
        q_o <= {reset};
    end else if (en_i) begin
        q_o <= d_i;
    end
end",
                reset = T::default().verilog()
            ))
        }
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "reg".into(),
            clock: "clk_i".into(),
            inputs: vec!["d_i".into(), "en_i".into()],
            outputs: vec!["q_o".into()],
        }]
    }
}
