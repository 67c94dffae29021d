//! Mapping a GEMM C = A (M x K) * B (K x N) of any shape onto an R x C array: the input beats
//! in the order the driver replays them, where each output beat belongs in C, and a cycle model
//! that predicts when every output beat leaves the RTL.
//!
//! Output-stationary: one tile per R x C block of C, rows of blocks outer, each tile streaming
//! all K beats (A column, B row); rows of A and columns of B beyond the matrix are +0, and
//! their results are dropped.
//!
//! Weight-stationary: K is cut into folds of R; each (fold, column block) is a job that loads
//! an R x C weight tile and streams all M rows of A through it. Folds are outer, so fold f+1
//! of a column block uses fold f's results as its partial sums (fed back by the driver, which
//! holds the beat until the result exists), and the chain stays
//! `acc = +0; acc += p(k)` in ascending k. Padding k beyond K with +0 operands adds +0
//! products, which leave every chain value unchanged (a chain that starts at +0 never reaches
//! -0, and x + (+0) = x for every other x).

use std::io::{self, Write};

use pamgen_gen::config::ArrayConfig;
use pamgen_hdl::blocks::catalog::Dataflow;
use pamgen_hdl::{BitMatrix, FloatFormat};

use crate::driver::{words, P_ZERO};
use crate::error::SimError;

/// One output beat as the driver returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutBeat {
    /// `c_tdata` as 32-bit words (lane 0 in the low bits of word 0).
    pub words: Vec<u32>,
    /// `c_tlast`.
    pub last: bool,
    /// The cycle it left the array (0 = first cycle after reset).
    pub cycle: u64,
}

/// A GEMM scheduled onto an array.
#[derive(Debug, Clone)]
pub struct Schedule {
    dataflow: Dataflow,
    /// Rows of A and C.
    pub m: usize,
    /// Columns of A, rows of B.
    pub k: usize,
    /// Columns of B and C.
    pub n: usize,
    rows: usize,
    cols: usize,
    width: usize,
    out_format: FloatFormat,
    latency: usize,
}

/// Pack `lanes` of `w` bits into `buf`, lane 0 in the low bits of word 0.
pub fn pack(buf: &mut [u32], lanes: impl Iterator<Item = u32>, w: usize) {
    buf.fill(0);
    for (i, v) in lanes.enumerate() {
        let bit = i * w;
        let (wd, off) = (bit / 32, bit % 32);
        buf[wd] |= v << off;
        if off + w > 32 {
            buf[wd + 1] |= v >> (32 - off);
        }
    }
}

/// Lane `i` of `w` bits from packed words.
pub fn lane(words: &[u32], i: usize, w: usize) -> u32 {
    let bit = i * w;
    let (wd, off) = (bit / 32, bit % 32);
    let mut v = words[wd] >> off;
    if off + w > 32 {
        v |= words[wd + 1] << (32 - off);
    }
    if w == 32 {
        v
    } else {
        v & ((1u32 << w) - 1)
    }
}

/// Cycles the cycle model predicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// Cycle of every output beat, in order.
    pub output_cycles: Vec<u64>,
    /// Total cycles: the last output beat's cycle plus one.
    pub cycles: u64,
}

impl Schedule {
    /// Schedule an M x K x N GEMM on the array of `cfg`.
    pub fn new(cfg: &ArrayConfig, m: usize, k: usize, n: usize) -> Result<Self, SimError> {
        if m == 0 || k == 0 || n == 0 {
            return Err(SimError::Shape(format!(
                "A is {m}x{k} and B is {k}x{n}: every dimension must be at least 1"
            )));
        }
        let s = Schedule {
            dataflow: cfg.dataflow,
            m,
            k,
            n,
            rows: cfg.rows,
            cols: cfg.cols,
            width: cfg.format.width() as usize,
            out_format: cfg.rounded_output().unwrap_or(cfg.acc),
            latency: cfg.result_latency(),
        };
        if s.dataflow == Dataflow::Ws && s.folds() > 1 && s.out_format != FloatFormat::FP32 {
            return Err(SimError::Unsupported(format!(
                "K = {k} needs {} folds on this {}-row weight-stationary array, but its results \
                 leave rounded to {} and cannot be the next fold's fp32 partial sums; generate \
                 the design without --out-format, or keep K <= {}",
                s.folds(),
                s.rows,
                s.out_format,
                s.rows
            )));
        }
        Ok(s)
    }

    fn row_blocks(&self) -> usize {
        self.m.div_ceil(self.rows)
    }

    fn col_blocks(&self) -> usize {
        self.n.div_ceil(self.cols)
    }

    /// Weight-stationary folds of K.
    pub fn folds(&self) -> usize {
        self.k.div_ceil(self.rows)
    }

