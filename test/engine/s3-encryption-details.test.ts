// S3 encryption in detail (mutation survivors of s3/encryption.ts): a sealed data key of an
// unknown format is never opened as format 1, and deleting one bucket forgets only that
// bucket's Bucket Keys, never those of another bucket (even one whose name starts the same).
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openBytes, sealBytes } from '../../src/engine/s3/encryption.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

test('sealed bytes open with their key and binding, and a blob whose format byte is not 1 does not open, though the rest is intact', () => {
  const key = randomBytes(32);
  const sealed = sealBytes(key, Buffer.from('data key'), 'arn:aws:s3:::b/o');
  expect(sealed[0]).toBe(1);
  expect(openBytes(key, sealed, 'arn:aws:s3:::b/o').toString()).toBe('data key');
  const otherFormat = Buffer.from(sealed);
  otherFormat[0] = 2;
  // Stored bytes that cannot be read are S3's InternalError (500), never the plaintext.
  expect(() => openBytes(key, otherFormat, 'arn:aws:s3:::b/o')).toThrow(expect.objectContaining({ code: 'InternalError', status: 500 }));
  expect(() => openBytes(key, sealed, 'arn:aws:s3:::b/other')).toThrow(expect.objectContaining({ code: 'InternalError', status: 500 }));
});

let te: TestEngine;
let s3: S3Client;
let cloudtrail: CloudTrailClient;
beforeEach(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  cloudtrail = new CloudTrailClient(te.clientConfig);
});
afterEach(async () => {
  s3.destroy();
  cloudtrail.destroy();
  await te.stop();
});

async function generateDataKeyCalls(): Promise<number> {
  const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' }] }));
  return (out.Events ?? []).length;
}

test('deleting a bucket forgets its Bucket Key only: another bucket, even one whose name it begins, keeps using its own without asking KMS again', async () => {
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const put = (Bucket: string, Key: string) =>
    s3.send(new PutObjectCommand({ Bucket, Key, Body: `${Bucket}/${Key}`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.Arn, BucketKeyEnabled: true }));
  for (const bucket of ['logs', 'logs-archive', 'other']) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await put(bucket, 'first');
  }
  expect(await generateDataKeyCalls()).toBe(3); // one Bucket Key each

  await s3.send(new DeleteObjectCommand({ Bucket: 'logs', Key: 'first' }));
  await s3.send(new DeleteBucketCommand({ Bucket: 'logs' }));
  await put('logs-archive', 'second');
  await put('other', 'second');
  expect(await generateDataKeyCalls()).toBe(3);
  const got = await s3.send(new GetObjectCommand({ Bucket: 'logs-archive', Key: 'second' }));
  expect(await got.Body!.transformToString()).toBe('logs-archive/second');

  // The deleted bucket's name, created again, gets a Bucket Key of its own.
  await s3.send(new CreateBucketCommand({ Bucket: 'logs' }));
  await put('logs', 'again');
  expect(await generateDataKeyCalls()).toBe(4);
});
