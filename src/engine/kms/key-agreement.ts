// DeriveSharedSecret: ECDH (NIST SP 800-56A's cofactor Diffie-Hellman primitive, which for the
// NIST curves, cofactor 1, is plain ECDH) between the private key of a KEY_AGREEMENT key and a
// peer's public key on the same curve. The result is the raw shared secret (the x-coordinate,
// as long as the curve's field), exactly what `openssl pkeyutl -derive` and node's
// diffieHellman give the peer: KMS applies no key derivation function.
import { createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { assertKeyUsage, keyPairParameters } from './key-specs.js';
import type { KeyRecord, Kms } from './model.js';
import { DryRun, GrantTokens, KeyIdField } from './shapes.js';

const DeriveSharedSecretInput = {
  KeyId: KeyIdField,
  KeyAgreementAlgorithm: { type: 'string', required: true, enum: ['ECDH'] },
  PublicKey: { type: 'blob', required: true, min: 1, max: 8192 },
  GrantTokens,
  DryRun,
  // AttestationDocument is a blob in the API; it is only checked for presence here, so it stays base64 text.
  Recipient: {
    type: 'struct',
    of: { KeyEncryptionAlgorithm: { type: 'string', enum: ['RSAES_OAEP_SHA_256'] }, AttestationDocument: { type: 'string', min: 1, max: 349528 } },
  },
} as const;

export function deriveSharedSecret(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(DeriveSharedSecretInput, req);
  const key = kms.resolve(input.KeyId, caller);
  kms.assertUsable(key);
  assertKeyUsage(key, 'KEY_AGREEMENT', 'DeriveSharedSecret');
  // KMS answers a Recipient only for an attestation document signed by the AWS Nitro PKI, which no
  // document reaching a local engine is: refuse it rather than return the secret in the clear.
  if (input.Recipient?.AttestationDocument !== undefined)
    throw kmsErrors.validation('The attestation document in Recipient is not signed by an AWS Nitro enclave or NitroTPM, so it cannot be verified.');
  const peer = peerPublicKey(key, input.PublicKey);
  return {
    KeyId: key.Arn,
    SharedSecret: diffieHellman({ privateKey: kms.privateKey(key), publicKey: peer }),
    KeyAgreementAlgorithm: input.KeyAgreementAlgorithm,
    KeyOrigin: key.Origin,
  };
}

/**
 * The peer's key: a DER SubjectPublicKeyInfo of an EC public key on the KMS key's curve (OpenSSL
 * refuses a point off the curve as it parses it). Anything else is AWS's ValidationException.
 */
function peerPublicKey(key: KeyRecord, der: Buffer): KeyObject {
  const curve = (keyPairParameters(key.KeySpec) as { curve: string }).curve;
  let peer: KeyObject;
  try {
    peer = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw kmsErrors.validation('PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo (RFC 5280).');
  }
  if (peer.asymmetricKeyType !== 'ec' || peer.asymmetricKeyDetails?.namedCurve !== curve)
    throw kmsErrors.validation(`PublicKey must be an elliptic curve public key on the curve of ${key.KeySpec}, the key spec of ${key.Arn}.`);
  return peer;
}
