//! Running a model: the driver process gets the input records on stdin (written by a separate
//! thread while this one reads the output beats), so neither side ever waits on a full pipe.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use pamgen_hdl::BitMatrix;

use crate::driver::{words, MAGIC, VERSION};
use crate::error::SimError;
use crate::schedule::{OutBeat, Schedule};
use crate::verilator::Model;

/// What one run of the model returned.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Output beats in order.
    pub outputs: Vec<OutBeat>,
    /// Cycles from the first cycle after reset to the last output beat, inclusive.
    pub cycles: u64,
    /// Wall-clock seconds of the run (process start to exit).
    pub wall_seconds: f64,
}

/// Replay `sched` for C = A * B through `model`; with `trace`, write a waveform there (the
/// model must have been built with that trace format).
pub fn run(
    model: &Model,
    sched: &Schedule,
    a: &BitMatrix,
    b: &BitMatrix,
    trace: Option<&Path>,
) -> Result<RunOutput, SimError> {
    let t0 = Instant::now();
    let cfg = &model.design.config;
    let expected = sched.output_beats() as u64;
    let max_idle = 10 * (cfg.rows + cfg.cols + cfg.result_latency()) as u64 + 1000;
    let mut cmd = Command::new(&model.exe);
    if let Some(t) = trace {
        cmd.arg("--trace").arg(t);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(SimError::io(format!("starting {}", model.exe.display())))?;
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let cw = words(model.ports.c);
    let result = std::thread::scope(|s| {
        let writer = s.spawn(move || -> std::io::Result<()> {
            let mut w = BufWriter::with_capacity(1 << 16, stdin);
            w.write_all(&MAGIC.to_le_bytes())?;
            w.write_all(&VERSION.to_le_bytes())?;
            w.write_all(&expected.to_le_bytes())?;
            w.write_all(&max_idle.to_le_bytes())?;
            sched.write_stream(a, b, &mut w)?;
            w.flush()
        });
        let errors = s.spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let read = read_outputs(BufReader::with_capacity(1 << 16, stdout), cw);
        // A write error means the driver stopped early; its own message says why.
        let wrote = writer.join().expect("writer thread");
        let stderr_text = errors.join().expect("stderr thread");
        (read, wrote, stderr_text)
    });
    let status = child
        .wait()
        .map_err(SimError::io("waiting for the model"))?;
    let (read, wrote, stderr_text) = result;
    let (outputs, cycles) = match read {
        Ok(v) => v,
        Err(msg) => {
            let extra = if stderr_text.trim().is_empty() {
                String::new()
            } else {
                format!("\n{}", stderr_text.trim())
            };
            return Err(SimError::Run(format!("{msg} ({status}){extra}")));
        }
    };
    if let Err(e) = wrote {
        return Err(SimError::Run(format!("writing the input beats: {e}")));
    }
    if !status.success() {
        return Err(SimError::Run(format!(
            "the model exited with {status}: {}",
            stderr_text.trim()
        )));
    }
    Ok(RunOutput {
        outputs,
        cycles,
        wall_seconds: t0.elapsed().as_secs_f64(),
    })
}

fn read_outputs(mut r: impl Read, cw: usize) -> Result<(Vec<OutBeat>, u64), String> {
    let mut outputs = Vec::new();
    let mut tag = [0u8; 1];
    let mut buf = vec![0u8; 4 * cw + 9];
    loop {
        r.read_exact(&mut tag)
            .map_err(|_| "the model stopped without finishing".to_string())?;
        match tag[0] {
            b'C' => {
                r.read_exact(&mut buf)
                    .map_err(|_| "the model stopped inside a result".to_string())?;
                let words = buf[..4 * cw]
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
                    .collect();
                let last = buf[4 * cw] != 0;
                let cycle = u64::from_le_bytes(buf[4 * cw + 1..].try_into().expect("8 bytes"));
                outputs.push(OutBeat { words, last, cycle });
            }
            b'E' => {
                let mut c = [0u8; 8];
                r.read_exact(&mut c)
                    .map_err(|_| "the model stopped inside its summary".to_string())?;
                return Ok((outputs, u64::from_le_bytes(c)));
            }
            b'F' => {
                let mut len = [0u8; 4];
                r.read_exact(&mut len)
                    .map_err(|_| "the model failed".to_string())?;
                let mut msg = vec![0u8; u32::from_le_bytes(len) as usize];
                r.read_exact(&mut msg)
                    .map_err(|_| "the model failed".to_string())?;
                return Err(String::from_utf8_lossy(&msg).into_owned());
            }
            t => return Err(format!("unexpected record {t:#04x} from the model")),
        }
    }
}
