// Each KMS call's event records the requestParameters (and responseElements) AWS's own
// log entry examples show for that operation (AWS KMS Developer Guide, "AWS KMS log
// entry examples"): the members of the request in lower camel case, the defaults KMS
// fills in, and never plaintext, ciphertext or a member the API does not define.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DisableKeyCommand, EnableKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateRandomCommand, ReEncryptCommand,
  ScheduleKeyDeletionCommand, TagResourceCommand,
} from '@aws-sdk/client-kms';
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

const started: TestEngine[] = [];
afterEach(async () => {
  for (const te of started.splice(0)) await te.stop();
});

async function start() {
  const te = await startTestEngine();
  started.push(te);
  const cloudtrail = new CloudTrailClient(te.clientConfig);
  /** The newest event of that name, as CloudTrail's JSON record. */
  const record = async (eventName: string) => {
    const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }], MaxResults: 1 }));
    return { text: out.Events![0]!.CloudTrailEvent!, ...JSON.parse(out.Events![0]!.CloudTrailEvent!) };
  };
  const key = (await te.kms.send(new CreateKeyCommand({ Description: 'trail test' }))).KeyMetadata!;
  return { te, record, key };
}

const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

test('CreateKey records the key spec, usage, origin and lockout check even when left out, and the new key in responseElements', async () => {
  const { record, key } = await start();
  const e = await record('CreateKey');
  expect(e.requestParameters).toEqual({
    description: 'trail test',
    origin: 'AWS_KMS',
    bypassPolicyLockoutSafetyCheck: false,
    customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
  });
  expect(e.responseElements.keyMetadata).toMatchObject({ KeyId: key.KeyId, Arn: key.Arn, KeyState: 'Enabled' });
  expect(e.resources).toEqual([{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: key.Arn }]);
});

test('Encrypt records keyId, encryptionContext and encryptionAlgorithm, never the plaintext or the ciphertext', async () => {
  const { te, record, key } = await start();
  const plaintext = Buffer.from('a secret worth keeping, long enough to search for in the trail');
  const out = await te.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: { Department: 'Engineering' } }));
  const e = await record('Encrypt');
  expect(e.requestParameters).toEqual({ keyId: key.KeyId, encryptionContext: { Department: 'Engineering' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
  expect(e.responseElements).toBeNull();
  expect(e.text).not.toContain(plaintext.toString('base64'));
  expect(e.text).not.toContain('a secret worth keeping');
  expect(e.text).not.toContain(base64(out.CiphertextBlob!));
});

test('Decrypt always records the encryption algorithm, with the context, never the ciphertext or the plaintext', async () => {
  const { te, record, key } = await start();
  const { CiphertextBlob } = await te.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('decrypt me, please'), EncryptionContext: { Project: 'Alpha' } }));
  const out = await te.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { Project: 'Alpha' } }));
  const e = await record('Decrypt');
  expect(e.requestParameters).toEqual({ encryptionContext: { Project: 'Alpha' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
  expect(e.resources[0].ARN).toBe(key.Arn);
  expect(e.text).not.toContain(base64(CiphertextBlob!));
  expect(e.text).not.toContain(base64(out.Plaintext!));
});

test('GenerateDataKey records keyId, keySpec and encryptionContext; the data key appears nowhere', async () => {
  const { te, record, key } = await start();
  const out = await te.kms.send(new GenerateDataKeyCommand({ KeyId: key.Arn, KeySpec: 'AES_256', EncryptionContext: { Department: 'Engineering', Project: 'Alpha' } }));
  const e = await record('GenerateDataKey');
  expect(e.requestParameters).toEqual({ keyId: key.Arn, keySpec: 'AES_256', encryptionContext: { Department: 'Engineering', Project: 'Alpha' } });
  expect(e.responseElements).toBeNull();
  expect(e.text).not.toContain(base64(out.Plaintext!));
  expect(e.text).not.toContain(base64(out.CiphertextBlob!));
});

test('CreateAlias records aliasName and targetKeyId, the key ARN in responseElements, and the key and the alias as resources', async () => {
  const { te, record, key } = await start();
  await te.kms.send(new CreateAliasCommand({ AliasName: 'alias/ExampleAlias', TargetKeyId: key.KeyId }));
  const e = await record('CreateAlias');
  expect(e.requestParameters).toEqual({ aliasName: 'alias/ExampleAlias', targetKeyId: key.KeyId });
  expect(e.responseElements).toEqual({ keyId: key.Arn });
  expect(e.resources).toEqual([
    { accountId: '111122223333', type: 'AWS::KMS::Key', ARN: key.Arn },
    { accountId: '111122223333', type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-1:111122223333:alias/ExampleAlias' },
  ]);
});

test('ScheduleKeyDeletion records keyId and pendingWindowInDays; responseElements give the key, its state and the deletion date', async () => {
  const { te, record, key } = await start();
  const out = await te.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 20 }));
  const e = await record('ScheduleKeyDeletion');
  expect(e.requestParameters).toEqual({ keyId: key.KeyId, pendingWindowInDays: 20 });
  expect(e.responseElements).toMatchObject({ keyId: key.Arn, keyState: 'PendingDeletion' });
  // As AWS writes it ("Apr 12, 2021 6:58:30 PM"), the date KMS returned, in UTC.
  expect(e.responseElements.deletionDate).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/);
  expect(Date.parse(`${e.responseElements.deletionDate} UTC`)).toBe(Math.floor(out.DeletionDate!.getTime() / 1000) * 1000);
});

