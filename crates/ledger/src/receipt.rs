//! Per-event receipts in the `c2sp.org/tlog-proof@v1` format: the entry's index, its inclusion
//! proof and the signed checkpoint it is proven against. We put the entry's canonical bytes in
//! the `extra` line, so a receipt verifies offline with nothing but the log's public key.

use crate::merkle::{Hash, leaf_hash, verify_inclusion};
use crate::note::{NoteError, SignedCheckpoint, Verifier, WitnessPolicy};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

pub const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// More hashes than any tree of 2^64 leaves needs.
const MAX_HASHES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub extra: Option<Vec<u8>>,
    pub index: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, verbatim.
    pub checkpoint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("malformed tlog-proof: {0}")]
    Malformed(String),
    #[error("receipt checkpoint: {0}")]
    Checkpoint(#[from] NoteError),
    #[error("receipt carries no entry and none was given")]
    NoEntry,
    #[error("inclusion proof of entry {index} does not verify: {reason}")]
    Inclusion { index: u64, reason: String },
}

impl Receipt {
    pub fn encode(&self) -> String {
        let mut s = format!("{HEADER}\n");
        if let Some(e) = &self.extra {
            s.push_str(&format!("extra {}\n", B64.encode(e)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.proof {
            s.push_str(&B64.encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    pub fn parse(text: &str) -> Result<Receipt, ReceiptError> {
        let bad = |m: &str| ReceiptError::Malformed(m.to_string());
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or_else(|| bad("no blank line before the checkpoint"))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(bad("first line must be c2sp.org/tlog-proof@v1"));
        }
        let mut line = lines.next().ok_or_else(|| bad("no index line"))?;
        let mut extra = None;
        if let Some(e) = line.strip_prefix("extra ") {
            extra = Some(B64.decode(e).map_err(|_| bad("extra is not base64"))?);
            line = lines.next().ok_or_else(|| bad("no index line"))?;
        }
        let idx = line
            .strip_prefix("index ")
            .ok_or_else(|| bad("expected `index N`"))?;
        if idx.is_empty()
            || !idx.bytes().all(|b| b.is_ascii_digit())
            || (idx.len() > 1 && idx.starts_with('0'))
        {
            return Err(bad("index must be a decimal number"));
        }
        let index = idx.parse().map_err(|_| bad("index too large"))?;
        let mut proof = Vec::new();
        for l in lines {
            if proof.len() >= MAX_HASHES {
                return Err(bad("too many proof hashes"));
            }
            let h: Hash = B64
                .decode(l)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| bad("proof hash must be 32 bytes of base64"))?;
            proof.push(h);
        }
        Ok(Receipt {
            extra,
            index,
            proof,
            checkpoint: checkpoint.to_string(),
        })
    }

    /// Verifies the receipt against the log key (and a witness policy, when given) for `entry`
    /// (or the entry carried in `extra`). Returns the verified checkpoint.
    pub fn verify(
        &self,
        log: &Verifier,
        witnesses: Option<&WitnessPolicy>,
        entry: Option<&[u8]>,
    ) -> Result<SignedCheckpoint, ReceiptError> {
        let cp = SignedCheckpoint::verify(&self.checkpoint, log)?;
        if let Some(policy) = witnesses {
            policy.check(&cp.note)?;
        }
        let entry = entry
            .or(self.extra.as_deref())
            .ok_or(ReceiptError::NoEntry)?;
        verify_inclusion(
            self.index,
            cp.checkpoint.size,
            &leaf_hash(entry),
            &self.proof,
            &cp.checkpoint.root,
        )
        .map_err(|e| ReceiptError::Inclusion {
            index: self.index,
            reason: e.to_string(),
        })?;
        Ok(cp)
    }
}
