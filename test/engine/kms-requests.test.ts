// KMS requests refused for what they ask, with AWS's error types and messages that name
// the operation, the key and the value at fault: ReEncrypt's two keys, asymmetric
// encryption without a key or with a context, the AWS managed key's management calls,
// key states that forbid enabling or cancelling, CreateKey options the engine does not
// offer, and what DescribeKey leaves out.
import {
  CancelKeyDeletionCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EnableKeyCommand, EncryptCommand, ListKeysCommand, ReEncryptCommand,
  UpdateKeyDescriptionCommand, type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultKeyPolicy } from '../../src/engine/kms/lifecycle.js';
import { makeCaller } from '../../src/engine/caller.js';
import { awsManagedS3Key, startTestEngine, TEST_CREDENTIALS, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const newKey = async (input: CreateKeyCommandInput = {}) => (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!;

describe('ReEncrypt', () => {
  test('into a key that does not encrypt, or from one named as the source, is InvalidKeyUsageException naming ReEncrypt', async () => {
    const source = await newKey();
    const signing = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: Buffer.from('x') }));
    const into = await expectAwsError(e.kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: signing.KeyId })), 'InvalidKeyUsageException');
    expect(into.message).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for ReEncrypt.`);
    const from = await expectAwsError(
      e.kms.send(new ReEncryptCommand({ CiphertextBlob, SourceKeyId: signing.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: source.KeyId })),
      'InvalidKeyUsageException',
    );
    expect(from.message).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for ReEncrypt.`);
  });
});

describe('asymmetric encryption', () => {
  test('decrypting RSAES ciphertext needs the KeyId: ValidationException naming keyId', async () => {
    const rsa = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    const err = await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })), 'ValidationException');
    expect(err.message).toContain("Value null at 'keyId'");
    const opened = await e.kms.send(new DecryptCommand({ CiphertextBlob, KeyId: rsa.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('x');
  });

  test('takes no encryption context: an empty one is fine, any pair is ValidationException', async () => {
    const rsa = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const encrypt = (EncryptionContext: Record<string, string>) =>
      e.kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1', EncryptionContext }));
    await encrypt({});
    const err = await expectAwsError(encrypt({ a: 'b' }), 'ValidationException');
    expect(err.message).toContain('EncryptionContext is not supported');
  });
});

describe('the AWS managed key and key states', () => {
  test("aws/s3's description, enabling and deletion are AWS's: its key policy allows none of them, AccessDeniedException naming each operation", async () => {
    const managed = await awsManagedS3Key(e, 'managed-ops');
    for (const [operation, call] of [
      ['UpdateKeyDescription', new UpdateKeyDescriptionCommand({ KeyId: managed.KeyId, Description: 'mine' })],
      ['EnableKey', new EnableKeyCommand({ KeyId: managed.KeyId })],
      ['CancelKeyDeletion', new CancelKeyDeletionCommand({ KeyId: managed.KeyId })],
    ] as const) {
      const err = await expectAwsError(e.kms.send(call as EnableKeyCommand), 'AccessDeniedException');
      // The authorization decision refuses first (issue 10): AWS's message for a key policy that does not allow the action.
      expect(err.message).toBe(`User: arn:aws:iam::111122223333:user/workshop-learner is not authorized to perform: kms:${operation} on resource: ${managed.Arn} because no resource-based policy allows the kms:${operation} action`);
    }
  });

  test('a key awaiting imported material cannot be enabled; a key not pending deletion cannot have its deletion cancelled', async () => {
    const external = await newKey({ Origin: 'EXTERNAL' });
    expect(external.KeyState).toBe('PendingImport');
    const enable = await expectAwsError(e.kms.send(new EnableKeyCommand({ KeyId: external.KeyId })), 'KMSInvalidStateException');
    expect(enable.message).toBe(`${external.Arn} is pending import.`);
    expect((await e.kms.send(new DescribeKeyCommand({ KeyId: external.KeyId }))).KeyMetadata!.KeyState).toBe('PendingImport');
    const live = await newKey();
    const cancel = await expectAwsError(e.kms.send(new CancelKeyDeletionCommand({ KeyId: live.KeyId })), 'KMSInvalidStateException');
    expect(cancel.message).toBe(`${live.Arn} is not pending deletion.`);
    expect((await e.kms.send(new DescribeKeyCommand({ KeyId: live.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
  });
});

describe('CreateKey options', () => {
  test('KeySpec with the deprecated CustomerMasterKeySpec is ValidationException; a CloudHSM origin or a custom key store is UnsupportedOperationException', async () => {
    const both = await expectAwsError(e.kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' })), 'ValidationException');
    expect(both.message).toContain('KeySpec and CustomerMasterKeySpec');
    const hsm = await expectAwsError(e.kms.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM' })), 'UnsupportedOperationException');
    expect(hsm.message).toContain('AWS_CLOUDHSM');
    const store = await expectAwsError(e.kms.send(new CreateKeyCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0' })), 'UnsupportedOperationException');
    expect(store.message).toContain('custom key store');
    expect((await e.kms.send(new ListKeysCommand({}))).Keys!.length).toBeGreaterThan(0);
  });

  test('the default key policy is the one AWS documents for keys made through the API: the account root may do everything', () => {
    expect(JSON.parse(defaultKeyPolicy(makeCaller({ accessKeyId: TEST_CREDENTIALS.accessKeyId })))).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }],
    });
  });
});

describe('DescribeKey and ListKeys on the wire', () => {
  test('a key not pending deletion has no DeletionDate at all; a forged ListKeys marker is InvalidMarkerException naming it', async () => {
    const key = await newKey();
    const res = await fetch(e.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.DescribeKey',
        authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ KeyId: key.KeyId }),
    });
    const meta = ((await res.json()) as { KeyMetadata: Record<string, unknown> }).KeyMetadata;
    expect(meta.KeyId).toBe(key.KeyId);
    expect(Object.keys(meta)).not.toContain('DeletionDate');
    const err = await expectAwsError(e.kms.send(new ListKeysCommand({ Marker: 'forged' })), 'InvalidMarkerException');
    expect(err.message).toBe('Invalid marker: forged');
  });
});
