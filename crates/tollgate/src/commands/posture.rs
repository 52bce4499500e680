//! `tollgate posture [PATH]`: run every registered scanner and score the checklist.

use crate::exit;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use tollgate_posture::Format;
use tollgate_release::scan::{self, ScanRequest};

#[derive(Debug, clap::Args)]
pub struct PostureArgs {
    /// Repository to assess (default: the current folder).
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PostureFormat::Human)]
    pub format: PostureFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also read these tollgate.report/v1 JSON reports (from other runs or tools) as evidence.
    #[arg(long = "report", value_name = "FILE")]
    pub reports: Vec<PathBuf>,
    /// Configuration file (default: tollgate.toml in PATH).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Exit 1 when any control fails.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PostureFormat {
    Human,
    Json,
    Html,
}

pub fn run(a: PostureArgs) -> anyhow::Result<u8> {
    let req = ScanRequest {
        paths: a.path.iter().cloned().collect(),
        config: a.config.clone(),
        ..ScanRequest::default()
    };
    let report = scan::check(&req, &tollgate_engine::Silent)?.report;
    let mut evidence = tollgate_posture::Evidence::from_report(&report);
    for r in &a.reports {
        let bytes = std::fs::read(r).with_context(|| format!("cannot read {}", r.display()))?;
        let v1 = tollgate_render::json::parse(&bytes)
            .with_context(|| format!("{} is not a tollgate report", r.display()))?;
        evidence.add_v1(&v1);
    }
    let posture = tollgate_posture::assess(&evidence);
    let format = match a.format {
        PostureFormat::Human => Format::Human,
        PostureFormat::Json => Format::Json,
        PostureFormat::Html => Format::Html,
    };
    let mut buf = Vec::new();
    tollgate_posture::render(&posture, format, &mut buf)?;
    match &a.output {
        Some(p) => {
            std::fs::write(p, &buf).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => {
            let mut out = crate::exit::stdout();
            out.write_all(&buf)?;
            out.flush()?;
        }
    }
    Ok(if a.strict && posture.failed() > 0 {
        exit::FAIL
    } else {
        exit::PASS
    })
}
