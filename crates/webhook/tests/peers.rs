//! Deliveries signed by the senders' own libraries (npm `standardwebhooks`, GitHub's
//! `@octokit/webhooks-methods`), installed by scripts/peers/webhook.sh: every one verifies,
//! and the same delivery with one byte changed, another secret, or an old timestamp does not.

use std::path::PathBuf;
use std::process::Command;
use time::OffsetDateTime;
use tollgate_webhook::verify::{DEFAULT_TOLERANCE, Rejection, Scheme, Source, verify};

const SECRET_SW: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SECRET_GH: &str = "It's a Secret to Everybody";

fn peers() -> Option<PathBuf> {
    let base = std::env::var_os("TOLLGATE_PEERS_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/tollgate-peers"))
        })?;
    let dir = base.join("webhook");
    dir.join("node_modules/standardwebhooks")
        .is_dir()
        .then_some(dir)
}

const SCRIPT: &str = r#"
import { createRequire } from 'module';
const require = createRequire(process.cwd() + '/');
const { Webhook } = require('standardwebhooks');
const { sign } = await import(process.cwd() + '/node_modules/@octokit/webhooks-methods/dist-node/index.js')
  .catch(() => import('@octokit/webhooks-methods'));
const wh = new Webhook(process.env.SW_SECRET.replace(/^whsec_/, ''));
const now = Math.floor(Date.now() / 1000);
const out = [];
for (let i = 0; i < 40; i++) {
  const body = JSON.stringify({ type: 'deployment.status', n: i, text: 'é€😀 ' + 'x'.repeat(i * 7),
    data: { repository: 'acme/app', commit: 'c' + i, environment: 'prod', state: 'success' } });
  const id = 'msg_' + i;
  const ts = new Date((now - i) * 1000);
  out.push({ scheme: 'standard', id, ts: String(now - i), sig: wh.sign(id, ts, body), body });
  out.push({ scheme: 'github', id: 'gh-' + i, sig: await sign(process.env.GH_SECRET, body), body });
}
console.log(JSON.stringify(out));
"#;

#[test]
fn deliveries_signed_by_peer_libraries() {
    let Some(dir) = peers() else {
        eprintln!("note: webhook peers not installed (scripts/peers/webhook.sh); skipped");
        return;
    };
    let out = Command::new("node")
        .args(["--input-type=module", "-e", SCRIPT])
        .current_dir(&dir)
        .env("SW_SECRET", SECRET_SW)
        .env("GH_SECRET", SECRET_GH)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), 80);
    let now = OffsetDateTime::now_utc();
    let source = |scheme, secret: &str| Source {
        name: "peer".into(),
        scheme,
        secrets: vec!["an-old-secret".into(), secret.into()],
        tolerance: DEFAULT_TOLERANCE,
    };
    for d in &list {
        let body = d["body"].as_str().unwrap().as_bytes().to_vec();
        let (src, wrong, headers): (Source, Source, Vec<(&str, String)>) =
            match d["scheme"].as_str() {
                Some("standard") => (
                    source(Scheme::Standard, SECRET_SW),
                    source(
                        Scheme::Standard,
                        "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",
                    ),
                    vec![
                        ("webhook-id", d["id"].as_str().unwrap().into()),
                        ("webhook-timestamp", d["ts"].as_str().unwrap().into()),
                        ("webhook-signature", d["sig"].as_str().unwrap().into()),
                    ],
                ),
                _ => (
                    source(Scheme::GitHub, SECRET_GH),
                    source(Scheme::GitHub, "another secret"),
                    vec![
                        ("x-hub-signature-256", d["sig"].as_str().unwrap().into()),
                        ("x-github-delivery", d["id"].as_str().unwrap().into()),
                    ],
                ),
            };
        let h = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let v = verify(&src, &h, &body, now).unwrap_or_else(|e| panic!("{e}: {d}"));
        assert_eq!(v.id, d["id"].as_str().unwrap());
        assert_eq!(verify(&wrong, &h, &body, now), Err(Rejection::BadSignature));
        let mut tampered = body.clone();
        let last = tampered.len() - 2;
        tampered[last] ^= 1;
        assert_eq!(
            verify(&src, &h, &tampered, now),
            Err(Rejection::BadSignature)
        );
        if src.scheme == Scheme::Standard {
            let later = now + time::Duration::minutes(10);
            assert!(matches!(
                verify(&src, &h, &body, later),
                Err(Rejection::Stale(..))
            ));
        }
    }
}
