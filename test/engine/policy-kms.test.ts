// The authorization decision wired into every KMS call (kms/authorization.ts, callKms),
// through @aws-sdk/client-kms signed with IAM users' own access keys: IAM alone for
// CreateKey, the key policy first for a key's operations, grants, ReEncrypt's two keys,
// Decrypt's key named by its ciphertext, aliases, and the refused call in CloudTrail.
import { LookupEventsCommand, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, GenerateRandomCommand, KMSClient,
  PutKeyPolicyCommand, ReEncryptCommand, ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
let e: TestEngine;
let iam: IAMClient;
const clients: { destroy(): void }[] = [];
beforeAll(async () => {
  e = await startTestEngine();
  iam = new IAMClient(e.clientConfig);
  clients.push(iam);
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await e.stop();
});

const POWER_USER = 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser';
const arnOf = (user: string) => `arn:aws:iam::${ACCOUNT}:user/${user}`;
const doc = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const enableIam = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };

/** A new IAM user with an access key, and a KMS client signing as them. */
async function kmsAs(name: string): Promise<KMSClient> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  const client = new KMSClient({ ...e.clientConfig, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
  clients.push(client);
  return client;
}
const allow = (user: string, name: string, ...Statement: unknown[]) => iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: name, PolicyDocument: doc(...Statement) }));
const newKey = async (Policy?: string) => (await e.kms.send(new CreateKeyCommand(Policy ? { Policy } : {}))).KeyMetadata!;

describe('IAM alone: actions on no key', () => {
  test('a user with no policy: CreateKey is AccessDeniedException in AWS\'s words; after AWSKeyManagementServicePowerUser it works, GenerateDataKey is still denied', async () => {
    const kms = await kmsAs('alice');
    const err = await expectAwsError(kms.send(new CreateKeyCommand({})), 'AccessDeniedException');
    expect(err.message).toBe(`User: ${arnOf('alice')} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`);
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: POWER_USER }));
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const denied = await expectAwsError(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'AccessDeniedException');
    expect(denied.message).toBe(`User: ${arnOf('alice')} is not authorized to perform: kms:GenerateDataKey on resource: ${key.Arn} because no identity-based policy allows the kms:GenerateDataKey action`);
    await expectAwsError(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 })), 'AccessDeniedException');
    expect((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 16 }))).Plaintext).toHaveLength(16);
  });

  test('the refused call is in CloudTrail with its error and the caller who made it', async () => {
    const kms = await kmsAs('mallory');
    await expectAwsError(kms.send(new CreateKeyCommand({ Description: 'nope' })), 'AccessDeniedException');
    const trail = new CloudTrailClient(e.clientConfig);
    clients.push(trail);
    const events = (await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'mallory' }] }))).Events!;
    const event = JSON.parse(events.find((ev) => ev.EventName === 'CreateKey')!.CloudTrailEvent!);
    expect(event).toMatchObject({ errorCode: 'AccessDeniedException', userIdentity: { type: 'IAMUser', arn: arnOf('mallory') } });
    expect(event.errorMessage).toMatch(/because no identity-based policy allows the kms:CreateKey action$/);
  });
});

