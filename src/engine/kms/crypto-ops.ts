// Encrypt, Decrypt, ReEncrypt and GenerateRandom: direct use of a symmetric key.
import { randomBytes } from 'node:crypto';
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import type { Kms, KeyRecord } from './model.js';
import { DryRun, EncryptionAlgorithm, EncryptionContext, GrantTokens, KeyIdField, NumberOfBytes, OptionalKeyId } from './shapes.js';

const EncryptInput = {
  KeyId: KeyIdField,
  Plaintext: { type: 'blob', required: true, min: 1, max: 4096 },
  EncryptionContext,
  GrantTokens,
  EncryptionAlgorithm,
  DryRun,
} as const;

export function encrypt(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(EncryptInput, req);
  const key = kms.resolve(input.KeyId, caller);
  kms.assertUsable(key);
  kms.assertSymmetric(key, 'Encrypt');
  assertSymmetricAlgorithm(input.EncryptionAlgorithm);
  const blob = kms.seal(key, input.Plaintext, input.EncryptionContext);
  return { CiphertextBlob: blob, KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}

const DecryptInput = {
  CiphertextBlob: { type: 'blob', required: true, min: 1, max: 6144 },
  EncryptionContext,
  GrantTokens,
  KeyId: OptionalKeyId,
  EncryptionAlgorithm,
  DryRun,
} as const;

export function decrypt(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(DecryptInput, req);
  assertSymmetricAlgorithm(input.EncryptionAlgorithm);
  const { key, plaintext } = openBlob(kms, input.CiphertextBlob, input.EncryptionContext, input.KeyId, caller);
  return { KeyId: key.Arn, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}

const ReEncryptInput = {
  CiphertextBlob: { type: 'blob', required: true, min: 1, max: 6144 },
  SourceEncryptionContext: EncryptionContext,
  SourceKeyId: OptionalKeyId,
  DestinationKeyId: KeyIdField,
  DestinationEncryptionContext: EncryptionContext,
  SourceEncryptionAlgorithm: EncryptionAlgorithm,
  DestinationEncryptionAlgorithm: EncryptionAlgorithm,
  GrantTokens,
  DryRun,
} as const;

export function reEncrypt(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(ReEncryptInput, req);
  assertSymmetricAlgorithm(input.SourceEncryptionAlgorithm);
  assertSymmetricAlgorithm(input.DestinationEncryptionAlgorithm);
  const source = openBlob(kms, input.CiphertextBlob, input.SourceEncryptionContext, input.SourceKeyId, caller);
  const destination = kms.resolve(input.DestinationKeyId, caller);
  kms.assertUsable(destination);
  kms.assertSymmetric(destination, 'ReEncrypt');
  const blob = kms.seal(destination, source.plaintext, input.DestinationEncryptionContext);
  return {
    CiphertextBlob: blob,
    SourceKeyId: source.key.Arn,
    KeyId: destination.Arn,
    SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}

const GenerateRandomInput = { NumberOfBytes, CustomKeyStoreId: { type: 'string', min: 1, max: 64 } } as const;

export function generateRandom(_kms: Kms, req: unknown, _caller: Caller) {
  const input = parse(GenerateRandomInput, req);
  if (input.CustomKeyStoreId !== undefined) throw kmsErrors.notFound(`Custom key store ${input.CustomKeyStoreId} does not exist`);
  if (input.NumberOfBytes === undefined) throw kmsErrors.validation('NumberOfBytes is required');
  return { Plaintext: randomBytes(input.NumberOfBytes) };
}

/**
 * Finds the key a blob names and opens it. A KeyId, when given, must be that key
 * (IncorrectKeyException); the key must be usable; the context must match exactly.
 */
export function openBlob(kms: Kms, blob: Buffer, context: Record<string, string> | undefined, keyId: string | undefined, caller: Caller): { key: KeyRecord; plaintext: Buffer } {
  const key = kms.keyOfBlob(blob);
  if (keyId !== undefined) {
    const named = kms.resolve(keyId, caller);
    if (named.KeyId !== key.KeyId)
      throw kmsErrors.incorrectKey('The key ID in the request does not identify a KMS key that can perform this operation.');
  }
  kms.assertUsable(key);
  return { key, plaintext: kms.open(key, blob, context) };
}

function assertSymmetricAlgorithm(algorithm: string | undefined) {
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT')
    throw kmsErrors.invalidKeyUsage(`The encryption algorithm ${algorithm} is not valid for a symmetric encryption KMS key.`);
}
