// Every service's calls pass the one authorization decision (auth/authorize.ts): IAM and STS
// (Query), S3 (REST) and CloudTrail's LookupEvents (JSON), for users made through IAM with
// access keys of their own, through the real SDK clients over HTTP. Refusals carry each
// protocol's error and AWS's message; CloudTrail records them with their error.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
let te: TestEngine;
let iam: IAMClient;
let s3: S3Client;
const clients: { destroy(): void }[] = [];

beforeEach(async () => {
  te = await startTestEngine();
  iam = new IAMClient(te.clientConfig);
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'shared' }));
  await s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'notes.txt', Body: 'hello' }));
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  iam.destroy();
  s3.destroy();
  await te.stop();
});

const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** A user made through IAM, with an access key, and clients signed with it. */
async function user(name: string) {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  const config = { ...te.clientConfig, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } };
  const c = { iam: new IAMClient(config), s3: new S3Client({ ...config, forcePathStyle: true }), sts: new STSClient(config), kms: new KMSClient(config), cloudtrail: new CloudTrailClient(config) };
  clients.push(...Object.values(c));
  return { arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, ...c };
}

describe('a user with no policy', () => {
  test('IAM CreateUser is AccessDenied (403) in AWS words; STS GetCallerIdentity needs no permission', async () => {
    const bob = await user('bob');
    const denied = await expectAwsError(bob.iam.send(new CreateUserCommand({ UserName: 'carol' })), 'AccessDenied', 403);
    expect(denied.message).toBe(
      `User: ${bob.arn} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/carol because no identity-based policy allows the iam:CreateUser action`,
    );
    expect((await bob.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(bob.arn);
  });

  test('S3 ListBuckets and PutObject are AccessDenied (403) with S3 quoting the resource; LookupEvents is AccessDeniedException', async () => {
    const bob = await user('bob');
    const list = await expectAwsError(bob.s3.send(new ListBucketsCommand({})), 'AccessDenied', 403);
    expect(list.message).toBe(`User: ${bob.arn} is not authorized to perform: s3:ListAllMyBuckets on resource: "arn:aws:s3:::*" because no identity-based policy allows the s3:ListAllMyBuckets action`);
    const put = await expectAwsError(bob.s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'a/b.txt', Body: 'x' })), 'AccessDenied', 403);
    expect(put.message).toBe(`User: ${bob.arn} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::shared/a/b.txt" because no identity-based policy allows the s3:PutObject action`);
    // Before anything else: a bucket that does not exist is not revealed as such.
    await expectAwsError(bob.s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })), 'AccessDenied', 403);
    const lookup = await expectAwsError(bob.cloudtrail.send(new LookupEventsCommand({})), 'AccessDeniedException', 400);
    expect(lookup.message).toBe(`User: ${bob.arn} is not authorized to perform: cloudtrail:LookupEvents on resource: * because no identity-based policy allows the cloudtrail:LookupEvents action`);
    await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'shared', Key: 'a/b.txt' })), 'NoSuchKey', 404); // nothing was stored
  });
});

test('AmazonS3ReadOnlyAccess: GetObject and ListObjects work, PutObject is still denied', async () => {
  const bob = await user('bob');
  await iam.send(new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }));
  expect(await (await bob.s3.send(new GetObjectCommand({ Bucket: 'shared', Key: 'notes.txt' }))).Body!.transformToString()).toBe('hello');
  expect((await bob.s3.send(new ListObjectsV2Command({ Bucket: 'shared' }))).Contents?.map((o) => o.Key)).toEqual(['notes.txt']);
  expect((await bob.s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['shared']);
  const put = await expectAwsError(bob.s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'notes.txt', Body: 'overwritten' })), 'AccessDenied', 403);
  expect(put.message).toContain('because no identity-based policy allows the s3:PutObject action');
  expect(await (await s3.send(new GetObjectCommand({ Bucket: 'shared', Key: 'notes.txt' }))).Body!.transformToString()).toBe('hello');
});

