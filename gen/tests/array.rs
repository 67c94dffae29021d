//! Generated arrays: lint- and synthesis-clean for a matrix of configurations, deterministic,
//! and bit-exact against the reference in a directed simulation of back-to-back tiles.

use std::path::{Path, PathBuf};

use pamgen_gen::array::{generate, Design};
use pamgen_gen::config::ArrayConfig;
use pamgen_gen::tools::{iverilog_compile, verilator_lint, vvp, yosys_check};
use pamgen_hdl::blocks::catalog::Dataflow;
use pamgen_hdl::rng::SplitMix64;
use pamgen_hdl::{matmul_chain, BitMatrix, FloatFormat, MatmulSpec, Multiplier};

fn write(dir: &Path, d: &Design) -> Vec<PathBuf> {
    d.files
        .iter()
        .map(|(n, b)| {
            let p = dir.join(n);
            std::fs::write(&p, b).unwrap();
            p
        })
        .filter(|p| p.extension().is_some_and(|e| e == "v"))
        .collect()
}

fn cfg(
    rows: usize,
    cols: usize,
    format: FloatFormat,
    multiplier: Multiplier,
    pipelined: bool,
) -> ArrayConfig {
    ArrayConfig {
        rows,
        cols,
        format,
        multiplier,
        pipelined,
        top: "dut".into(),
        ..ArrayConfig::default()
    }
}

#[test]
fn configuration_matrix_is_lint_and_synthesis_clean() {
    use rayon::prelude::*;
    let mut cases = Vec::new();
    for dataflow in [Dataflow::Os, Dataflow::Ws] {
        for (r, c) in [(1, 1), (2, 3), (4, 4)] {
            for format in [FloatFormat::BF16, FloatFormat::FP16, FloatFormat::FP32] {
                for multiplier in [Multiplier::Pam, Multiplier::Exact] {
                    cases.push(ArrayConfig {
                        dataflow,
                        ..cfg(r, c, format, multiplier, r == 2)
                    });
                }
            }
        }
        cases.push(ArrayConfig {
            dataflow,
            ..cfg(8, 8, FloatFormat::BF16, Multiplier::Pam, false)
        });
    }
    cases.par_iter().for_each(|c| {
        let design = generate(c).unwrap();
        assert_eq!(
            design,
            generate(c).unwrap(),
            "generation must be deterministic"
        );
        let dir = tempfile::tempdir().unwrap();
        let files = write(dir.path(), &design);
        let what = format!(
            "{} {}x{} {} {}",
            c.dataflow, c.rows, c.cols, c.format, c.multiplier
        );
        verilator_lint(&files, "dut").unwrap_or_else(|e| panic!("{what}: {e}"));
        iverilog_compile(&files, "dut", &dir.path().join("a.out"))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        yosys_check(&files, "dut", c.multiplier == Multiplier::Pam)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    });
}

/// One tile: A (rows x k) and B (k x cols) as bit patterns.
struct Tile {
    a: BitMatrix,
    b: BitMatrix,
}

fn operand(rng: &mut SplitMix64, fmt: FloatFormat) -> u32 {
    match rng.below(12) {
        0 => 0,
        1 => fmt.inf_bits() | (rng.next_u32() & 1) * fmt.sign_mask(),
        2 => rng.next_u32() & fmt.bits_mask(),
        _ => fmt.from_f64(rng.normal()),
    }
}

fn tile(rng: &mut SplitMix64, c: &ArrayConfig, k: usize) -> Tile {
    let f = c.format;
    let a = (0..c.rows * k).map(|_| operand(rng, f)).collect();
    let b = (0..k * c.cols).map(|_| operand(rng, f)).collect();
    Tile {
        a: BitMatrix::new(c.rows, k, f, a).unwrap(),
        b: BitMatrix::new(k, c.cols, f, b).unwrap(),
    }
}

/// Lanes of `w` bits as one hex number, lane 0 in the least significant bits.
fn hexw(v: &[u32], w: usize) -> String {
    let bits: Vec<bool> = v
        .iter()
        .flat_map(|&x| (0..w).map(move |b| (x >> b) & 1 == 1))
        .collect();
    (0..bits.len().div_ceil(4))
        .rev()
        .map(|d| {
            let nib = (0..4).fold(0u32, |acc, b| {
                acc | (bits.get(d * 4 + b).copied().unwrap_or(false) as u32) << b
            });
            std::char::from_digit(nib, 16).unwrap()
        })
        .collect()
}

