//! `tollgate log`: the transparency log (crate `tollgate-ledger`).

use crate::exit;
use anyhow::{Context, bail};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use tollgate_config::Config;
use tollgate_ledger::log::read_verifier;
use tollgate_ledger::note::{SignedCheckpoint, Verifier, WitnessPolicy};
use tollgate_ledger::{
    Event, Log, LogSettings, PrepareEvent, Receipt, VerifyReport, tiles, trusted_root,
};

#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// The log database (default: `[log] path` in tollgate.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// Configuration file (default: ./tollgate.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: LogCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Create the log database and a new Ed25519 log key beside it (PATH.key, PATH.pub).
    Init {
        /// The log's origin line and key name (default: derived from the key).
        #[arg(long)]
        origin: Option<String>,
    },
    /// Append events (one JSON object, or JSON Lines with --from-jsonl); prints the indexes.
    Append {
        /// One event as JSON: {"type","actor","subject","environment"?,"time"?,"payload"?}.
        #[arg(conflicts_with = "from_jsonl")]
        event: Option<String>,
        /// Read events from a JSON Lines file (`-` for standard input).
        #[arg(long, value_name = "FILE")]
        from_jsonl: Option<PathBuf>,
        /// Events per batch (one transaction and one signed checkpoint each).
        #[arg(long, default_value_t = 10_000)]
        batch_size: usize,
        /// Write a c2sp.org/tlog-proof@v1 receipt per event to DIR/INDEX.tlog-proof.
        #[arg(long, value_name = "DIR")]
        receipts: Option<PathBuf>,
    },
    /// Show the log's state, or entry INDEX (with its payload).
    Show { index: Option<u64> },
    /// Print a c2sp.org/tlog-proof@v1 receipt for entry INDEX, or a consistency proof.
    Prove {
        #[arg(required_unless_present = "from")]
        index: Option<u64>,
        /// Consistency proof from this tree size (to the latest checkpoint or --to).
        #[arg(long, conflicts_with = "index")]
        from: Option<u64>,
        #[arg(long, requires = "from")]
        to: Option<u64>,
    },
    /// Recompute the tree and check it against every signed checkpoint (exit 1 on tampering).
    Verify {
        /// Verify exported tiles in DIR instead of the database.
        #[arg(long, value_name = "DIR")]
        tiles: Option<PathBuf>,
        /// A checkpoint saved earlier: the log must still be consistent with it.
        #[arg(long = "checkpoint", value_name = "FILE")]
        checkpoints: Vec<PathBuf>,
        /// Receipts (tlog-proof) to verify offline against the log key.
        #[arg(long = "receipt", value_name = "FILE")]
        receipts: Vec<PathBuf>,
        /// The log's public key file (default: PATH.pub beside the log).
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
    },
    /// Print the latest signed checkpoint (save it to check consistency later), or check a
    /// checkpoint's witness cosignatures against a quorum.
    Checkpoint {
        /// Check this (cosigned) checkpoint instead of printing the latest.
        #[arg(long, value_name = "FILE")]
        check: Option<PathBuf>,
        /// Witness cosignature key (name+hash+key); repeatable. Adds to `[log] witnesses`.
        #[arg(long = "witness", value_name = "VKEY")]
        witnesses: Vec<String>,
        /// How many witnesses must have cosigned (default: `[log] quorum`).
        #[arg(long)]
        quorum: Option<usize>,
    },
    /// Export the log as C2SP tlog-tiles (static files) into DIR.
    Export {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Leave out the payload files (`payload/<hex digest>`).
        #[arg(long)]
        no_payloads: bool,
    },
    /// Print a Sigstore trusted_root.json-style document listing the log's key.
    TrustedRoot {
        /// Where the log's tiles are served.
        #[arg(long, default_value = "")]
        base_url: String,
    },
}

struct Ctx {
    log: PathBuf,
    settings: LogSettings,
}

fn context(a: &LogArgs) -> anyhow::Result<Ctx> {
    let config_path = a
        .config
        .clone()
        .or_else(|| Config::discover(Path::new(".")));
    let config = match &config_path {
        Some(p) => Config::load(p, tollgate_release::registry::SECTIONS)?,
        None => Config::default(),
    };
    let settings: LogSettings = config.section("log")?;
    let log = match (&a.log, &settings.path) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => config.base_dir().join(p),
        (None, None) => bail!("no log given: use --log PATH or set `[log] path` in tollgate.toml"),
    };
    Ok(Ctx { log, settings })
}

