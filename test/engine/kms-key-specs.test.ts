// CreateKey and DescribeKey for every key spec and usage AWS allows, and AWS's refusals
// (AWS KMS Developer Guide, "Key spec reference"; CreateKey API reference, KeyUsage).
import { CreateKeyCommand, DescribeKeyCommand, type KeySpec, type KeyUsageType } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const RSA_SIGNING = ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'];
const ALGORITHM_FIELDS = ['EncryptionAlgorithms', 'SigningAlgorithms', 'MacAlgorithms', 'KeyAgreementAlgorithms'] as const;

const kinds: [KeySpec, KeyUsageType | undefined, Partial<Record<(typeof ALGORITHM_FIELDS)[number], string[]>>][] = [
  ['SYMMETRIC_DEFAULT', undefined, { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }],
  ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
  ['RSA_3072', 'SIGN_VERIFY', { SigningAlgorithms: RSA_SIGNING }],
  ['RSA_4096', 'SIGN_VERIFY', { SigningAlgorithms: RSA_SIGNING }],
  ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
  ['ECC_NIST_P384', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_384'] }],
  ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }],
  ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
  ['ECC_NIST_P384', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
  ['HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }],
  ['HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }],
  ['HMAC_384', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_384'] }],
  ['HMAC_512', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_512'] }],
];

describe('every key spec AWS offers, with each usage it allows', () => {
  test.each(kinds)('%s with %s: CreateKey and DescribeKey show the spec, its deprecated twin, the usage and only that usage\'s algorithms', async (KeySpec, KeyUsage, algorithms) => {
    const created = (await e.kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }))).KeyMetadata!;
    const described = (await e.kms.send(new DescribeKeyCommand({ KeyId: created.KeyId }))).KeyMetadata!;
    for (const meta of [created, described]) {
      expect(meta).toMatchObject({ KeySpec, CustomerMasterKeySpec: KeySpec, KeyUsage: KeyUsage ?? 'ENCRYPT_DECRYPT', KeyState: 'Enabled', Origin: 'AWS_KMS' });
      for (const field of ALGORITHM_FIELDS) expect(meta[field], field).toEqual(algorithms[field]);
    }
  });

  test('the deprecated CustomerMasterKeySpec makes the same key as KeySpec', async () => {
    const meta = (await e.kms.send(new CreateKeyCommand({ CustomerMasterKeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    expect(meta).toMatchObject({ KeySpec: 'ECC_NIST_P256', CustomerMasterKeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
  });
});

describe('a spec and usage AWS refuses is refused the same way', () => {
  const refused: [KeySpec | undefined, KeyUsageType | undefined, string][] = [
    ['RSA_2048', undefined, 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.'],
    ['ECC_NIST_P256', undefined, 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.'],
    ['HMAC_256', undefined, 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.'],
    [undefined, 'SIGN_VERIFY', 'The operation failed because the KeyUsage value of the CMK is SIGN_VERIFY. To perform this operation, the KeyUsage value must be ENCRYPT_DECRYPT.'],
    ['SYMMETRIC_DEFAULT', 'GENERATE_VERIFY_MAC', 'The operation failed because the KeyUsage value of the CMK is GENERATE_VERIFY_MAC. To perform this operation, the KeyUsage value must be ENCRYPT_DECRYPT.'],
    ['ECC_NIST_P256', 'ENCRYPT_DECRYPT', 'KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256'],
    ['ECC_SECG_P256K1', 'KEY_AGREEMENT', 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec ECC_SECG_P256K1'],
    ['RSA_2048', 'GENERATE_VERIFY_MAC', 'KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec RSA_2048'],
    ['RSA_3072', 'KEY_AGREEMENT', 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_3072'],
    ['HMAC_384', 'SIGN_VERIFY', 'KeyUsage SIGN_VERIFY is not compatible with KeySpec HMAC_384'],
  ];
  test.each(refused)('%s with %s is a ValidationException', async (KeySpec, KeyUsage, message) => {
    const err = await expectAwsError(e.kms.send(new CreateKeyCommand({ KeySpec, KeyUsage })), 'ValidationException');
    expect(err.message).toBe(message);
  });

  test('a KeySpec outside the API enum is a ValidationException naming the value', async () => {
    const err = await expectAwsError(e.kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_random' as KeySpec, KeyUsage: 'GENERATE_VERIFY_MAC' })), 'ValidationException');
    expect(err.message).toMatch(/^1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.*HMAC_512.*\]$/);
  });

  test('a spec in the API that the engine does not make (ML-DSA, SM2) is UnsupportedOperationException, saying so', async () => {
    for (const KeySpec of ['ML_DSA_44', 'SM2'] as KeySpec[]) {
      const err = await expectAwsError(e.kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'SIGN_VERIFY' })), 'UnsupportedOperationException');
      expect(err.message).toContain(KeySpec);
    }
  });
});
