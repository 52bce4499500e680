//! Streaming SHA-256 of artifacts (aws-lc-rs, which uses the CPU's SHA extensions).

use std::io::Read;
use std::path::Path;
use tollgate_model::Digest;

/// Read size: 1 MiB keeps syscalls rare and the buffer in L2.
pub const BUFFER_SIZE: usize = 1 << 20;

/// SHA-256 of everything `reader` yields, in constant memory.
pub fn sha256_reader(mut reader: impl Read) -> std::io::Result<Digest> {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut buf = vec![0u8; BUFFER_SIZE];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        ctx.update(&buf[..n]);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    Ok(Digest(out))
}

/// SHA-256 of a file.
pub fn sha256_file(path: &Path) -> std::io::Result<Digest> {
    sha256_reader(std::fs::File::open(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_one_shot_across_buffer_boundaries() {
        let data: Vec<u8> = (0..(BUFFER_SIZE * 2 + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        assert_eq!(
            sha256_reader(&data[..]).unwrap(),
            tollgate_model::sha256(&data)
        );
        assert_eq!(
            sha256_reader(&b"abc"[..]).unwrap().hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
