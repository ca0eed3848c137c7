// GenerateDataKey and GenerateDataKeyWithoutPlaintext: the heart of envelope encryption.
import { randomBytes } from 'node:crypto';
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
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
  const input = parse(GenerateDataKeyInput, req);
  const length = dataKeyLength(input.KeySpec, input.NumberOfBytes);
  const key = kms.resolve(input.KeyId, caller);
  kms.assertUsable(key);
  kms.assertSymmetric(key, 'GenerateDataKey');
  const dataKey = randomBytes(length);
  const blob = kms.seal(key, dataKey, input.EncryptionContext);
  return { CiphertextBlob: blob, Plaintext: dataKey, KeyId: key.Arn };
}

export function generateDataKeyWithoutPlaintext(kms: Kms, req: unknown, caller: Caller) {
  const { CiphertextBlob, KeyId } = generateDataKey(kms, req, caller);
  return { CiphertextBlob, KeyId };
}

function dataKeyLength(keySpec: string | undefined, numberOfBytes: number | undefined): number {
  if ((keySpec === undefined) === (numberOfBytes === undefined))
    throw kmsErrors.validation('Please specify either number of bytes or key spec.');
  if (numberOfBytes !== undefined) return numberOfBytes;
  return keySpec === 'AES_128' ? 16 : 32;
}
