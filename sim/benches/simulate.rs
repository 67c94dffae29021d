//! Simulation benchmarks, printed as a table: for 4x4 ... 32x32 output-stationary bf16 -> fp32
//! PAM arrays, the Verilator model's build time (cold cache), its simulated cycles/s and MAC/s
//! on a 256x256x256 GEMM, and the same design under Icarus Verilog (the usual alternative) on a
//! shorter GEMM run by both, as a ratio; then utilization of 256x256x256 on 8x8 and 16x16
//! arrays in both dataflows. Every run is also checked bit for bit.
//!
//! `cargo bench -p pamgen-sim --bench simulate` (about 10 minutes on 2 cores).
//! `PAMGEN_BENCH_SIZES=4,8` limits the array sizes.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use pamgen_gen::config::ArrayConfig;
use pamgen_hdl::blocks::catalog::Dataflow;
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{BitMatrix, FloatFormat};
use pamgen_sim::driver::words;
use pamgen_sim::schedule::{lane, Schedule};
use pamgen_sim::{build, simulate_gemm, DesignDir, Toolchain};

fn matrix(rng: &mut SplitMix64, r: usize, c: usize) -> BitMatrix {
    let f = FloatFormat::BF16;
    BitMatrix::new(
        r,
        c,
        f,
        (0..r * c).map(|_| f.from_f64(rng.normal())).collect(),
    )
    .unwrap()
}

fn config(n: usize, dataflow: Dataflow) -> ArrayConfig {
    ArrayConfig {
        rows: n,
        cols: n,
        dataflow,
        top: "dut".into(),
        ..ArrayConfig::default()
    }
}

