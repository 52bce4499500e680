//! `tollgate scan deps`, `tollgate sbom` and `tollgate db import|update` (issue 5).

use super::common::{CommonArgs, code, emit};
use crate::exit;
use crate::progress::Bar;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use tollgate_deps::{DepsScanner, Ecosystem, osv, sbom};
use tollgate_engine::Scanner;
use tollgate_inventory::{Inventory, Options, Root};
use tollgate_release::scan;

/// `tollgate scan deps`.
#[derive(Debug, clap::Args)]
pub struct DepsArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// OSV index to match against (default: `[deps] db`, else the user's cache folder).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Also write the SBOM of what was scanned to FILE, from the same pass (as `tollgate sbom`).
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<PathBuf>,
    /// Format of `--sbom`.
    #[arg(long, value_enum, default_value_t = SbomFormat::Cyclonedx, requires = "sbom")]
    pub sbom_format: SbomFormat,
    /// Creation time of `--sbom` in seconds since the epoch, for reproducible output.
    #[arg(long, value_name = "N", env = "SOURCE_DATE_EPOCH")]
    pub source_date_epoch: Option<i64>,
}

pub fn run_scan(a: DepsArgs) -> anyhow::Result<u8> {
    let req = a.common.request();
    let config = scan::load_config(&req)?;
    let scanner = DepsScanner::from_config(&config, a.db.clone())?;
    let scanner = std::sync::Arc::new(if a.sbom.is_some() {
        scanner.keeping_components()
    } else {
        scanner
    });
    let outcome = scan::scan(
        &req,
        &config,
        &[&scanner as &dyn Scanner],
        &Bar::new(a.common.quiet),
    )?;
    if let Some(out) = &a.sbom {
        let path = a
            .common
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| ".".into());
        write_sbom(
            &scanner.take_components(),
            &path,
            a.sbom_format,
            a.source_date_epoch,
            Some(out),
        )?;
    }
    emit(&a.common, &outcome.report)?;
    // Lockfiles were there but none could be read: a tool error, not a pass.
    if outcome
        .report
        .diagnostics
        .iter()
        .any(|d| d.source == "deps" && d.message.starts_with(tollgate_deps::NOTHING_READ))
    {
        return Ok(exit::USAGE);
    }
    Ok(code(&outcome))
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

/// `tollgate sbom PATH`.
#[derive(Debug, clap::Args)]
pub struct SbomArgs {
    /// Folder (or file) whose lockfiles and manifests to describe.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[arg(long, short = 'f', value_enum, default_value_t = SbomFormat::Cyclonedx)]
    pub format: SbomFormat,
    /// Write the SBOM to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Creation time in seconds since the epoch, for byte-for-byte reproducible output.
    #[arg(long, value_name = "N", env = "SOURCE_DATE_EPOCH")]
    pub source_date_epoch: Option<i64>,
    /// Do not honour .gitignore and .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
}

pub fn run_sbom(a: SbomArgs) -> anyhow::Result<u8> {
    let given = a.path.to_string_lossy().to_string();
    let inventory = Inventory::collect(
        &[Root::from_path(&a.path)],
        &Options {
            no_ignore: a.no_ignore,
            max_file_size: 256 << 20,
            exclude: Vec::new(),
        },
    )?;
    let collected = tollgate_deps::collect(&inventory);
    print_diagnostics(&collected.diagnostics);
    if collected.files.is_empty() {
        print_diagnostics(&[tollgate_model::Diagnostic::error(
            "deps",
            format!("no lockfile, manifest or SBOM could be read under {given}"),
        )]);
        return Ok(exit::USAGE);
    }
    let components: Vec<_> = collected
        .files
        .into_iter()
        .flat_map(|f| f.components)
        .collect();
    write_sbom(
        &components,
        &a.path,
        a.format,
        a.source_date_epoch,
        a.output.as_deref(),
    )?;
    Ok(exit::PASS)
}

