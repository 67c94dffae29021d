//! Time to generate a design (all files, in memory) for several array sizes.
//! Run with `cargo bench -p pamgen-gen --bench generate`.

use criterion::{criterion_group, criterion_main, Criterion};
use pamgen_gen::array::generate;
use pamgen_gen::config::ArrayConfig;
use pamgen_hdl::Multiplier;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("generate");
    for (n, multiplier) in [
        (8, Multiplier::Pam),
        (32, Multiplier::Pam),
        (128, Multiplier::Pam),
        (128, Multiplier::Exact),
    ] {
        let cfg = ArrayConfig {
            rows: n,
            cols: n,
            multiplier,
            ..ArrayConfig::default()
        };
        g.bench_function(format!("{n}x{n}_{multiplier}"), |b| {
            b.iter(|| generate(&cfg).expect("valid"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
