//! Workloads: the GEMMs of one transformer layer on seeded data of realistic scale.
//!
//! Activations are layer-normalized rows (mean 0, variance 1), weights are Xavier-uniform,
//! attention probabilities are softmax rows. The GEMMs are, in order: the Q, K and V
//! projections; per head the scores Q_h K_h^T and the context P_h V_h; the output projection;
//! FFN up and FFN down. Each GEMM's inputs come from the previous ones' reference results
//! (the RTL must equal them bit for bit), rounded to the operand format; the operations
//! between GEMMs (softmax, residual, layer norm, GELU) run in f64 on the host.

use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{matmul, BitMatrix, FloatFormat, MatmulSpec};
use serde::Serialize;

use crate::error::SimError;

/// Largest dimension a workload accepts.
pub const MAX_DIM: usize = 16384;

/// Dimensions of a transformer layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TransformerShape {
    /// Model width.
    pub d_model: usize,
    /// Attention heads (must divide `d_model`).
    pub heads: usize,
    /// Hidden width of the feed-forward block.
    pub d_ff: usize,
    /// Sequence length.
    pub seq: usize,
    /// Seed of the data.
    pub seed: u64,
}

impl Default for TransformerShape {
    fn default() -> Self {
        TransformerShape {
            d_model: 384,
            heads: 12,
            d_ff: 1536,
            seq: 64,
            seed: 1,
        }
    }
}

impl TransformerShape {
    /// Check every dimension, naming the flag and the allowed range.
    pub fn validate(&self) -> Result<(), SimError> {
        for (flag, v) in [
            ("--d-model", self.d_model),
            ("--heads", self.heads),
            ("--d-ff", self.d_ff),
            ("--seq", self.seq),
        ] {
            if v == 0 || v > MAX_DIM {
                return Err(SimError::Shape(format!(
                    "{flag} = {v}: must be between 1 and {MAX_DIM}"
                )));
            }
        }
        if !self.d_model.is_multiple_of(self.heads) {
            return Err(SimError::Shape(format!(
                "--heads = {}: must divide --d-model = {}",
                self.heads, self.d_model
            )));
        }
        Ok(())
    }

    /// Width of one head.
    pub fn d_head(&self) -> usize {
        self.d_model / self.heads
    }

    /// Multiply-accumulates of the layer's GEMMs.
    pub fn macs(&self) -> u64 {
        let (d, f, s, h) = (
            self.d_model as u64,
            self.d_ff as u64,
            self.seq as u64,
            self.heads as u64,
        );
        let dh = d / h;
        4 * s * d * d + h * 2 * s * s * dh + 2 * s * d * f
    }
}

/// One GEMM of a workload.
#[derive(Debug, Clone)]
pub struct Gemm {
    /// Its name, e.g. `q_proj` or `scores.h3`.
    pub name: String,
    /// A (M x K) in the operand format.
    pub a: BitMatrix,
    /// B (K x N) in the operand format.
    pub b: BitMatrix,
}

/// Row-major f64 matrix used between GEMMs.
struct Mat {
    rows: usize,
    cols: usize,
    v: Vec<f64>,
}

impl Mat {
    fn quantize(&self, f: FloatFormat) -> BitMatrix {
        BitMatrix::from_f64(self.rows, self.cols, f, &self.v).expect("shape is consistent")
    }

    fn cols(&self, c0: usize, n: usize) -> Mat {
        let v = (0..self.rows)
            .flat_map(|i| {
                self.v[i * self.cols + c0..i * self.cols + c0 + n]
                    .iter()
                    .copied()
            })
            .collect();
        Mat {
            rows: self.rows,
            cols: n,
            v,
        }
    }

    fn transpose(&self) -> Mat {
        let v = (0..self.cols)
            .flat_map(|j| (0..self.rows).map(move |i| (i, j)))
            .map(|(i, j)| self.v[i * self.cols + j])
            .collect();
        Mat {
            rows: self.cols,
            cols: self.rows,
            v,
        }
    }

    fn layer_norm(mut self) -> Mat {
        for row in self.v.chunks_mut(self.cols) {
            let n = row.len() as f64;
            let mean = row.iter().sum::<f64>() / n;
            let var = row.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
            let inv = 1.0 / (var + 1e-5).sqrt();
            row.iter_mut().for_each(|x| *x = (*x - mean) * inv);
        }
        self
    }
}

fn xavier(rng: &mut SplitMix64, fan_in: usize, fan_out: usize) -> Mat {
    let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
    Mat {
        rows: fan_in,
        cols: fan_out,
        v: (0..fan_in * fan_out)
            .map(|_| (2.0 * rng.unit_f64() - 1.0) * a)
            .collect(),
    }
}