/// Writes the SBOM of `components` found under `path` (named after the folder).
fn write_sbom(
    components: &[tollgate_deps::Component],
    path: &std::path::Path,
    format: SbomFormat,
    source_date_epoch: Option<i64>,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let name = std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_else(|| path.to_string_lossy().to_string());
    let opts = sbom::SbomOptions {
        name,
        timestamp: source_date_epoch.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        }),
        tool_version: env!("CARGO_PKG_VERSION").into(),
    };
    let doc = match format {
        SbomFormat::Cyclonedx => sbom::cyclonedx(components, &opts),
        SbomFormat::Spdx => sbom::spdx(components, &opts),
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    match output {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => crate::exit::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// `tollgate db …`: the local OSV advisory index.
#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Load a folder or zip of OSV records (JSON, or PyPA YAML) into the index.
    Import(DbImportArgs),
    /// Download the OSV export's per-ecosystem all.zip files into the index.
    Update(DbUpdateArgs),
}

#[derive(Debug, clap::Args)]
pub struct DbImportArgs {
    /// Folder or .zip of OSV records.
    pub path: PathBuf,
    /// Index file (default: the user's cache folder, tollgate/osv.db).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct DbUpdateArgs {
    /// Base URL of an OSV export layout (`<URL>/<ecosystem>/all.zip`).
    #[arg(long, value_name = "BASE", default_value = osv::DEFAULT_EXPORT)]
    pub url: String,
    /// Ecosystems to fetch (OSV names; default: all supported).
    #[arg(long = "ecosystem", value_name = "NAME")]
    pub ecosystems: Vec<String>,
    /// Index file (default: the user's cache folder, tollgate/osv.db).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

pub fn run_db(c: DbCommand) -> anyhow::Result<u8> {
    match c {
        DbCommand::Import(a) => {
            let path = a.db.unwrap_or_else(tollgate_deps::default_db_path);
            let mut db = osv::Db::open(&path)?;
            let stats = db.import(&a.path)?;
            report(&stats);
            eprintln!(
                "imported {} records ({} withdrawn skipped, {} unreadable) into {}",
                stats.records,
                stats.withdrawn,
                stats.problems.len(),
                path.display()
            );
            Ok(if stats.records == 0 && !stats.problems.is_empty() {
                exit::USAGE
            } else {
                exit::PASS
            })
        }
        DbCommand::Update(a) => {
            let ecos: Vec<Ecosystem> = if a.ecosystems.is_empty() {
                Ecosystem::ALL.to_vec()
            } else {
                let mut v = Vec::new();
                for e in &a.ecosystems {
                    match Ecosystem::from_osv(e) {
                        Some(x) => v.push(x),
                        None => anyhow::bail!("unknown ecosystem {e:?}"),
                    }
                }
                v
            };
            let path = a.db.unwrap_or_else(tollgate_deps::default_db_path);
            let mut db = osv::Db::open(&path)?;
            let mut ok = 0;
            for (eco, res) in osv::update(&mut db, &a.url, &ecos) {
                match res {
                    Ok(stats) => {
                        ok += 1;
                        report(&stats);
                        eprintln!("{eco}: {} records", stats.records);
                    }
                    Err(e) => print_diagnostics(&[tollgate_model::Diagnostic::warning(
                        "deps",
                        format!("{eco}: {e}"),
                    )]),
                }
            }
            eprintln!("index: {} ({} advisories)", path.display(), db.count()?);
            Ok(if ok == 0 { exit::USAGE } else { exit::PASS })
        }
    }
}

/// Diagnostics on stderr through the shared human renderer (colour only on a terminal).
fn print_diagnostics(diags: &[tollgate_model::Diagnostic]) {
    let color = tollgate_render::human::stderr_wants_color();
    // Failing to write to stderr leaves nowhere to report it.
    let _ = tollgate_render::human::diagnostics(diags, &mut std::io::stderr().lock(), color);
}

/// Unreadable records of an import as warnings (the first 20, then a count).
fn report(stats: &osv::ImportStats) {
    let mut diags: Vec<tollgate_model::Diagnostic> = stats
        .problems
        .iter()
        .take(20)
        .map(|p| {
            tollgate_model::Diagnostic::warning("deps", p.message.clone()).at(
                p.file.clone(),
                (p.line > 0).then_some(p.line),
                (p.column > 0).then_some(p.column),
            )
        })
        .collect();
    if stats.problems.len() > 20 {
        diags.push(tollgate_model::Diagnostic::warning(
            "deps",
            format!(
                "… and {} more unreadable records",
                stats.problems.len() - 20
            ),
        ));
    }
    print_diagnostics(&diags);
}