    /// Format of the results.
    pub fn out_format(&self) -> FloatFormat {
        self.out_format
    }

    /// Number of output beats the RTL produces.
    pub fn output_beats(&self) -> usize {
        match self.dataflow {
            Dataflow::Os => self.row_blocks() * self.col_blocks() * self.rows,
            Dataflow::Ws => self.folds() * self.col_blocks() * self.m,
        }
    }

    /// Multiply-accumulates of the GEMM.
    pub fn macs(&self) -> u64 {
        (self.m * self.k * self.n) as u64
    }

    /// Cycles a perfectly used array would need: M*N*K / (R*C).
    pub fn ideal_cycles(&self) -> f64 {
        self.macs() as f64 / (self.rows * self.cols) as f64
    }

    /// Write the driver's input records (see [`crate::driver`]) for C = A * B.
    pub fn write_stream(
        &self,
        a: &BitMatrix,
        b: &BitMatrix,
        out: &mut impl Write,
    ) -> io::Result<()> {
        let (r, c, w) = (self.rows, self.cols, self.width);
        let (m, k, n) = (self.m, self.k, self.n);
        let aw = words(r * w);
        let bw = words(c * w);
        let mut abuf = vec![0u32; aw];
        let mut bbuf = vec![0u32; bw];
        let mut bytes = Vec::with_capacity(4 * (aw + bw) + 8);
        let put_words = |bytes: &mut Vec<u8>, ws: &[u32]| {
            for x in ws {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
        };
        match self.dataflow {
            Dataflow::Os => {
                for bi in 0..self.row_blocks() {
                    for bj in 0..self.col_blocks() {
                        for kk in 0..k {
                            pack(
                                &mut abuf,
                                (0..r).map(|i| {
                                    let row = bi * r + i;
                                    if row < m {
                                        a.get(row, kk)
                                    } else {
                                        0
                                    }
                                }),
                                w,
                            );
                            pack(
                                &mut bbuf,
                                (0..c).map(|j| {
                                    let col = bj * c + j;
                                    if col < n {
                                        b.get(kk, col)
                                    } else {
                                        0
                                    }
                                }),
                                w,
                            );
                            bytes.clear();
                            bytes.push(b'A');
                            put_words(&mut bytes, &abuf);
                            put_words(&mut bytes, &bbuf);
                            bytes.push((kk == k - 1) as u8);
                            out.write_all(&bytes)?;
                        }
                    }
                }
            }
            Dataflow::Ws => {
                let nb = self.col_blocks();
                for f in 0..self.folds() {
                    for bj in 0..nb {
                        // Weight tile: beat s carries row r-1-s.
                        for s in 0..r {
                            let kk = f * r + (r - 1 - s);
                            pack(
                                &mut bbuf,
                                (0..c).map(|j| {
                                    let col = bj * c + j;
                                    if kk < k && col < n {
                                        b.get(kk, col)
                                    } else {
                                        0
                                    }
                                }),
                                w,
                            );
                            bytes.clear();
                            bytes.push(b'W');
                            put_words(&mut bytes, &bbuf);
                            bytes.push((s == r - 1) as u8);
                            out.write_all(&bytes)?;
                        }
                        for i in 0..m {
                            pack(
                                &mut abuf,
                                (0..r).map(|kr| {
                                    let kk = f * r + kr;
                                    if kk < k {
                                        a.get(i, kk)
                                    } else {
                                        0
                                    }
                                }),
                                w,
                            );
                            let src = if f == 0 {
                                P_ZERO
                            } else {
                                (((f - 1) * nb + bj) * m + i) as u32
                            };
                            bytes.clear();
                            bytes.push(b'X');
                            put_words(&mut bytes, &abuf);
                            bytes.extend_from_slice(&src.to_le_bytes());
                            bytes.push((i == m - 1) as u8);
                            out.write_all(&bytes)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// C from the output beats (in the output format). `None` if the count is wrong.
    pub fn place(&self, outs: &[OutBeat]) -> Option<BitMatrix> {
        if outs.len() != self.output_beats() {
            return None;
        }
        let (r, c) = (self.rows, self.cols);
        let ow = self.out_format.width() as usize;
        let (m, n) = (self.m, self.n);
        let mut bits = vec![0u32; m * n];
        let nb = self.col_blocks();
        for (o, beat) in outs.iter().enumerate() {
            let (row, bj) = match self.dataflow {
                Dataflow::Os => {
                    let (tile, i) = (o / r, o % r);
                    ((tile / nb) * r + i, tile % nb)
                }
                Dataflow::Ws => {
                    let (job, i) = (o / m, o % m);
                    if job / nb != self.folds() - 1 {
                        continue;
                    }
                    (i, job % nb)
                }
            };
            if row >= m {
                continue;
            }
            for j in 0..c {
                let col = bj * c + j;
                if col < n {
                    bits[row * n + col] = lane(&beat.words, j, ow);
                }
            }
        }
        BitMatrix::new(m, n, self.out_format, bits).ok()
    }

    /// Output beats whose `c_tlast` must be set, in order.
    pub fn expected_last(&self) -> Vec<bool> {
        let per = match self.dataflow {
            Dataflow::Os => self.rows,
            Dataflow::Ws => self.m,
        };
        (0..self.output_beats())
            .map(|o| o % per == per - 1)
            .collect()
    }

    /// The cycle model: when each output beat leaves the RTL, with every input stream always
    /// valid and `c_tready` always high.
    pub fn predict(&self) -> Prediction {
        let (r, c) = (self.rows as u64, self.cols as u64);
        let lat = self.latency as u64;
        let mut out = Vec::with_capacity(self.output_beats());
        match self.dataflow {
            Dataflow::Os => {
                // A tile's last beat is accepted K cycles after the previous tile's, but at
                // least R cycles after it (the accumulators hand off every R cycles).
                let k = self.k as u64;
                let mut last: Option<u64> = None;
                for _ in 0..self.row_blocks() * self.col_blocks() {
                    let l = match last {
                        None => k - 1,
                        Some(p) => p + k.max(r),
                    };
                    last = Some(l);
                    out.extend((0..r).map(|i| l + lat + i));
                }
            }
            Dataflow::Ws => {
                // Per job: its R weight beats load once the shadow registers are free (one
                // cycle after the previous switch, plus the settle time R + C - 3); its first
                // activation beat switches to them once they are loaded and the previous job's
                // rows are in; a beat whose partial sums are an earlier result waits for it.
                let settle = (r + c).saturating_sub(3);
                let m = self.m;
                let nb = self.col_blocks();
                let mut prev_switch: Option<u64> = None;
                let mut prev_last: Option<u64> = None;
                for f in 0..self.folds() {
                    for bj in 0..nb {
                        let w_start = prev_switch.map_or(0, |s| s + 1 + settle);
                        let w_end = w_start + r - 1;
                        let mut t = (w_end + 1).max(prev_last.map_or(0, |l| l + 1));
                        for i in 0..m {
                            if i > 0 {
                                t += 1;
                            }
                            if f > 0 {
                                let dep = out[((f - 1) * nb + bj) * m + i];
                                t = t.max(dep + 1);
                            }
                            if i == 0 {
                                prev_switch = Some(t);
                            }
                            out.push(t + lat);
                        }
                        prev_last = Some(t);
                    }
                }
            }
        }
        let cycles = out.iter().copied().max().map_or(0, |x| x + 1);
        Prediction {
            output_cycles: out,
            cycles,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_pack_and_unpack() {
        for w in [8usize, 16, 19, 32, 13] {
            let vals: Vec<u32> = (0..7u32)
                .map(|i| {
                    (0x9e37_79b9u32.wrapping_mul(i + 1))
                        & if w == 32 { u32::MAX } else { (1 << w) - 1 }
                })
                .collect();
            let mut buf = vec![0u32; words(7 * w)];
            pack(&mut buf, vals.iter().copied(), w);
            for (i, &v) in vals.iter().enumerate() {
                assert_eq!(lane(&buf, i, w), v, "w {w} lane {i}");
            }
        }
    }

    #[test]
    fn output_stationary_model_waits_for_short_tiles() {
        let cfg = ArrayConfig {
            rows: 4,
            cols: 4,
            ..ArrayConfig::default()
        };
        let lat = cfg.result_latency() as u64;
        // Two tiles (M = 8) with K = 2 < R: the second last beat waits R cycles.
        let p = Schedule::new(&cfg, 8, 2, 4).unwrap().predict();
        assert_eq!(p.output_cycles[0], 1 + lat);
        assert_eq!(p.output_cycles[4], 1 + 4 + lat);
        assert_eq!(p.cycles, 1 + 4 + lat + 4);
    }

    #[test]
    fn weight_stationary_refuses_rounded_folds() {
        let cfg = ArrayConfig {
            rows: 4,
            cols: 4,
            dataflow: Dataflow::Ws,
            out_format: Some(FloatFormat::BF16),
            ..ArrayConfig::default()
        };
        assert!(Schedule::new(&cfg, 3, 4, 5).is_ok());
        let e = Schedule::new(&cfg, 3, 5, 5).unwrap_err().to_string();
        assert!(e.contains("2 folds") && e.contains("bf16"), "{e}");
    }
}
