// Encrypt, Decrypt, ReEncrypt and GenerateRandom: direct use of an encryption key, symmetric
// (AES-GCM blobs that name their key) or RSA (RSAES-OAEP with the key pair, as AWS does:
// the ciphertext is the raw RSA ciphertext, so one made with the public key outside KMS decrypts).
import { constants, privateDecrypt, publicEncrypt } from 'node:crypto';
import { secureRandomBytes } from '../random.js';
import type { Caller } from '../caller.js';
import { AwsError, kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { blobMaterialId, sealingMaterialId } from './key-material-ids.js';
import { assertAlgorithm, assertKeyUsage, encryptionAlgorithms, keyPairParameters } from './key-specs.js';
import type { Kms, KeyRecord } from './model.js';
import { CiphertextField, DryRun, EncryptionAlgorithm, EncryptionContext, GrantTokens, KeyIdField, NumberOfBytes, OptionalKeyId, PlaintextField } from './shapes.js';

const OAEP_HASH: Record<string, { name: string; bytes: number }> = {
  RSAES_OAEP_SHA_1: { name: 'sha1', bytes: 20 },
  RSAES_OAEP_SHA_256: { name: 'sha256', bytes: 32 },
};

const EncryptInput = {
  KeyId: KeyIdField,
  Plaintext: PlaintextField,
  EncryptionContext,
  GrantTokens,
  EncryptionAlgorithm,
  DryRun,
} as const;

export function encrypt(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(EncryptInput, req);
  const key = kms.resolve(input.KeyId, caller);
  const algorithm = input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
  const blob = encryptUnder(kms, key, algorithm, input.Plaintext, input.EncryptionContext, 'Encrypt');
  return { CiphertextBlob: blob, KeyId: key.Arn, EncryptionAlgorithm: algorithm };
}

const DecryptInput = {
  CiphertextBlob: CiphertextField,
  EncryptionContext,
  GrantTokens,
  KeyId: OptionalKeyId,
  EncryptionAlgorithm,
  DryRun,
} as const;

export function decrypt(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(DecryptInput, req);
  const algorithm = input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
  const { key, plaintext } = decryptWith(kms, input.CiphertextBlob, input.EncryptionContext, input.KeyId, algorithm, caller, 'Decrypt');
  // "Present only when the operation uses a symmetric encryption KMS key."
  const materialId = algorithm === 'SYMMETRIC_DEFAULT' ? blobMaterialId(key, input.CiphertextBlob) : undefined;
  return { KeyId: key.Arn, Plaintext: plaintext, EncryptionAlgorithm: algorithm, ...(materialId ? { KeyMaterialId: materialId } : {}) };
}

const ReEncryptInput = {
  CiphertextBlob: CiphertextField,
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
  const sourceAlgorithm = input.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
  const destinationAlgorithm = input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
  const source = decryptWith(kms, input.CiphertextBlob, input.SourceEncryptionContext, input.SourceKeyId, sourceAlgorithm, caller, 'ReEncrypt');
  const destination = kms.resolve(input.DestinationKeyId, caller);
  const blob = encryptUnder(kms, destination, destinationAlgorithm, source.plaintext, input.DestinationEncryptionContext, 'ReEncrypt');
  // Each present only when that side uses a symmetric encryption KMS key.
  const sourceMaterialId = sourceAlgorithm === 'SYMMETRIC_DEFAULT' ? blobMaterialId(source.key, input.CiphertextBlob) : undefined;
  return {
    CiphertextBlob: blob,
    SourceKeyId: source.key.Arn,
    KeyId: destination.Arn,
    SourceEncryptionAlgorithm: sourceAlgorithm,
    DestinationEncryptionAlgorithm: destinationAlgorithm,
    ...(sourceMaterialId ? { SourceKeyMaterialId: sourceMaterialId } : {}),
    ...(destinationAlgorithm === 'SYMMETRIC_DEFAULT' ? { DestinationKeyMaterialId: sealingMaterialId(destination) } : {}),
  };
}

const GenerateRandomInput = { NumberOfBytes, CustomKeyStoreId: { type: 'string', min: 1, max: 64 } } as const;

export function generateRandom(_kms: Kms, req: unknown, _caller: Caller) {
  const input = parse(GenerateRandomInput, req);
  // The engine has no custom key stores, so any id names one KMS cannot find (as AWS answers an unknown id).
  if (input.CustomKeyStoreId !== undefined)
    throw new AwsError('CustomKeyStoreNotFoundException', `KMS cannot find a custom key store with the ID ${input.CustomKeyStoreId}.`);
  if (input.NumberOfBytes === undefined) throw kmsErrors.validation('NumberOfBytes is required.');
  return { Plaintext: secureRandomBytes(input.NumberOfBytes) };
}

/**
 * Encrypts under a key with KeyUsage ENCRYPT_DECRYPT: a blob sealed under a symmetric key,
 * or RSAES-OAEP with an RSA key's public key (no encryption context, AWS's size limit).
 */
function encryptUnder(kms: Kms, key: KeyRecord, algorithm: string, plaintext: Buffer, context: Record<string, string> | undefined, operation: string): Buffer {
  kms.assertUsable(key);
  assertKeyUsage(key, 'ENCRYPT_DECRYPT', operation);
  assertAlgorithm(key, algorithm, encryptionAlgorithms(key.KeySpec));
  if (algorithm === 'SYMMETRIC_DEFAULT') return kms.seal(key, plaintext, context);
  assertNoContext(context);
  const limit = rsaPlaintextLimit(key.KeySpec, algorithm);
  if (plaintext.length > limit)
    throw kmsErrors.validation(`Algorithm ${algorithm} and key spec ${key.KeySpec} cannot encrypt data larger than ${limit} bytes.`);
  // Given the private key, publicEncrypt uses its public half.
  return publicEncrypt({ key: kms.privateKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm]!.name }, plaintext);
}

