//! What a sweep covers: lists of every swept parameter (from flags or a TOML file), the
//! workload, and the points they expand to, in a fixed order that sharding and resuming rely on.

use std::path::Path;

use pamgen_gen::config::{ArrayConfig, MAX_DIM};
use pamgen_hdl::blocks::catalog::Dataflow;
use pamgen_hdl::{FloatFormat, Multiplier, Offset};
use serde::{Deserialize, Serialize};

use crate::error::SimError;
use crate::workload::TransformerShape;

/// The workload every point simulates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WorkloadSpec {
    /// One transformer layer.
    Transformer(TransformerShape),
    /// One GEMM M x K x N on seeded normal data.
    Gemm {
        /// Rows of A.
        m: usize,
        /// Columns of A, rows of B.
        k: usize,
        /// Columns of B.
        n: usize,
        /// Seed of the data.
        seed: u64,
    },
}

impl WorkloadSpec {
    /// Parse `transformer` or `gemm:MxKxN` (the transformer takes `shape`, the GEMM its seed).
    pub fn parse(s: &str, shape: TransformerShape) -> Result<Self, SimError> {
        let bad = || {
            SimError::Shape(format!(
                "--workload {s}: allowed `transformer` or `gemm:MxKxN` with each of M, K, N in 1..={}",
                crate::workload::MAX_DIM
            ))
        };
        if s == "transformer" {
            shape.validate()?;
            return Ok(WorkloadSpec::Transformer(shape));
        }
        let dims = s.strip_prefix("gemm:").ok_or_else(bad)?;
        let v: Vec<usize> = dims
            .split('x')
            .map(|d| d.parse::<usize>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        match v[..] {
            [m, k, n]
                if [m, k, n]
                    .iter()
                    .all(|&d| (1..=crate::workload::MAX_DIM).contains(&d)) =>
            {
                Ok(WorkloadSpec::Gemm {
                    m,
                    k,
                    n,
                    seed: shape.seed,
                })
            }
            _ => Err(bad()),
        }
    }

    /// A short name for tables, e.g. `transformer(d384,h12,ff1536,s64)` or `gemm:64x64x64`.
    pub fn name(&self) -> String {
        match self {
            WorkloadSpec::Transformer(t) => format!(
                "transformer(d{},h{},ff{},s{})",
                t.d_model, t.heads, t.d_ff, t.seq
            ),
            WorkloadSpec::Gemm { m, k, n, .. } => format!("gemm:{m}x{k}x{n}"),
        }
    }
}

/// The swept parameter lists, as in a sweep TOML file (all keys optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SweepLists {
    /// Rows of PEs.
    pub rows: Vec<usize>,
    /// Columns of PEs; empty means square arrays (cols = rows).
    pub cols: Vec<usize>,
    /// Operand formats.
    pub formats: Vec<FloatFormat>,
    /// Accumulator formats.
    pub accs: Vec<FloatFormat>,
    /// Dataflows.
    pub dataflows: Vec<Dataflow>,
    /// Multipliers.
    pub multipliers: Vec<Multiplier>,
    /// PAM offsets (numbers or presets); the exact multiplier takes no offset.
    pub offsets: Vec<Offset>,
    /// Pipeline register in every PE.
    pub pipelined: bool,
    /// `transformer` or `gemm:MxKxN`.
    pub workload: String,
    /// Transformer dimensions.
    pub d_model: usize,
    /// Transformer heads.
    pub heads: usize,
    /// Transformer FFN width.
    pub d_ff: usize,
    /// Transformer sequence length.
    pub seq: usize,
    /// Seed of the workload data.
    pub seed: u64,
}

impl Default for SweepLists {
    fn default() -> Self {
        let t = TransformerShape::default();
        SweepLists {
            rows: vec![4, 8],
            cols: Vec::new(),
            formats: vec![FloatFormat::BF16],
            accs: vec![FloatFormat::FP32],
            dataflows: vec![Dataflow::Os],
            multipliers: vec![Multiplier::Pam, Multiplier::Exact],
            offsets: vec![Offset::Value(0)],
            pipelined: false,
            workload: "gemm:64x64x64".into(),
            d_model: t.d_model,
            heads: t.heads,
            d_ff: t.d_ff,
            seq: t.seq,
            seed: t.seed,
        }
    }
}

impl SweepLists {
    /// Read a sweep TOML file (unknown keys are errors).
    pub fn from_toml_file(path: &Path) -> Result<Self, SimError> {
        let text = std::fs::read_to_string(path)
            .map_err(SimError::io(format!("reading {}", path.display())))?;
        toml::from_str(&text).map_err(|e| SimError::Shape(format!("{}: {e}", path.display())))
    }

    /// The workload.
    pub fn workload(&self) -> Result<WorkloadSpec, SimError> {
        WorkloadSpec::parse(
            &self.workload,
            TransformerShape {
                d_model: self.d_model,
                heads: self.heads,
                d_ff: self.d_ff,
                seq: self.seq,
                seed: self.seed,
            },
        )
    }

