//! Reference matmul throughput at 512x512x512, side by side with plain f32 and an optimised
//! f32 sgemm (the `matrixmultiply` crate), then a table of ratios read back from criterion's
//! estimates. Run with `cargo bench -p pamgen-hdl --bench matmul`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput};
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{matmul, BitMatrix, FloatFormat, MatmulSpec, Multiplier};

const N: usize = 512;
const GROUP: &str = "matmul_512";

fn operands(fmt: FloatFormat) -> (BitMatrix, BitMatrix) {
    let mut rng = SplitMix64::new(1);
    let mut m = |scale: f64| {
        let v: Vec<f64> = (0..N * N).map(|_| rng.normal() * scale).collect();
        BitMatrix::from_f64(N, N, fmt, &v).expect("shape")
    };
    (m(1.0), m(0.05))
}

fn naive_f32(a: &[f32], b: &[f32], c: &mut [f32]) {
    for i in 0..N {
        for j in 0..N {
            let mut s = 0f32;
            for k in 0..N {
                s += a[i * N + k] * b[k * N + j];
            }
            c[i * N + j] = s;
        }
    }
}

fn sgemm(a: &[f32], b: &[f32], c: &mut [f32]) {
    // SAFETY: a, b and c are N*N row-major matrices with the strides given.
    unsafe {
        matrixmultiply::sgemm(
            N,
            N,
            N,
            1.0,
            a.as_ptr(),
            N as isize,
            1,
            b.as_ptr(),
            N as isize,
            1,
            0.0,
            c.as_mut_ptr(),
            N as isize,
            1,
        );
    }
}

const CASES: [&str; 6] = [
    "pam_bf16_fp32",
    "exact_bf16_fp32",
    "pam_fp16_fp32",
    "pam_fp32_fp32",
    "naive_f32_triple_loop",
    "sgemm_matrixmultiply",
];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group(GROUP);
    g.throughput(Throughput::Elements((N * N * N) as u64));
    g.sample_size(10);
    for (name, op, mul) in [
        (CASES[0], FloatFormat::BF16, Multiplier::Pam),
        (CASES[1], FloatFormat::BF16, Multiplier::Exact),
        (CASES[2], FloatFormat::FP16, Multiplier::Pam),
        (CASES[3], FloatFormat::FP32, Multiplier::Pam),
    ] {
        let spec = MatmulSpec::new(op, FloatFormat::FP32, mul, 0).expect("spec");
        let (a, b) = operands(op);
        g.bench_function(name, |bch| {
            bch.iter(|| matmul(&spec, black_box(&a), black_box(&b)))
        });
    }
    let (a, b) = operands(FloatFormat::FP32);
    let (af, bf) = (a.to_f32(), b.to_f32());
    let mut out = vec![0f32; N * N];
    g.bench_function(CASES[4], |bch| {
        bch.iter(|| naive_f32(black_box(&af), black_box(&bf), &mut out))
    });
    g.bench_function(CASES[5], |bch| {
        bch.iter(|| sgemm(black_box(&af), black_box(&bf), &mut out))
    });
    g.finish();
}

/// Median time of one case from criterion's saved estimates, in seconds.
fn median_seconds(case: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = dir
        .join("criterion")
        .join(GROUP)
        .join(case)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    // {"mean":{...},"median":{"confidence_interval":{...},"point_estimate":123.4,...
    let at = text.find("\"median\"")?;
    let rest = &text[at..];
    let p = rest.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let num: String = rest[p..]
        .chars()
        .take_while(|c| "0123456789.eE+-".contains(*c))
        .collect();
    num.parse::<f64>().ok().map(|ns| ns * 1e-9)
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    let macs = (N * N * N) as f64;
    let base = median_seconds("pam_bf16_fp32");
    println!(
        "\n{GROUP}: {N}x{N}x{N}, {} threads",
        rayon::current_num_threads()
    );
    println!(
        "{:<24} {:>10} {:>12} {:>18}",
        "case", "median ms", "G MAC/s", "time / pam_bf16"
    );
    for case in CASES {
        if let Some(t) = median_seconds(case) {
            let ratio = base.map(|b| format!("{:.2}x", t / b)).unwrap_or_default();
            println!(
                "{case:<24} {:>10.2} {:>12.3} {ratio:>18}",
                t * 1e3,
                macs / t / 1e9
            );
        }
    }
}