pub fn run(a: LogArgs) -> anyhow::Result<u8> {
    let ctx = context(&a)?;
    let mut out = crate::exit::stdout();
    match a.command {
        LogCommand::Init { origin } => {
            let init = Log::init(&ctx.log, origin.as_deref())?;
            if let Some(w) = init.warning {
                eprintln!("warning: {w}");
            }
            writeln!(out, "{}", init.log.verifier().encode())?;
            eprintln!(
                "created {} (key {}, public key {})",
                ctx.log.display(),
                init.key.display(),
                init.public.display()
            );
        }
        LogCommand::Append {
            event,
            from_jsonl,
            batch_size,
            receipts,
        } => {
            let mut log = Log::open(&ctx.log)?;
            let events = match (event, from_jsonl) {
                (Some(e), _) => vec![Event::from_json(&e).context("event")?],
                (None, Some(f)) => read_jsonl(&f)?,
                (None, None) => bail!("give an event as JSON or --from-jsonl FILE"),
            };
            if let Some(dir) = &receipts {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            for chunk in events.chunks(batch_size.max(1)) {
                for i in log.append(chunk)? {
                    if let Some(dir) = &receipts {
                        let path = dir.join(format!("{i}.tlog-proof"));
                        std::fs::write(&path, log.receipt(i)?.encode())
                            .with_context(|| format!("cannot write {}", path.display()))?;
                    }
                    writeln!(out, "{i}")?;
                }
                out.flush()?;
            }
        }
        LogCommand::Show { index } => {
            let log = Log::open(&ctx.log)?;
            match index {
                Some(i) => {
                    let entry = log.entry(i)?;
                    let mut v: serde_json::Value = serde_json::from_slice(&entry)?;
                    if let Some(d) = v["payloadDigest"].as_str().and_then(|d| d.parse().ok())
                        && let Some(p) = log.payload(&d)?
                    {
                        v["payload"] = serde_json::from_slice(&p)?;
                    }
                    v["index"] = i.into();
                    writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
                }
                None => {
                    let cp = log.checkpoint()?;
                    writeln!(out, "log:        {}", ctx.log.display())?;
                    writeln!(out, "origin:     {}", cp.checkpoint.origin)?;
                    writeln!(out, "entries:    {}", log.size()?)?;
                    writeln!(out, "checkpoint: size {}", cp.checkpoint.size)?;
                    writeln!(out, "root:       {}", hex(&cp.checkpoint.root))?;
                    writeln!(out, "key:        {}", log.verifier().encode())?;
                    // One line per entry: index, time, type, actor, subject, environment.
                    let size = log.size()?;
                    for i in 0..size {
                        let bytes = log.entry(i)?;
                        match tollgate_ledger::Leaf::from_canonical(&bytes) {
                            Ok(tollgate_ledger::Leaf::Event(e)) => writeln!(
                                out,
                                "{i:>6}  {}  {:<19} {:<24} {}{}",
                                e.time,
                                e.kind.as_str(),
                                e.actor,
                                e.subject,
                                e.environment
                                    .map(|env| format!("  env={env}"))
                                    .unwrap_or_default()
                            )?,
                            Ok(tollgate_ledger::Leaf::Sigstore { kind, .. }) => {
                                writeln!(out, "{i:>6}  {:<20}  sigstore {kind}", "")?
                            }
                            Err(e) => writeln!(out, "{i:>6}  unreadable entry: {e}")?,
                        }
                    }
                }
            }
        }
        LogCommand::Prove { index, from, to } => {
            let log = Log::open(&ctx.log)?;
            if let Some(old) = from {
                let new = match to {
                    Some(t) => t,
                    None => log.checkpoint()?.checkpoint.size,
                };
                for h in log.consistency_proof(old, new)? {
                    writeln!(out, "{}", tollgate_ledger::base64(&h))?;
                }
            } else if let Some(i) = index {
                write!(out, "{}", log.receipt(i)?.encode())?;
            }
        }
        LogCommand::Verify {
            tiles: tile_dir,
            checkpoints,
            receipts,
            public_key,
        } => {
            let key = public_key.unwrap_or_else(|| tollgate_ledger::log::pub_path(&ctx.log));
            let verifier = read_verifier(&key)?;
            let saved = checkpoints
                .iter()
                .map(|p| Ok((p.display().to_string(), read(p)?)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let policy = witness_policy(&ctx.settings, &[], None)?;
            let mut failed = false;
            for r in &receipts {
                let receipt = Receipt::parse(&read(r)?).with_context(|| r.display().to_string())?;
                match receipt.verify(&verifier, policy.as_ref(), None) {
                    Ok(cp) => eprintln!(
                        "{}: entry {} included in tree of size {}",
                        r.display(),
                        receipt.index,
                        cp.checkpoint.size
                    ),
                    Err(e) => {
                        failed = true;
                        eprintln!("{}: FAILED: {e}", r.display());
                    }
                }
            }
            if receipts.is_empty() || tile_dir.is_some() || !saved.is_empty() {
                let report = match &tile_dir {
                    Some(d) => tiles::verify(d, &verifier, &saved)?,
                    None => Log::open_with_verifier(&ctx.log, verifier)?.verify(&saved)?,
                };
                failed |= !print_report(&report, tile_dir.as_deref().unwrap_or(&ctx.log));
            }
            return Ok(if failed { exit::FAIL } else { exit::PASS });
        }
        LogCommand::Checkpoint {
            check,
            witnesses,
            quorum,
        } => {
            let log = Log::open(&ctx.log)?;
            let Some(path) = check else {
                write!(out, "{}", log.checkpoint()?.note.encode())?;
                return Ok(exit::PASS);
            };
            let raw = read(&path)?;
            let cp = SignedCheckpoint::verify(&raw, log.verifier())
                .with_context(|| path.display().to_string())?;
            let policy = witness_policy(&ctx.settings, &witnesses, quorum)?.unwrap_or_default();
            match policy.check(&cp.note) {
                Ok(names) => {
                    eprintln!(
                        "{}: signed by the log (size {}), cosigned by {} of {} witnesses ({})",
                        path.display(),
                        cp.checkpoint.size,
                        names.len(),
                        policy.witnesses.len(),
                        names.join(", ")
                    );
                }
                Err(e) => {
                    eprintln!("{}: FAILED: {e}", path.display());
                    return Ok(exit::FAIL);
                }
            }
        }
        LogCommand::Export {
            out: dir,
            no_payloads,
        } => {
            let log = Log::open(&ctx.log)?;
            let n = tiles::export(&log, &dir, !no_payloads)?;
            eprintln!("wrote {n} files to {}", dir.display());
        }
        LogCommand::TrustedRoot { base_url } => {
            let log = Log::open(&ctx.log)?;
            let doc = trusted_root::trusted_root(log.verifier(), &base_url, &log.created()?);
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
    }
    Ok(exit::PASS)
}

fn read(p: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
}

fn hex(h: &[u8]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_jsonl(path: &Path) -> anyhow::Result<Vec<Event>> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?,
        ))
    };
    let mut events = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        events.push(
            Event::from_json(&line).with_context(|| format!("{}:{}", path.display(), n + 1))?,
        );
    }
    Ok(events)
}

