//! `pamgen area`: yosys area of the processing element (and of the product unit alone) with
//! PAM against the exact multiplier, side by side, for each operand format.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use pamgen_gen::synth::{area, write_modules, yosys_version, AreaReport};
use pamgen_hdl::blocks::catalog::{Dataflow, PeConfig};
use pamgen_hdl::emit::VerilogModule;
use pamgen_hdl::{FloatFormat, Multiplier};
use serde::Serialize;

/// Arguments of `pamgen area`.
#[derive(Debug, Args)]
pub struct AreaArgs {
    /// Operand formats, comma-separated (accumulator fp32).
    #[arg(long, value_delimiter = ',', default_value = "bf16,fp16,fp32", value_parser = FloatFormat::from_name)]
    formats: Vec<FloatFormat>,
    /// Dataflow of the PE: os or ws.
    #[arg(long, default_value = "os", value_parser = parse_dataflow)]
    dataflow: Dataflow,
    /// With the pipeline register between product unit and adder.
    #[arg(long)]
    pipelined: bool,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

fn parse_dataflow(s: &str) -> Result<Dataflow, String> {
    s.parse()
}

#[derive(Debug, Serialize)]
struct Row {
    unit: &'static str,
    format: FloatFormat,
    multiplier: Multiplier,
    module: String,
    area: AreaReport,
}

/// Run the command.
pub fn run(args: &AreaArgs) -> Result<ExitCode> {
    let version = yosys_version()
        .context("yosys not found: install it (Debian: apt-get install -y yosys)")?;
    let mut rows = Vec::new();
    for &format in &args.formats {
        for multiplier in [Multiplier::Pam, Multiplier::Exact] {
            let cfg = PeConfig {
                operand: format,
                acc: FloatFormat::FP32,
                multiplier,
                offset: 0,
                dataflow: args.dataflow,
                pipelined: args.pipelined,
            };
            let units: [(&'static str, String, Vec<VerilogModule>); 2] = [
                (
                    "product",
                    cfg.product_name(),
                    cfg.emit_product().context("--formats")?,
                ),
                ("pe", cfg.pe_name(), cfg.emit_pe().context("--formats")?),
            ];
            for (unit, top, modules) in units {
                let dir = tempfile::tempdir()?;
                let files = write_modules(dir.path(), &modules)?;
                eprintln!("synthesising {top} ...");
                let area = area(&files, &top)?;
                rows.push(Row {
                    unit,
                    format,
                    multiplier,
                    module: top,
                    area,
                });
            }
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "yosys": version, "rows": rows }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    for (unit, title) in [
        (
            "pe",
            format!(
                "Processing element ({} dataflow{}, fp32 accumulator)",
                args.dataflow,
                if args.pipelined { ", pipelined" } else { "" }
            ),
        ),
        (
            "product",
            "Product unit alone (PAM + widening to fp32, vs exact multiply rounded to fp32)"
                .to_string(),
        ),
    ] {
        println!("\n{title}; {version}\n");
        println!("| format | multiplier | iCE40 LUT4 | iCE40 carry | iCE40 DFF | Xilinx LUT | Xilinx FF | Xilinx DSP | Xilinx CARRY4 | CMOS transistors |");
        println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for &format in &args.formats {
            let get = |m| {
                rows.iter()
                    .find(|r| r.unit == unit && r.format == format && r.multiplier == m)
                    .map(|r| r.area)
            };
            let (Some(p), Some(e)) = (get(Multiplier::Pam), get(Multiplier::Exact)) else {
                continue;
            };
            let cols = |a: &AreaReport| {
                [
                    a.ice40_lut4,
                    a.ice40_carry,
                    a.ice40_dff,
                    a.xilinx_lut,
                    a.xilinx_ff,
                    a.xilinx_dsp,
                    a.xilinx_carry4,
                    a.cmos_transistors,
                ]
            };
            for (name, a) in [("pam", &p), ("exact", &e)] {
                let c = cols(a).map(|x| x.to_string()).join(" | ");
                println!("| {format} | {name} | {c} |");
            }
            let ratio = cols(&p)
                .iter()
                .zip(cols(&e))
                .map(|(&x, y)| {
                    if y == 0 {
                        if x == 0 {
                            "-".to_string()
                        } else {
                            "∞".to_string()
                        }
                    } else {
                        format!("{:.2}", x as f64 / y as f64)
                    }
                })
                .collect::<Vec<_>>()
                .join(" | ");
            println!("| {format} | **pam/exact** | {ratio} |");
        }
    }
    Ok(ExitCode::SUCCESS)
}