/// Run the output-stationary GEMM under iverilog with a testbench that replays the same beats;
/// returns (compile seconds, run seconds, cycles) after checking the results bit for bit.
/// With `max_cycles`, the run stops after that many cycles (for arrays where iverilog would
/// take hours) and only its speed is measured.
fn iverilog(
    design: &DesignDir,
    a: &BitMatrix,
    b: &BitMatrix,
    want: &BitMatrix,
    max_cycles: Option<u64>,
) -> (f64, f64, u64) {
    let cfg = &design.config;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut files = Vec::new();
    for (name, bytes) in &design.verilog {
        std::fs::write(d.join(name), bytes).unwrap();
        files.push(d.join(name));
    }
    let sched = Schedule::new(cfg, a.rows(), a.cols(), b.cols()).unwrap();
    let mut stream = Vec::new();
    sched.write_stream(a, b, &mut stream).unwrap();
    let (r, c, w) = (cfg.rows, cfg.cols, cfg.format.width() as usize);
    let (aw, bw) = (words(r * w), words(c * w));
    let rec = 1 + 4 * (aw + bw) + 1;
    let mut hex = String::new();
    let beats = stream.len() / rec;
    for chunk in stream.chunks_exact(rec) {
        let ws: Vec<u32> = chunk[1..rec - 1]
            .chunks_exact(4)
            .map(|x| u32::from_le_bytes(x.try_into().unwrap()))
            .collect();
        // {last, b, a} as one hex word, a in the low bits.
        let mut bits = vec![false; r * w + c * w + 1];
        for i in 0..r * w {
            bits[i] = lane(&ws[..aw], i, 1) == 1;
        }
        for i in 0..c * w {
            bits[r * w + i] = lane(&ws[aw..], i, 1) == 1;
        }
        bits[r * w + c * w] = chunk[rec - 1] != 0;
        let digits: String = (0..bits.len().div_ceil(4))
            .rev()
            .map(|dgt| {
                let v = (0..4).fold(0u32, |acc, k| {
                    acc | (bits.get(dgt * 4 + k).copied().unwrap_or(false) as u32) << k
                });
                std::char::from_digit(v, 16).unwrap()
            })
            .collect();
        writeln!(hex, "{digits}").unwrap();
    }
    std::fs::write(d.join("beats.hex"), hex).unwrap();
    let expected = sched.output_beats();
    let tb = format!(
        "`timescale 1ns/1ps
module tb;
  localparam integer N = {beats};
  localparam integer AB = {ab};
  reg clk_i = 1'b0;
  reg rst_ni = 1'b0;
  reg [AB:0] mem [0:N-1];
  integer idx = 0;
  integer outs = 0;
  integer cycle = 0;
  integer fd;
  wire a_tready, b_tready, c_tvalid, c_tlast;
  wire [{cw}:0] c_tdata;
  wire have = rst_ni && idx < N;
  wire [AB:0] beat = have ? mem[idx] : {{(AB+1){{1'b0}}}};
  dut u_dut(.clk_i(clk_i), .rst_ni(rst_ni), .a_tdata(beat[{aw}:0]), .a_tvalid(have),
            .a_tlast(beat[AB]), .a_tready(a_tready), .b_tdata(beat[AB-1:{aw1}]), .b_tvalid(have),
            .b_tready(b_tready), .c_tdata(c_tdata), .c_tvalid(c_tvalid), .c_tready(1'b1),
            .c_tlast(c_tlast));
  initial begin
    $readmemh(\"beats.hex\", mem);
    fd = $fopen(\"out.txt\", \"w\");
  end
  always #5 clk_i = ~clk_i;
  always @(posedge clk_i) begin
    if (!rst_ni) begin
      cycle <= cycle + 1;
      if (cycle == 1) rst_ni <= 1'b1;
    end else begin
      if (have && a_tready && b_tready) idx <= idx + 1;
      if (c_tvalid) begin
        $fdisplay(fd, \"%h\", c_tdata);
        outs = outs + 1;
        if (outs == {expected}) begin
          $fclose(fd);
          $finish;
        end
      end
      cycle <= cycle + 1;
      if (cycle == {limit}) begin
        $fclose(fd);
        $finish;
      end
    end
  end
endmodule
",
        limit = max_cycles.map_or(-1, |m| m as i64 + 1),
        ab = r * w + c * w,
        aw = r * w - 1,
        aw1 = r * w,
        cw = c * cfg.out_width() - 1,
    );
    std::fs::write(d.join("tb.v"), tb).unwrap();
    let t0 = Instant::now();
    let st = Command::new("iverilog")
        .args(["-g2005", "-s", "tb", "-o", "sim.vvp"])
        .args(&files)
        .arg("tb.v")
        .current_dir(d)
        .status()
        .expect("iverilog is installed");
    assert!(st.success());
    let compile = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let st = Command::new("vvp")
        .args(["-n", "sim.vvp"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(st.status.success());
    let run = t0.elapsed().as_secs_f64();
    if let Some(m) = max_cycles {
        return (compile, run, m);
    }
    // Check the results: the tile order is the schedule's, rows in order.
    let text = std::fs::read_to_string(d.join("out.txt")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), expected);
    let outs: Vec<pamgen_sim::schedule::OutBeat> = lines
        .iter()
        .map(|l| {
            let v: Vec<u32> = (0..c)
                .map(|j| {
                    u32::from_str_radix(&l[l.len() - 8 * (j + 1)..l.len() - 8 * j], 16).unwrap()
                })
                .collect();
            pamgen_sim::schedule::OutBeat {
                words: v,
                last: false,
                cycle: 0,
            }
        })
        .collect();
    assert_eq!(&sched.place(&outs).unwrap(), want, "iverilog results");
    (compile, run, sched.predict().cycles)
}

fn main() {
    let tools = Toolchain::detect().unwrap_or_else(|e| panic!("{e}"));
    let sizes: Vec<usize> = std::env::var("PAMGEN_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![4, 8, 16, 32]);
    let cache = tempfile::tempdir().unwrap();
    let mut rng = SplitMix64::new(1);
    let a = matrix(&mut rng, 256, 256);
    let b = matrix(&mut rng, 256, 256);
    let mut table = String::new();
    writeln!(table, "| array | Verilator build (s) | cycles | M cycles/s | M MAC/s | util | iverilog compile (s) | iverilog cycles/s | Verilator / iverilog |").unwrap();
    writeln!(
        table,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    .unwrap();
    for &n in &sizes {
        let cfg = config(n, Dataflow::Os);
        let design = DesignDir::from_config(&cfg).unwrap();
        let model = build(&tools, &design, None, cache.path()).unwrap();
        let big = simulate_gemm(&model, "256^3", &a, &b, None).unwrap();
        assert!(big.report.passed(), "{n}x{n}: {:?}", big.report);
        // A short GEMM for iverilog (it is thousands of times slower): one tile.
        let k = if n <= 8 { 128 } else { 32 };
        let sa = matrix(&mut rng, n, k);
        let sb = matrix(&mut rng, k, n);
        let small = simulate_gemm(&model, "small", &sa, &sb, None).unwrap();
        assert!(small.report.passed());
        // From 16x16, iverilog needs minutes per cycle: time the first 8 cycles only.
        let limit = (n >= 16).then_some(8);
        let (icomp, irun, icycles) = iverilog(&design, &sa, &sb, &small.reference, limit);
        if limit.is_none() {
            assert_eq!(icycles, small.report.cycles);
        }
        let r = &big.report;
        let icps = icycles as f64 / irun;
        let ratio = r.cycles_per_second / icps;
        writeln!(
            table,
            "| {n}x{n} | {:.1} | {} | {:.3} | {:.1} | {:.2}% | {:.2} | {:.3} | {:.0}x |",
            model.build_seconds,
            r.cycles,
            r.cycles_per_second / 1e6,
            r.simulated_macs_per_second / 1e6,
            100.0 * r.utilization,
            icomp,
            icps,
            ratio
        )
        .unwrap();
        eprintln!("{}", table.lines().last().unwrap_or_default());
    }
    println!("\nbf16 -> fp32 PAM, output-stationary; 256x256x256 GEMM; iverilog runs one n x K x n tile (K = 128, or 32 from 16x16) of the same design; Verilator / iverilog = ratio of simulated cycles/s\n");
    println!("{table}");

    let mut util = String::new();
    writeln!(util, "| array | dataflow | cycles | ideal | utilization |").unwrap();
    writeln!(util, "| --- | --- | ---: | ---: | ---: |").unwrap();
    for n in [8usize, 16] {
        if !sizes.contains(&n) {
            continue;
        }
        for df in [Dataflow::Os, Dataflow::Ws] {
            let design = DesignDir::from_config(&config(n, df)).unwrap();
            let model = build(&tools, &design, None, cache.path()).unwrap();
            let out = simulate_gemm(&model, "256^3", &a, &b, None).unwrap();
            assert!(out.report.passed());
            writeln!(
                util,
                "| {n}x{n} | {df} | {} | {:.0} | {:.2}% |",
                out.report.cycles,
                out.report.ideal_cycles,
                100.0 * out.report.utilization
            )
            .unwrap();
        }
    }
    println!("utilization of a 256x256x256 GEMM\n\n{util}");
    let _ = Path::new(".");
}