/// The GEMMs of one transformer layer, in execution order, for a design computing `spec`
/// (rounded to `out` if set).
pub fn transformer(
    shape: &TransformerShape,
    spec: &MatmulSpec,
    out: Option<FloatFormat>,
) -> Result<Vec<Gemm>, SimError> {
    shape.validate()?;
    let f = spec.operand();
    let (s, d, dff, h, dh) = (
        shape.seq,
        shape.d_model,
        shape.d_ff,
        shape.heads,
        shape.d_head(),
    );
    let mut rng = SplitMix64::new(shape.seed);
    let x = Mat {
        rows: s,
        cols: d,
        v: (0..s * d).map(|_| rng.normal()).collect(),
    }
    .layer_norm();
    let wq = xavier(&mut rng, d, d);
    let wk = xavier(&mut rng, d, d);
    let wv = xavier(&mut rng, d, d);
    let wo = xavier(&mut rng, d, d);
    let w1 = xavier(&mut rng, d, dff);
    let w2 = xavier(&mut rng, dff, d);

    let mut gemms = Vec::new();
    // Run the reference and return its result as f64 (what the next operation sees).
    let mut gemm = |name: String, a: BitMatrix, b: BitMatrix| -> Result<Mat, SimError> {
        let c = matmul(spec, &a, &b).map_err(|e| SimError::Shape(format!("{name}: {e}")))?;
        let c = match out {
            Some(o) => c.convert(o),
            None => c,
        };
        let m = Mat {
            rows: c.rows(),
            cols: c.cols(),
            v: c.to_f64(),
        };
        gemms.push(Gemm { name, a, b });
        Ok(m)
    };
    let xq = x.quantize(f);
    let q = gemm("q_proj".into(), xq.clone(), wq.quantize(f))?;
    let k = gemm("k_proj".into(), xq.clone(), wk.quantize(f))?;
    let v = gemm("v_proj".into(), xq, wv.quantize(f))?;
    let mut context = Mat {
        rows: s,
        cols: d,
        v: vec![0.0; s * d],
    };
    let scale = 1.0 / (dh as f64).sqrt();
    for head in 0..h {
        let qh = q.cols(head * dh, dh);
        let kht = k.cols(head * dh, dh).transpose();
        let mut p = gemm(format!("scores.h{head}"), qh.quantize(f), kht.quantize(f))?;
        for row in p.v.chunks_mut(s) {
            let max = row
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .fold(f64::NEG_INFINITY, f64::max);
            let max = if max.is_finite() { max } else { 0.0 };
            let mut sum = 0.0;
            for x in row.iter_mut() {
                *x = if x.is_finite() {
                    ((*x - max) * scale).exp()
                } else {
                    0.0
                };
                sum += *x;
            }
            row.iter_mut()
                .for_each(|x| *x /= sum.max(f64::MIN_POSITIVE));
        }
        let vh = v.cols(head * dh, dh);
        let ctx = gemm(format!("pv.h{head}"), p.quantize(f), vh.quantize(f))?;
        for i in 0..s {
            for j in 0..dh {
                context.v[i * d + head * dh + j] = ctx.v[i * dh + j];
            }
        }
    }
    let attn = gemm("out_proj".into(), context.quantize(f), wo.quantize(f))?;
    let hidden = Mat {
        rows: s,
        cols: d,
        v: x.v.iter().zip(&attn.v).map(|(a, b)| a + b).collect(),
    }
    .layer_norm();
    let mut up = gemm("ffn_up".into(), hidden.quantize(f), w1.quantize(f))?;
    // GELU, tanh form.
    for x in up.v.iter_mut() {
        let t = (0.797_884_560_802_865_4 * (*x + 0.044715 * *x * *x * *x)).tanh();
        *x = 0.5 * *x * (1.0 + t);
    }
    gemm("ffn_down".into(), up.quantize(f), w2.quantize(f))?;
    Ok(gemms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pamgen_hdl::Multiplier;

    #[test]
    fn a_layer_has_its_gemms_with_their_shapes() {
        let shape = TransformerShape {
            d_model: 16,
            heads: 2,
            d_ff: 24,
            seq: 5,
            seed: 3,
        };
        let spec =
            MatmulSpec::new(FloatFormat::BF16, FloatFormat::FP32, Multiplier::Pam, 0).unwrap();
        let g = transformer(&shape, &spec, None).unwrap();
        let names: Vec<&str> = g.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "q_proj",
                "k_proj",
                "v_proj",
                "scores.h0",
                "pv.h0",
                "scores.h1",
                "pv.h1",
                "out_proj",
                "ffn_up",
                "ffn_down"
            ]
        );
        let dims: Vec<(usize, usize, usize)> = g
            .iter()
            .map(|g| (g.a.rows(), g.a.cols(), g.b.cols()))
            .collect();
        assert_eq!(dims[0], (5, 16, 16));
        assert_eq!(dims[3], (5, 8, 5));
        assert_eq!(dims[4], (5, 5, 8));
        assert_eq!(dims[8], (5, 16, 24));
        assert_eq!(dims[9], (5, 24, 16));
        let macs: u64 = dims.iter().map(|&(m, k, n)| (m * k * n) as u64).sum();
        assert_eq!(macs, shape.macs());
        // Softmax rows sum to about 1 (after rounding to bf16).
        let p = &g[4].a;
        for i in 0..5 {
            let s: f64 = (0..5).map(|j| FloatFormat::BF16.to_f64(p.get(i, j))).sum();
            assert!((s - 1.0).abs() < 0.02, "row {i} sums to {s}");
        }
        // Same seed, same data; another seed, other data.
        let again = transformer(&shape, &spec, None).unwrap();
        assert_eq!(again[9].a, g[9].a);
        let other = transformer(&TransformerShape { seed: 4, ..shape }, &spec, None).unwrap();
        assert_ne!(other[0].a, g[0].a);
        let e = TransformerShape { heads: 3, ..shape }
            .validate()
            .unwrap_err()
            .to_string();
        assert!(e.contains("--heads") && e.contains("--d-model"), "{e}");
    }
}