test('an explicit Deny beats AdministratorAccess, for the resources it names only', async () => {
  const bob = await user('bob');
  await iam.send(new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'no-secrets', PolicyDocument: policy({ Effect: 'Deny', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::shared/secret/*' }) }));
  await bob.s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'public/x', Body: 'x' }));
  const denied = await expectAwsError(bob.s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'secret/x', Body: 'x' })), 'AccessDenied', 403);
  expect(denied.message).toBe(`User: ${bob.arn} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::shared/secret/x" with an explicit deny in an identity-based policy`);
  await bob.iam.send(new CreateUserCommand({ UserName: 'carol' })); // the Allow still holds elsewhere
});

describe('AssumeRole', () => {
  const trustAccount = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' });

  test('a role that trusts the account: refused until the user\'s own policy allows sts:AssumeRole', async () => {
    const bob = await user('bob');
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: trustAccount }));
    const ask = () => bob.sts.send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'job' }));
    const denied = await expectAwsError(ask(), 'AccessDenied', 403);
    expect(denied.message).toBe(`User: ${bob.arn} is not authorized to perform: sts:AssumeRole on resource: ${role.Role!.Arn} because no identity-based policy allows the sts:AssumeRole action`);
    await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'assume', PolicyDocument: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.Role!.Arn }) }));
    expect((await ask()).AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/reader/job`);
  });

  test('a role whose trust policy names the user: no identity policy needed in the same account', async () => {
    const bob = await user('bob');
    const trustBob = policy({ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'sts:AssumeRole' });
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'bobs', AssumeRolePolicyDocument: trustBob }));
    expect((await bob.sts.send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'job' }))).Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });
});

describe('S3 SSE-KMS on the caller\'s behalf', () => {
  test('a user who may s3:PutObject but not use the key gets S3\'s 403 naming kms:GenerateDataKey; reading needs kms:Decrypt', async () => {
    const keyId = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const bob = await user('bob');
    await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 's3', PolicyDocument: policy({ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: '*' }) }));
    const put = () => bob.s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'sealed', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
    const denied = await expectAwsError(put(), 'AccessDenied', 403);
    expect(denied.message).toBe(`User: ${bob.arn} is not authorized to perform: kms:GenerateDataKey on resource: ${keyId} because no identity-based policy allows the kms:GenerateDataKey action`);

    // Allowed only through S3 (kms:ViaService): the upload works, the same call to KMS directly does not.
    const viaS3 = { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } };
    await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'kms', PolicyDocument: policy({ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: keyId, Condition: viaS3 }) }));
    await put();
    await expectAwsError(bob.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })), 'AccessDeniedException');
    const read = await expectAwsError(bob.s3.send(new GetObjectCommand({ Bucket: 'shared', Key: 'sealed' })), 'AccessDenied', 403);
    expect(read.message).toContain('is not authorized to perform: kms:Decrypt on resource');
    // The KMS calls S3 made carry the user's identity, invoked by S3, with the refusal recorded.
    const admin = new CloudTrailClient(te.clientConfig);
    clients.push(admin);
    const events = (await admin.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'bob' }] }))).Events ?? [];
    const kmsEvents = events.filter((ev) => ev.EventSource === 'kms.amazonaws.com').map((ev) => JSON.parse(ev.CloudTrailEvent!));
    const decrypt = kmsEvents.find((ev) => ev.eventName === 'Decrypt');
    expect(decrypt).toMatchObject({ errorCode: 'AccessDeniedException', userIdentity: { arn: bob.arn, invokedBy: 's3.amazonaws.com' } });
  });
  test('with an S3 Bucket Key, a bucket key S3 holds for one caller is no way around another caller\'s missing kms:Decrypt or kms:GenerateDataKey', async () => {
    const keyId = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const sealed = { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: keyId, BucketKeyEnabled: true };
    await s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'by-admin', Body: 'secret', ...sealed }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'shared', Key: 'by-admin' }))).Body!.transformToString()).toBe('secret');
    const bob = await user('bob');
    await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 's3', PolicyDocument: policy({ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: '*' }) }));
    const read = await expectAwsError(bob.s3.send(new GetObjectCommand({ Bucket: 'shared', Key: 'by-admin' })), 'AccessDenied', 403);
    expect(read.message).toContain('kms:Decrypt');
    const write = await expectAwsError(bob.s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'by-bob', Body: 'x', ...sealed })), 'AccessDenied', 403);
    expect(write.message).toContain('kms:GenerateDataKey');
  });
});

test('denied calls are in LookupEvents with their error: IAM, S3 management events and LookupEvents itself', async () => {
  const bob = await user('bob');
  await expectAwsError(bob.iam.send(new CreateUserCommand({ UserName: 'carol' })), 'AccessDenied', 403);
  await expectAwsError(bob.s3.send(new CreateBucketCommand({ Bucket: 'bobs-bucket' })), 'AccessDenied', 403);
  await expectAwsError(bob.s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'k', Body: 'x' })), 'AccessDenied', 403);
  await expectAwsError(bob.cloudtrail.send(new LookupEventsCommand({})), 'AccessDeniedException');
  const admin = new CloudTrailClient(te.clientConfig);
  clients.push(admin);
  const events = ((await admin.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'bob' }] }))).Events ?? []).map((ev) => JSON.parse(ev.CloudTrailEvent!));
  const byName = (name: string) => events.find((ev) => ev.eventName === name);
  expect(byName('CreateUser')).toMatchObject({ eventSource: 'iam.amazonaws.com', errorCode: 'AccessDenied', errorMessage: expect.stringContaining('iam:CreateUser') });
  expect(byName('CreateBucket')).toMatchObject({ eventSource: 's3.amazonaws.com', errorCode: 'AccessDenied', errorMessage: expect.stringContaining('s3:CreateBucket') });
  expect(byName('LookupEvents')).toMatchObject({ errorCode: 'AccessDeniedException', errorMessage: expect.stringContaining('cloudtrail:LookupEvents') });
  expect(byName('PutObject')).toBeUndefined(); // a data event: never in the event history
});
