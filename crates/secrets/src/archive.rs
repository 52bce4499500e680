//! Build outputs: zip, tar, tar.gz (and plain .gz), `docker save` and OCI layout tarballs
//! (a tar of manifests and layer tars), opened recursively in memory with a depth limit, a
//! total-size limit and a compression-ratio guard against zip bombs. Members are reported as
//! `Location.member` (`outer/member!inner/member` for nested archives).

pub use crate::input::ArchiveLimits;
use crate::input::{BytesScanner, Input, merge};
use std::io::{Cursor, Read};
use tollgate_engine::ScanOutput;
use tollgate_model::Diagnostic;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    Zip,
    Gzip,
    Tar,
}

/// Recognizes an archive from its first bytes.
pub fn sniff(data: &[u8]) -> Option<ArchiveKind> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some(ArchiveKind::Zip)
    } else if data.starts_with(&[0x1f, 0x8b]) {
        Some(ArchiveKind::Gzip)
    } else if data.len() >= 262 && &data[257..262] == b"ustar" {
        Some(ArchiveKind::Tar)
    } else {
        None
    }
}

struct Walk<'s> {
    scanner: &'s dyn BytesScanner,
    limits: &'s ArchiveLimits,
    budget: u64,
    out: ScanOutput,
}

/// Scans the archive `data` (the input's bytes or a member's).
pub fn scan_archive(
    scanner: &dyn BytesScanner,
    input: &Input<'_>,
    data: &[u8],
    depth: usize,
    limits: &ArchiveLimits,
    out: &mut ScanOutput,
) {
    let mut w = Walk {
        scanner,
        limits,
        budget: limits.max_total_bytes,
        out: ScanOutput::default(),
    };
    w.archive(input, data, depth);
    w.out.files_scanned = w.out.files_scanned.max(1);
    merge(out, w.out);
}

impl Walk<'_> {
    fn diag(&mut self, input: &Input<'_>, msg: String) {
        let place = match input.member {
            Some(m) => format!("{}!{}", input.display, m),
            None => input.display.to_string(),
        };
        self.out
            .diagnostics
            .push(Diagnostic::warning("secrets", msg).at(place, None, None));
    }

    fn archive(&mut self, input: &Input<'_>, data: &[u8], depth: usize) {
        if depth >= self.limits.max_depth {
            self.diag(
                input,
                format!(
                    "archive nested deeper than {} levels: not opened",
                    self.limits.max_depth
                ),
            );
            return;
        }
        match sniff(data) {
            Some(ArchiveKind::Zip) => self.zip(input, data, depth),
            Some(ArchiveKind::Tar) => self.tar(input, data, depth),
            Some(ArchiveKind::Gzip) => self.gzip(input, data, depth),
            None => {
                let o = self.scanner.scan_bytes(input, data);
                merge(&mut self.out, o);
            }
        }
    }

    fn member_name(parent: Option<&str>, name: &str) -> String {
        match parent {
            Some(p) => format!("{p}!{name}"),
            None => name.to_string(),
        }
    }

    /// Reads at most the member limit (and the remaining budget) from `r`.
    fn read_limited(&mut self, r: impl Read, input: &Input<'_>, name: &str) -> Option<Vec<u8>> {
        let cap = self.limits.max_member_bytes.min(self.budget);
        let mut buf = Vec::new();
        match r.take(cap + 1).read_to_end(&mut buf) {
            Ok(_) => {}
            Err(e) => {
                self.diag(input, format!("cannot read member {name}: {e}"));
                return None;
            }
        }
        if buf.len() as u64 > cap {
            self.diag(
                input,
                format!("member {name} exceeds the unpack limit ({cap} bytes): skipped"),
            );
            self.budget = self.budget.saturating_sub(cap);
            return None;
        }
        self.budget -= buf.len() as u64;
        Some(buf)
    }

    fn member(&mut self, input: &Input<'_>, name: &str, data: &[u8], depth: usize) {
        let member = Self::member_name(input.member, name);
        let child = Input {
            display: input.display,
            rel: input.rel,
            member: Some(&member),
            origin: input.origin.clone(),
        };
        if sniff(data).is_some() {
            self.archive(&child, data, depth + 1);
        } else if looks_binary(data) {
            // Binaries inside archives are skipped, like binaries on disk.
        } else {
            let o = self.scanner.scan_bytes(&child, data);
            merge(&mut self.out, o);
        }
    }

    fn zip(&mut self, input: &Input<'_>, data: &[u8], depth: usize) {
        let mut z = match zip::ZipArchive::new(Cursor::new(data)) {
            Ok(z) => z,
            Err(e) => return self.diag(input, format!("corrupt zip archive: {e}")),
        };
        for i in 0..z.len() {
            if self.budget == 0 {
                self.diag(
                    input,
                    "archive unpack budget exhausted: rest skipped".into(),
                );
                return;
            }
            let mut f = match z.by_index(i) {
                Ok(f) => f,
                Err(e) => {
                    self.diag(input, format!("corrupt zip member #{i}: {e}"));
                    continue;
                }
            };
            if f.is_dir() {
                continue;
            }
            // zip 9 refuses names that are neither UTF-8 nor CP437-decodable: show them lossily.
            let name = match f.name() {
                Ok(n) => n.into_owned(),
                Err(_) => String::from_utf8_lossy(f.name_raw()).into_owned(),
            };
            let (size, packed) = (f.size(), f.compressed_size().max(1));
            if size > (1 << 20) && size / packed > self.limits.max_ratio {
                self.diag(
                    input,
                    format!(
                        "member {name} expands {}x ({size} bytes): zip bomb guard, skipped",
                        size / packed
                    ),
                );
                continue;
            }
            let Some(buf) = self.read_limited(&mut f, input, &name) else {
                continue;
            };
            drop(f);
            self.member(input, &name, &buf, depth);
        }
    }

    fn tar(&mut self, input: &Input<'_>, data: &[u8], depth: usize) {
        let mut a = tar::Archive::new(Cursor::new(data));
        let entries = match a.entries() {
            Ok(e) => e,
            Err(e) => return self.diag(input, format!("corrupt tar archive: {e}")),
        };
        for entry in entries {
            if self.budget == 0 {
                self.diag(
                    input,
                    "archive unpack budget exhausted: rest skipped".into(),
                );
                return;
            }
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.diag(input, format!("corrupt tar entry: {e}"));
                    return;
                }
            };
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = match entry.path() {
                Ok(p) => p.to_string_lossy().into_owned(),
                Err(_) => String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
            };
            let Some(buf) = self.read_limited(&mut entry, input, &name) else {
                continue;
            };
            self.member(input, &name, &buf, depth);
        }
    }

    fn gzip(&mut self, input: &Input<'_>, data: &[u8], depth: usize) {
        let dec = flate2::read::MultiGzDecoder::new(Cursor::new(data));
        let Some(buf) = self.read_limited(dec, input, "(gzip stream)") else {
            return;
        };
        if sniff(&buf) == Some(ArchiveKind::Tar) {
            self.tar(input, &buf, depth);
        } else if !looks_binary(&buf) {
            let o = self.scanner.scan_bytes(input, &buf);
            merge(&mut self.out, o);
        }
    }
}

/// A NUL byte in the first 8 KiB: a binary file.
pub fn looks_binary(data: &[u8]) -> bool {
    data[..data.len().min(8192)].contains(&0)
}
