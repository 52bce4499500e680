// Verifies a tollgate bundle with npm @sigstore/verify used as a library.
// usage: node sigstore_verify.js BUNDLE ARTIFACT PUBKEY.pem [--default-thresholds]
// Prints "OK" or "FAIL <reason>" and exits 0 / 1.
// A key-based bundle without transparency-log entries or timestamps verifies only with
// tlogThreshold = 0 and timestampThreshold = 0 (the library's defaults demand one of each).
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');

const [bundlePath, artifactPath, keyPath, flag] = process.argv.slice(2);
try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const artifact = fs.readFileSync(artifactPath);
  const publicKey = crypto.createPublicKey(fs.readFileSync(keyPath, 'utf8'));
  const emptyRoot = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };
  const keys = (hint) => ({ publicKey, validFor: () => true });
  const trust = toTrustMaterial(emptyRoot, keys);
  const opts = flag === '--default-thresholds'
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