    /// Every point, in sweep order; each configuration is validated (the error names the
    /// point and the field).
    pub fn points(&self) -> Result<Vec<Point>, SimError> {
        for (flag, list) in [("--rows", &self.rows), ("--cols", &self.cols)] {
            if let Some(&bad) = list.iter().find(|&&v| v == 0 || v > MAX_DIM) {
                return Err(SimError::Shape(format!(
                    "{flag} {bad}: every entry must be between 1 and {MAX_DIM}"
                )));
            }
        }
        for (flag, empty) in [
            ("--rows", self.rows.is_empty()),
            ("--formats", self.formats.is_empty()),
            ("--accs", self.accs.is_empty()),
            ("--dataflows", self.dataflows.is_empty()),
            ("--multipliers", self.multipliers.is_empty()),
            ("--offsets", self.offsets.is_empty()),
        ] {
            if empty {
                return Err(SimError::Shape(format!("{flag}: the list is empty")));
            }
        }
        let mut points = Vec::new();
        for &dataflow in &self.dataflows {
            for &format in &self.formats {
                for &acc in &self.accs {
                    for &rows in &self.rows {
                        let cols_list = if self.cols.is_empty() {
                            vec![rows]
                        } else {
                            self.cols.clone()
                        };
                        for cols in cols_list {
                            for &multiplier in &self.multipliers {
                                let offsets: Vec<Offset> = match multiplier {
                                    Multiplier::Pam => self.offsets.clone(),
                                    Multiplier::Exact => vec![Offset::Value(0)],
                                };
                                for offset in offsets {
                                    let config = ArrayConfig {
                                        rows,
                                        cols,
                                        format,
                                        acc,
                                        multiplier,
                                        offset: offset.clone(),
                                        dataflow,
                                        pipelined: self.pipelined,
                                        top: "pam_array".into(),
                                        ..ArrayConfig::default()
                                    };
                                    let id = point_id(&config);
                                    config
                                        .validate()
                                        .map_err(|e| SimError::Shape(format!("point {id}: {e}")))?;
                                    points.push(Point {
                                        index: points.len(),
                                        id,
                                        config,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(points)
    }
}

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Position in the full sweep (before sharding).
    pub index: usize,
    /// Stable identifier, e.g. `os-8x8-bf16-fp32-pam-off0`.
    pub id: String,
    /// The array configuration.
    pub config: ArrayConfig,
}

/// The identifier of a configuration's point.
pub fn point_id(c: &ArrayConfig) -> String {
    let off = match c.multiplier {
        Multiplier::Pam => format!("-off{}", c.offset),
        Multiplier::Exact => String::new(),
    };
    format!(
        "{}-{}x{}-{}-{}-{}{}{}",
        c.dataflow,
        c.rows,
        c.cols,
        c.format,
        c.acc,
        c.multiplier,
        off,
        if c.pipelined { "-pipe" } else { "" }
    )
}

/// `--shard I/N`: this machine runs the points whose index is I modulo N (I in 0..N).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Shard {
    /// This shard, 0-based.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("--shard {s}: expected I/N with 0 <= I < N, e.g. 0/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether this shard runs `p`.
    pub fn takes(&self, p: &Point) -> bool {
        p.index % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_expand_in_a_fixed_order_and_exact_takes_no_offset() {
        let l = SweepLists {
            rows: vec![2, 4],
            offsets: vec![Offset::Value(0), Offset::Preset("unbiased".into())],
            ..SweepLists::default()
        };
        let ids: Vec<String> = l.points().unwrap().into_iter().map(|p| p.id).collect();
        assert_eq!(
            ids,
            [
                "os-2x2-bf16-fp32-pam-off0",
                "os-2x2-bf16-fp32-pam-offunbiased",
                "os-2x2-bf16-fp32-exact",
                "os-4x4-bf16-fp32-pam-off0",
                "os-4x4-bf16-fp32-pam-offunbiased",
                "os-4x4-bf16-fp32-exact",
            ]
        );
        let shards: Vec<Shard> = ["0/2", "1/2"].iter().map(|s| s.parse().unwrap()).collect();
        let pts = l.points().unwrap();
        let a: Vec<usize> = pts
            .iter()
            .filter(|p| shards[0].takes(p))
            .map(|p| p.index)
            .collect();
        let b: Vec<usize> = pts
            .iter()
            .filter(|p| shards[1].takes(p))
            .map(|p| p.index)
            .collect();
        assert_eq!((a, b), (vec![0, 2, 4], vec![1, 3, 5]));
        assert!("2/2".parse::<Shard>().is_err() && "x".parse::<Shard>().is_err());
        let e = SweepLists {
            rows: vec![0],
            ..l.clone()
        }
        .points()
        .unwrap_err()
        .to_string();
        assert!(e.contains("--rows") && e.contains("256"), "{e}");
        let e = SweepLists {
            formats: vec![FloatFormat::new(8, 4).unwrap()],
            ..l
        }
        .points()
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("point os-2x2-e8m4") && e.contains("format"),
            "{e}"
        );
        assert!(WorkloadSpec::parse("gemm:2x3", TransformerShape::default()).is_err());
        assert_eq!(
            WorkloadSpec::parse("gemm:2x3x4", TransformerShape::default())
                .unwrap()
                .name(),
            "gemm:2x3x4"
        );
    }

    #[test]
    fn a_sweep_file_sets_every_list() {
        let l: SweepLists = toml::from_str(
            "rows = [2, 3]\ncols = [5]\nformats = [\"fp16\"]\ndataflows = [\"ws\"]\n\
             multipliers = [\"pam\"]\noffsets = [0, \"unbiased\"]\npipelined = true\n\
             workload = \"transformer\"\nd_model = 8\nheads = 2\nd_ff = 16\nseq = 3\n",
        )
        .unwrap();
        let ids: Vec<String> = l.points().unwrap().into_iter().map(|p| p.id).collect();
        assert_eq!(
            ids,
            [
                "ws-2x5-fp16-fp32-pam-off0-pipe",
                "ws-2x5-fp16-fp32-pam-offunbiased-pipe",
                "ws-3x5-fp16-fp32-pam-off0-pipe",
                "ws-3x5-fp16-fp32-pam-offunbiased-pipe",
            ]
        );
        assert_eq!(l.workload().unwrap().name(), "transformer(d8,h2,ff16,s3)");
        assert!(toml::from_str::<SweepLists>("rowz = [1]").is_err());
    }
}
