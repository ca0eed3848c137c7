// Buckets, objects (SSE-KMS, Bucket Key, SSE-S3), default encryption and CloudTrail
// events survive a restart of the engine on the same home; a write cut short by a crash
// leaves no stray data behind.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand, GetBucketEncryptionCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutBucketEncryptionCommand,
  PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';

const running: TestEngine[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) await e.stop().catch(() => {});
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

async function engineOn(home: string) {
  const e = await startTestEngine({ home, keepHome: true });
  running.push(e);
  return { e, s3: new S3Client({ ...e.clientConfig, forcePathStyle: true }), cloudtrail: new CloudTrailClient(e.clientConfig) };
}

test('buckets, objects of every encryption, metadata and default encryption survive a restart', async () => {
  const home = tempHome();
  homes.push(home);
  const first = await engineOn(home);
  const key = (await first.e.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await first.e.kms.send(new CreateAliasCommand({ AliasName: 'alias/durable-s3', TargetKeyId: key.KeyId }));
  await first.s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
  await first.s3.send(
    new PutBucketEncryptionCommand({ Bucket: 'durable', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/durable-s3' }, BucketKeyEnabled: true }] } }),
  );
  await first.s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'bucket-key', Body: 'under a bucket key', Metadata: { kept: 'yes' } }));
  await first.s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'kms', Body: 'per-object key', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.Arn, BucketKeyEnabled: false }));
  await first.s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'sse-s3', Body: 'aes256', ServerSideEncryption: 'AES256' }));
  first.s3.destroy();
  first.cloudtrail.destroy();
  await first.e.stop();
  running.length = 0;

  const second = await engineOn(home);
  expect((await second.s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['durable']);
  expect((await second.s3.send(new ListObjectsV2Command({ Bucket: 'durable' }))).Contents?.map((c) => c.Key)).toEqual(['bucket-key', 'kms', 'sse-s3']);
  const rule = (await second.s3.send(new GetBucketEncryptionCommand({ Bucket: 'durable' }))).ServerSideEncryptionConfiguration?.Rules?.[0];
  expect(rule).toEqual({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/durable-s3' }, BucketKeyEnabled: true });
  const read = async (k: string) => (await second.s3.send(new GetObjectCommand({ Bucket: 'durable', Key: k }))).Body!.transformToString();
  expect(await read('bucket-key')).toBe('under a bucket key');
  expect(await read('kms')).toBe('per-object key');
  expect(await read('sse-s3')).toBe('aes256');
  expect((await second.s3.send(new HeadObjectCommand({ Bucket: 'durable', Key: 'bucket-key' }))).Metadata).toEqual({ kept: 'yes' });
  // The bucket key's plaintext was in memory only, so the new engine asked KMS once to decrypt it.
  const decrypts = await second.cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Decrypt' }] }));
  const contexts = (decrypts.Events ?? []).map((ev) => JSON.parse(ev.CloudTrailEvent!).requestParameters.encryptionContext['aws:s3:arn']).sort();
  expect(contexts).toEqual(['arn:aws:s3:::durable', 'arn:aws:s3:::durable/kms']);
  // Events recorded before the restart are still in the history.
  const generated = await second.cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' }] }));
  expect(generated.Events).toHaveLength(2);
  second.s3.destroy();
  second.cloudtrail.destroy();
});

test('object data written by a call that never finished (no metadata) is removed at start, and the rest is intact', async () => {
  const home = tempHome();
  homes.push(home);
  const first = await engineOn(home);
  await first.s3.send(new CreateBucketCommand({ Bucket: 'crashy' }));
  await first.s3.send(new PutObjectCommand({ Bucket: 'crashy', Key: 'ok', Body: 'acknowledged' }));
  first.s3.destroy();
  first.cloudtrail.destroy();
  await first.e.stop();
  running.length = 0;
  const stray = join(home, 'engine', 's3', 'data', 'crashy', 'interrupted.bin');
  mkdirSync(join(home, 'engine', 's3', 'data', 'crashy'), { recursive: true });
  writeFileSync(stray, Buffer.alloc(64, 7));

  const second = await engineOn(home);
  expect(existsSync(stray)).toBe(false);
  expect(await (await second.s3.send(new GetObjectCommand({ Bucket: 'crashy', Key: 'ok' }))).Body!.transformToString()).toBe('acknowledged');
  second.s3.destroy();
  second.cloudtrail.destroy();
});
