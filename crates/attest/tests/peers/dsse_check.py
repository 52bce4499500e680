"""Verifies a tollgate DSSE envelope with securesystemslib and parses its in-toto Statement
with the in-toto attestation Python bindings.

usage: python3 dsse_check.py ENVELOPE.json PUBKEY.pem SCHEME
Prints "OK <predicateType>" or "FAIL <reason>"; exit 0 / 1.
"""
import json
import sys

from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.signer import SSlibKey


def main() -> int:
    env_path, key_path, scheme = sys.argv[1:4]
    with open(env_path, "rb") as f:
        env = Envelope.from_dict(json.load(f))
    with open(key_path, "rb") as f:
        pem = f.read()
    keyid = env.signatures and next(iter(env.signatures))
    key = SSlibKey.from_crypto(load_pem_public_key(pem), keyid=keyid, scheme=scheme)
    try:
        env.verify([key], 1)
    except Exception as e:  # VerificationError
        print(f"FAIL signature: {e}")
        return 1
    pb = statement_pb2.Statement()
    try:
        json_format.Parse(env.payload.decode("utf-8"), pb)
        Statement.copy_from_pb(pb).validate()
    except Exception as e:
        print(f"FAIL statement: {e}")
        return 1
    print(f"OK {pb.predicate_type}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
