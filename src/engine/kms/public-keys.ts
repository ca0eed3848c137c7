// GetPublicKey: the public key of an asymmetric key, as DER SubjectPublicKeyInfo (RFC 5280),
// with what a user outside KMS must know to use it: its spec, usage and algorithms.
import { createPublicKey } from 'node:crypto';
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { algorithmsOf, familyOf } from './key-specs.js';
import type { Kms } from './model.js';
import { GrantTokens, KeyIdField } from './shapes.js';

export function getPublicKey(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ KeyId: KeyIdField, GrantTokens } as const, req);
  const key = kms.resolve(input.KeyId, caller);
  kms.assertUsable(key); // the key state table: GetPublicKey fails on a disabled key or one pending deletion
  const family = familyOf(key.KeySpec);
  // Symmetric and HMAC keys have no public key: UnsupportedOperationException, whose message AWS does not document.
  if (family !== 'RSA' && family !== 'ECC') throw kmsErrors.unsupportedOperation(`${key.Arn} key spec is ${key.KeySpec}, which has no public key.`);
  return {
    KeyId: key.Arn,
    PublicKey: createPublicKey(kms.privateKey(key)).export({ type: 'spki', format: 'der' }),
    CustomerMasterKeySpec: key.KeySpec,
    KeySpec: key.KeySpec,
    KeyUsage: key.KeyUsage,
    ...algorithmsOf(key),
  };
}
