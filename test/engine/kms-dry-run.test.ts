// DryRun as the AWS KMS Developer Guide's "Testing your permissions" describes it: on the
// operations that take it, a call that would have succeeded answers DryRunOperationException
// (and returns nothing), one that would have failed answers its real error; CloudTrail records
// the attempt with "dryRun": true, as AWS's examples of dry-run events show.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateKeyCommand, DecryptCommand, DisableKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand, GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand, ReEncryptCommand, SignCommand, VerifyCommand, VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const MESSAGE = 'The request would have succeeded, but the DryRun option is set.';
const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) => (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const dryRunRefused = async (call: Promise<unknown>) => expect((await expectAwsError(call, 'DryRunOperationException')).message).toBe(MESSAGE);

test('every operation that takes DryRun answers DryRunOperationException when it would have succeeded', async () => {
  const symmetric = await newKey();
  const other = await newKey();
  const ecc = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  const hmac = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  const KeyId = symmetric.KeyId;
  const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('dry') }));
  const { Signature } = await e.kms.send(new SignCommand({ KeyId: ecc.KeyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' }));
  const { Mac } = await e.kms.send(new GenerateMacCommand({ KeyId: hmac.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }));

  await dryRunRefused(e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('dry'), DryRun: true })));
  await dryRunRefused(e.kms.send(new DecryptCommand({ CiphertextBlob, DryRun: true })));
  await dryRunRefused(e.kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: other.KeyId, DryRun: true })));
  await dryRunRefused(e.kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', DryRun: true })));
  await dryRunRefused(e.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId, KeySpec: 'AES_256', DryRun: true })));
  await dryRunRefused(e.kms.send(new GenerateDataKeyPairCommand({ KeyId, KeyPairSpec: 'ECC_NIST_P256', DryRun: true })));
  await dryRunRefused(e.kms.send(new SignCommand({ KeyId: ecc.KeyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })));
  await dryRunRefused(e.kms.send(new VerifyCommand({ KeyId: ecc.KeyId, Message: Buffer.from('m'), Signature, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })));
  await dryRunRefused(e.kms.send(new GenerateMacCommand({ KeyId: hmac.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256', DryRun: true })));
  await dryRunRefused(e.kms.send(new VerifyMacCommand({ KeyId: hmac.KeyId, Message: Buffer.from('m'), Mac, MacAlgorithm: 'HMAC_SHA_256', DryRun: true })));
  // DryRun false is an ordinary call.
  const decrypted = await e.kms.send(new DecryptCommand({ CiphertextBlob, DryRun: false }));
  expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('dry');
});

test('a call that would have failed answers its real error, not DryRunOperationException', async () => {
  const key = await newKey();
  const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('dry'), EncryptionContext: { a: '1' } }));
  await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob, DryRun: true })), 'InvalidCiphertextException'); // the context is missing
  const ecc = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  await expectAwsError(e.kms.send(new VerifyCommand({ KeyId: ecc.KeyId, Message: Buffer.from('m'), Signature: Buffer.alloc(64, 1), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })), 'KMSInvalidSignatureException');
  await expectAwsError(e.kms.send(new EncryptCommand({ KeyId: ecc.KeyId, Plaintext: Buffer.from('x'), DryRun: true })), 'InvalidKeyUsageException');
  await e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true })), 'DisabledException');
});

test('an operation that does not take DryRun ignores it; CloudTrail records a dry run with its error, "dryRun": true and the key', async () => {
  const key = await newKey();
  const raw = await fetch(e.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey' },
    body: JSON.stringify({ KeyId: key.KeyId, DryRun: true }),
  });
  expect(raw.status).toBe(200);

  // A member the operation does not define (DryRunModifiers is Decrypt's and ReEncrypt's) is not recorded.
  const input = { KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { purpose: 'dry run' }, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] } as const;
  await dryRunRefused(e.kms.send(new GenerateDataKeyCommand(input as ConstructorParameters<typeof GenerateDataKeyCommand>[0])));
  const cloudtrail = new CloudTrailClient(e.clientConfig);
  try {
    const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' }], MaxResults: 1 }));
    expect(JSON.parse(out.Events![0]!.CloudTrailEvent!)).toMatchObject({
      errorCode: 'DryRunOperationException',
      errorMessage: MESSAGE,
    });
    expect(JSON.parse(out.Events![0]!.CloudTrailEvent!).requestParameters).toEqual({ keyId: key.KeyId, keySpec: 'AES_256', encryptionContext: { purpose: 'dry run' }, dryRun: true });
    expect(JSON.parse(out.Events![0]!.CloudTrailEvent!)).toMatchObject({
      responseElements: null,
      resources: [{ type: 'AWS::KMS::Key', ARN: key.Arn }],
    });
  } finally {
    cloudtrail.destroy();
  }
});
