// What the KMS call path decides around an operation, module by module without HTTP: the
// requestParameters CloudTrail records (recorded.ts: the members AWS's log examples show, the
// defaults KMS fills in, DryRun where the operation takes it), KMS's own events (RotateKey),
// which operations take DryRun (dry-run.ts), and the rows of the operations the engine lacks
// (not-implemented.ts: read-only or not, with or without a key).
import { describe, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { acceptsDryRun, refuseDryRun } from '../../src/engine/kms/dry-run.js';
import type { KeyRecord, Kms } from '../../src/engine/kms/model.js';
import { notImplementedOperations } from '../../src/engine/kms/not-implemented.js';
import { kmsRequestParameters, kmsServiceEvent } from '../../src/engine/kms/recorded.js';

describe('requestParameters (recorded.ts)', () => {
  test('an operation the engine does not record is null; one that records nothing of its request is null too', () => {
    expect(kmsRequestParameters('MakeCoffee', { KeyId: 'k' })).toBeNull();
    expect(kmsRequestParameters('toString', { KeyId: 'k' })).toBeNull();
    expect(kmsRequestParameters('GenerateRandom', { NumberOfBytes: 32 })).toBeNull();
    expect(kmsRequestParameters('RetireGrant', { GrantToken: 'secret', KeyId: 'k', GrantId: 'g' })).toBeNull();
    expect(kmsRequestParameters('DescribeKey', {})).toBeNull();
  });

  test("CreateKey fills in AWS's defaults; the request's own values win, and CustomerMasterKeySpec alone names the key spec", () => {
    expect(kmsRequestParameters('CreateKey', {})).toEqual({
      description: '', origin: 'AWS_KMS', bypassPolicyLockoutSafetyCheck: false, keyUsage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT', customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    });
    expect(kmsRequestParameters('CreateKey', { Description: 'd', Origin: 'EXTERNAL', KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256', BypassPolicyLockoutSafetyCheck: true, MultiRegion: true })).toEqual({
      description: 'd', origin: 'EXTERNAL', bypassPolicyLockoutSafetyCheck: true, keyUsage: 'SIGN_VERIFY', keySpec: 'ECC_NIST_P256', customerMasterKeySpec: 'ECC_NIST_P256', multiRegion: true,
    });
    expect(kmsRequestParameters('CreateKey', { CustomerMasterKeySpec: 'RSA_2048' })).toMatchObject({ keySpec: 'RSA_2048', customerMasterKeySpec: 'RSA_2048' });
    // Both given: each as given.
    expect(kmsRequestParameters('CreateKey', { KeySpec: 'HMAC_256', CustomerMasterKeySpec: 'RSA_2048' })).toMatchObject({ keySpec: 'HMAC_256', customerMasterKeySpec: 'RSA_2048' });
  });

  test('Encrypt and Decrypt record SYMMETRIC_DEFAULT unless another algorithm is named; ReEncrypt both sides', () => {
    expect(kmsRequestParameters('Encrypt', { KeyId: 'k', Plaintext: 'c2VjcmV0' })).toEqual({ keyId: 'k', encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(kmsRequestParameters('Decrypt', { CiphertextBlob: 'YmxvYg==', EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).toEqual({ encryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(kmsRequestParameters('ReEncrypt', { DestinationKeyId: 'd', DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })).toEqual({
      destinationKeyId: 'd', sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', destinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
    });
  });

  test('Sign and Verify record the RAW message type by default; GetKeyPolicy and PutKeyPolicy the default policy name', () => {
    expect(kmsRequestParameters('Sign', { KeyId: 'k', Message: 'bQ==', SigningAlgorithm: 'ECDSA_SHA_256' })).toEqual({ keyId: 'k', messageType: 'RAW', signingAlgorithm: 'ECDSA_SHA_256' });
    expect(kmsRequestParameters('Verify', { KeyId: 'k', MessageType: 'DIGEST', Signature: 'cw==' })).toEqual({ keyId: 'k', messageType: 'DIGEST' });
    expect(kmsRequestParameters('GetKeyPolicy', { KeyId: 'k' })).toEqual({ keyId: 'k', policyName: 'default' });
    expect(kmsRequestParameters('PutKeyPolicy', { KeyId: 'k', Policy: '{}' })).toEqual({ keyId: 'k', policy: '{}', policyName: 'default', bypassPolicyLockoutSafetyCheck: false });
  });

  test('an operation that takes DryRun records it; only Decrypt and ReEncrypt record DryRunModifiers', () => {
    const modifiers = { DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] };
    expect(kmsRequestParameters('Decrypt', modifiers)).toEqual({ dryRun: true, dryRunModifiers: ['IGNORE_CIPHERTEXT'], encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(kmsRequestParameters('ReEncrypt', modifiers)).toMatchObject({ dryRun: true, dryRunModifiers: ['IGNORE_CIPHERTEXT'] });
    expect(kmsRequestParameters('Encrypt', modifiers)).toEqual({ dryRun: true, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(kmsRequestParameters('GenerateMac', { KeyId: 'k', ...modifiers })).toEqual({ keyId: 'k', dryRun: true });
    expect(kmsRequestParameters('DescribeKey', { KeyId: 'k', ...modifiers })).toEqual({ keyId: 'k' });
    expect(kmsRequestParameters('GenerateRandom', modifiers)).toBeNull();
  });

  test("KMS's own events name the key, its account and Region, and when", () => {
    const key = { KeyId: 'mrk-1', Arn: 'arn:aws:kms:eu-west-1:444455556666:key/mrk-1', AWSAccountId: '444455556666', Region: 'eu-west-1' } as KeyRecord;
    expect(kmsServiceEvent({ eventName: 'RotateKey', key, time: 1234 })).toEqual({
      accountId: '444455556666', region: 'eu-west-1', eventSource: 'kms.amazonaws.com', eventName: 'RotateKey',
      resources: [{ type: 'AWS::KMS::Key', ARN: key.Arn }], serviceEventDetails: { keyId: 'mrk-1' }, time: 1234,
    });
  });
});

describe('DryRun (dry-run.ts)', () => {
  test('the operations that take it, and no other', () => {
    for (const op of ['Decrypt', 'DeriveSharedSecret', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'ReEncrypt', 'Sign', 'Verify', 'VerifyMac'])
      expect(acceptsDryRun(op), op).toBe(true);
    for (const op of ['DescribeKey', 'CreateKey', 'GenerateRandom', 'toString', '']) expect(acceptsDryRun(op), op).toBe(false);
  });

  test('refused only when DryRun is exactly true, on an operation that takes it', () => {
    expect(() => refuseDryRun('Encrypt', { DryRun: true })).toThrow(expect.objectContaining({ code: 'DryRunOperationException', message: 'The request would have succeeded, but the DryRun option is set.' }));
    for (const input of [{ DryRun: false }, { DryRun: 'true' }, { DryRun: 1 }, {}, null, undefined]) expect(() => refuseDryRun('Encrypt', input), JSON.stringify(input)).not.toThrow();
    expect(() => refuseDryRun('DescribeKey', { DryRun: true })).not.toThrow();
  });
});

describe('the operations the engine lacks (not-implemented.ts)', () => {
  const found: string[] = [];
  const kms = {
    resolve: (ref: string) => {
      found.push(ref);
      if (ref !== 'known') throw Object.assign(new Error(`Key '${ref}' does not exist`), { code: 'NotFoundException' });
      return {};
    },
  } as unknown as Kms;
  const caller = makeCaller();

  test("an implemented operation has no row; the API's others have one, read-only when they only read (Get, List, Describe)", () => {
    const rows = notImplementedOperations({ CreateKey: {}, GetKeyPolicy: {}, DescribeKey: {} });
    expect(Object.hasOwn(rows, 'CreateKey')).toBe(false);
    expect(Object.hasOwn(rows, 'GetKeyPolicy')).toBe(false);
    expect(rows.GetKeyLastUsage!.readOnly).toBe(true);
    expect(rows.ListAliases!.readOnly).toBe(true);
    expect(rows.DescribeCustomKeyStores!.readOnly).toBe(true);
    expect(rows.UpdateCustomKeyStore!.readOnly).toBe(false);
    expect(rows.ConnectCustomKeyStore!.readOnly).toBe(false);
    expect(rows.EnableKey!.readOnly).toBe(false);
    expect(Object.keys(rows)).toHaveLength(54 - 3);
  });

  test('each looks up the key it names, then says the engine lacks it; custom key stores name no key; RetireGrant may', () => {
    const rows = notImplementedOperations({});
    const unsupported = (op: string, input: unknown) => {
      found.length = 0;
      expect(() => rows[op]!.run(kms, input, caller), op).toThrow(expect.objectContaining({ code: 'UnsupportedOperationException', message: `The local engine does not implement ${op} yet.` }));
      return [...found];
    };
    expect(unsupported('GetKeyLastUsage', { KeyId: 'known' })).toEqual(['known']);
    expect(() => rows.GetKeyLastUsage!.run(kms, { KeyId: 'gone' }, caller)).toThrow("Key 'gone' does not exist");
    expect(() => rows.GetKeyLastUsage!.run(kms, {}, caller)).toThrow(expect.objectContaining({ code: 'ValidationException' }));
    expect(unsupported('RetireGrant', {})).toEqual([]);
    expect(unsupported('RetireGrant', { KeyId: 'known' })).toEqual(['known']);
    for (const op of ['ConnectCustomKeyStore', 'CreateCustomKeyStore', 'DeleteCustomKeyStore', 'DescribeCustomKeyStores', 'DisconnectCustomKeyStore', 'ListRetirableGrants', 'UpdateCustomKeyStore'])
      expect(unsupported(op, { KeyId: 'gone' }), op).toEqual([]);
  });
});