/// Split a hex number into `n` lanes of `w` bits, lane 0 in the least significant bits.
fn lanes_from_hex(hex: &str, n: usize, w: usize) -> Vec<u32> {
    let bits: Vec<bool> = hex
        .chars()
        .rev()
        .flat_map(|ch| {
            let v = ch.to_digit(16).unwrap_or(0);
            (0..4).map(move |b| (v >> b) & 1 == 1)
        })
        .collect();
    (0..n)
        .map(|j| {
            (0..w).fold(0u32, |acc, b| {
                acc | ((bits.get(j * w + b).copied().unwrap_or(false) as u32) << b)
            })
        })
        .collect()
}

/// The testbench line that drives c_tready: always high, or low about one cycle in three.
fn stall_line(stall: bool) -> &'static str {
    if stall {
        "c_tready = ($random(seed) % 3) != 0;"
    } else {
        "c_tready = 1'b1;"
    }
}

/// Run `tiles` back to back through the generated design under iverilog and return
/// (cycles of accepted beats, output beats as (cycle, lanes, last)).
fn simulate(
    c: &ArrayConfig,
    tiles: &[Tile],
    stall: bool,
) -> (Vec<u64>, Vec<(u64, Vec<u32>, bool)>) {
    let design = generate(c).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = write(dir.path(), &design);
    let (r, cols, w) = (c.rows, c.cols, c.format.width() as usize);
    let mut beats = Vec::new();
    for t in tiles {
        let k = t.a.cols();
        for kk in 0..k {
            let a: Vec<u32> = (0..r).map(|i| t.a.get(i, kk)).collect();
            let b: Vec<u32> = (0..cols).map(|j| t.b.get(kk, j)).collect();
            beats.push((hexw(&a, w), hexw(&b, w), kk == k - 1));
        }
    }
    let n = beats.len();
    let mut tb = String::new();
    tb.push_str("`timescale 1ns/1ps\nmodule tb;\n");
    tb.push_str(&format!(
        "  reg clk_i = 1'b0;\n  reg rst_ni = 1'b0;\n  reg [{ra}:0] a_tdata = 0;\n  reg a_tvalid = 1'b0;\n  reg a_tlast = 1'b0;\n  reg [{cb}:0] b_tdata = 0;\n  reg b_tvalid = 1'b0;\n  wire a_tready, b_tready, c_tvalid, c_tlast;\n  reg c_tready = 1'b1;\n  integer seed = 7;\n  wire [{cc}:0] c_tdata;\n",
        ra = r * w - 1,
        cb = cols * w - 1,
        cc = cols * c.out_width() - 1
    ));
    tb.push_str("  dut u_dut(.clk_i(clk_i), .rst_ni(rst_ni), .a_tdata(a_tdata), .a_tvalid(a_tvalid), .a_tlast(a_tlast), .a_tready(a_tready), .b_tdata(b_tdata), .b_tvalid(b_tvalid), .b_tready(b_tready), .c_tdata(c_tdata), .c_tvalid(c_tvalid), .c_tready(c_tready), .c_tlast(c_tlast));\n");
    tb.push_str(&format!(
        "  reg [{}:0] a_mem [0:{}];\n  reg [{}:0] b_mem [0:{}];\n  reg last_mem [0:{}];\n",
        r * w - 1,
        n - 1,
        cols * w - 1,
        n - 1,
        n - 1
    ));
    tb.push_str("  integer idx = 0;\n  integer cycle = 0;\n  initial begin\n");
    for (i, (a, b, l)) in beats.iter().enumerate() {
        tb.push_str(&format!(
            "    a_mem[{i}] = 'h{a}; b_mem[{i}] = 'h{b}; last_mem[{i}] = {};\n",
            *l as u8
        ));
    }
    tb.push_str("  end\n  always #5 clk_i = ~clk_i;\n");
    tb.push_str(&format!(
        "  always @(negedge clk_i) begin\n    if (cycle >= 2) rst_ni = 1'b1;\n    {stall_line}\n    if (rst_ni && idx < {n}) begin a_tvalid = 1'b1; b_tvalid = 1'b1; a_tdata = a_mem[idx]; b_tdata = b_mem[idx]; a_tlast = last_mem[idx]; end\n    else begin a_tvalid = 1'b0; b_tvalid = 1'b0; a_tlast = 1'b0; end\n  end\n",
        stall_line = stall_line(stall)
    ));
    tb.push_str(&format!(
        "  always @(posedge clk_i) begin\n    cycle <= cycle + 1;\n    if (a_tvalid && a_tready && b_tvalid && b_tready) begin $display(\"IN %0d\", cycle); idx <= idx + 1; end\n    if (c_tvalid && c_tready) $display(\"OUT %0d %h %0d\", cycle, c_tdata, c_tlast);\n    if (cycle > {}) $finish;\n  end\nendmodule\n",
        (n * (r + 2) + c.result_latency() + 20) * if stall { 4 } else { 1 }
    ));
    run_testbench(dir.path(), files, &tb, cols, c.out_width())
}

