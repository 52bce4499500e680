//! Speed of the release-integrity hot paths (issue 6):
//! - streaming SHA-256 (aws-lc-rs, 1 MiB buffers) — compare with `openssl speed -evp sha256`;
//! - verifying a whole release in-process: one message signature + six attestations,
//!   artifact pre-hashed (target < 2 ms CPU).
//!
//! `cargo bench -p tollgate-attest`; numbers go to bench/attest/README.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tollgate_attest::statement::*;
use tollgate_attest::{
    ArtifactRef, Bundle, KeyAlgorithm, PrivateKey, Requirements, Trust, attest_statement,
    verify_release,
};

fn hashing(c: &mut Criterion) {
    let data = vec![0x5au8; 64 << 20];
    let mut g = c.benchmark_group("sha256");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(20);
    g.bench_function("stream 64 MiB (1 MiB reads)", |b| {
        b.iter(|| tollgate_attest::hash::sha256_reader(black_box(&data[..])).unwrap())
    });
    g.finish();
}

fn release(c: &mut Criterion) {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let digest = tollgate_model::sha256(b"the artifact");
    let subject = vec![Subject::sha256("app.tar.gz", &digest)];
    let sig = Bundle::sign_message(&key, &digest, None).unwrap();
    let mut bundles = vec![("sig".to_string(), sig.to_json().into_bytes())];
    let types = [
        SLSA_PROVENANCE_V1,
        CYCLONEDX_BOM,
        TEST_RESULT_V01,
        SCAN_REPORT_V1,
        APPROVAL_V1,
        "https://example.com/extra/v1",
    ];
    for t in types {
        let pred = serde_json::json!({"result": "PASSED", "runDetails": {"builder": {"id": "b"},
            "metadata": {"finishedOn": "2026-01-01T00:00:00Z"}}, "components": (0..50).map(|i| format!("pkg:cargo/c{i}@1.0.0")).collect::<Vec<_>>()});
        let b = attest_statement(&key, Statement::new(subject.clone(), t, pred)).unwrap();
        bundles.push((t.to_string(), b.to_json().into_bytes()));
    }
    let trust = Trust::key(key.public_key().clone());
    let req = Requirements {
        predicate_types: types.iter().map(|s| s.to_string()).collect(),
        ..Requirements::default()
    };
    let art = ArtifactRef::Digest(digest);
    assert!(verify_release(&bundles, &art, &trust, &req).unwrap().ok());
    c.bench_function(
        "verify release (signature + 6 attestations, pre-hashed)",
        |b| {
            b.iter(|| {
                let r = verify_release(black_box(&bundles), &art, &trust, &req).unwrap();
                assert!(r.ok());
            })
        },
    );
}

criterion_group!(benches, hashing, release);
criterion_main!(benches);
