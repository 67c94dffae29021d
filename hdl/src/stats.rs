//! Accuracy of a result against an exact (`f64`) matmul of the same operands.

use serde::{Deserialize, Serialize};

/// Error statistics of a result matrix against a reference matrix (both row-major `f64`).
///
/// Elements where either value is non-finite are counted in `nonfinite` and left out of every
/// statistic; relative errors `|c - e| / |e|` use only elements whose reference `e` is non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AccuracyStats {
    /// Number of elements compared.
    pub elements: usize,
    /// Elements where the result or the reference is Inf or NaN.
    pub nonfinite: usize,
    /// Largest relative error.
    pub max_rel_err: f64,
    /// Mean relative error.
    pub mean_rel_err: f64,
    /// `||C - E||_F / ||E||_F`.
    pub rel_frobenius: f64,
    /// Cosine similarity of C and E as vectors.
    pub cosine: f64,
}

impl AccuracyStats {
    /// Compare `result` with `reference` element by element.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn compare(result: &[f64], reference: &[f64]) -> Self {
        assert_eq!(result.len(), reference.len(), "compare needs equal lengths");
        let (mut nonfinite, mut rel_n) = (0usize, 0usize);
        let (mut max_rel, mut sum_rel) = (0f64, 0f64);
        let (mut diff2, mut ref2, mut res2, mut dot) = (0f64, 0f64, 0f64, 0f64);
        for (&c, &e) in result.iter().zip(reference) {
            if !c.is_finite() || !e.is_finite() {
                nonfinite += 1;
                continue;
            }
            let d = c - e;
            diff2 += d * d;
            ref2 += e * e;
            res2 += c * c;
            dot += c * e;
            if e != 0.0 {
                let rel = d.abs() / e.abs();
                max_rel = max_rel.max(rel);
                sum_rel += rel;
                rel_n += 1;
            }
        }
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
        AccuracyStats {
            elements: result.len(),
            nonfinite,
            max_rel_err: max_rel,
            mean_rel_err: ratio(sum_rel, rel_n as f64),
            rel_frobenius: ratio(diff2.sqrt(), ref2.sqrt()),
            cosine: if ref2 > 0.0 && res2 > 0.0 {
                dot / (ref2.sqrt() * res2.sqrt())
            } else if ref2 == 0.0 && res2 == 0.0 {
                1.0
            } else {
                0.0
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let s = AccuracyStats::compare(&[1.0, 2.0, 0.5, f64::NAN], &[1.0, 4.0, 0.0, 1.0]);
        assert_eq!(s.elements, 4);
        assert_eq!(s.nonfinite, 1);
        assert_eq!(s.max_rel_err, 0.5);
        assert_eq!(s.mean_rel_err, 0.25);
        assert!((s.rel_frobenius - (4.25f64).sqrt() / 17f64.sqrt()).abs() < 1e-15);
        let cos = 9.0 / (5.25f64.sqrt() * 17f64.sqrt());
        assert!((s.cosine - cos).abs() < 1e-15);
        let same = AccuracyStats::compare(&[3.0, -1.0], &[3.0, -1.0]);
        assert_eq!((same.max_rel_err, same.rel_frobenius), (0.0, 0.0));
        assert!((same.cosine - 1.0).abs() < 1e-15);
    }
}