/// Accept cycles of input beats and output beats as (cycle, lanes, last).
type SimTrace = (Vec<u64>, Vec<(u64, Vec<u32>, bool)>);

/// Compile `tb` (module `tb`) with the design `files` under iverilog, run it, and read its
/// `IN cycle` and `OUT cycle data last` lines.
fn run_testbench(
    dir: &Path,
    mut files: Vec<PathBuf>,
    tb: &str,
    lanes: usize,
    lane_width: usize,
) -> SimTrace {
    let tb_path = dir.join("tb.v");
    std::fs::write(&tb_path, tb).unwrap();
    files.push(tb_path);
    let image = dir.join("sim.vvp");
    iverilog_compile(&files, "tb", &image).unwrap();
    let out = vvp(&image).unwrap();
    let (mut ins, mut outs) = (Vec::new(), Vec::new());
    for line in out.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            ["IN", cyc] => ins.push(cyc.parse().unwrap()),
            ["OUT", cyc, data, last] => outs.push((
                cyc.parse().unwrap(),
                lanes_from_hex(data, lanes, lane_width),
                *last == "1",
            )),
            _ => {}
        }
    }
    (ins, outs)
}

/// The reference result in the array's output format.
fn out_fmt(c: &ArrayConfig, m: BitMatrix) -> BitMatrix {
    match c.rounded_output() {
        Some(f) => m.convert(f),
        None => m,
    }
}

fn check_directed(c: ArrayConfig, ks: &[usize], seed: u64) {
    let mut rng = SplitMix64::new(seed);
    let tiles: Vec<Tile> = ks.iter().map(|&k| tile(&mut rng, &c, k)).collect();
    let what = format!(
        "{}x{} {} {} pipelined {}",
        c.rows, c.cols, c.format, c.multiplier, c.pipelined
    );
    let spec =
        MatmulSpec::new(c.format, FloatFormat::FP32, c.multiplier, c.offset_value()).unwrap();
    // With output backpressure: the same beats in the same order, whatever the timing.
    let (_, stalled) = simulate(&c, &tiles, true);
    let want: Vec<(Vec<u32>, bool)> = tiles
        .iter()
        .flat_map(|tl| {
            let m = out_fmt(&c, matmul_chain(&spec, &tl.a, &tl.b).unwrap());
            (0..c.rows)
                .map(move |i| ((0..c.cols).map(|j| m.get(i, j)).collect(), i == c.rows - 1))
                .collect::<Vec<_>>()
        })
        .collect();
    let got: Vec<(Vec<u32>, bool)> = stalled.into_iter().map(|(_, l, t)| (l, t)).collect();
    assert_eq!(got, want, "{what}: results under c_tready backpressure");
    let (ins, outs) = simulate(&c, &tiles, false);
    assert_eq!(
        ins.len(),
        ks.iter().sum::<usize>(),
        "{what}: every beat accepted"
    );
    assert_eq!(
        outs.len(),
        c.rows * tiles.len(),
        "{what}: one output beat per row per tile"
    );
    let spec =
        MatmulSpec::new(c.format, FloatFormat::FP32, c.multiplier, c.offset_value()).unwrap();
    let mut beat = 0;
    let mut last_in = 0usize;
    let mut prev_last_cycle: Option<u64> = None;
    for (t, tl) in tiles.iter().enumerate() {
        let k = tl.a.cols();
        last_in += k;
        let last_cycle = ins[last_in - 1];
        // Back-to-back: a tile with K >= rows never waits; a shorter one waits only as needed.
        if let Some(prev) = prev_last_cycle {
            let gap = last_cycle - prev;
            if k >= c.rows {
                assert_eq!(
                    gap, k as u64,
                    "{what}: tile {t} (K = {k}) must follow without a bubble"
                );
            } else {
                assert_eq!(
                    gap,
                    (c.rows as u64).max(k as u64),
                    "{what}: tile {t} (K = {k}) waits for {} cycles",
                    c.rows
                );
            }
        }
        prev_last_cycle = Some(last_cycle);
        let want = out_fmt(&c, matmul_chain(&spec, &tl.a, &tl.b).unwrap());
        for i in 0..c.rows {
            let (cyc, lanes, last) = &outs[beat];
            assert_eq!(
                *cyc,
                last_cycle + c.result_latency() as u64 + i as u64,
                "{what}: tile {t} row {i} cycle"
            );
            assert_eq!(*last, i == c.rows - 1, "{what}: tile {t} row {i} c_tlast");
            for (j, &got) in lanes.iter().enumerate() {
                let exp = want.get(i, j);
                assert_eq!(
                    got, exp,
                    "{what}: tile {t} C[{i}][{j}]: RTL {got:#010x}, reference {exp:#010x}"
                );
            }
            beat += 1;
        }
    }
}

