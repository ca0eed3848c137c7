// GenerateDataKey and GenerateDataKeyWithoutPlaintext: the heart of envelope encryption.
import { secureRandomBytes } from '../random.js';
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { sealingMaterialId } from './key-material-ids.js';
import { assertSymmetricEncryptionKey } from './key-specs.js';
import type { Kms } from './model.js';
import { DataKeySpec, DryRun, EncryptionContext, GrantTokens, KeyIdField, NumberOfBytes } from './shapes.js';

const GenerateDataKeyInput = {
  KeyId: KeyIdField,
  EncryptionContext,
  NumberOfBytes,
  KeySpec: DataKeySpec,
  GrantTokens,
  DryRun,
} as const;

export function generateDataKey(kms: Kms, req: unknown, caller: Caller) {
  return newDataKey(kms, req, caller, 'GenerateDataKey');
}

export function generateDataKeyWithoutPlaintext(kms: Kms, req: unknown, caller: Caller) {
  const { CiphertextBlob, KeyId, KeyMaterialId } = newDataKey(kms, req, caller, 'GenerateDataKeyWithoutPlaintext');
  return { CiphertextBlob, KeyId, KeyMaterialId };
}

function newDataKey(kms: Kms, req: unknown, caller: Caller, operation: string) {
  const input = parse(GenerateDataKeyInput, req);
  const length = dataKeyLength(input.KeySpec, input.NumberOfBytes);
  const key = kms.resolve(input.KeyId, caller);
  kms.assertUsable(key);
  assertSymmetricEncryptionKey(key, operation);
  const dataKey = secureRandomBytes(length);
  const blob = kms.seal(key, dataKey, input.EncryptionContext);
  return { CiphertextBlob: blob, Plaintext: dataKey, KeyId: key.Arn, KeyMaterialId: sealingMaterialId(key) };
}

function dataKeyLength(keySpec: string | undefined, numberOfBytes: number | undefined): number {
  if ((keySpec === undefined) === (numberOfBytes === undefined))
    throw kmsErrors.validation('Please specify either number of bytes or key spec.');
  if (numberOfBytes !== undefined) return numberOfBytes;
  return keySpec === 'AES_128' ? 16 : 32;
}