fn witness_policy(
    s: &LogSettings,
    extra: &[String],
    quorum: Option<usize>,
) -> anyhow::Result<Option<WitnessPolicy>> {
    let keys: Vec<Verifier> = s
        .witnesses
        .iter()
        .chain(extra)
        .map(|k| Verifier::parse(k).with_context(|| format!("witness key {k:?}")))
        .collect::<anyhow::Result<_>>()?;
    if keys.is_empty() {
        return Ok(None);
    }
    let quorum = quorum.unwrap_or(if s.quorum == 0 { keys.len() } else { s.quorum });
    if quorum > keys.len() {
        bail!(
            "quorum {quorum} is larger than the {} witnesses given",
            keys.len()
        );
    }
    Ok(Some(WitnessPolicy {
        witnesses: keys,
        quorum,
    }))
}

fn print_report(r: &VerifyReport, what: &Path) -> bool {
    if r.ok() {
        eprintln!(
            "{}: ok: {} entries, root {}, {} signed checkpoints consistent",
            what.display(),
            r.size,
            hex(&r.root),
            r.checkpoints
        );
        return true;
    }
    for p in &r.problems {
        eprintln!("{}: {p}", what.display());
    }
    eprintln!(
        "{}: FAILED: {} problems in {} entries",
        what.display(),
        r.problems.len(),
        r.size
    );
    false
}
