// Verifies a tollgate bundle with npm @sigstore/verify used as a library.
// usage: node sigstore_verify.js BUNDLE ARTIFACT PUBKEY.pem [--default-thresholds]
//        node sigstore_verify.js BUNDLE ARTIFACT PUBKEY.pem --trusted-root ROOT.json
// Prints "OK" or "FAIL <reason>" and exits 0 / 1.
// A key-based bundle without transparency-log entries or timestamps verifies only with
// tlogThreshold = 0 and timestampThreshold = 0 (the library's defaults demand one of each).
// With --trusted-root (a `tollgate log trusted-root` document) the library's default
// thresholds apply: one verified log entry and one verified timestamp (the entry's signed
// entry timestamp).
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');

const [bundlePath, artifactPath, keyPath, flag, rootPath] = process.argv.slice(2);
try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const artifact = fs.readFileSync(artifactPath);
  const publicKey = crypto.createPublicKey(fs.readFileSync(keyPath, 'utf8'));
  const emptyRoot = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };
  const keys = (hint) => ({ publicKey, validFor: () => true });
  const { TrustedRoot } = require('@sigstore/protobuf-specs');
  const root = flag === '--trusted-root'
    ? TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8')))
    : emptyRoot;
  const trust = toTrustMaterial(root, keys);
  const opts = flag === '--default-thresholds' || flag === '--trusted-root'
    ? {}
    : { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 };
  const verifier = new Verifier(trust, opts);
  const isDsse = bundle.content.$case === 'dsseEnvelope';
  const entity = isDsse ? toSignedEntity(bundle) : toSignedEntity(bundle, artifact);
  if (isDsse) {
    // For DSSE, @sigstore/verify checks the envelope signature; the subject is ours to check.
    const st = JSON.parse(Buffer.from(bundle.content.dsseEnvelope.payload).toString('utf8'));
    const digest = crypto.createHash('sha256').update(artifact).digest('hex');
    if (!st.subject.some((s) => s.digest && s.digest.sha256 === digest)) {
      throw new Error('no subject matches the artifact');
    }
  }
  verifier.verify(entity);
  console.log('OK');
} catch (e) {
  console.log('FAIL ' + (e && e.message ? e.message : e));
  process.exit(1);
}