/**
 * Decrypts. With SYMMETRIC_DEFAULT the blob names its key (a KeyId, when given, must be that key:
 * IncorrectKeyException). With an RSAES algorithm the KeyId names the RSA key, and anything that
 * does not decrypt under it is InvalidCiphertextException.
 */
function decryptWith(kms: Kms, blob: Buffer, context: Record<string, string> | undefined, keyId: string | undefined, algorithm: string, caller: Caller, operation: string): { key: KeyRecord; plaintext: Buffer } {
  if (algorithm === 'SYMMETRIC_DEFAULT') return openBlob(kms, blob, context, keyId, caller);
  // AWS requires the KeyId for an asymmetric ciphertext; what it answers without one is not documented.
  if (keyId === undefined) throw kmsErrors.validation("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  const key = kms.resolve(keyId, caller);
  kms.assertUsable(key);
  assertKeyUsage(key, 'ENCRYPT_DECRYPT', operation);
  assertAlgorithm(key, algorithm, encryptionAlgorithms(key.KeySpec));
  assertNoContext(context);
  try {
    return { key, plaintext: privateDecrypt({ key: kms.privateKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm]!.name }, blob) };
  } catch {
    throw kmsErrors.invalidCiphertext();
  }
}

/**
 * Finds the key a blob names and opens it. A KeyId, when given, must be that key
 * (IncorrectKeyException); the key must be usable; the context must match exactly.
 */
export function openBlob(kms: Kms, blob: Buffer, context: Record<string, string> | undefined, keyId: string | undefined, caller: Caller): { key: KeyRecord; plaintext: Buffer } {
  const key = kms.keyOfBlob(blob, caller.region);
  if (keyId !== undefined) {
    const named = kms.resolve(keyId, caller);
    if (named.KeyId !== key.KeyId)
      throw kmsErrors.incorrectKey('The key ID in the request does not identify a CMK that can perform this operation.');
  }
  kms.assertUsable(key);
  return { key, plaintext: kms.open(key, blob, context) };
}

/** The largest plaintext RSAES-OAEP takes: key bytes - 2 * hash bytes - 2 (the Developer Guide's table: 190 bytes for RSA_2048 with SHA-256). */
export function rsaPlaintextLimit(spec: string, algorithm: string): number {
  const params = keyPairParameters(spec);
  const bits = params && 'rsaBits' in params ? params.rsaBits : 0;
  return bits / 8 - 2 * OAEP_HASH[algorithm]!.bytes - 2;
}

/** The standard asymmetric algorithms take no encryption context (the Encrypt API reference); the text is what emulators matching AWS return, AWS does not document it. */
function assertNoContext(context: Record<string, string> | undefined) {
  if (context && Object.keys(context).length > 0)
    throw kmsErrors.validation('EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.');
}