test('ReEncrypt records both sides with their algorithms, TagResource its tags, GenerateRandom nothing', async () => {
  const { te, record, key } = await start();
  const other = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const { CiphertextBlob } = await te.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('move me'), EncryptionContext: { Project: 'Alpha' } }));
  await te.kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { Project: 'Alpha' }, DestinationKeyId: other.KeyId, DestinationEncryptionContext: { Level: '3A' } }));
  expect((await record('ReEncrypt')).requestParameters).toEqual({
    sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    sourceEncryptionContext: { Project: 'Alpha' },
    destinationKeyId: other.KeyId,
    destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    destinationEncryptionContext: { Level: '3A' },
  });
  await te.kms.send(new TagResourceCommand({ KeyId: key.Arn, Tags: [{ TagKey: 'Department', TagValue: 'IT' }] }));
  expect((await record('TagResource')).requestParameters).toEqual({ keyId: key.Arn, tags: [{ tagKey: 'Department', tagValue: 'IT' }] });
  await te.kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
  const random = await record('GenerateRandom');
  expect(random.requestParameters).toBeNull();
  expect(random.responseElements).toBeNull();
});

test('an event names the key the request names when the response does not (EnableKey, DisableKey, a refused Encrypt, by alias), and no resource for a key that does not exist', async () => {
  const { te, record, key } = await start();
  const resource = [{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: key.Arn }];
  await te.kms.send(new CreateAliasCommand({ AliasName: 'alias/trail-resources', TargetKeyId: key.KeyId }));
  await te.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  expect((await record('DisableKey')).resources).toEqual(resource);
  await expect(te.kms.send(new EncryptCommand({ KeyId: 'alias/trail-resources', Plaintext: Buffer.from('x') }))).rejects.toMatchObject({ name: 'DisabledException' });
  const refused = await record('Encrypt');
  expect(refused.errorCode).toBe('DisabledException');
  expect(refused.resources).toEqual(resource);
  await te.kms.send(new EnableKeyCommand({ KeyId: key.Arn }));
  expect((await record('EnableKey')).resources).toEqual(resource);
  await expect(te.kms.send(new EnableKeyCommand({ KeyId: '11111111-2222-3333-4444-555555555555' }))).rejects.toMatchObject({ name: 'NotFoundException' });
  expect((await record('EnableKey')).resources).toBeUndefined();
});
