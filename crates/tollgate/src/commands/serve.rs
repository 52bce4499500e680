//! `tollgate serve`: the control-plane server (crate `tollgate-server`), and its API tokens.

use crate::exit;
use anyhow::bail;
use std::io::Write;
use std::path::PathBuf;
use tollgate_server::access::Role;
use tollgate_server::config::{Flags, Options};
use tollgate_server::tokens;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub command: Option<ServeCommand>,
    #[command(flatten)]
    pub place: Place,
    /// Address to listen on (default 127.0.0.1:8620; port 0 picks a free one). Plain HTTP is
    /// refused off loopback unless server.toml sets `allow-insecure-http = true`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

/// Where the server's configuration and data are.
#[derive(Debug, Clone, clap::Args)]
pub struct Place {
    /// The server's configuration file (docs/server.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The data folder (created on first start; default ./tollgate-data).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ServeCommand {
    /// API tokens: create (shown once), list, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once on standard output (the server keeps its SHA-256).
    Create {
        /// reader, auditor, releaser, approver or admin.
        #[arg(long)]
        role: String,
        /// Who uses it (recorded as the actor of what it does).
        #[arg(long)]
        identity: String,
        /// Lifetime: 30d, 12h, 90m.
        #[arg(long, default_value = "30d")]
        expires: String,
        #[command(flatten)]
        place: Place,
    },
    /// List tokens (id, role, identity, expiry; never the token).
    List {
        #[command(flatten)]
        place: Place,
    },
    /// Revoke a token by its id (from `list`).
    Revoke {
        id: String,
        #[command(flatten)]
        place: Place,
    },
}

fn options(place: &Place, listen: Option<String>) -> anyhow::Result<Options> {
    Ok(Options::resolve(&Flags {
        config: place.config.clone(),
        listen,
        data: place.data.clone(),
    })?)
}

fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

pub fn run(a: ServeArgs) -> anyhow::Result<u8> {
    match a.command {
        None => {
            let opts = options(&a.place, a.listen)?;
            tollgate_server::serve_blocking(opts, |addr| {
                // The first line on standard output names the address (port 0 picks one).
                let mut out = std::io::stdout();
                let _ = writeln!(out, "listening on http://{addr}");
                let _ = out.flush();
            })?;
            Ok(exit::PASS)
        }
        Some(ServeCommand::Token(t)) => run_token(t),
    }
}

fn run_token(t: TokenCommand) -> anyhow::Result<u8> {
    let mut out = exit::stdout();
    match t {
        TokenCommand::Create {
            role,
            identity,
            expires,
            place,
        } => {
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            let o = options(&place, None)?;
            let c = tokens::create(&o.data, role, &identity, &expires)?;
            eprintln!(
                "token {} for {} ({}), expires {}: shown once, keep it secret",
                c.row.id,
                c.row.identity,
                c.row.role,
                date(c.row.expires)
            );
            writeln!(out, "{}", c.token)?;
        }
        TokenCommand::List { place } => {
            let o = options(&place, None)?;
            for r in tokens::list(&o.data)? {
                let state = if r.revoked { "revoked" } else { "active" };
                writeln!(
                    out,
                    "{}  {:<8}  {:<20}  expires {}  {state}",
                    r.id,
                    r.role,
                    r.identity,
                    date(r.expires)
                )?;
            }
        }
        TokenCommand::Revoke { id, place } => {
            let o = options(&place, None)?;
            if !tokens::revoke(&o.data, &id)? {
                bail!("no token with id {id} (see `tollgate serve token list`)");
            }
            eprintln!("revoked {id}");
        }
    }
    Ok(exit::PASS)
}
