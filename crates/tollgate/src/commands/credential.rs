//! `tollgate credential exchange`: a deploy job trades its CI OIDC token for a short-lived
//! credential from `tollgate serve`, which issues one only while the latest gate decision for
//! the artifact and environment is ALLOW (docs/credentials.md). Exit 0 issued, 1 refused, 2 error.

use crate::exit;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use tollgate_credential::client::{self, ClientError, TokenSource};

#[derive(Debug, clap::Subcommand)]
pub enum CredentialCommand {
    /// Exchange the CI job's OIDC token for a deploy credential (RFC 8693).
    Exchange(ExchangeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExchangeArgs {
    /// The tollgate server (`https://…`; `http://` on loopback).
    #[arg(long, value_name = "URL", env = "TOLLGATE_SERVER")]
    pub server: String,
    /// The artifact file, or its digest as sha256:<hex>.
    #[arg(long, value_name = "FILE|DIGEST")]
    pub artifact: String,
    #[arg(long)]
    pub env: String,
    /// Read the CI token from FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "token_env")]
    pub token_file: Option<PathBuf>,
    /// Read the CI token from the environment variable NAME (GitLab `id_tokens:`).
    #[arg(long, value_name = "NAME")]
    pub token_env: Option<String>,
    /// Audience asked of GitHub Actions' token service (without --token-file/--token-env).
    #[arg(long, default_value = "tollgate")]
    pub audience: String,
    /// Write the credential to FILE (created 0600) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(c: CredentialCommand) -> anyhow::Result<u8> {
    let CredentialCommand::Exchange(a) = c;
    let source = match (&a.token_file, &a.token_env) {
        (Some(f), _) => TokenSource::File(f.clone()),
        (None, Some(n)) => TokenSource::Env(n.clone()),
        (None, None) => TokenSource::GitHubActions {
            audience: a.audience.clone(),
        },
    };
    let env = |k: &str| std::env::var(k).ok();
    let token = client::ci_token(&source, &env)?;
    let (_, digest) = tollgate_release::gate::artifact_digest(&a.artifact)?;
    match client::exchange(&a.server, &token, &digest, &a.env) {
        Ok(cred) => {
            match &a.output {
                Some(p) => {
                    let mut o = std::fs::OpenOptions::new();
                    o.write(true).create(true).truncate(true);
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::OpenOptionsExt;
                        o.mode(0o600);
                    }
                    let mut f = o
                        .open(p)
                        .with_context(|| format!("cannot write {}", p.display()))?;
                    f.write_all(cred.access_token.as_bytes())?;
                }
                None => outln!("{}", cred.access_token),
            }
            eprintln!(
                "credential for {digest} in {} issued, valid {} s",
                a.env, cred.expires_in
            );
            Ok(exit::PASS)
        }
        Err(ClientError::Refused {
            status,
            code,
            description,
        }) => {
            eprintln!("refused ({status} {code}): {description}");
            Ok(exit::FAIL)
        }
        Err(e) => Err(e.into()),
    }
}