#[test]
fn back_to_back_tiles_on_generated_arrays_match_the_reference() {
    check_directed(
        cfg(2, 2, FloatFormat::BF16, Multiplier::Pam, false),
        &[3, 2, 1, 4, 2, 1, 1],
        1,
    );
    check_directed(
        cfg(3, 4, FloatFormat::FP16, Multiplier::Exact, true),
        &[5, 3, 1, 2, 7],
        2,
    );
    check_directed(
        cfg(4, 4, FloatFormat::FP32, Multiplier::Pam, false),
        &[4, 6, 1, 4],
        3,
    );
    check_directed(
        cfg(1, 1, FloatFormat::BF16, Multiplier::Pam, true),
        &[1, 1, 3, 1],
        4,
    );
}

/// Weight-stationary jobs: a weight tile, its activation rows and the partial sums entering
/// each column. Returns (A/P accept cycles, output beats).
struct WsJob {
    w: BitMatrix,     // rows x cols
    a: BitMatrix,     // m x rows
    p: Vec<Vec<u32>>, // m x cols, fp32
}

fn simulate_ws(
    c: &ArrayConfig,
    jobs: &[WsJob],
    stall: bool,
) -> (Vec<u64>, Vec<(u64, Vec<u32>, bool)>) {
    let design = generate(c).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = write(dir.path(), &design);
    let (r, cols, w) = (c.rows, c.cols, c.format.width() as usize);
    let mut wb = Vec::new();
    let mut ab = Vec::new();
    for jb in jobs {
        for s in 0..r {
            let row: Vec<u32> = (0..cols).map(|j| jb.w.get(r - 1 - s, j)).collect();
            wb.push((hexw(&row, w), s == r - 1));
        }
        let m = jb.a.rows();
        for i in 0..m {
            let a: Vec<u32> = (0..r).map(|k| jb.a.get(i, k)).collect();
            ab.push((hexw(&a, w), hexw(&jb.p[i], 32), i == m - 1));
        }
    }
    let (nw, na) = (wb.len(), ab.len());
    let mut tb = String::from("`timescale 1ns/1ps\nmodule tb;\n");
    tb.push_str(&format!(
        "  reg clk_i = 1'b0;\n  reg rst_ni = 1'b0;\n  reg [{wd}:0] w_tdata = 0;\n  reg w_tvalid = 1'b0;\n  reg w_tlast = 1'b0;\n  reg [{ad}:0] a_tdata = 0;\n  reg a_tvalid = 1'b0;\n  reg a_tlast = 1'b0;\n  reg [{pd}:0] p_tdata = 0;\n  reg p_tvalid = 1'b0;\n  wire w_tready, a_tready, p_tready, c_tvalid, c_tlast;\n  reg c_tready = 1'b1;\n  integer seed = 7;\n  wire [{pd}:0] c_tdata;\n",
        wd = cols * w - 1,
        ad = r * w - 1,
        pd = cols * 32 - 1
    ));
    tb.push_str("  dut u_dut(.clk_i(clk_i), .rst_ni(rst_ni), .w_tdata(w_tdata), .w_tvalid(w_tvalid), .w_tlast(w_tlast), .w_tready(w_tready), .a_tdata(a_tdata), .a_tvalid(a_tvalid), .a_tlast(a_tlast), .a_tready(a_tready), .p_tdata(p_tdata), .p_tvalid(p_tvalid), .p_tready(p_tready), .c_tdata(c_tdata), .c_tvalid(c_tvalid), .c_tready(c_tready), .c_tlast(c_tlast));\n");
    tb.push_str(&format!(
        "  reg [{}:0] w_mem [0:{}];\n  reg wl_mem [0:{}];\n  reg [{}:0] a_mem [0:{}];\n  reg [{}:0] p_mem [0:{}];\n  reg al_mem [0:{}];\n",
        cols * w - 1, nw - 1, nw - 1, r * w - 1, na - 1, cols * 32 - 1, na - 1, na - 1
    ));
    tb.push_str(
        "  integer widx = 0;\n  integer aidx = 0;\n  integer cycle = 0;\n  initial begin\n",
    );
    for (i, (d, l)) in wb.iter().enumerate() {
        tb.push_str(&format!(
            "    w_mem[{i}] = 'h{d}; wl_mem[{i}] = {};\n",
            *l as u8
        ));
    }
    for (i, (a, p, l)) in ab.iter().enumerate() {
        tb.push_str(&format!(
            "    a_mem[{i}] = 'h{a}; p_mem[{i}] = 'h{p}; al_mem[{i}] = {};\n",
            *l as u8
        ));
    }
    tb.push_str("  end\n  always #5 clk_i = ~clk_i;\n");
    tb.push_str(&format!(
        "  always @(negedge clk_i) begin\n    if (cycle >= 2) rst_ni = 1'b1;\n    {stall_line}\n    if (rst_ni && widx < {nw}) begin w_tvalid = 1'b1; w_tdata = w_mem[widx]; w_tlast = wl_mem[widx]; end\n    else begin w_tvalid = 1'b0; w_tlast = 1'b0; end\n    if (rst_ni && aidx < {na}) begin a_tvalid = 1'b1; p_tvalid = 1'b1; a_tdata = a_mem[aidx]; p_tdata = p_mem[aidx]; a_tlast = al_mem[aidx]; end\n    else begin a_tvalid = 1'b0; p_tvalid = 1'b0; a_tlast = 1'b0; end\n  end\n",
        stall_line = stall_line(stall)
    ));
    tb.push_str(&format!(
        "  always @(posedge clk_i) begin\n    cycle <= cycle + 1;\n    if (w_tvalid && w_tready) widx <= widx + 1;\n    if (a_tvalid && a_tready && p_tvalid && p_tready) begin $display(\"IN %0d\", cycle); aidx <= aidx + 1; end\n    if (c_tvalid && c_tready) $display(\"OUT %0d %h %0d\", cycle, c_tdata, c_tlast);\n    if (cycle > {}) $finish;\n  end\nendmodule\n",
        ((nw + na) * (r + cols + 4) + 40) * if stall { 4 } else { 1 }
    ));
    run_testbench(dir.path(), files, &tb, cols, c.out_width())
}