describe('a key: the key policy first', () => {
  test('an IAM policy allowing everything counts for nothing under a key policy that does not enable IAM; naming the user does', async () => {
    const kms = await kmsAs('bob');
    await allow('bob', 'all', { Effect: 'Allow', Action: '*', Resource: '*' });
    const key = await newKey(doc({ ...enableIam, Principal: { AWS: arnOf('workshop-learner') } }));
    const err = await expectAwsError(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException');
    expect(err.message).toBe(`User: ${arnOf('bob')} is not authorized to perform: kms:Encrypt on resource: ${key.Arn} because no resource-based policy allows the kms:Encrypt action`);
    const shared = await newKey(doc({ ...enableIam, Principal: { AWS: arnOf('workshop-learner') } }, { Sid: 'Allow use of the key', Effect: 'Allow', Principal: { AWS: arnOf('bob') }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }));
    await kms.send(new EncryptCommand({ KeyId: shared.KeyId, Plaintext: Buffer.from('x') }));
  });

  test('an EncryptionContext condition in the key policy: GenerateDataKey with the pair, not without', async () => {
    const kms = await kmsAs('carol');
    const key = await newKey(doc(enableIam, { Effect: 'Allow', Principal: { AWS: arnOf('carol') }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:project': 'workshop' } } }));
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { project: 'workshop' } }));
    await expectAwsError(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { project: 'other' } })), 'AccessDeniedException');
    await expectAwsError(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'AccessDeniedException');
    // Decrypt: the key is the one the ciphertext names (no KeyId), its context the request's.
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { project: 'workshop' } }))).KeyId).toBe(key.Arn);
  });

  test('a Deny in the key policy beats the administrator\'s Allow', async () => {
    const key = await newKey(doc(enableIam, { Sid: 'NoDecrypt', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }));
    const blob = (await e.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
    const err = await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'AccessDeniedException');
    expect(err.message).toBe(`User: ${arnOf('workshop-learner')} is not authorized to perform: kms:Decrypt on resource: ${key.Arn} with an explicit deny in a resource-based policy`);
  });

  test('ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination', async () => {
    const kms = await kmsAs('dave');
    const useKey = (...actions: string[]) => doc(enableIam, { Effect: 'Allow', Principal: { AWS: arnOf('dave') }, Action: actions, Resource: '*' });
    const source = await newKey(useKey('kms:Encrypt', 'kms:ReEncryptFrom'));
    const destination = await newKey(useKey('kms:Encrypt'));
    const blob = (await kms.send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
    const err = await expectAwsError(kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: destination.KeyId })), 'AccessDeniedException');
    expect(err.message).toBe(`User: ${arnOf('dave')} is not authorized to perform: kms:ReEncryptTo on resource: ${destination.Arn} because no identity-based policy allows the kms:ReEncryptTo action`);
    await e.kms.send(new PutKeyPolicyCommand({ KeyId: destination.KeyId, PolicyName: 'default', Policy: useKey('kms:ReEncryptTo') }));
    expect((await kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: destination.KeyId }))).SourceKeyId).toBe(source.Arn);
    await e.kms.send(new PutKeyPolicyCommand({ KeyId: source.KeyId, PolicyName: 'default', Policy: useKey('kms:Encrypt') }));
    const from = await expectAwsError(kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: destination.KeyId })), 'AccessDeniedException');
    expect(from.message).toMatch(new RegExp(`kms:ReEncryptFrom on resource: ${source.Arn} because`));
  });

  test('CreateAlias needs kms:CreateAlias on the key as well as on the alias', async () => {
    const kms = await kmsAs('erin');
    await allow('erin', 'aliases', { Effect: 'Allow', Action: 'kms:CreateAlias', Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/*` });
    const key = await newKey(doc(enableIam));
    const err = await expectAwsError(kms.send(new CreateAliasCommand({ AliasName: 'alias/erin', TargetKeyId: key.KeyId })), 'AccessDeniedException');
    expect(err.message).toBe(`User: ${arnOf('erin')} is not authorized to perform: kms:CreateAlias on resource: ${key.Arn} because no identity-based policy allows the kms:CreateAlias action`);
    await allow('erin', 'key', { Effect: 'Allow', Action: 'kms:CreateAlias', Resource: key.Arn });
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/erin', TargetKeyId: key.KeyId }));
  });

  test('a key that does not exist is NotFoundException, not AccessDeniedException', async () => {
    const kms = await kmsAs('frank');
    await expectAwsError(kms.send(new EncryptCommand({ KeyId: '11111111-2222-3333-4444-555555555555', Plaintext: Buffer.from('x') })), 'NotFoundException');
  });
});

describe('grants', () => {
  test('a grant lets its grantee use the key where no policy does, within its constraint', async () => {
    const kms = await kmsAs('grace');
    const key = await newKey(doc(enableIam));
    const { GrantToken } = await e.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arnOf('grace'), Operations: ['GenerateDataKey'], Constraints: { EncryptionContextSubset: { project: 'workshop' } } }));
    await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { project: 'workshop', file: 'a' }, GrantTokens: [GrantToken!] }));
    await expectAwsError(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { project: 'other' } })), 'AccessDeniedException');
    await expectAwsError(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { project: 'workshop' } })), 'AccessDeniedException');
  });
});

describe('S3 on the caller\'s behalf', () => {
  test('a key usable only through S3 (kms:ViaService): S3 SSE-KMS works, the same call made directly is denied', async () => {
    const viaS3 = { Effect: 'Allow', Principal: { AWS: arnOf('workshop-learner') }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } };
    const admin = { Effect: 'Allow', Principal: { AWS: arnOf('workshop-learner') }, NotAction: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'], Resource: '*' };
    const key = await newKey(doc(admin, viaS3));
    const s3 = new S3Client({ ...e.clientConfig, forcePathStyle: true });
    clients.push(s3);
    await s3.send(new CreateBucketCommand({ Bucket: 'via-s3' }));
    await s3.send(new PutObjectCommand({ Bucket: 'via-s3', Key: 'o', Body: 'secret', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'via-s3', Key: 'o' }))).Body!.transformToString()).toBe('secret');
    const err = await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'AccessDeniedException');
    expect(err.message).toMatch(/because no resource-based policy allows the kms:GenerateDataKey action$/);
  });

  test('an S3 upload by a caller who may not use the key fails as S3 reports it: 403 AccessDenied naming the KMS action', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'ivan' }));
    const access = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ivan' }))).AccessKey!;
    await allow('ivan', 's3', { Effect: 'Allow', Action: 's3:*', Resource: '*' });
    const key = await newKey(doc(enableIam));
    const s3 = new S3Client({ ...e.clientConfig, forcePathStyle: true, credentials: { accessKeyId: access.AccessKeyId!, secretAccessKey: access.SecretAccessKey! } });
    clients.push(s3);
    await s3.send(new CreateBucketCommand({ Bucket: 'ivan-bucket' }));
    const err = await expectAwsError(s3.send(new PutObjectCommand({ Bucket: 'ivan-bucket', Key: 'o', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId })), 'AccessDenied', 403);
    expect(err.message).toBe(`User: ${arnOf('ivan')} is not authorized to perform: kms:GenerateDataKey on resource: ${key.Arn} because no identity-based policy allows the kms:GenerateDataKey action`);
  });
});