/// A K = 2 * rows matmul as two weight-stationary folds: fold 1's partial sums are fold 0's
/// results (from the reference), and fold 1's outputs must equal the full reference chain.
fn check_ws(c: ArrayConfig, ms: [usize; 2], seed: u64) {
    let mut rng = SplitMix64::new(seed);
    let (r, cols, f) = (c.rows, c.cols, c.format);
    let spec = MatmulSpec::new(f, FloatFormat::FP32, c.multiplier, c.offset_value()).unwrap();
    let what = format!(
        "ws {}x{} {} {} pipelined {}",
        r, cols, f, c.multiplier, c.pipelined
    );
    let mut jobs = Vec::new();
    let mut expected: Vec<Vec<Vec<u32>>> = Vec::new();
    for &m in &ms {
        let a = BitMatrix::new(
            m,
            2 * r,
            f,
            (0..m * 2 * r).map(|_| operand(&mut rng, f)).collect(),
        )
        .unwrap();
        let b = BitMatrix::new(
            2 * r,
            cols,
            f,
            (0..2 * r * cols).map(|_| operand(&mut rng, f)).collect(),
        )
        .unwrap();
        let full = matmul_chain(&spec, &a, &b).unwrap();
        let slice = |mat: &BitMatrix, r0: usize, nr: usize, c0: usize, nc: usize| {
            let bits = (r0..r0 + nr)
                .flat_map(|i| (c0..c0 + nc).map(move |j| (i, j)))
                .map(|(i, j)| mat.get(i, j))
                .collect();
            BitMatrix::new(nr, nc, f, bits).unwrap()
        };
        let (a0, a1) = (slice(&a, 0, m, 0, r), slice(&a, 0, m, r, r));
        let (w0, w1) = (slice(&b, 0, r, 0, cols), slice(&b, r, r, 0, cols));
        let fold0 = matmul_chain(&spec, &a0, &w0).unwrap();
        let zeros = vec![vec![0u32; cols]; m];
        let p1: Vec<Vec<u32>> = (0..m)
            .map(|i| (0..cols).map(|j| fold0.get(i, j)).collect())
            .collect();
        expected.push(p1.clone());
        expected.push(
            (0..m)
                .map(|i| (0..cols).map(|j| full.get(i, j)).collect())
                .collect(),
        );
        jobs.push(WsJob {
            w: w0,
            a: a0,
            p: zeros,
        });
        jobs.push(WsJob {
            w: w1,
            a: a1,
            p: p1,
        });
    }
    let (_, stalled) = simulate_ws(&c, &jobs, true);
    let flat: Vec<(Vec<u32>, bool)> = expected
        .iter()
        .flat_map(|rows| {
            rows.iter()
                .enumerate()
                .map(move |(i, v)| (v.clone(), i == rows.len() - 1))
        })
        .collect();
    let got: Vec<(Vec<u32>, bool)> = stalled.into_iter().map(|(_, l, t)| (l, t)).collect();
    assert_eq!(got, flat, "{what}: results under c_tready backpressure");
    let (ins, outs) = simulate_ws(&c, &jobs, false);
    let rows_total: usize = jobs.iter().map(|j| j.a.rows()).sum();
    assert_eq!(ins.len(), rows_total, "{what}: every A beat accepted");
    assert_eq!(outs.len(), rows_total, "{what}: one output beat per A beat");
    let mut beat = 0;
    let mut prev_first: Option<(u64, usize)> = None;
    for (jn, (jb, want)) in jobs.iter().zip(&expected).enumerate() {
        let m = jb.a.rows();
        let first = ins[beat];
        if let Some((pf, pm)) = prev_first {
            // The next weight tile loads while this one computes: the next tile starts as
            // soon as both its weights are in and the previous tile's rows are through.
            let min = if r + cols >= 3 { 2 * r + cols - 2 } else { 2 };
            assert_eq!(first - pf, pm.max(min) as u64, "{what}: job {jn} start");
        }
        prev_first = Some((first, m));
        for i in 0..m {
            let (cyc, lanes, last) = &outs[beat];
            assert_eq!(
                *cyc,
                ins[beat] + c.result_latency() as u64,
                "{what}: job {jn} row {i} cycle"
            );
            assert_eq!(*last, i == m - 1, "{what}: job {jn} row {i} c_tlast");
            for (j, &got) in lanes.iter().enumerate() {
                assert_eq!(
                    got, want[i][j],
                    "{what}: job {jn} C[{i}][{j}]: RTL {got:#010x}, reference {:#010x}",
                    want[i][j]
                );
            }
            beat += 1;
        }
    }
}

#[test]
fn weight_stationary_folds_match_the_reference() {
    let ws = |r, c, f, m, p| ArrayConfig {
        dataflow: Dataflow::Ws,
        ..cfg(r, c, f, m, p)
    };
    check_ws(
        ws(2, 2, FloatFormat::BF16, Multiplier::Pam, false),
        [3, 9],
        11,
    );
    check_ws(
        ws(3, 4, FloatFormat::FP16, Multiplier::Exact, true),
        [1, 12],
        12,
    );
    check_ws(
        ws(4, 4, FloatFormat::FP32, Multiplier::Pam, false),
        [10, 2],
        13,
    );
    check_ws(
        ws(1, 1, FloatFormat::BF16, Multiplier::Pam, true),
        [1, 3],
        14,
    );
}
